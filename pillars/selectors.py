"""Reads: what a recompute needs, and the latest stored indicators, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection
from django.db.models import F, FilteredRelation, Max, Model, Q, QuerySet

from hubs.models import Hub
from sources.models import Source

from . import indicators
from .choices import RollupScope
from .models import (
    Measurement,
    Milestone,
    MilestoneEvidence,
    MilestoneSnapshot,
    Pillar,
    Rebaseline,
    RecomputeRun,
    RollupSnapshot,
    Target,
    TargetSnapshot,
    TrajectoryPoint,
)

M = TypeVar("M", bound=Model)


@dataclass(slots=True)
class ItemScope:
    """Where an item rolls up and when it is due (for windowed roll-ups)."""

    pillar: str | None
    hubs: tuple[str, ...]
    due: dt.date


@dataclass(slots=True)
class RecomputeInputs:
    """Everything `indicators_recompute` needs, keyed by primary key."""

    targets: dict[int, indicators.TargetInput] = field(default_factory=dict)
    milestones: dict[int, indicators.MilestoneInput] = field(default_factory=dict)
    # The forecast due date editors had set, stored with each snapshot (milestone trend analysis).
    forecasts: dict[int, dt.date | None] = field(default_factory=dict)


@dataclass(slots=True)
class RollupScopes:
    """Pillar, hubs and due date of every target and milestone, for the roll-ups."""

    targets: dict[int, ItemScope] = field(default_factory=dict)
    milestones: dict[int, ItemScope] = field(default_factory=dict)


def _ids_filter(ids: Collection[int] | None, id_range: tuple[int, int] | None) -> dict[str, object]:
    lookups: dict[str, object] = {}
    if ids is not None:
        lookups["pk__in"] = list(ids)
    if id_range is not None:
        lookups["pk__gte"], lookups["pk__lt"] = id_range
    return lookups


def _latest_measurements(
    *, as_of: dt.date, target_ids: Collection[int] | None, id_range: tuple[int, int] | None
) -> dict[int, indicators.Point]:
    """The latest measurement dated on or before `as_of`, per target (the only one the indicators use)."""
    measurements = Measurement.objects.filter(date__lte=as_of)
    if target_ids is not None:
        measurements = measurements.filter(target_id__in=list(target_ids))
    if id_range is not None:
        measurements = measurements.filter(target_id__gte=id_range[0], target_id__lt=id_range[1])
    latest: dict[int, indicators.Point] = {}
    if connection.vendor == "postgresql":
        # DISTINCT ON reads one row per target through the (target, date) unique index.
        rows = (
            measurements.order_by("target_id", "-date").distinct("target_id").values_list("target_id", "date", "value")
        )
        for target_id, day, value in rows.iterator(chunk_size=20_000):
            latest[target_id] = indicators.Point(day, value)
    else:
        rows = measurements.order_by("target_id", "date").values_list("target_id", "date", "value")
        for target_id, day, value in rows.iterator(chunk_size=20_000):
            latest[target_id] = indicators.Point(day, value)  # ordered by date: the last one wins
    return latest


def recompute_inputs(
    *,
    as_of: dt.date,
    target_ids: Collection[int] | None = None,
    milestone_ids: Collection[int] | None = None,
    id_range: tuple[int, int] | None = None,
) -> RecomputeInputs:
    """Load the targets and milestones to recompute as of `as_of` (all of them when no ids are given).

    Four queries whatever the number of items. Only the latest measurement on
    or before `as_of` is read per target: the indicators use nothing else.
    Completions and cancellations dated after `as_of` are ignored, so that a
    past date can be replayed.
    """
    inputs = RecomputeInputs()

    points: dict[int, list[indicators.Point]] = defaultdict(list)
    point_rows = TrajectoryPoint.objects.order_by()
    if target_ids is not None:
        point_rows = point_rows.filter(target_id__in=list(target_ids))
    if id_range is not None:
        point_rows = point_rows.filter(target_id__gte=id_range[0], target_id__lt=id_range[1])
    for target_id, day, value in point_rows.values_list("target_id", "date", "value").iterator(chunk_size=20_000):
        points[target_id].append(indicators.Point(day, value))

    latest = _latest_measurements(as_of=as_of, target_ids=target_ids, id_range=id_range)

    if target_ids is None or target_ids:
        target_rows = (
            Target.objects.filter(**_ids_filter(target_ids, id_range))
            .order_by()
            .values_list(
                "pk", "baseline_date", "baseline_value", "target_date", "target_value", "reporting_interval_days"
            )
        )
        for pk, t0, v0, deadline, goal, interval in target_rows.iterator(chunk_size=20_000):
            measurement = latest.get(pk)
            inputs.targets[pk] = indicators.TargetInput(
                baseline_date=t0,
                baseline_value=v0,
                target_date=deadline,
                target_value=goal,
                trajectory=tuple(points.get(pk, ())),
                measurements=(measurement,) if measurement is not None else (),
                reporting_interval_days=interval,
            )

    if milestone_ids is None or milestone_ids:
        milestone_rows = (
            Milestone.objects.filter(**_ids_filter(milestone_ids, id_range))
            .order_by()
            .values_list("pk", "baseline_due_date", "forecast_due_date", "completed_on", "cancelled", "cancelled_on")
        )
        for pk, due, forecast, completed, cancelled, cancelled_on in milestone_rows.iterator(chunk_size=20_000):
            inputs.milestones[pk] = indicators.MilestoneInput(
                baseline_due_date=due,
                forecast_due_date=forecast,
                completed_on=completed,
                cancelled=cancelled and (cancelled_on is None or cancelled_on <= as_of),
            )
            inputs.forecasts[pk] = forecast
    return inputs


def rollup_scopes() -> RollupScopes:
    """Pillar, hubs and due date of every item: four queries whatever the number of items."""
    scopes = RollupScopes()
    target_hubs: dict[int, list[str]] = defaultdict(list)
    for target_id, slug in Target.hubs.through.objects.values_list("target_id", "hub__slug").iterator(
        chunk_size=20_000
    ):
        target_hubs[target_id].append(slug)
    milestone_hubs: dict[int, list[str]] = defaultdict(list)
    for milestone_id, slug in Milestone.hubs.through.objects.values_list("milestone_id", "hub__slug").iterator(
        chunk_size=20_000
    ):
        milestone_hubs[milestone_id].append(slug)
    for pk, pillar, due in (
        Target.objects.order_by().values_list("pk", "pillar__slug", "target_date").iterator(chunk_size=20_000)
    ):
        scopes.targets[pk] = ItemScope(pillar=pillar, hubs=tuple(target_hubs.get(pk, ())), due=due)
    for pk, pillar, due in (
        Milestone.objects.order_by().values_list("pk", "pillar__slug", "baseline_due_date").iterator(chunk_size=20_000)
    ):
        scopes.milestones[pk] = ItemScope(pillar=pillar, hubs=tuple(milestone_hubs.get(pk, ())), due=due)
    return scopes


def latest_full_run_date(*, on_or_before: dt.date | None = None) -> dt.date | None:
    """The as-of date of the latest complete recompute (optionally not after a date)."""
    runs = RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL)
    if on_or_before is not None:
        runs = runs.filter(as_of__lte=on_or_before)
    latest: dt.date | None = runs.aggregate(latest=Max("as_of"))["latest"]
    return latest


def full_run_exists(*, as_of: dt.date) -> bool:
    """Whether every item has a snapshot for `as_of` (a full recompute of that date has finished)."""
    return RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, as_of=as_of).exists()


TARGET_INDICATOR_FIELDS = (
    "as_of",
    "status",
    "progress",
    "planned_progress",
    "actual_value",
    "evaluation_date",
    "earned_schedule",
    "slip_days",
    "spi",
    "forecast_completion",
    "forecast_slip_days",
    "required_rate",
    "required_rate_per_year",
    "staleness_days",
    "stale",
)


def target_indicators_on(*, as_of: dt.date) -> dict[int, indicators.TargetIndicators]:
    """The stored indicators of every target as of `as_of`, rebuilt as the pure module's results (one query)."""
    rows = TargetSnapshot.objects.filter(as_of=as_of).order_by().values_list("target_id", *TARGET_INDICATOR_FIELDS)
    return {
        row[0]: indicators.TargetIndicators(row[1], indicators.TargetStatus(row[2]), *row[3:])
        for row in rows.iterator(chunk_size=20_000)
    }


