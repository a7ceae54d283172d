"""Reads of the indicators: what a recompute needs, the stored snapshots, lists and roll-ups as of a date.

Every function here runs a constant number of queries whatever the number of
items. Where a date's indicators are stored (a full recompute of it has
finished), they are read from its snapshots; otherwise they are computed by
the pure module (`indicators.compute`) from the same inputs a recompute reads.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, overload

from django.conf import settings
from django.db import connection
from django.db.models import F, FilteredRelation, Max, Model, Q, QuerySet, Value

from hubs.models import Hub
from pillars.choices import TargetKind
from pillars.models import Measurement, Milestone, Pillar, Target, TrajectoryPoint

from . import compute
from .choices import RollupScope
from .models import MilestoneSnapshot, RecomputeRun, RollupSnapshot, TargetSnapshot

M = TypeVar("M", bound=Model)

#: The indicators a target or milestone list is filtered and ordered by (all but the as-of date).
TARGET_INDICATOR_NAMES = compute.TARGET_INDICATOR_FIELDS[1:]
MILESTONE_INDICATOR_NAMES = compute.MILESTONE_INDICATOR_FIELDS[1:]
#: The prefix of the annotations `with_target_indicators` and `with_milestone_indicators` add.
PREFIX = "ind_"


# --- What a recompute reads ------------------------------------------------------------------


@dataclass(slots=True)
class ItemScope:
    """Where an item rolls up and when it is due (for windowed roll-ups)."""

    pillar: str | None
    hubs: tuple[str, ...]
    due: dt.date


@dataclass(slots=True)
class RecomputeInputs:
    """Everything `indicators_recompute` needs, keyed by primary key."""

    targets: dict[int, compute.TargetInput] = field(default_factory=dict)
    milestones: dict[int, compute.MilestoneInput] = field(default_factory=dict)
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


def _by_target(
    queryset: QuerySet[M], target_ids: Collection[int] | None, id_range: tuple[int, int] | None
) -> QuerySet[M]:
    if target_ids is not None:
        queryset = queryset.filter(target_id__in=list(target_ids))
    if id_range is not None:
        queryset = queryset.filter(target_id__gte=id_range[0], target_id__lt=id_range[1])
    return queryset


def figures_on(as_of: dt.date) -> QuerySet[Measurement]:
    """The figures that stood on `as_of`: dated on or before it, and not withdrawn by then."""
    return Measurement.objects.filter(Q(date__lte=as_of), Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=as_of))


def _latest_measurements(
    *, as_of: dt.date, target_ids: Collection[int] | None, id_range: tuple[int, int] | None, reported_only: bool
) -> dict[int, compute.Point]:
    """The latest figure that stood on `as_of` per target (of the reported ones only, or of all of them)."""
    measurements = _by_target(figures_on(as_of), target_ids, id_range)
    if reported_only:
        measurements = measurements.filter(illustrative=False)
    columns = ("target_id", "date", "value", "illustrative")
    latest: dict[int, compute.Point] = {}
    if connection.vendor == "postgresql":
        # DISTINCT ON reads one row per target through the (target, date) unique index.
        rows = measurements.order_by("target_id", "-date").distinct("target_id").values_list(*columns)
    else:
        # Ordered by date: the last one of each target wins.
        rows = measurements.order_by("target_id", "date").values_list(*columns)
    for target_id, day, value, illustrative in rows.iterator(chunk_size=20_000):
        latest[target_id] = compute.Point(day, value, illustrative)
    return latest


def recompute_inputs(
    *,
    as_of: dt.date,
    target_ids: Collection[int] | None = None,
    milestone_ids: Collection[int] | None = None,
    id_range: tuple[int, int] | None = None,
) -> RecomputeInputs:
    """Load the targets and milestones to recompute as of `as_of` (all of them when no ids are given).

    Four queries whatever the number of items, and a fifth when some target's
    latest figure is illustrative. Per target, only the latest figure on or
    before `as_of` and the latest reported one are read: the
    indicators use nothing else, on either basis. Figures withdrawn by then,
    completions and cancellations dated after `as_of` are ignored, so that a
    past date can be replayed. Projections (an expert's expected outcome, not
    a commitment) have no indicators and are not read.
    """
    inputs = RecomputeInputs()

    points: dict[int, list[compute.Point]] = defaultdict(list)
    point_rows = _by_target(TrajectoryPoint.objects.order_by(), target_ids, id_range)
    for target_id, day, value in point_rows.values_list("target_id", "date", "value").iterator(chunk_size=20_000):
        points[target_id].append(compute.Point(day, value))

    latest = _latest_measurements(as_of=as_of, target_ids=target_ids, id_range=id_range, reported_only=False)
    # Where the latest figure is reported it is also the latest reported one: only the targets whose latest
    # figure is illustrative need a second read (none at all without the demonstration data).
    shadowed = [pk for pk, point in latest.items() if point.illustrative]
    reported = (
        _latest_measurements(as_of=as_of, target_ids=shadowed, id_range=None, reported_only=True) if shadowed else {}
    )

    if target_ids is None or target_ids:
        target_rows = (
            Target.objects.filter(**_ids_filter(target_ids, id_range))
            .exclude(kind=TargetKind.PROJECTION)
            .order_by()
            .values_list(
                "pk", "baseline_date", "baseline_value", "target_date", "target_value", "reporting_interval_days"
            )
        )
        for pk, t0, v0, deadline, goal, interval in target_rows.iterator(chunk_size=20_000):
            figures = {point.date: point for point in (latest.get(pk), reported.get(pk)) if point is not None}
            inputs.targets[pk] = compute.TargetInput(
                baseline_date=t0,
                baseline_value=v0,
                target_date=deadline,
                target_value=goal,
                trajectory=tuple(points.get(pk, ())),
                measurements=tuple(figures.values()),
                reporting_interval_days=interval,
            )

    if milestone_ids is None or milestone_ids:
        milestone_rows = (
            Milestone.objects.filter(**_ids_filter(milestone_ids, id_range))
            .order_by()
            .values_list("pk", "baseline_due_date", "forecast_due_date", "completed_on", "cancelled", "cancelled_on")
        )
        for pk, due, forecast, completed, cancelled, cancelled_on in milestone_rows.iterator(chunk_size=20_000):
            inputs.milestones[pk] = compute.MilestoneInput(
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
    hubs: dict[str, dict[int, list[str]]] = {"target": defaultdict(list), "milestone": defaultdict(list)}
    for owner, model in (("target", Target), ("milestone", Milestone)):
        links = model.hubs.through.objects.values_list(f"{owner}_id", "hub__slug")
        for owner_id, slug in links.iterator(chunk_size=20_000):
            hubs[owner][owner_id].append(slug)
    for pk, pillar, due in (
        Target.objects.order_by().values_list("pk", "pillar__slug", "target_date").iterator(chunk_size=20_000)
    ):
        scopes.targets[pk] = ItemScope(pillar=pillar, hubs=tuple(hubs["target"].get(pk, ())), due=due)
    for pk, pillar, due in (
        Milestone.objects.order_by().values_list("pk", "pillar__slug", "baseline_due_date").iterator(chunk_size=20_000)
    ):
        scopes.milestones[pk] = ItemScope(pillar=pillar, hubs=tuple(hubs["milestone"].get(pk, ())), due=due)
    return scopes


# --- What is stored ------------------------------------------------------------------------------------


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


def illustrative_stood_on(as_of: dt.date) -> bool:
    """Whether any illustrative figure stood on `as_of` (one probe of a partial index).

    When none did, the illustrative basis gives exactly the reported numbers, so
    a recompute of that date stores the reported basis only, and reads of the
    illustrative basis use those rows (`read_basis`). A portal without the
    demonstration data pays nothing for the basis.
    """
    return figures_on(as_of).filter(illustrative=True).exists()


def stored_bases(as_of: dt.date) -> tuple[compute.Basis, ...]:
    """The bases a recompute of `as_of` stores: the reported one, and the illustrative one if it differs."""
    if illustrative_stood_on(as_of):
        return (compute.Basis.REPORTED, compute.Basis.ILLUSTRATIVE)
    return (compute.Basis.REPORTED,)


def read_basis(*, as_of: dt.date, basis: compute.Basis) -> compute.Basis:
    """The basis of the stored rows that hold `basis`'s numbers for `as_of` (no query on the reported basis)."""
    if basis == compute.Basis.REPORTED:
        return basis
    latest = (
        RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, as_of=as_of)
        .order_by("-finished_at")
        .values_list("illustrative", flat=True)
        .first()
    )
    return compute.Basis.REPORTED if latest is False else basis


