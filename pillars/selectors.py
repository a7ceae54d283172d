"""Reads: what a recompute needs, and the latest stored indicators, in a constant number of queries."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Max

from . import indicators
from .models import Measurement, Milestone, MilestoneSnapshot, RecomputeRun, Target, TargetSnapshot, TrajectoryPoint


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


_TARGET_INDICATOR_FIELDS = (
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
    rows = TargetSnapshot.objects.filter(as_of=as_of).order_by().values_list("target_id", *_TARGET_INDICATOR_FIELDS)
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
