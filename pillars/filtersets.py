"""One FilterSet per model, shared by the API viewsets and the HTML list pages (the NetBox habit).

The indicator filters (`status`, `stale`) and the ordering depend on the
as-of date, so they are applied by `indicators.selectors.target_list` /
`milestone_list`, which know whether that date's indicators are
stored or computed on the fly; the FilterSet declares them (validation, forms,
the OpenAPI schema) and leaves the queryset alone for them.
"""

from __future__ import annotations

from typing import Any

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

from core.filters import BooleanFilter, DateFilter, TextFilter
from hubs.models import Hub
from indicators.choices import MilestoneStatus, TargetStatus

from .models import Measurement, Milestone, Pillar, Target


@extend_schema_field({"type": "string", "minLength": 1})
class SlugFilter(filters.ModelMultipleChoiceFilter):  # type: ignore[misc]  # django-filter ships no types
    """One or more objects by slug (`?pillar=a&pillar=b`); a string in the schema, never empty (a 400)."""


TARGET_ORDERING = (
    "code",
    "target_date",
    "slip_days",
    "status",
    "progress",
    "spi",
    "forecast_completion",
    "last_reported_on",
    "reporting_overdue_days",
)
MILESTONE_ORDERING = ("code", "baseline_due_date", "forecast_due_date", "expected_date", "slip_days", "status")


class _IndicatorFilters(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters whose values are read by the selectors rather than applied to the queryset here."""

    deferred: tuple[str, ...] = ("status", "stale", "ordering")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        for name, value in self.form.cleaned_data.items():
            if name in self.deferred:
                continue
            queryset = self.filters[name].filter(queryset, value)
        return queryset

    @property
    def indicator_filters(self) -> dict[str, Any]:
        """The cleaned values of the deferred filters, for the selectors."""
        data = self.form.cleaned_data if self.is_bound and self.is_valid() else {}
        return {name: data.get(name) for name in self.deferred}


def _ordering_choices(names: tuple[str, ...]) -> list[tuple[str, str]]:
    choices: list[tuple[str, str]] = []
    for name in names:
        label = name.replace("_", " ")
        choices += [(name, label), (f"-{name}", _("%(field)s (descending)") % {"field": label})]
    return choices


class TargetFilterSet(_IndicatorFilters):
    """Filters of the target list (api.md): pillar, hub, status, due_before, due_after, stale, q."""

    pillar = SlugFilter(
        field_name="pillar__slug", to_field_name="slug", queryset=Pillar.objects.all(), label=_("Pillar")
    )
    pillar_id = filters.ModelMultipleChoiceFilter(field_name="pillar", queryset=Pillar.objects.all())
    hub = SlugFilter(
        field_name="hubs__slug", to_field_name="slug", queryset=Hub.objects.all(), label=_("Hub"), distinct=True
    )
    status = filters.MultipleChoiceFilter(choices=TargetStatus.choices, label=_("Status"), method="_deferred")
    due_before = DateFilter(field_name="target_date", lookup_expr="lte", label=_("Due on or before"))
    due_after = DateFilter(field_name="target_date", lookup_expr="gte", label=_("Due on or after"))
    # `?stale=true` / `1` / `false` / `0`; anything else (`yes`) is a 400, not "any".
    stale = BooleanFilter(label=_("Stale"), method="_deferred")
    q = TextFilter(method="search", label=_("Search"))
    ordering = filters.ChoiceFilter(choices=_ordering_choices(TARGET_ORDERING), method="_deferred", label=_("Order"))

    class Meta:
        model = Target
        fields = ["kind"]

    def search(self, queryset: QuerySet[Target], name: str, value: str) -> QuerySet[Target]:
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(unit__icontains=value)
        )

    def _deferred(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset


class MilestoneFilterSet(_IndicatorFilters):
    """Filters of the milestone list (api.md): pillar, hub, status, due_before, due_after, q."""

    deferred = ("status", "ordering")

    pillar = SlugFilter(
        field_name="pillar__slug", to_field_name="slug", queryset=Pillar.objects.all(), label=_("Pillar")
    )
    pillar_id = filters.ModelMultipleChoiceFilter(field_name="pillar", queryset=Pillar.objects.all())
    hub = SlugFilter(
        field_name="hubs__slug", to_field_name="slug", queryset=Hub.objects.all(), label=_("Hub"), distinct=True
    )
    target = filters.ModelChoiceFilter(queryset=Target.objects.all(), label=_("Target"))
    status = filters.MultipleChoiceFilter(choices=MilestoneStatus.choices, label=_("Status"), method="_deferred")
    due_before = DateFilter(field_name="baseline_due_date", lookup_expr="lte", label=_("Due on or before"))
    due_after = DateFilter(field_name="baseline_due_date", lookup_expr="gte", label=_("Due on or after"))
    q = TextFilter(method="search", label=_("Search"))
    ordering = filters.ChoiceFilter(choices=_ordering_choices(MILESTONE_ORDERING), method="_deferred", label=_("Order"))

    class Meta:
        model = Milestone
        fields: list[str] = []

    def search(self, queryset: QuerySet[Milestone], name: str, value: str) -> QuerySet[Milestone]:
        return queryset.filter(
            Q(code__icontains=value)
            | Q(title__icontains=value)
            | Q(description__icontains=value)
            | Q(responsible_body__icontains=value)
        )

    def _deferred(self, queryset: QuerySet[Any], name: str, value: Any) -> QuerySet[Any]:
        return queryset


class MeasurementFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters of the measurement list: by target (id or code), date range and the illustrative flag."""

    target_code = TextFilter(field_name="target__code", label=_("Target code"))
    date_after = DateFilter(field_name="date", lookup_expr="gte", label=_("On or after"))
    date_before = DateFilter(field_name="date", lookup_expr="lte", label=_("On or before"))
    illustrative = BooleanFilter()  # labelled by the model field
    ordering = filters.OrderingFilter(fields=("date", "value", "id"))

    class Meta:
        model = Measurement
        fields = ["target", "illustrative"]
