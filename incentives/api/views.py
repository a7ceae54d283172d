from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api.conditional import ConditionalReadMixin
from core.api.params import as_of_param
from core.api.schema import AS_OF
from core.translation import english

from ..filtersets import IncentiveFilterSet
from ..models import Incentive
from .serializers import IncentiveSerializer


@extend_schema_view(list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF]))
class IncentiveViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet[Incentive]):
    """Incentives for companies, researchers and students: where, who, how and when to apply, with sources."""

    queryset = Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources").order_by(english("name"))
    serializer_class = IncentiveSerializer
    filterset_class = IncentiveFilterSet
    lookup_field = "slug"

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["as_of"] = as_of_param(self.request)  # the day application_status is worked out for
        return context
