"""What the data package holds: the API's resources, as the tables of `core.api.tables`, and where their rows come from.

Each resource is read through the same selectors and represented by the same
serializers as its API list, so a number in the package is the number the
API and the pages show for that date. Its tables are the API's CSV tables
(`targets`, `targets.sources`, ...), except that the package keeps each
target's and milestone's indicators (the snapshot as of the date) and each
pillar's and hub's roll-up in a table of their own (`targets.indicators`,
`pillars.rollup`), so that the snapshots and the roll-ups can be read alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import cached_property

from changes import selectors as change_selectors
from changes.serializers import ChangeSerializer
from core.api import tables
from core.api.rows import represent
from hubs.api.serializers import HubSerializer
from hubs.models import Hub
from incentives.api.serializers import IncentiveSerializer
from incentives.models import Incentive
from indicators import compute
from indicators import selectors as indicator_selectors
from pillars import selectors
from pillars.api.serializers import (
    MeasurementSerializer,
    MilestoneSerializer,
    PillarSerializer,
    SummarySerializer,
    TargetSerializer,
)
from pillars.models import Milestone, Pillar, Target
from sources.models import Source
from sources.serializers import SourceSerializer

#: Rows are read and represented this many at a time (bounded memory at 100,000 targets).
CHUNK = 2_000

Records = Iterator[list[dict[str, Any]]]


@dataclasses.dataclass(frozen=True)
class Resource:
    """One resource of the API in the package: its name, serializer, detached objects and rows."""

    name: str
    title: str
    serializer: type[Any]
    rows: Callable[[dt.date, Mapping[str, Any]], Records]
    detach: tuple[str, ...] = ()

    @cached_property
    def layout(self) -> tables.Table:
        return tables.layout(self.serializer, self.name, detach=self.detach)


def _chunks(count: int) -> Iterator[tuple[int, int]]:
    for start in range(0, count, CHUNK):
        yield start, min(start + CHUNK, count)


def _listing_rows(
    listing: indicator_selectors.Listing[Any], relations: Callable[[Any], None], serializer: type[Any], context: Any
) -> Records:
    for start, end in _chunks(listing.count()):
        items = listing[start:end]
        relations(items)
        yield represent(serializer, items, context)


def _queryset_rows(queryset: QuerySet[Any], serializer: type[Any], context: Mapping[str, Any]) -> Records:
    """The rows of `queryset` in primary-key order, a chunk at a time (keyset paging: no OFFSET)."""
    last = None
    while True:
        page = queryset.order_by("pk")
        if last is not None:
            page = page.filter(pk__gt=last)
        items = list(page[:CHUNK])
        if not items:
            return
        last = items[-1].pk
        yield represent(serializer, items, context)


def _targets(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    listing = indicator_selectors.target_list(
        queryset=Target.objects.select_related("pillar"), as_of=as_of, basis=compute.Basis.REPORTED
    )
    return _listing_rows(listing, selectors.prefetch_target_relations, TargetSerializer, context)


def _milestones(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    listing = indicator_selectors.milestone_list(
        queryset=Milestone.objects.select_related("pillar"), as_of=as_of, basis=compute.Basis.REPORTED
    )
    return _listing_rows(listing, selectors.prefetch_milestone_relations, MilestoneSerializer, context)


def _measurements(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    # The figures that stood on the date, reported and illustrative alike: `illustrative` says which is which.
    return _queryset_rows(indicator_selectors.figures_on(as_of), MeasurementSerializer, context)


def _with_rollups(as_of: dt.date, context: Mapping[str, Any]) -> dict[str, Any]:
    return {**context, "rollups": indicator_selectors.rollups_on(as_of=as_of, basis=compute.Basis.REPORTED)}


def _pillars(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    pillars = Pillar.objects.prefetch_related("sources").order_by("number")
    yield represent(PillarSerializer, list(pillars), _with_rollups(as_of, context))


def _hubs(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    hubs = Hub.objects.prefetch_related("sources").order_by("slug")
    yield represent(HubSerializer, list(hubs), _with_rollups(as_of, context))


def _incentives(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    incentives = Incentive.objects.select_related("pillar").prefetch_related("hubs", "sources").order_by("slug")
    yield represent(IncentiveSerializer, list(incentives), context)


def _sources(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    return _queryset_rows(Source.objects.order_by("pk"), SourceSerializer, context)


def _summary(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    data = selectors.summary(as_of=as_of, basis=compute.Basis.REPORTED)
    yield [SummarySerializer(data).data]


def _changes(as_of: dt.date, context: Mapping[str, Any]) -> Records:
    keys = list(change_selectors.change_keys(change_selectors.ChangeFilter(until=as_of)))
    for start in range(0, len(keys), CHUNK):
        changes = change_selectors.changes_for(keys[start : start + CHUNK])
        yield [dict(row) for row in ChangeSerializer(changes, many=True).data]  # type: ignore[arg-type]


RESOURCES: tuple[Resource, ...] = (
    Resource("pillars", "Pillars", PillarSerializer, _pillars, detach=("rollup",)),
    Resource("targets", "Targets", TargetSerializer, _targets, detach=("indicators", "current_baseline_indicators")),
    Resource("measurements", "Measurements (reported and illustrative figures)", MeasurementSerializer, _measurements),
    Resource("milestones", "Milestones", MilestoneSerializer, _milestones, detach=("indicators",)),
    Resource("incentives", "Incentives", IncentiveSerializer, _incentives),
    Resource("hubs", "Regional hubs", HubSerializer, _hubs, detach=("rollup",)),
    Resource("sources", "Sources", SourceSerializer, _sources),
    Resource("summary", "Roll-ups: the policy and each pillar", SummarySerializer, _summary),
    Resource("changes", "The public record of changes", ChangeSerializer, _changes),
)

#: Columns that name a row of another resource: (resource, column) -> (resource, its key column).
REFERENCES: dict[tuple[str, str], tuple[str, str]] = {
    ("targets", "pillar"): ("pillars", "slug"),
    ("milestones", "pillar"): ("pillars", "slug"),
    ("milestones", "target"): ("targets", "id"),
    ("measurements", "target"): ("targets", "id"),
    ("incentives", "pillar"): ("pillars", "slug"),
    ("targets.hubs", "slug"): ("hubs", "slug"),
    ("milestones.hubs", "slug"): ("hubs", "slug"),
    ("incentives.hubs", "slug"): ("hubs", "slug"),
    ("summary.pillars", "slug"): ("pillars", "slug"),
}


def resource(name: str) -> Resource:
    return next(each for each in RESOURCES if each.name == name)


def all_tables() -> list[tuple[Resource, tables.Table]]:
    """Every table of the package, with the resource it belongs to, in the package's order."""
    return [(each, table) for each in RESOURCES for table in each.layout.walk()]
