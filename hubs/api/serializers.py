from __future__ import annotations

from rest_framework import serializers

from core.api.rows import FastRepresentationMixin
from indicators.serializers import RollupInContextMixin
from sources.serializers import SourceSerializer

from ..models import Hub


class HubSerializer(RollupInContextMixin, FastRepresentationMixin, serializers.ModelSerializer[Hub]):
    """A regional hub with its place on the map and its roll-up as of `as_of`."""

    rollup_scope = "hub"
    sources = SourceSerializer(many=True, read_only=True)
    rollup = serializers.SerializerMethodField()

    class Meta:
        model = Hub
        fields = [
            "slug",
            "name",
            "name_ur",
            "province",
            "latitude",
            "longitude",
            "coordinates_confidence",
            "tier",
            "role",
            "status",
            "planned_launch_on",
            "launched_on",
            "confidence",
            "sources",
            "rollup",
        ]
