"""API viewsets of pillars, targets, measurements and milestones, and the dashboard summary.

Thin: a queryset, a serializer, a FilterSet; indicators come from the
selectors, writes go to the services.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, QuerySet
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from policy_portal.api import ConditionalMixin, IsEditorOrReadOnly, as_of_from, parse_date_param

from .. import selectors, services
from ..filtersets import MeasurementFilterSet, MilestoneFilterSet, TargetFilterSet
from ..models import (
    Measurement,
    Milestone,
    MilestoneSnapshot,
    Pillar,
    Policy,
    Target,
    TargetSnapshot,
)
from .serializers import (
    MeasurementSerializer,
    MilestoneHistorySerializer,
    MilestoneSerializer,
    MilestoneWriteSerializer,
    PillarSerializer,
    SummarySerializer,
    TargetHistorySerializer,
    TargetSerializer,
    TargetWriteSerializer,
    represent_each,
)

AS_OF = OpenApiParameter(
    "as_of",
    OpenApiTypes.DATE,
    description="The indicators as they stood on this date (YYYY-MM-DD). Default: today in Asia/Karachi.",
)


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of a 401, 403, 404, 415 or 429: what went wrong, in words."""

    detail = serializers.CharField()


# The body of a 400.
VALIDATION_ERROR = {
    "type": "object",
    "description": "A list of messages per field or query parameter (e.g. `as_of`); `detail` for an unreadable body.",
    "additionalProperties": {},
}


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema plus the responses api.md promises on every endpoint: 304 and the errors.

    Clients (and schemathesis) can then rely on the documented status codes and bodies.
    """

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        extra: dict[str, Any] = {"400": VALIDATION_ERROR, "401": ErrorSerializer, "404": ErrorSerializer}
        if self.method in ("GET", "HEAD"):
            responses.setdefault("304", {"description": "Not modified: the `If-None-Match` ETag still matches."})
        else:
            extra |= {"403": ErrorSerializer, "415": ErrorSerializer}
        extra["429"] = ErrorSerializer
        for code, body in extra.items():
            if code not in responses:
                responses[code] = self._get_response_for_code(body, code, direction=direction)
        return responses


def _validated(filterset_class: Any, request: Request, queryset: QuerySet[Any]) -> Any:
    filterset = filterset_class(request.query_params, queryset=queryset, request=request)
    try:
        valid = filterset.is_valid()
    except OverflowError:  # SQLite cannot bind an id beyond 64 bits (`?pillar_id=1e30`); PostgreSQL finds nothing
        raise ValidationError({"detail": ["An id is out of range."]}) from None
    if not valid:
        raise ValidationError(filterset.errors)
    return filterset


@extend_schema_view(list=extend_schema(parameters=[AS_OF]), retrieve=extend_schema(parameters=[AS_OF]))
class PillarViewSet(ConditionalMixin, viewsets.ReadOnlyModelViewSet[Pillar]):
    """The policy's six pillars, each with its roll-up as of `as_of`."""

    schema = ApiAutoSchema()

    queryset = Pillar.objects.prefetch_related("sources").order_by("number")
    serializer_class = PillarSerializer
    lookup_field = "slug"
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        context["rollups"] = selectors.rollups_on(as_of=as_of_from(self.request))
        return context


