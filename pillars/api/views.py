"""API viewsets of pillars, targets, measurements and milestones, and the dashboard summary.

Thin: a queryset, a serializer, a FilterSet; indicators come from the
selectors, writes go to the services.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import Model, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer
from rest_framework.views import APIView

from core.api.conditional import ConditionalMixin, ConditionalReadMixin, check_if_match, conditional, etag_for
from core.api.params import date_param, validated_filters, view_param
from core.api.permissions import IsEditorOrReadOnly
from core.api.rows import RepresentedRows, represent
from core.api.schema import AS_OF, BASIS
from core.asof import DATE_PATTERN
from indicators import selectors as indicator_selectors

from .. import selectors, services
from ..filtersets import MeasurementFilterSet, MilestoneFilterSet, TargetFilterSet
from ..models import Measurement, Milestone, Pillar, Policy, Target
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
)

if TYPE_CHECKING:
    # The views `_IndicatorListMixin` is made for, so that its uses of the view are checked; a plain mixin at run time.
    _ReadOnlyViewSet = viewsets.ReadOnlyModelViewSet[Any]
else:
    _ReadOnlyViewSet = object

M = TypeVar("M", bound=Model)

_READS = {"list": extend_schema(parameters=[AS_OF, BASIS]), "retrieve": extend_schema(parameters=[AS_OF, BASIS])}


@extend_schema_view(**_READS)
class PillarViewSet(ConditionalReadMixin, viewsets.ReadOnlyModelViewSet[Pillar]):
    """The policy's six pillars, each with its roll-up as of `as_of`."""

    queryset = Pillar.objects.prefetch_related("sources").order_by("number")
    serializer_class = PillarSerializer
    lookup_field = "slug"
    filter_backends: list[Any] = []

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if getattr(self, "swagger_fake_view", False):
            return context
        context["rollups"] = indicator_selectors.rollups_on(**view_param(self.request).selection)
        return context


class _IndicatorListMixin(_ReadOnlyViewSet):
    """List and retrieve through a selector that gives the indicators as of `as_of`, then the relations."""

    list_selector: Callable[..., indicator_selectors.Listing[Any]]
    relations: Callable[[Sequence[Any]], None]
    filterset_class: Any
    serializer_class: type[BaseSerializer[Any]]  # the read serializer, which every view using the mixin declares

    def _listing(self, request: Request, queryset: QuerySet[Any]) -> indicator_selectors.Listing[Any]:
        if self.filterset_class.base_filters.keys().isdisjoint(request.query_params):
            # No filter asked for: nothing to validate, and no form to build (which costs more than the SQL).
            return self.list_selector(queryset=queryset, **view_param(request).selection)
        filterset = validated_filters(self.filterset_class, request, queryset)
        return self.list_selector(queryset=filterset.qs, **view_param(request).selection, **filterset.indicator_filters)

    def _rows(self, items: list[Any], request: Request) -> list[Any]:
        """The rows of `items` as the read serializer shows them (also after a write), with their relations."""
        type(self).relations(items)
        # Only the request: the view would tie the page to the serializers' reference cycles.
        return represent(self.serializer_class, items, {"request": request})

    @conditional
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        listing = self._listing(request, self.get_queryset())
        # DRF's paginator takes anything it can count and slice; the stubs ask for a queryset or a Sequence.
        rows = self.paginate_queryset(
            RepresentedRows(listing, lambda items: self._rows(items, request))  # type: ignore[arg-type]
        )
        return self.get_paginated_response(rows)

    @conditional
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # A bare existence check (404 for an unknown or malformed id), then one read of the row with its
        # indicators and relations: `get_object()` would read the row a first time for nothing.
        found = get_object_or_404(self.get_queryset().model.objects.only("pk"), pk=kwargs[self.lookup_field])
        self.check_object_permissions(request, found)
        rows = type(self).list_selector(
            queryset=self.get_queryset().filter(pk=found.pk), **view_param(request).selection
        )
        return Response(self._rows(rows[:], request)[0])