def _fields_on(fields: tuple[str, ...]) -> tuple[str, ...]:
    """The snapshot columns to read, with the basis asked for in place of the stored rows' (`read_basis`)."""
    return tuple("asked_basis" if name == "basis" else name for name in fields)


def target_indicators_on(
    *, as_of: dt.date, basis: compute.Basis, rows_basis: compute.Basis | None = None
) -> dict[int, compute.TargetIndicators]:
    """The stored indicators of every target as of `as_of`, rebuilt as the pure module's results (two queries).

    `rows_basis`: the basis of the rows to read, when the caller knows it (the recompute that wrote them).
    """
    stored = rows_basis if rows_basis is not None else read_basis(as_of=as_of, basis=basis)
    rows = (
        TargetSnapshot.objects.filter(as_of=as_of, basis=stored)
        .order_by()
        .annotate(asked_basis=Value(basis.value))
        .values_list("target_id", *_fields_on(compute.TARGET_INDICATOR_FIELDS))
    )
    from_values = compute.TargetIndicators.from_values
    return {row[0]: from_values(row[1:]) for row in rows.iterator(chunk_size=20_000)}


def milestone_indicators_on(
    *, as_of: dt.date, basis: compute.Basis, rows_basis: compute.Basis | None = None
) -> dict[int, compute.MilestoneIndicators]:
    """The stored indicators of every milestone as of `as_of` (two queries; see `target_indicators_on`)."""
    stored = rows_basis if rows_basis is not None else read_basis(as_of=as_of, basis=basis)
    rows = (
        MilestoneSnapshot.objects.filter(as_of=as_of, basis=stored)
        .order_by()
        .annotate(asked_basis=Value(basis.value))
        .values_list("milestone_id", *_fields_on(compute.MILESTONE_INDICATOR_FIELDS))
    )
    from_values = compute.MilestoneIndicators.from_values
    return {row[0]: from_values(row[1:]) for row in rows.iterator(chunk_size=20_000)}


