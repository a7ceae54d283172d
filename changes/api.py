"""`/api/v1/changes/`: the public record of every change to published data (api.md), JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.conditional import ConditionalMixin, conditional
from core.api.params import validated_filters, view_param
from core.api.schema import AS_OF, BASIS
from pillars.models import Measurement

from .filtersets import ChangeFilterSet
from .selectors import change_keys, changes_for
from .serializers import ChangeSerializer


class ChangeViewSet(ConditionalMixin, viewsets.GenericViewSet[Any]):
    """Every change to published data, newest first: figures added, revised and withdrawn, forecasts moved,
    milestones completed or cancelled, definitions changed, re-baselines, incentive statuses.

    Changes to illustrative figures are left out unless `?basis=illustrative`.
    """

    serializer_class = ChangeSerializer
    filterset_class = ChangeFilterSet
    # The record is read by `changes.selectors`; the FilterSet validates the query string only.
    queryset = Measurement.history.none()
    filter_backends: list[Any] = []

    @extend_schema(parameters=[AS_OF, BASIS])
    @conditional
    def list(self, request: Request) -> Response:
        filterset = validated_filters(ChangeFilterSet, request, self.get_queryset())
        keys = change_keys(filterset.wanted(view_param(request)))
        page = self.paginate_queryset(keys)
        assert page is not None  # the API always paginates
        rows: Any = changes_for(page)
        return self.get_paginated_response(ChangeSerializer(rows, many=True).data)