def milestone_indicators_on(*, as_of: dt.date) -> dict[int, indicators.MilestoneIndicators]:
    """The stored indicators of every milestone as of `as_of` (one query)."""
    rows = (
        MilestoneSnapshot.objects.filter(as_of=as_of)
        .order_by()
        .values_list("milestone_id", "as_of", "status", "expected_date", "slip_days")
    )
    return {
        pk: indicators.MilestoneIndicators(day, indicators.MilestoneStatus(status), expected, slip)
        for pk, day, status, expected, slip in rows.iterator(chunk_size=20_000)
    }


# --- Lists and details with their indicators as of a date ------------------------------------

TARGET_INDICATOR_NAMES = TARGET_INDICATOR_FIELDS[1:]
_TARGET_ANNOTATIONS = tuple(f"ind_{name}" for name in TARGET_INDICATOR_NAMES)  # what target_list annotates
MILESTONE_INDICATOR_NAMES = ("status", "expected_date", "slip_days")


def thresholds_from_settings() -> indicators.Thresholds:
    """The status thresholds of indicators.md, from settings."""
    return indicators.Thresholds(on_track=settings.INDICATORS_ON_TRACK_SPI, at_risk=settings.INDICATORS_AT_RISK_SPI)


@dataclass(slots=True)
class Computed:
    """Indicators computed (not read) from `RecomputeInputs`; `invalid` lists targets whose definition is broken."""

    targets: dict[int, indicators.TargetIndicators]
    milestones: dict[int, indicators.MilestoneIndicators]
    invalid: list[int]


