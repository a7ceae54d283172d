from __future__ import annotations

from rest_framework import serializers

from core.api.rows import FastRepresentationMixin
from hubs.models import Hub
from pillars.models import Pillar
from sources.serializers import SourceSerializer

from ..models import Incentive


class IncentiveSerializer(FastRepresentationMixin, serializers.ModelSerializer[Incentive]):
    """What a founder needs to know: what it offers, who runs it, who can apply, its status and sources."""

    pillar = serializers.SlugRelatedField[Pillar](slug_field="slug", read_only=True, allow_null=True)
    hubs = serializers.SlugRelatedField[Hub](slug_field="slug", many=True, read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    budget_amount = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Incentive
        fields = [
            "slug",
            "name",
            "kind",
            "pillar",
            "status",
            "summary",
            "administered_by",
            "eligibility",
            "planned_launch_on",
            "planned_launch_basis",
            "launched_on",
            "budget_amount",
            "budget_currency",
            "budget_note",
            "confidence",
            "disputed",
            "dispute_note",
            "hubs",
            "sources",
        ]
