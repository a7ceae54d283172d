from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from core.api.conditional import ConditionalReadMixin
from core.api.params import view_param
from core.api.schema import AS_OF, BASIS
from core.translation import english
from indicators import selectors as indicator_selectors

from ..filtersets import HubFilterSet
from ..models import Hub
from .serializers import HubSerializer


@extend_schema_view(list=extend_schema(parameters=[AS_OF, BASIS]), retrieve=extend_schema(parameters=[AS_OF, BASIS]))
class HubViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet[Hub]):
    """Regional AI hubs (Centres of Excellence) with coordinates and roll-ups."""

    queryset = Hub.objects.prefetch_related("sources").order_by(english("name"))
    serializer_class = HubSerializer
    filterset_class = HubFilterSet
    lookup_field = "slug"

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if not getattr(self, "swagger_fake_view", False):
            context["rollups"] = indicator_selectors.rollups_on(**view_param(self.request).selection)
        return context