def compute_indicators(inputs: RecomputeInputs, *, as_of: dt.date) -> Computed:
    """Run the pure module over loaded inputs; a broken target (edited in the database directly) is skipped."""
    thresholds = thresholds_from_settings()
    compute_target = indicators.compute_target
    targets: dict[int, indicators.TargetIndicators] = {}
    invalid: list[int] = []
    for pk, target in inputs.targets.items():
        try:
            targets[pk] = compute_target(target, as_of, thresholds)
        except indicators.InvalidTarget:
            invalid.append(pk)
    milestones = {pk: indicators.compute_milestone(m, as_of) for pk, m in inputs.milestones.items()}
    return Computed(targets=targets, milestones=milestones, invalid=invalid)


def compute_target_indicators(*, as_of: dt.date, target_ids: Collection[int]) -> dict[int, indicators.TargetIndicators]:
    """Compute (not read) the indicators of some targets as of a date: three queries."""
    inputs = recompute_inputs(as_of=as_of, target_ids=target_ids, milestone_ids=[])
    return compute_indicators(inputs, as_of=as_of).targets  # a broken target is shown without indicators


def compute_milestone_indicators(
    *, as_of: dt.date, milestone_ids: Collection[int]
) -> dict[int, indicators.MilestoneIndicators]:
    """Compute the indicators of some milestones as of a date: one query."""
    inputs = recompute_inputs(as_of=as_of, target_ids=[], milestone_ids=milestone_ids)
    return compute_indicators(inputs, as_of=as_of).milestones


def _nulls_last(name: str) -> Any:
    descending = name.startswith("-")
    expression = F(f"ind_{name.lstrip('-')}")
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


