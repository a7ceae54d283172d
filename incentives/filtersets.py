"""The incentive FilterSet, shared by the API and the incentives directory page."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import TextFilter
from hubs.models import Hub
from pillars.filtersets import SlugFilter
from pillars.models import Pillar

from .choices import IncentiveKind, IncentiveStatus
from .models import Incentive


class IncentiveFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters of api.md: pillar, hub, kind, status, q."""

    pillar = SlugFilter(
        field_name="pillar__slug", to_field_name="slug", queryset=Pillar.objects.all(), label=_("Pillar")
    )
    hub = SlugFilter(
        field_name="hubs__slug", to_field_name="slug", queryset=Hub.objects.all(), label=_("Hub"), distinct=True
    )
    kind = filters.MultipleChoiceFilter(choices=IncentiveKind.choices, label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=IncentiveStatus.choices, label=_("Status"))
    q = TextFilter(method="search", label=_("Search"))
    ordering = filters.OrderingFilter(fields=("name", "kind", "status", "planned_launch_on"))

    class Meta:
        model = Incentive
        fields: list[str] = []

    def search(self, queryset: QuerySet[Incentive], name: str, value: str) -> QuerySet[Incentive]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(summary__icontains=value)
            | Q(eligibility__icontains=value)
            | Q(administered_by__icontains=value)
        )