def _history_basis(basis: compute.Basis) -> Q:
    if basis == compute.Basis.REPORTED:
        return Q(basis=basis)
    with_illustrative = RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, illustrative=True).values("as_of")
    return Q(basis=basis) | (Q(basis=compute.Basis.REPORTED) & ~Q(as_of__in=with_illustrative))


def target_history(*, target_id: int, basis: compute.Basis, until: dt.date | None = None) -> QuerySet[TargetSnapshot]:
    """One target's stored snapshots on a basis, oldest first (up to `until`): its slip trend.

    On the illustrative basis, a date whose run stored no illustrative rows (no illustrative figure stood then)
    gives its reported row: the numbers are the same, and the row says which basis it rests on.
    """
    rows = TargetSnapshot.objects.filter(target_id=target_id).filter(_history_basis(basis))
    return (rows if until is None else rows.filter(as_of__lte=until)).order_by("as_of")


def milestone_history(
    *, milestone_id: int, basis: compute.Basis, until: dt.date | None = None
) -> QuerySet[MilestoneSnapshot]:
    """One milestone's stored snapshots, oldest first (up to `until`): the milestone trend analysis."""
    rows = MilestoneSnapshot.objects.filter(milestone_id=milestone_id).filter(_history_basis(basis))
    return (rows if until is None else rows.filter(as_of__lte=until)).order_by("as_of")


# --- What is computed on the fly ---------------------------------------------------------------------------


def thresholds_from_settings() -> compute.Thresholds:
    """The status thresholds of indicators.md, from settings."""
    return compute.Thresholds(on_track=settings.INDICATORS_ON_TRACK_SPI, at_risk=settings.INDICATORS_AT_RISK_SPI)


@dataclass(slots=True)
class Computed:
    """Indicators computed (not read) from `RecomputeInputs`; `invalid` lists targets whose definition is broken."""

    targets: dict[int, compute.TargetIndicators]
    milestones: dict[int, compute.MilestoneIndicators]
    invalid: list[int]


