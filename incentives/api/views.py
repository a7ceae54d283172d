from __future__ import annotations

from rest_framework import viewsets

from core.api.conditional import ConditionalReadMixin

from ..filtersets import IncentiveFilterSet
from ..models import Incentive
from .serializers import IncentiveSerializer


class IncentiveViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet[Incentive]):
    """Incentives for companies, researchers and students, with their sources."""

    queryset = Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources").order_by("name")
    serializer_class = IncentiveSerializer
    filterset_class = IncentiveFilterSet
    lookup_field = "slug"