@extend_schema_view(
    **_READS,
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

    queryset = Target.objects.select_related("pillar")
    serializer_class = TargetSerializer
    table_serializers = {"history": TargetHistorySerializer}
    filterset_class = TargetFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    list_selector = staticmethod(indicator_selectors.target_list)
    relations = staticmethod(selectors.prefetch_target_relations)

    def get_serializer_class(self) -> Any:
        return TargetWriteSerializer if self.action in ("create", "partial_update", "update") else TargetSerializer

    def _save(self, target: Target, data: dict[str, Any]) -> Response:
        hubs = data.pop("hubs", None)
        trajectory = data.pop("trajectory", None)
        reason = data.pop("reason", "")
        for name, value in data.items():
            setattr(target, name, value)
        if target.policy_id is None:
            target.policy = Policy.objects.order_by("pk").first()
        points = None if trajectory is None else [(p["date"], p["value"]) for p in trajectory]
        services.target_save(target=target, trajectory=points, hubs=hubs, user=self.request.user, reason=reason)
        rows = indicator_selectors.target_list(
            queryset=self.get_queryset().filter(pk=target.pk), **view_param(self.request).selection
        )
        return Response(self._rows(rows[:], self.request)[0])

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
        with transaction.atomic():
            # The fields sent, onto the row as stored now (locked): a PATCH of another field meanwhile is kept.
            target = _locked_for_write(request, target)
            return _with_etag(request, self._save(target, dict(serializer.validated_data)), target)

    @extend_schema(responses=TargetHistorySerializer, parameters=[BASIS])
    @action(detail=True)
    @conditional
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The measurements, the planned curve and the stored snapshots in date order, on the basis asked for."""
        basis = view_param(request).basis
        target = get_object_or_404(Target.objects.prefetch_related("trajectory_points"), pk=pk)
        planned = [{"date": target.baseline_date, "value": target.baseline_value}]
        planned += [{"date": p.date, "value": p.value} for p in target.trajectory_points.all()]
        planned.append({"date": target.target_date, "value": target.target_value})
        data = {
            "target": target.pk,
            "code": target.code,
            "unit": target.unit,
            "planned": planned,
            "basis": basis,
            "measurements": selectors.figures_on_basis(target.measurements.order_by("date"), basis),
            "snapshots": indicator_selectors.target_history(target_id=target.pk, basis=basis),
        }
        return Response(TargetHistorySerializer(data).data)


@extend_schema_view(list=extend_schema(parameters=[BASIS]), retrieve=extend_schema(parameters=[BASIS]))
class MeasurementViewSet(
    ConditionalReadMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet[Measurement]
):
    """Reported figures (cumulative); `illustrative` marks demonstration values that nobody reported."""

    queryset = Measurement.objects.order_by("target_id", "date")
    serializer_class = MeasurementSerializer

    def get_queryset(self) -> QuerySet[Measurement]:
        # Reads show the basis asked for: reported figures only unless `?basis=illustrative`.
        queryset = super().get_queryset()
        if self.request.method in ("GET", "HEAD"):
            queryset = selectors.figures_on_basis(queryset, view_param(self.request).basis)
        return queryset

    filterset_class = MeasurementFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def perform_create(self, serializer: Any) -> None:
        data = dict(serializer.validated_data)
        confirmed, reason = data.pop("confirm", False), data.pop("reason", "")
        if data.pop("withdraw", False) or data.pop("withdrawal_reason", ""):
            raise ValidationError({"withdraw": ["Only a stored figure can be withdrawn: PATCH it."]})
        serializer.instance = services.measurement_save(
            measurement=Measurement(**data), user=self.request.user, confirmed=confirmed, reason=reason
        )

    @transaction.atomic
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().partial_update(request, *args, **kwargs)
        return _with_etag(request, response, self._written)

    def perform_update(self, serializer: Any) -> None:
        # The fields sent, onto the row as stored now (locked): a PATCH of another field meanwhile is kept.
        measurement = serializer.instance = self._written = _locked_for_write(self.request, serializer.instance)
        data = dict(serializer.validated_data)
        confirmed, reason = data.pop("confirm", False), data.pop("reason", "")
        withdrawal_reason = data.pop("withdrawal_reason", "")
        if data.pop("withdraw", False):
            if data:
                raise ValidationError({"withdraw": ["A figure is withdrawn as it stands: send nothing else."]})
            services.measurement_withdraw(measurement=measurement, user=self.request.user, reason=withdrawal_reason)
            return
        if withdrawal_reason:
            raise ValidationError({"withdrawal_reason": ["Give it with `withdraw`: true."]})
        for name, value in data.items():
            setattr(measurement, name, value)
        services.measurement_save(measurement=measurement, user=self.request.user, confirmed=confirmed, reason=reason)


@extend_schema_view(
    **_READS,
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

    queryset = Milestone.objects.select_related("pillar")
    serializer_class = MilestoneSerializer
    table_serializers = {"history": MilestoneHistorySerializer}
    filterset_class = MilestoneFilterSet
    permission_classes = [IsEditorOrReadOnly]
    http_method_names = ["get", "post", "patch", "head", "options"]
    list_selector = staticmethod(indicator_selectors.milestone_list)
    relations = staticmethod(selectors.prefetch_milestone_relations)

    def get_serializer_class(self) -> Any:
        return MilestoneWriteSerializer if self.action in ("create", "partial_update") else MilestoneSerializer

    def _save(self, milestone: Milestone, data: dict[str, Any]) -> Response:
        hubs = data.pop("hubs", None)
        reason, evidence_url = data.pop("reason", ""), data.pop("evidence_url", "")
        for name, value in data.items():
            setattr(milestone, name, value)
        if milestone.policy_id is None:
            milestone.policy = Policy.objects.order_by("pk").first()
        services.milestone_save(
            milestone=milestone, hubs=hubs, user=self.request.user, reason=reason, evidence_url=evidence_url
        )
        rows = indicator_selectors.milestone_list(
            queryset=self.get_queryset().filter(pk=milestone.pk), **view_param(self.request).selection
        )
        return Response(self._rows(rows[:], self.request)[0])

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
        with transaction.atomic():
            # The fields sent, onto the row as stored now (locked): a PATCH of another field meanwhile is kept.
            milestone = _locked_for_write(request, milestone)
            return _with_etag(request, self._save(milestone, dict(serializer.validated_data)), milestone)

    @extend_schema(responses=MilestoneHistorySerializer, parameters=[BASIS])
    @action(detail=True)
    @conditional
    def history(self, request: Request, pk: str | None = None) -> Response:
        """The stored snapshots: the forecast due date per report date (milestone trend analysis)."""
        basis = view_param(request).basis
        milestone = get_object_or_404(Milestone, pk=pk)
        data = {
            "milestone": milestone.pk,
            "code": milestone.code,
            "baseline_due_date": milestone.baseline_due_date,
            "basis": basis,
            "snapshots": indicator_selectors.milestone_history(milestone_id=milestone.pk, basis=basis),
        }
        return Response(MilestoneHistorySerializer(data).data)


class SummaryView(ConditionalMixin, APIView):
    """The policy-wide roll-up and one per pillar, as of a date, optionally for items due in a window."""

    table_serializer = SummarySerializer
    table_name = "summary"

    @extend_schema(
        parameters=[
            AS_OF,
            BASIS,
            OpenApiParameter(
                "due_from", OpenApiTypes.DATE, pattern=DATE_PATTERN, description="Only items due on or after this date."
            ),
            OpenApiParameter(
                "due_to", OpenApiTypes.DATE, pattern=DATE_PATTERN, description="Only items due on or before this date."
            ),
        ],
        responses=SummarySerializer,
    )
    @conditional
    def get(self, request: Request) -> Response:
        view = view_param(request)
        as_of = view.date
        due_from = date_param(request, "due_from")
        due_to = date_param(request, "due_to")
        if due_from and due_to and due_to < due_from:
            raise ValidationError({"due_to": ["due_to comes before due_from."]})
        data = selectors.summary(as_of=as_of, basis=view.basis, due_from=due_from, due_to=due_to)
        return Response(SummarySerializer(data).data)


def _locked_for_write(request: Request, instance: M) -> M:
    """The stored row of `instance`, locked until the write commits; a 412 if `If-Match` names an older revision."""
    locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
    check_if_match(request, locked)
    return locked


def _with_etag(request: Request, response: Response, instance: Any) -> Response:
    """The written record's new ETag, for the client's next `If-Match`."""
    response["ETag"] = etag_for(request, instance.revision)
    return response
