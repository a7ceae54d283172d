"""`/changes/` (and `/ur/changes/`): the public record of every change to published data, paginated and filtered."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from core.pages import as_of_from, filter_fields, page_view, paginate, render_page, valid_filters
from pillars.models import Measurement

from .filtersets import ChangeFilterSet
from .selectors import change_keys, changes_for

PAGE_SIZE = 50
FILTERS = ("kind", "pillar", "since", "until")


@page_view
def change_index(request: HttpRequest) -> HttpResponse:
    """Every change, newest first; on a past as-of date, the record as it stood then."""
    as_of = as_of_from(request)
    filterset = valid_filters(ChangeFilterSet(request.GET, queryset=Measurement.history.none()))
    page = paginate(request, change_keys(filterset.wanted(as_of)), PAGE_SIZE)
    context = {
        "page": page,
        "changes": changes_for(list(page.object_list)),
        "fields": filter_fields(filterset, FILTERS),
        "filtered": any(request.GET.get(name) for name in (*FILTERS, "target", "milestone", "incentive")),
    }
    return render_page(request, "pages/changes.html", context, as_of)