def _python_sort(items: list[Any], ordering: str, fields: tuple[str, ...]) -> list[Any]:
    """Sort objects carrying `.indicators` by an indicator or a model field, missing values last."""
    name = ordering.lstrip("-")
    reverse = ordering.startswith("-")

    def value(obj: Any) -> Any:
        if name in fields:
            result = getattr(obj, "indicators", None)
            return None if result is None else getattr(result, name)
        return getattr(obj, name)

    present = [obj for obj in items if value(obj) is not None]
    missing = [obj for obj in items if value(obj) is None]
    return sorted(present, key=value, reverse=reverse) + missing


def target_list(
    *,
    queryset: QuerySet[Target],
    as_of: dt.date,
    status: Collection[str] | None = None,
    stale: bool | None = None,
    ordering: str | None = None,
) -> QuerySet[Target] | list[Target]:
    """The targets of `queryset` with their indicators as of `as_of`, filtered and ordered by them.

    When a full recompute of `as_of` is stored, the indicators come from its
    snapshots through one LEFT JOIN, and filtering, ordering and paging stay in
    the database. Otherwise (a date nobody stored) they are computed on the
    fly, in memory, with the same code: the list is then a Python list. Either
    way call `attach_target_indicators` on the page before reading
    `obj.indicators`.
    """
    ordering = ordering or "code"
    if full_run_exists(as_of=as_of):
        annotated = queryset.annotate(snap=FilteredRelation("snapshots", condition=Q(snapshots__as_of=as_of)))
        annotated = annotated.annotate(**{f"ind_{name}": F(f"snap__{name}") for name in TARGET_INDICATOR_NAMES})
        if status:
            annotated = annotated.filter(Q(ind_status__in=list(status)))
        if stale is not None:
            annotated = annotated.filter(Q(ind_stale=stale))
        if ordering.lstrip("-") in TARGET_INDICATOR_NAMES:
            return annotated.order_by(_nulls_last(ordering), "code")
        return annotated.order_by(ordering, "code")
    if not status and stale is None and ordering.lstrip("-") not in TARGET_INDICATOR_NAMES:
        # Nothing depends on the indicators but what is shown: page in SQL, compute the page only.
        return queryset.order_by(ordering, "code")

    items = list(queryset)
    computed = compute_target_indicators(as_of=as_of, target_ids=[t.pk for t in items])
    for item in items:
        item.indicators = computed.get(item.pk)  # type: ignore[attr-defined]
    if status:
        items = [t for t in items if t.indicators is not None and t.indicators.status in status]  # type: ignore[attr-defined]
    if stale is not None:
        items = [t for t in items if t.indicators is not None and t.indicators.stale == stale]  # type: ignore[attr-defined]
    return _python_sort(sorted(items, key=lambda t: t.code), ordering, TARGET_INDICATOR_NAMES)


def attach_target_indicators(items: Collection[Target], *, as_of: dt.date) -> None:
    """Give every target of a page its `.indicators` (stored, else computed): at most three queries."""
    missing = []
    for item in items:
        if hasattr(item, "indicators"):
            continue
        if getattr(item, "ind_status", None) is not None:
            values = [getattr(item, name) for name in _TARGET_ANNOTATIONS]
            item.indicators = indicators.TargetIndicators(  # type: ignore[attr-defined]
                as_of, indicators.TargetStatus(values[0]), *values[1:]
            )
        else:
            missing.append(item)
    if missing:
        computed = compute_target_indicators(as_of=as_of, target_ids=[t.pk for t in missing])
        for item in missing:
            item.indicators = computed.get(item.pk)  # type: ignore[attr-defined]