def compute_indicators(inputs: RecomputeInputs, *, as_of: dt.date, basis: compute.Basis) -> Computed:
    """Run the pure module over loaded inputs; a broken target (edited in the database directly) is skipped."""
    thresholds = thresholds_from_settings()
    compute_target = compute.compute_target
    targets: dict[int, compute.TargetIndicators] = {}
    invalid: list[int] = []
    for pk, target in inputs.targets.items():
        try:
            targets[pk] = compute_target(target, as_of, thresholds, basis)
        except compute.InvalidTarget:
            invalid.append(pk)
    milestones = {pk: compute.compute_milestone(m, as_of, basis) for pk, m in inputs.milestones.items()}
    return Computed(targets=targets, milestones=milestones, invalid=invalid)


def compute_target_indicators(
    *, as_of: dt.date, basis: compute.Basis, target_ids: Collection[int]
) -> dict[int, compute.TargetIndicators]:
    """Compute (not read) the indicators of some targets as of a date: four queries (five with illustrative figures)."""
    inputs = recompute_inputs(as_of=as_of, target_ids=target_ids, milestone_ids=[])
    return compute_indicators(inputs, as_of=as_of, basis=basis).targets  # a broken target: no indicators


def compute_milestone_indicators(
    *, as_of: dt.date, basis: compute.Basis, milestone_ids: Collection[int]
) -> dict[int, compute.MilestoneIndicators]:
    """Compute the indicators of some milestones as of a date: one query."""
    inputs = recompute_inputs(as_of=as_of, target_ids=[], milestone_ids=milestone_ids)
    return compute_indicators(inputs, as_of=as_of, basis=basis).milestones


# --- Lists with their indicators -----------------------------------------------------------------------------


def _with_indicators(
    queryset: QuerySet[M], *, as_of: dt.date, basis: compute.Basis, names: tuple[str, ...]
) -> QuerySet[M]:
    """Join each item's snapshot of `as_of` on `basis` (one LEFT JOIN on the unique index) as `ind_<name>`."""
    condition = Q(snapshots__as_of=as_of, snapshots__basis=read_basis(as_of=as_of, basis=basis))
    joined = queryset.annotate(snap=FilteredRelation("snapshots", condition=condition))
    columns: dict[str, F | Value] = {f"{PREFIX}{name}": F(f"snap__{name}") for name in names}
    if "basis" in names:
        columns[f"{PREFIX}basis"] = Value(basis.value)  # the basis asked for (`read_basis` may read the other)
    annotated: QuerySet[M] = joined.annotate(**columns)
    return annotated


def with_target_indicators(
    queryset: QuerySet[Target], *, as_of: dt.date, basis: compute.Basis = compute.Basis.REPORTED
) -> QuerySet[Target]:
    """Targets annotated with their stored indicators of `as_of` (`ind_status`, `ind_slip_days`, ...)."""
    return _with_indicators(queryset, as_of=as_of, basis=basis, names=TARGET_INDICATOR_NAMES)


def with_milestone_indicators(
    queryset: QuerySet[Milestone], *, as_of: dt.date, basis: compute.Basis = compute.Basis.REPORTED
) -> QuerySet[Milestone]:
    """Milestones annotated with their stored indicators of `as_of` (`ind_status`, ...)."""
    return _with_indicators(queryset, as_of=as_of, basis=basis, names=MILESTONE_INDICATOR_NAMES)


class Listing(Generic[M]):
    """A list of targets or milestones with their indicators as of a date, ready to be paginated.

    It counts and slices like a queryset (Django's and DRF's paginators take
    it as it is); every item of a slice carries `.indicators`, attached in at
    most three queries for the slice. Returned by `target_list` and
    `milestone_list`, whichever way the indicators are found.
    """

    def __init__(self, rows: QuerySet[M] | list[M], attach: Callable[[list[M]], None]) -> None:
        self._rows = rows
        self._attach = attach

    def count(self) -> int:
        return self._rows.count() if isinstance(self._rows, QuerySet) else len(self._rows)

    def __len__(self) -> int:
        return self.count()

    @overload
    def __getitem__(self, index: int) -> M: ...

    @overload
    def __getitem__(self, index: slice) -> list[M]: ...

    def __getitem__(self, index: int | slice) -> M | list[M]:
        if isinstance(index, int):
            return self[index : index + 1][0] if index >= 0 else self[:][index]
        items = list(self._rows[index])
        self._attach(items)
        return items

    def __iter__(self) -> Iterator[M]:
        return iter(self[:])


