from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from pillars.api.serializers import RollupSerializer, SourceSerializer

from ..models import Hub


class HubSerializer(serializers.ModelSerializer[Hub]):
    """A regional hub with its place on the map and its roll-up as of `as_of`."""

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

    @extend_schema_field(RollupSerializer)
    def get_rollup(self, hub: Hub) -> dict[str, Any] | None:
        rollup = self.context.get("rollups", {}).get(("hub", hub.slug))
        return RollupSerializer(rollup).data if rollup is not None else None
