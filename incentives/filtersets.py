"""The incentive FilterSet, shared by the API and the incentives directory page."""

from __future__ import annotations

import json
from collections.abc import Iterable

import django_filters as filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import TextFilter
from hubs.models import Hub
from pillars.filtersets import SlugFilter
from pillars.models import Pillar

from .choices import Applicant, IncentiveKind, IncentiveScope, IncentiveStatus, Province
from .models import Incentive


def applies_in(hubs: Iterable[Hub] = (), provinces: Iterable[str] = ()) -> Q:
    """Incentives that apply in any of `hubs` or `provinces`: nationwide ones, and regional ones naming them.

    The query side of `incentives.rules.reach` (tests/incentives/test_rules.py holds them to each other). A hub
    is named by the incentive's hubs or by its province; a province by the incentive's provinces or by one of
    its hubs there. The JSON lists are matched as text (`"Punjab"` with its quotes), which every database
    supports; the values are fixed choices, none of them a part of another.
    """
    hubs = list(hubs)
    named_provinces = {h.province for h in hubs} | set(provinces)
    query = Q(scope=IncentiveScope.NATIONWIDE)
    if hubs:
        links = Incentive.hubs.through.objects.filter(hub__in=hubs).values("incentive_id")
        query |= Q(pk__in=links)
    if provinces:
        links = Incentive.hubs.through.objects.filter(hub__province__in=list(provinces)).values("incentive_id")
        query |= Q(pk__in=links)
    for province in sorted(named_provinces):
        query |= Q(provinces__icontains=json.dumps(province))
    return query


def open_to(applicants: Iterable[str]) -> Q:
    """Incentives that list any of `applicants` among who may apply (the query side of `incentives.rules.fit`)."""
    query = Q(pk__in=[])
    for applicant in applicants:
        query |= Q(applicants__icontains=json.dumps(applicant))
    return query


class IncentiveFilterSet(filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Filters of api.md: pillar, hub, kind, status, q; and province and who (who may apply).

    `hub` and `province` include the nationwide incentives (api.md's `hub` used to match the named hubs only).
    """

    pillar = SlugFilter(
        field_name="pillar__slug", to_field_name="slug", queryset=Pillar.objects.all(), label=_("Pillar")
    )
    hub = SlugFilter(
        field_name="hubs__slug",
        to_field_name="slug",
        queryset=Hub.objects.all(),
        label=_("City (hub)"),
        method="in_hubs",
    )
    province = filters.MultipleChoiceFilter(choices=Province.choices, label=_("Province"), method="in_provinces")
    who = filters.MultipleChoiceFilter(choices=Applicant.choices, label=_("Who can apply"), method="open_to")
    kind = filters.MultipleChoiceFilter(choices=IncentiveKind.choices, label=_("Kind"))
    status = filters.MultipleChoiceFilter(choices=IncentiveStatus.choices, label=_("Status"))
    q = TextFilter(method="search", label=_("Search"))
    ordering = filters.OrderingFilter(fields=("name", "kind", "status", "planned_launch_on"))

    class Meta:
        model = Incentive
        fields: list[str] = []

    def in_hubs(self, queryset: QuerySet[Incentive], name: str, value: Iterable[Hub]) -> QuerySet[Incentive]:
        hubs = list(value)  # none chosen is an empty queryset, which django-filter does not count as "no filter"
        return queryset.filter(applies_in(hubs=hubs)) if hubs else queryset

    def in_provinces(self, queryset: QuerySet[Incentive], name: str, value: list[str]) -> QuerySet[Incentive]:
        return queryset.filter(applies_in(provinces=value)) if value else queryset

    def open_to(self, queryset: QuerySet[Incentive], name: str, value: list[str]) -> QuerySet[Incentive]:
        return queryset.filter(open_to(value)) if value else queryset

    def search(self, queryset: QuerySet[Incentive], name: str, value: str) -> QuerySet[Incentive]:
        return queryset.filter(
            Q(name__icontains=value)
            | Q(summary__icontains=value)
            | Q(eligibility__icontains=value)
            | Q(administered_by__icontains=value)
        )