def _sort_key(name: str, indicator_names: tuple[str, ...]) -> Callable[[Any], Any]:
    if name in indicator_names:
        return lambda obj: None if obj.indicators is None else getattr(obj.indicators, name)
    return lambda obj: getattr(obj, name)


def _python_sort(items: list[M], ordering: str, indicator_names: tuple[str, ...]) -> list[M]:
    """Sort items carrying `.indicators` by an indicator or a model field, missing values last."""
    value = _sort_key(ordering.lstrip("-"), indicator_names)
    present = [obj for obj in items if value(obj) is not None]
    missing = [obj for obj in items if value(obj) is None]
    return sorted(present, key=value, reverse=ordering.startswith("-")) + missing


def _nulls_last(name: str) -> Any:
    expression = F(f"{PREFIX}{name.lstrip('-')}")
    return expression.desc(nulls_last=True) if name.startswith("-") else expression.asc(nulls_last=True)


def _attacher(
    as_of: dt.date,
    names: tuple[str, ...],
    rebuild: Callable[[list[Any]], Any],
    compute_missing: Callable[[list[int]], dict[int, Any]],
) -> Callable[[list[Any]], None]:
    """What gives every item of a slice its `.indicators`: from its `ind_*` annotations, else computed (once)."""

    def attach(items: list[Any]) -> None:
        missing = []
        for item in items:
            if "indicators" in item.__dict__:
                continue  # a list computed whole has them already
            if getattr(item, f"{PREFIX}status", None) is not None:
                item.indicators = rebuild([as_of, *(getattr(item, f"{PREFIX}{name}") for name in names)])
            else:
                missing.append(item)
        if missing:
            computed = compute_missing([item.pk for item in missing])
            for item in missing:
                item.indicators = computed.get(item.pk)

    return attach


def _attach_targets(as_of: dt.date, basis: compute.Basis) -> Callable[[list[Target]], None]:
    return _attacher(
        as_of,
        TARGET_INDICATOR_NAMES,
        compute.TargetIndicators.from_values,
        lambda ids: compute_target_indicators(as_of=as_of, basis=basis, target_ids=ids),
    )


def _attach_milestones(as_of: dt.date, basis: compute.Basis) -> Callable[[list[Milestone]], None]:
    return _attacher(
        as_of,
        MILESTONE_INDICATOR_NAMES,
        compute.MilestoneIndicators.from_values,
        lambda ids: compute_milestone_indicators(as_of=as_of, basis=basis, milestone_ids=ids),
    )


def _indicator_list(
    queryset: QuerySet[M],
    *,
    as_of: dt.date,
    basis: compute.Basis,
    names: tuple[str, ...],
    annotate: Callable[..., QuerySet[M]],
    attach: Callable[[list[M]], None],
    ordering: str,
    filters: dict[str, Any],
) -> Listing[M]:
    """The listing behind `target_list` and `milestone_list`: `filters` by indicator (None: not asked for)."""
    asked = {name: value for name, value in filters.items() if value not in (None, [], ())}
    if full_run_exists(as_of=as_of):
        annotated = annotate(queryset, as_of=as_of, basis=basis)
        for name, value in asked.items():
            lookup = f"{PREFIX}{name}__in" if name == "status" else f"{PREFIX}{name}"
            annotated = annotated.filter(Q(**{lookup: list(value) if name == "status" else value}))
        if ordering.lstrip("-") in names:
            return Listing(annotated.order_by(_nulls_last(ordering), "code"), attach)
        return Listing(annotated.order_by(ordering, "code"), attach)
    if not asked and ordering.lstrip("-") not in names:
        # Nothing depends on the indicators but what is shown: page in SQL, compute the page only.
        return Listing(queryset.order_by(ordering, "code"), attach)

    items: list[Any] = list(queryset)  # targets or milestones, with `.indicators` and `.code`
    attach(items)
    for name, value in asked.items():
        wanted = set(value) if name == "status" else {value}
        items = [item for item in items if item.indicators is not None and getattr(item.indicators, name) in wanted]
    by_code = sorted(items, key=lambda item: item.code)
    return Listing(_python_sort(by_code, ordering, names), attach)