def milestone_list(
    *,
    queryset: QuerySet[Milestone],
    as_of: dt.date,
    status: Collection[str] | None = None,
    ordering: str | None = None,
) -> QuerySet[Milestone] | list[Milestone]:
    """The milestones of `queryset` with their indicators as of `as_of` (see `target_list`)."""
    ordering = ordering or "baseline_due_date"
    if full_run_exists(as_of=as_of):
        annotated = queryset.annotate(snap=FilteredRelation("snapshots", condition=Q(snapshots__as_of=as_of)))
        annotated = annotated.annotate(**{f"ind_{name}": F(f"snap__{name}") for name in MILESTONE_INDICATOR_NAMES})
        if status:
            annotated = annotated.filter(Q(ind_status__in=list(status)))
        if ordering.lstrip("-") in MILESTONE_INDICATOR_NAMES:
            return annotated.order_by(_nulls_last(ordering), "code")
        return annotated.order_by(ordering, "code")
    if not status and ordering.lstrip("-") not in MILESTONE_INDICATOR_NAMES:
        return queryset.order_by(ordering, "code")

    items = list(queryset)
    computed = compute_milestone_indicators(as_of=as_of, milestone_ids=[m.pk for m in items])
    for item in items:
        item.indicators = computed.get(item.pk)  # type: ignore[attr-defined]
    if status:
        items = [m for m in items if m.indicators is not None and m.indicators.status in status]  # type: ignore[attr-defined]
    return _python_sort(sorted(items, key=lambda m: m.code), ordering, MILESTONE_INDICATOR_NAMES)


def attach_milestone_indicators(items: Collection[Milestone], *, as_of: dt.date) -> None:
    """Give every milestone of a page its `.indicators` (stored, else computed): at most one query."""
    missing = []
    for item in items:
        if hasattr(item, "indicators"):
            continue
        row: Any = item  # carries the ind_* annotations of milestone_list
        if getattr(row, "ind_status", None) is not None:
            row.indicators = indicators.MilestoneIndicators(
                as_of, indicators.MilestoneStatus(row.ind_status), row.ind_expected_date, row.ind_slip_days
            )
        else:
            missing.append(item)
    if missing:
        computed = compute_milestone_indicators(as_of=as_of, milestone_ids=[m.pk for m in missing])
        for item in missing:
            item.indicators = computed.get(item.pk)  # type: ignore[attr-defined]


# --- The relations a page shows ------------------------------------------------------------------


def _in_ids(sql: str, ids: list[int]) -> tuple[str, list[Any]]:
    """`sql` and its parameters, with `{in_ids}` standing for "is one of `ids`".

    PostgreSQL gets one array parameter (`= ANY(%s)`), which it parses and
    plans faster than a list of placeholders; SQLite gets `IN (%s, ...)`.
    """
    if connection.vendor == "postgresql":
        return sql.format(in_ids="= ANY(%s)"), [ids]
    return sql.format(in_ids="IN ({})".format(", ".join(["%s"] * len(ids)))), ids


def _page_rows(sql: str, ids: list[int]) -> list[tuple[Any, ...]]:
    """One read of a page's relations as tuples, in plain SQL (`{in_ids}`: see `_in_ids`).

    The ORM spends several times longer building these simple queries (each
    with an IN list of up to 500 ids) than the database spends answering
    them; tables are named from the models' metadata.
    """
    with connection.cursor() as cursor:
        cursor.execute(*_in_ids(sql, ids))
        rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows


def _page_instances(model: type[M], owner: str, ids: list[int], order: str) -> list[M]:
    """The rows of `model` whose `owner` is one of `ids`, as instances, in `order`.

    Through `Model.objects.raw()`, which applies the fields' converters (time
    zones on SQLite, ...) like any queryset, without compiling one.
    """
    sql = f"SELECT * FROM {model._meta.db_table} WHERE {owner}_id {{in_ids}} ORDER BY {order}"
    return list(model._default_manager.raw(*_in_ids(sql, ids)))


def _hub_slugs(through: Any, owner: str, ids: list[int]) -> dict[int, list[str]]:
    """Hub slugs per owner id, in the hubs' own order (tier, name): one query, no Hub instances."""
    sql = (
        f"SELECT t.{owner}_id, h.slug FROM {through._meta.db_table} t JOIN {Hub._meta.db_table} h ON h.id = t.hub_id"
        f" WHERE t.{owner}_id {{in_ids}} ORDER BY h.tier, h.name, h.id"
    )
    found: dict[int, list[str]] = defaultdict(list)
    for owner_id, slug in _page_rows(sql, ids):
        found[owner_id].append(slug)
    return found


