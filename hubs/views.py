"""The hubs pages: a map of Pakistan with the hubs, and one page per hub with its roll-up and commitments."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from core import charts
from core.pages import as_of_from, filter_fields, page_view, render_page, valid_filters
from core.translation import english
from incentives.filtersets import applies_in
from incentives.models import Incentive
from indicators import selectors as indicator_selectors
from indicators.display import rollup_view
from pillars.models import Milestone, Target
from pillars.selectors import milestones_with_indicators, targets_with_indicators

from .filtersets import HubFilterSet
from .models import Hub

OUTLINE = "map/pakistan.json"


@dataclass(frozen=True, slots=True)
class Outline:
    """The outline of Pakistan (static/map/pakistan.json) and the projection it was drawn with."""

    width: float
    height: float
    path: str
    projection: charts.MapProjection


@functools.cache
def outline() -> Outline:
    """Read once per process: the file only changes with a new release."""
    found = finders.find(OUTLINE)
    if not found:
        raise FileNotFoundError(f"static/{OUTLINE} is missing: run tools/make_pakistan_outline.py")
    data = json.loads(Path(str(found)).read_text(encoding="utf-8"))
    projection = data["projection"]
    return Outline(
        width=data["width"],
        height=data["height"],
        path=data["path"],
        projection=charts.MapProjection(
            lon_min=projection["lon_min"],
            lat_max=projection["lat_max"],
            cos_lat=projection["cos_lat"],
            scale=projection["scale"],
        ),
    )


def hub_markers(hubs: list[Hub]) -> list[tuple[Hub, charts.MapLabel]]:
    shape = outline()
    labels = charts.place_map_labels(
        [(h.slug, h.longitude, h.latitude, h.localized_name) for h in hubs],
        shape.projection,
        width=shape.width,
        height=shape.height,
    )
    return list(zip(hubs, labels, strict=True))


@page_view
def hub_list(request: HttpRequest) -> HttpResponse:
    """The map of the hubs, and the same hubs as a list (its text alternative), filtered with HubFilterSet."""
    as_of = as_of_from(request)
    filterset = valid_filters(HubFilterSet(request.GET, queryset=Hub.objects.all(), request=request))
    hubs = list(filterset.qs.order_by("tier", "name"))
    rollups = indicator_selectors.rollups_on(**as_of.selection)
    context: dict[str, Any] = {
        "hubs": [(hub, rollup_view(rollups.get(("hub", hub.slug)))) for hub in hubs],
        "outline": outline(),
        "markers": hub_markers(hubs),
        "fields": filter_fields(filterset, ("tier", "status", "province")),
    }
    return render_page(request, "pages/hub_list.html", context, as_of)


@page_view
def hub_detail(request: HttpRequest, slug: str) -> HttpResponse:
    as_of = as_of_from(request)
    hub = get_object_or_404(Hub.objects.prefetch_related("sources"), slug=slug)
    rollups = indicator_selectors.rollups_on(**as_of.selection)
    context = {
        "hub": hub,
        "rollup": rollup_view(rollups.get(("hub", hub.slug))),
        "targets": targets_with_indicators(
            Target.objects.filter(hubs=hub).select_related("pillar"), as_of.date, as_of.basis
        ),
        "milestones": milestones_with_indicators(
            Milestone.objects.filter(hubs=hub).select_related("pillar"), as_of.date, as_of.basis
        ),
        # Placed here, or nationwide (labelled so on the cards).
        "incentives": list(Incentive.objects.filter(applies_in(hubs=[hub])).order_by(english("name"))),
        "outline": outline(),
        "markers": hub_markers([hub]),
    }
    return render_page(request, "pages/hub_detail.html", context, as_of)