def target_list(
    *,
    queryset: QuerySet[Target],
    as_of: dt.date,
    basis: compute.Basis = compute.Basis.REPORTED,
    status: Collection[str] | None = None,
    stale: bool | None = None,
    ordering: str | None = None,
) -> Listing[Target]:
    """The targets of `queryset` with their indicators as of `as_of` on `basis`, filtered and ordered by them.

    When a full recompute of `as_of` is stored, the indicators come from its
    snapshots through one LEFT JOIN, and filtering, ordering and paging stay
    in the database. Otherwise (a date nobody stored) they are computed with
    the same code: for the page only when nothing depends on them but what is
    shown, else for every target of `queryset`, in memory.
    """
    return _indicator_list(
        queryset,
        as_of=as_of,
        basis=basis,
        names=TARGET_INDICATOR_NAMES,
        annotate=with_target_indicators,
        attach=_attach_targets(as_of, basis),
        ordering=ordering or "code",
        filters={"status": status, "stale": stale},
    )


def milestone_list(
    *,
    queryset: QuerySet[Milestone],
    as_of: dt.date,
    basis: compute.Basis = compute.Basis.REPORTED,
    status: Collection[str] | None = None,
    ordering: str | None = None,
) -> Listing[Milestone]:
    """The milestones of `queryset` with their indicators as of `as_of` (see `target_list`)."""
    return _indicator_list(
        queryset,
        as_of=as_of,
        basis=basis,
        names=MILESTONE_INDICATOR_NAMES,
        annotate=with_milestone_indicators,
        attach=_attach_milestones(as_of, basis),
        ordering=ordering or "baseline_due_date",
        filters={"status": status},
    )


# --- Roll-ups -----------------------------------------------------------------------------------

Window = tuple[dt.date, dt.date]
RollupKey = tuple[str, str, str]  # (scope, scope key, window key)


def rollup_windows() -> list[Window | None]:
    """The windows every roll-up is also computed for (None: every item, whenever due)."""
    windows: list[Window | None] = [None]
    for start, end in settings.INDICATORS_ROLLUP_WINDOWS:
        windows.append((dt.date.fromisoformat(start), dt.date.fromisoformat(end)))
    return windows


def window_key(window: Window | None) -> str:
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
    targets: dict[int, compute.TargetIndicators],
    milestones: dict[int, compute.MilestoneIndicators],
    basis: compute.Basis,
    windows: list[Window | None] | None = None,
) -> dict[RollupKey, compute.Rollup]:
    """Roll up the given indicators (computed on `basis`) for the policy, every pillar and every hub, per window.

    Every pillar and hub gets a roll-up, even with nothing in it, so that pages
    never miss one. A constant number of queries (the items' scopes, the
    pillars, the hubs) whatever the number of items.
    """
    scopes = rollup_scopes()
    keyed = [(window, window_key(window)) for window in (rollup_windows() if windows is None else windows)]
    places = [(RollupScope.POLICY.value, "")]
    places += [(RollupScope.PILLAR.value, slug) for slug in Pillar.objects.values_list("slug", flat=True)]
    places += [(RollupScope.HUB.value, slug) for slug in Hub.objects.values_list("slug", flat=True)]
    groups: dict[RollupKey, tuple[list[compute.TargetIndicators], list[compute.MilestoneIndicators]]] = {
        (scope, scope_key, key): ([], []) for _window, key in keyed for scope, scope_key in places
    }
    for pk, target in targets.items():
        for group in _group_keys(scopes.targets.get(pk), keyed):
            groups.setdefault(group, ([], []))[0].append(target)
    for pk, milestone in milestones.items():
        for group in _group_keys(scopes.milestones.get(pk), keyed):
            groups.setdefault(group, ([], []))[1].append(milestone)
    return {key: compute.compute_rollup(t, m, as_of, basis) for key, (t, m) in groups.items()}


