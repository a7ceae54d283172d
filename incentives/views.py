"""The incentives directory: what the policy offers founders, researchers and students, filtered as the API does."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode

from changes.selectors import ChangeFilter, item_changes
from core.pages import as_of_from, filter_fields, page_view, paginate, render_page, valid_filters

from .filtersets import IncentiveFilterSet
from .models import Incentive

INCENTIVE_FILTERS = ("q", "kind", "status", "pillar", "hub")


@page_view
def incentive_list(request: HttpRequest) -> HttpResponse:
    as_of = as_of_from(request)
    queryset = Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources").order_by("name")
    filterset = valid_filters(IncentiveFilterSet(request.GET, queryset=queryset, request=request))
    page = paginate(request, filterset.qs)
    context = {
        "page": page,
        "incentives": page.object_list,
        "fields": filter_fields(filterset, INCENTIVE_FILTERS),
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
    context = {
        "incentive": incentive,
        "changes": changes,
        "changes_total": total,
        "changes_query": urlencode({"incentive": str(incentive.pk), **as_of.params}),
    }
    return render_page(request, "pages/incentive_detail.html", context, as_of)