def _source_ids(through: Any, owner: str, ids: list[int]) -> list[tuple[int, int]]:
    """(owner id, source id) pairs, in the sources' own order (outlet, title)."""
    tables = f"{through._meta.db_table} t JOIN {Source._meta.db_table} s ON s.id = t.source_id"
    sql = f"SELECT t.{owner}_id, s.id FROM {tables} WHERE t.{owner}_id {{in_ids}} ORDER BY s.outlet, s.title, s.id"
    return [(owner_id, source_id) for owner_id, source_id in _page_rows(sql, ids)]


class _PageRelations:
    """Hubs, sources and re-baselines of a page of targets or milestones; every source read once."""

    def __init__(self, model: type[Target] | type[Milestone], owner: str, ids: list[int]) -> None:
        self.hubs = _hub_slugs(model.hubs.through, owner, ids)
        self.source_pairs = _source_ids(model.sources.through, owner, ids)
        self.rebaselines: dict[int, list[Rebaseline]] = defaultdict(list)
        for rebaseline in _page_instances(Rebaseline, owner, ids, "created_at, id"):
            self.rebaselines[getattr(rebaseline, f"{owner}_id")].append(rebaseline)

    def attach(self, items: Collection[Any], *, more_source_ids: Collection[int] = ()) -> dict[int, Source]:
        """Set `hub_slugs`, `source_list` and `rebaseline_list` (each re-baseline with its source)."""
        wanted = {source_id for _, source_id in self.source_pairs} | set(more_source_ids)
        wanted |= {r.source_id for rows in self.rebaselines.values() for r in rows if r.source_id is not None}
        sources = Source.objects.in_bulk(wanted) if wanted else {}
        source_lists: dict[int, list[Source]] = defaultdict(list)
        for owner_id, source_id in self.source_pairs:
            source_lists[owner_id].append(sources[source_id])
        for rows in self.rebaselines.values():
            for rebaseline in rows:
                if rebaseline.source_id is not None:
                    rebaseline.source = sources[rebaseline.source_id]
        for item in items:
            item.hub_slugs = self.hubs.get(item.pk, [])
            item.source_list = source_lists.get(item.pk, [])
            item.rebaseline_list = self.rebaselines.get(item.pk, [])
        return sources


def attach_target_relations(items: Collection[Target]) -> None:
    """Give every target of a page what the API shows of its relations, in five queries whatever its size.

    `hub_slugs` (hub slugs), `source_list` (sources; one instance per
    distinct source, shared), `point_list` (the trajectory as pure
    `indicators.Point`s, by date) and `rebaseline_list` (oldest first, each
    with its source). Rows are read as tuples or through `raw()`: a
    `prefetch_related` builds a queryset per target and relation, and
    compiling the queries costs more than running them.
    """
    ids = [item.pk for item in items]
    if not ids:
        return
    relations = _PageRelations(Target, "target", ids)
    points: dict[int, list[indicators.Point]] = defaultdict(list)
    sql = f"SELECT target_id, date, value FROM {TrajectoryPoint._meta.db_table} WHERE target_id {{in_ids}}"
    for target_id, date, value in _page_rows(sql + " ORDER BY target_id, date", ids):
        points[target_id].append(indicators.Point(date, value))
    relations.attach(items)
    for item in items:
        row: Any = item
        row.point_list = points.get(item.pk, [])
        item.__dict__.pop("latest_rebaseline", None)