def item_indicators_on(
    *, as_of: dt.date, basis: compute.Basis
) -> tuple[dict[int, compute.TargetIndicators], dict[int, compute.MilestoneIndicators]]:
    """Every item's indicators as of a date on a basis: stored when a full run of that date exists, else computed."""
    if full_run_exists(as_of=as_of):
        return target_indicators_on(as_of=as_of, basis=basis), milestone_indicators_on(as_of=as_of, basis=basis)
    computed = compute_indicators(recompute_inputs(as_of=as_of), as_of=as_of, basis=basis)
    return computed.targets, computed.milestones


def _stored_rollup(row: RollupSnapshot, basis: compute.Basis) -> compute.Rollup:
    values = {name: getattr(row, name) for name in compute.ROLLUP_FIELDS}
    values["basis"] = basis  # the basis asked for: `read_basis` may have read the reported rows
    return compute.Rollup(**values)


def rollups_on(
    *, as_of: dt.date, window: Window | None = None, basis: compute.Basis = compute.Basis.REPORTED
) -> dict[tuple[str, str], compute.Rollup]:
    """The roll-ups of a date for one window on a basis, keyed by (scope, scope key): stored, else computed."""
    key = window_key(window)
    if full_run_exists(as_of=as_of):
        stored = RollupSnapshot.objects.filter(as_of=as_of, window=key, basis=read_basis(as_of=as_of, basis=basis))
        found = {(row.scope, row.scope_key): _stored_rollup(row, basis) for row in stored}
        if found:
            return found
    targets, milestones = item_indicators_on(as_of=as_of, basis=basis)
    computed = compute_rollups(as_of=as_of, targets=targets, milestones=milestones, basis=basis, windows=[window])
    return {(scope, scope_key): rollup for (scope, scope_key, _key), rollup in computed.items()}


# --- Against the baseline in force (after a re-baseline) ------------------------------------------


def milestone_slip_against_current_baseline(milestone: Milestone) -> int | None:
    """`expected_date - current_baseline_due_date` from the attached indicators: the slip since the last re-baseline.

    Equal to the indicators' `slip_days` when the milestone was never re-baselined;
    null for a cancelled milestone or one without indicators. No query when its
    re-baselines are prefetched.
    """
    result = getattr(milestone, "indicators", None)
    if result is None or result.expected_date is None or result.slip_days is None:
        return None
    slip: int = (result.expected_date - milestone.current_baseline_due_date).days
    return slip


def target_indicators_against_current_baseline(target: Target) -> compute.TargetIndicators | None:
    """The target's indicators recomputed, by the pure module, against the baseline and deadline in force.

    Built from the attached indicators (the same as-of date, the same latest
    figure), so it runs no query when its re-baselines and trajectory are
    prefetched. The original interim points are kept where they still fit
    strictly between the new baseline and deadline and the curve stays valid;
    otherwise the plan in force is the straight line between its ends. The
    attached indicators themselves when the target was never re-baselined. The
    basis and the reporting indicators are the attached ones: moving the
    goalposts changes neither what a figure rests on nor when one was reported.
    """
    result: compute.TargetIndicators | None = getattr(target, "indicators", None)
    if result is None or target.latest_rebaseline is None:
        return result
    t0, v0 = target.current_baseline_date, target.current_baseline_value
    deadline, goal = target.current_target_date, target.current_target_value
    points = tuple(compute.Point(p.date, p.value) for p in target.planned_points if t0 < p.date < deadline)
    measurements: tuple[compute.Point, ...] = ()
    if result.evaluation_date is not None and result.actual_value is not None:
        measurements = (compute.Point(result.evaluation_date, result.actual_value),)
    thresholds = thresholds_from_settings()
    for trajectory in (points, ()):
        candidate = compute.TargetInput(
            baseline_date=t0,
            baseline_value=v0,
            target_date=deadline,
            target_value=goal,
            trajectory=trajectory,
            measurements=measurements,
            reporting_interval_days=target.reporting_interval_days,
        )
        try:
            # The figure counts on the attached basis whatever it was (the basis already chose it).
            recomputed = compute.compute_target(candidate, result.as_of, thresholds, result.basis)
        except compute.InvalidTarget:
            continue
        reporting = {name: getattr(result, name) for name in compute.Reporting.__dataclass_fields__}
        return dataclasses.replace(recomputed, **reporting)
    return None
