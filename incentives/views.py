"""The incentives directory and the "Can I apply?" finder, filtered as the API does; the rules are in `rules`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode

from changes.selectors import ChangeFilter, item_changes
from core.pages import as_of_from, filter_fields, page_view, paginate, render_page, valid_filters, valid_query
from core.translation import english
from hubs.models import Hub

from . import rules
from .choices import Applicant, ApplicationStatus
from .filtersets import IncentiveFilterSet
from .forms import FinderForm
from .models import Incentive

INCENTIVE_FILTERS = ("q", "who", "hub", "province", "kind", "status", "pillar")


@dataclass(frozen=True, slots=True)
class Row:
    """An incentive as a page shows it: with its application status on the as-of date and why it is listed."""

    incentive: Incentive
    application: str
    application_label: str
    reach: str = ""  # "nationwide" or "named" on the finder's answer
    fit: str = ""  # "listed" or "not_published" on the finder's answer


def rows(incentives: Iterable[Incentive], as_of: dt.date) -> list[Row]:
    out = []
    for incentive in incentives:
        status = ApplicationStatus(incentive.application_on(as_of).value)
        out.append(Row(incentive, status.value, str(status.label)))
    return out


@page_view
def incentive_list(request: HttpRequest) -> HttpResponse:
    as_of = as_of_from(request)
    queryset = Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources").order_by(english("name"))
    filterset = valid_filters(IncentiveFilterSet(request.GET, queryset=queryset, request=request))
    page = paginate(request, filterset.qs)
    data = filterset.form.cleaned_data
    context = {
        "page": page,
        "incentives": rows(page.object_list, as_of.date),
        "fields": filter_fields(filterset, INCENTIVE_FILTERS),
        "by_place": bool(data.get("hub") or data.get("province")),
    }
    return render_page(request, "pages/incentive_list.html", context, as_of)


@page_view
def incentive_detail(request: HttpRequest, slug: str) -> HttpResponse:
    as_of = as_of_from(request)
    incentive = get_object_or_404(
        Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources"), slug=slug
    )
    wanted = ChangeFilter(basis=as_of.basis, until=as_of.date if as_of.explicit else None, incentive_id=incentive.pk)
    changes, total = item_changes(wanted)
    status = ApplicationStatus(incentive.application_on(as_of.date).value)
    context = {
        "incentive": incentive,
        "application": status.value,
        "application_label": status.label,
        "changes": changes,
        "changes_total": total,
        "changes_query": urlencode({"incentive": str(incentive.pk), **as_of.params}),
    }
    return render_page(request, "pages/incentive_detail.html", context, as_of)


def answer(incentives: Iterable[Incentive], who: str, hub: Hub, as_of: dt.date) -> list[Row]:
    """The incentives `who` can (or, where who may apply is not published, might) apply for in `hub`."""
    by_key = {str(i.pk): i for i in incentives}
    offers = [
        rules.Offer(
            key=key,
            nationwide=i.nationwide,
            hubs=frozenset(h.slug for h in i.hubs.all()),
            provinces=frozenset(i.provinces),
            applicants=frozenset(i.applicants),
        )
        for key, i in by_key.items()
    ]
    out = []
    for found in rules.can_apply(offers, who=who, hub=hub.slug, province=hub.province):
        incentive = by_key[found.key]
        status = ApplicationStatus(incentive.application_on(as_of).value)
        out.append(Row(incentive, status.value, str(status.label), found.reach.value, found.fit.value))
    return out


@page_view
def can_i_apply(request: HttpRequest) -> HttpResponse:
    """'Can I apply?': an organisation type and a city, answered on the same page."""
    as_of = as_of_from(request)
    form = valid_query(FinderForm(request.GET))
    who, hub = form.cleaned_data.get("who") or "", form.cleaned_data.get("hub")
    context: dict[str, object] = {"form": form, "asked": bool(who or hub), "who": who, "hub": hub}
    if who and hub is not None:
        found = answer(Incentive.objects.prefetch_related("hubs").order_by(english("name")), who, hub, as_of.date)
        context.update(
            answered=True,
            who_label=Applicant(who).label,
            listed=[r for r in found if r.fit == rules.Fit.LISTED],
            unpublished=[r for r in found if r.fit == rules.Fit.NOT_PUBLISHED],
            list_query=urlencode({"who": who, "hub": hub.slug, **as_of.params}),
        )
    return render_page(request, "pages/incentive_can_i_apply.html", context, as_of)
