"""How the API shows a source: every figure, date and event of every resource cites its sources."""

from __future__ import annotations

from rest_framework import serializers

from core.api.rows import FastRepresentationMixin

from .models import Source


class SourceSerializer(FastRepresentationMixin, serializers.ModelSerializer[Source]):
    """A published document behind a figure, a date or an event, with its confidence mark."""

    confidence_mark = serializers.CharField(read_only=True)

    class Meta:
        model = Source
        fields = ["id", "url", "title", "outlet", "published_on", "confidence", "disputed", "confidence_mark"]