class _IndicatorListMixin:
    """List and retrieve through a selector that attaches the indicators as of `as_of`."""

    list_selector: Any
    attach: Any
    relations: Any
    filterset_class: Any

    def _rows(self, request: Request, queryset: QuerySet[Any]) -> Any:
        if self.filterset_class.base_filters.keys().isdisjoint(request.query_params):
            # No filter asked for: nothing to validate, and no form to build (which costs more than the SQL).
            return self.list_selector(queryset=queryset, as_of=as_of_from(request))
        filterset = _validated(self.filterset_class, request, queryset)
        return self.list_selector(queryset=filterset.qs, as_of=as_of_from(request), **filterset.indicator_filters)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        page = view.paginate_queryset(self._rows(request, view.get_queryset()))
        self.attach(page, as_of=as_of_from(request))
        self.relations(page)
        rows = represent_each(view.get_serializer_class(), page, view.get_serializer_context())
        return view.get_paginated_response(rows)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        view: Any = self
        as_of = as_of_from(request)
        # A bare existence check (404 for an unknown or malformed id), then one read of the row with its
        # indicators and relations: `get_object()` would read the row a first time for nothing.
        found = get_object_or_404(view.get_queryset().model.objects.only("pk"), pk=kwargs[view.lookup_field])
        view.check_object_permissions(request, found)
        rows = type(self).list_selector(queryset=view.get_queryset().filter(pk=found.pk), as_of=as_of)
        instance = next(iter(rows))
        type(self).attach([instance], as_of=as_of)
        type(self).relations([instance])
        return Response(view.get_serializer().to_representation(instance))  # no `.data`: see `represent_each`


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF]),
    retrieve=extend_schema(parameters=[AS_OF]),
    create=extend_schema(request=TargetWriteSerializer, responses={201: TargetSerializer}),
    partial_update=extend_schema(request=TargetWriteSerializer, responses={200: TargetSerializer}),
)
class TargetViewSet(
    ConditionalMixin,
    _IndicatorListMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Target],
):
    """Numeric targets with their planned curve and indicators; editors may create and change them."""

    schema = ApiAutoSchema()

    # Relations are attached to the page by `relations` (rows read as tuples), not prefetched; of the
    # pillar only its slug is shown.
    queryset = Target.objects.annotate(pillar_slug=F("pillar__slug"))
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    list_selector = staticmethod(selectors.target_list)
    attach = staticmethod(selectors.attach_target_indicators)
    relations = staticmethod(selectors.attach_target_relations)

    def get_serializer_class(self) -> Any:
        return TargetWriteSerializer if self.action in ("create", "partial_update", "update") else TargetSerializer

    def _save(self, target: Target, data: dict[str, Any]) -> Response:
        hubs = data.pop("hubs", None)
        trajectory = data.pop("trajectory", None)
        reason = data.pop("reason", "")
        for name, value in data.items():
            setattr(target, name, value)
        if target.policy_id is None:
            target.policy = Policy.objects.order_by("pk").first()  # type: ignore[assignment]
        points = None if trajectory is None else [(p["date"], p["value"]) for p in trajectory]
        services.target_save(target=target, trajectory=points, hubs=hubs, user=self.request.user, reason=reason)
        saved = self.get_queryset().get(pk=target.pk)
        selectors.attach_target_indicators([saved], as_of=as_of_from(self.request))
        selectors.attach_target_relations([saved])
        return Response(TargetSerializer(saved, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = TargetWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = self._save(Target(), dict(serializer.validated_data))
        response.status_code = 201
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        target = self.get_object()
        serializer = TargetWriteSerializer(target, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._save(target, dict(serializer.validated_data))

    @extend_schema(responses=TargetHistorySerializer)
    @action(detail=True)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The measurements, the planned curve and the stored snapshots in date order: what a chart needs."""
        target = get_object_or_404(Target.objects.prefetch_related("trajectory_points"), pk=pk)
        planned = [{"date": target.baseline_date, "value": target.baseline_value}]
        planned += [{"date": p.date, "value": p.value} for p in target.trajectory_points.all()]
        planned.append({"date": target.target_date, "value": target.target_value})
        data = {
            "target": target.pk,
            "code": target.code,
            "unit": target.unit,
            "planned": planned,
            "measurements": target.measurements.order_by("date"),
            "snapshots": TargetSnapshot.objects.filter(target=target).order_by("as_of"),
        }
        return Response(TargetHistorySerializer(data).data)


class MeasurementViewSet(
    ConditionalMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet[Measurement]
):
    """Reported figures (cumulative); `illustrative` marks demonstration values that nobody reported."""

    schema = ApiAutoSchema()

    queryset = Measurement.objects.order_by("target_id", "date")
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        confirmed, reason = data.pop("confirm", False), data.pop("reason", "")
        serializer.instance = services.measurement_save(
            measurement=Measurement(**data), user=self.request.user, confirmed=confirmed, reason=reason
        )

    def perform_update(self, serializer: Any) -> None:
        measurement = serializer.instance
        data = dict(serializer.validated_data)
        confirmed, reason = data.pop("confirm", False), data.pop("reason", "")
        for name, value in data.items():
            setattr(measurement, name, value)
        services.measurement_save(measurement=measurement, user=self.request.user, confirmed=confirmed, reason=reason)


@extend_schema_view(
    list=extend_schema(parameters=[AS_OF]),
    retrieve=extend_schema(parameters=[AS_OF]),
    create=extend_schema(request=MilestoneWriteSerializer, responses={201: MilestoneSerializer}),
    partial_update=extend_schema(request=MilestoneWriteSerializer, responses={200: MilestoneSerializer}),
)
class MilestoneViewSet(
    ConditionalMixin,
    _IndicatorListMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet[Milestone],
):
    """Dated deliverables with their evidence and indicators; editors may create and change them."""

    schema = ApiAutoSchema()

    queryset = Milestone.objects.annotate(pillar_slug=F("pillar__slug"))  # see TargetViewSet
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    list_selector = staticmethod(selectors.milestone_list)
    attach = staticmethod(selectors.attach_milestone_indicators)
    relations = staticmethod(selectors.attach_milestone_relations)

    def get_serializer_class(self) -> Any:
        return MilestoneWriteSerializer if self.action in ("create", "partial_update") else MilestoneSerializer

    def _save(self, milestone: Milestone, data: dict[str, Any]) -> Response:
        hubs = data.pop("hubs", None)
        reason, evidence_url = data.pop("reason", ""), data.pop("evidence_url", "")
        for name, value in data.items():
            setattr(milestone, name, value)
        if milestone.policy_id is None:
            milestone.policy = Policy.objects.order_by("pk").first()  # type: ignore[assignment]
        services.milestone_save(
            milestone=milestone, hubs=hubs, user=self.request.user, reason=reason, evidence_url=evidence_url
        )
        saved = self.get_queryset().get(pk=milestone.pk)
        selectors.attach_milestone_indicators([saved], as_of=as_of_from(self.request))
        selectors.attach_milestone_relations([saved])
        return Response(MilestoneSerializer(saved, context=self.get_serializer_context()).data)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = MilestoneWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        response = self._save(Milestone(), dict(serializer.validated_data))
        response.status_code = 201
        return response

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        milestone = self.get_object()
        serializer = MilestoneWriteSerializer(milestone, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self._save(milestone, dict(serializer.validated_data))

    @extend_schema(responses=MilestoneHistorySerializer)
    @action(detail=True)
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The stored snapshots: the forecast due date per report date (milestone trend analysis)."""
        milestone = get_object_or_404(Milestone, pk=pk)
        data = {
            "milestone": milestone.pk,
            "code": milestone.code,
            "baseline_due_date": milestone.baseline_due_date,
            "snapshots": MilestoneSnapshot.objects.filter(milestone=milestone).order_by("as_of"),
        }
        return Response(MilestoneHistorySerializer(data).data)


class SummaryView(ConditionalMixin, APIView):
    """The policy-wide roll-up and one per pillar, as of a date, optionally for items due in a window."""

    schema = ApiAutoSchema()

    @extend_schema(
        parameters=[
            AS_OF,
            OpenApiParameter("due_from", OpenApiTypes.DATE, description="Only items due on or after this date."),
            OpenApiParameter("due_to", OpenApiTypes.DATE, description="Only items due on or before this date."),
        ],
        responses=SummarySerializer,
    )
    def get(self, request: Request) -> Response:
        as_of = as_of_from(request)
        due_from = parse_date_param(request, "due_from")
        due_to = parse_date_param(request, "due_to")
        if due_from and due_to and due_to < due_from:
            raise ValidationError({"due_to": ["due_to comes before due_from."]})
        window = None
        if due_from or due_to:
            window = (due_from or dt.date.min, due_to or dt.date.max)
        rollups = selectors.rollups_on(as_of=as_of, window=window)
        policy = Policy.objects.order_by("pk").first()
        pillars = Pillar.objects.order_by("number")
        data = {
            "as_of": as_of,
            "due_from": due_from,
            "due_to": due_to,
            "policy": policy.name if policy else "",
            "rollup": rollups[("policy", "")],
            "pillars": [
                {"slug": p.slug, "number": p.number, "name": p.name, "rollup": rollups[("pillar", p.slug)]}
                for p in pillars
            ],
        }
        return Response(SummarySerializer(data).data)