def attach_milestone_relations(items: Collection[Milestone]) -> None:
    """Give every milestone of a page `hub_slugs`, `source_list`, `evidence_list` (by date, each with its
    source) and `rebaseline_list`, in five queries whatever its size (see `attach_target_relations`)."""
    ids = [item.pk for item in items]
    if not ids:
        return
    relations = _PageRelations(Milestone, "milestone", ids)
    entries = _page_instances(MilestoneEvidence, "milestone", ids, "date, id")
    sources = relations.attach(items, more_source_ids={e.source_id for e in entries if e.source_id is not None})
    evidence: dict[int, list[MilestoneEvidence]] = defaultdict(list)
    for entry in entries:
        if entry.source_id is not None:
            entry.source = sources[entry.source_id]
        evidence[entry.milestone_id].append(entry)
    for item in items:
        row: Any = item
        row.evidence_list = evidence.get(item.pk, [])


# --- Roll-ups -----------------------------------------------------------------------------------

Window = tuple[dt.date, dt.date]
RollupKey = tuple[str, str, str]  # (scope, scope key, window key)


def rollup_windows() -> list[tuple[dt.date, dt.date] | None]:
    """The windows every roll-up is also computed for (None: every item, whenever due)."""
    windows: list[tuple[dt.date, dt.date] | None] = [None]
    for start, end in settings.INDICATORS_ROLLUP_WINDOWS:
        windows.append((dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
    return windows


def window_key(window: tuple[dt.date, dt.date] | None) -> str:
    return "all" if window is None else f"{window[0].isoformat()}..{window[1].isoformat()}"


def _group_keys(scope: ItemScope | None, windows: list[tuple[Window | None, str]]) -> list[RollupKey]:
    """The roll-ups an item counts in: the policy, its pillar and its hubs, for each window it is due in."""
    places = [(RollupScope.POLICY.value, "")]
    if scope is not None:
        if scope.pillar:
            places.append((RollupScope.PILLAR.value, scope.pillar))
        places.extend((RollupScope.HUB.value, hub) for hub in scope.hubs)
    keys: list[RollupKey] = []
    for window, key in windows:
        if window is not None and (scope is None or not window[0] <= scope.due <= window[1]):
            continue
        keys.extend((name, place_key, key) for name, place_key in places)
    return keys


def compute_rollups(
    *,
    as_of: dt.date,
    targets: dict[int, indicators.TargetIndicators],
    milestones: dict[int, indicators.MilestoneIndicators],
    windows: list[Window | None] | None = None,
) -> dict[RollupKey, indicators.Rollup]:
    """Roll up the given indicators for the policy, every pillar and every hub, per window.

    Every pillar and hub gets a roll-up, even with nothing in it, so that pages
    never miss one. A constant number of queries (the items' scopes, the
    pillars, the hubs) whatever the number of items.
    """
    scopes = rollup_scopes()
    keyed = [(window, window_key(window)) for window in (rollup_windows() if windows is None else windows)]
    groups: dict[RollupKey, tuple[list[indicators.TargetIndicators], list[indicators.MilestoneIndicators]]] = {}
    for _window, key in keyed:
        groups[(RollupScope.POLICY.value, "", key)] = ([], [])
        for pillar in Pillar.objects.values_list("slug", flat=True):
            groups[(RollupScope.PILLAR.value, pillar, key)] = ([], [])
        for hub in Hub.objects.values_list("slug", flat=True):
            groups[(RollupScope.HUB.value, hub, key)] = ([], [])
    for pk, target in targets.items():
        for group in _group_keys(scopes.targets.get(pk), keyed):
            groups.setdefault(group, ([], []))[0].append(target)
    for pk, milestone in milestones.items():
        for group in _group_keys(scopes.milestones.get(pk), keyed):
            groups.setdefault(group, ([], []))[1].append(milestone)
    return {key: indicators.compute_rollup(t, m, as_of) for key, (t, m) in groups.items()}


def item_indicators_on(
    *, as_of: dt.date
) -> tuple[dict[int, indicators.TargetIndicators], dict[int, indicators.MilestoneIndicators]]:
    """Every item's indicators as of a date: stored when a full run of that date exists, else computed."""
    if full_run_exists(as_of=as_of):
        return target_indicators_on(as_of=as_of), milestone_indicators_on(as_of=as_of)
    computed = compute_indicators(recompute_inputs(as_of=as_of), as_of=as_of)
    return computed.targets, computed.milestones


def rollups_on(*, as_of: dt.date, window: Window | None = None) -> dict[tuple[str, str], indicators.Rollup]:
    """The roll-ups of a date for one window, keyed by (scope, scope key): stored if possible, else computed."""
    key = window_key(window)
    if full_run_exists(as_of=as_of):
        stored = RollupSnapshot.objects.filter(as_of=as_of, window=key)
        found = {
            (row.scope, row.scope_key): indicators.Rollup(
                as_of=as_of,
                targets=row.targets,
                milestones=row.milestones,
                median_slip_days=row.median_slip_days,
                max_slip_days=row.max_slip_days,
                on_schedule_share=row.on_schedule_share,
            )
            for row in stored
        }
        if found:
            return found
    targets, milestones = item_indicators_on(as_of=as_of)
    computed = compute_rollups(as_of=as_of, targets=targets, milestones=milestones, windows=[window])
    return {(scope, scope_key): rollup for (scope, scope_key, _key), rollup in computed.items()}


# --- Editing: neighbouring figures, baselines in force -------------------------------------------


def measurement_neighbours(
    *, target_id: int, date: dt.date, exclude_pk: int | None = None
) -> tuple[tuple[dt.date, float] | None, tuple[dt.date, float] | None]:
    """The target's figures just before and just after `date` (as (date, value)), ignoring one being edited."""
    figures = Measurement.objects.filter(target_id=target_id)
    if exclude_pk is not None:
        figures = figures.exclude(pk=exclude_pk)
    previous = figures.filter(date__lt=date).order_by("-date").values_list("date", "value").first()
    following = figures.filter(date__gt=date).order_by("date").values_list("date", "value").first()
    return previous, following


def milestone_slip_against_current_baseline(milestone: Milestone) -> int | None:
    """`expected_date - current_baseline_due_date` from the attached indicators: the slip since the last re-baseline.

    Equal to the indicators' `slip_days` when the milestone was never re-baselined;
    null for a cancelled milestone or one without indicators. No query when
    `rebaselines` is prefetched.
    """
    result = getattr(milestone, "indicators", None)
    if result is None or result.expected_date is None or result.slip_days is None:
        return None
    slip: int = (result.expected_date - milestone.current_baseline_due_date).days
    return slip


def target_indicators_against_current_baseline(target: Target) -> indicators.TargetIndicators | None:
    """The target's indicators recomputed, by the pure module, against the baseline and deadline in force.

    Built from the attached indicators (the same as-of date, the same latest
    figure), so it runs no query when `rebaselines` and `trajectory_points` are
    prefetched. The original interim points are kept where they still fit
    strictly between the new baseline and deadline and the curve stays valid;
    otherwise the plan in force is the straight line between its ends. Equal
    to the attached indicators when the target was never re-baselined.
    """
    result: indicators.TargetIndicators | None = getattr(target, "indicators", None)
    if result is None or target.latest_rebaseline is None:
        return result
    t0, v0 = target.current_baseline_date, target.current_baseline_value
    deadline, goal = target.current_target_date, target.current_target_value
    planned = getattr(target, "point_list", None)
    if planned is None:
        planned = target.trajectory_points.all()
    points = tuple(indicators.Point(p.date, p.value) for p in planned if t0 < p.date < deadline)
    measurements: tuple[indicators.Point, ...] = ()
    if result.evaluation_date is not None and result.actual_value is not None:
        measurements = (indicators.Point(result.evaluation_date, result.actual_value),)
    thresholds = thresholds_from_settings()
    for trajectory in (points, ()):
        candidate = indicators.TargetInput(
            baseline_date=t0,
            baseline_value=v0,
            target_date=deadline,
            target_value=goal,
            trajectory=trajectory,
            measurements=measurements,
            reporting_interval_days=target.reporting_interval_days,
        )
        try:
            return indicators.compute_target(candidate, result.as_of, thresholds)
        except indicators.InvalidTarget:
            continue
    return None
