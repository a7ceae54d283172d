"""Implementation-slip indicators: the arithmetic of ``shared/docs/indicators.md``.

This module is pure: dataclasses in, dataclasses out. It imports no Django, touches
no database and never reads the clock -- the as-of date is always an argument, so
any past or future date can be recomputed (and tested) exactly. The API, the pages,
the CSV exports and the Celery jobs all show numbers computed here and nowhere else.

The plain-words methodology, with every decision taken where the contract is
silent, is in ``docs/indicators.md``.

The names of the indicators are written once, as the fields of the result
dataclasses (``TargetIndicators``, ``MilestoneIndicators``, ``Rollup``);
``TARGET_INDICATOR_FIELDS`` and its siblings are derived from them, and the
snapshot tables, the selectors, the serializers and the CSV columns are
derived from those (a system check holds the snapshot models to them).

Conventions used throughout:

* "Days" are whole calendar days between two dates (``(d2 - d1).days``).
  Internally dates are handled as ordinals (``date.toordinal()``), which is the
  same thing and cheaper.
* The earned schedule is found as a *fractional* day (the inverse of the
  piecewise-linear planned curve); that fraction flows into ``slip_days``,
  ``spi`` and the forecast, and only the shown results are rounded to whole
  days, half away from zero (``round_half_away_from_zero``; Python's ``round``
  rounds halves to even, which is not what a reader expects).
* ``d`` is the direction of a target: +1 when it must rise, -1 when it must fall.
  "Reaching" a value means reaching it in that direction.
"""

from __future__ import annotations

import datetime as dt
import math
import operator
import statistics
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, fields
from enum import StrEnum
from itertools import pairwise
from typing import Any

__all__ = [
    "DEFAULT_THRESHOLDS",
    "MILESTONE_INDICATOR_FIELDS",
    "ROLLUP_FIELDS",
    "TARGET_INDICATOR_FIELDS",
    "Basis",
    "InvalidTarget",
    "MilestoneIndicators",
    "MilestoneInput",
    "MilestoneStatus",
    "Point",
    "Reporting",
    "Rollup",
    "TargetIndicators",
    "TargetInput",
    "TargetStatus",
    "Thresholds",
    "compute_milestone",
    "compute_reporting",
    "compute_rollup",
    "compute_target",
    "planned_value",
    "round_half_away_from_zero",
    "validate_target_input",
]

#: Largest absolute value accepted for any baseline, target, interim or measured
#: value. Beyond about 9e15 a float can no longer hold every whole number, and far
#: beyond it the intermediate products of the arithmetic could overflow.
VALUE_LIMIT = 1e15

#: Days per year used to turn a per-day rate into a per-year rate.
DAYS_PER_YEAR = 365.25

_MAX_ORDINAL = dt.date.max.toordinal()
_by_date = operator.attrgetter("date")
_floor = math.floor


# --- Inputs ---------------------------------------------------------------------


class Basis(StrEnum):
    """What a computation rests on: reported figures only (the default, everywhere), or every figure.

    ``illustrative`` figures are made up to demonstrate the portal. On the
    ``reported`` basis they are ignored entirely: an illustrative figure never
    moves a reported number, and a target whose only figures are illustrative
    has no data. The ``illustrative`` basis takes every figure, and whatever
    shows a number computed on it says so.
    """

    REPORTED = "reported"
    ILLUSTRATIVE = "illustrative"


@dataclass(frozen=True, slots=True)
class Point:
    """A dated value: an interim trajectory point or a measurement (values are cumulative).

    ``illustrative`` marks a measurement made up for a demonstration (see ``Basis``).
    """

    date: dt.date
    value: float
    illustrative: bool = False


@dataclass(frozen=True, slots=True)
class TargetInput:
    """Everything the indicators of one numeric target need.

    ``trajectory`` holds only the *interim* points, strictly between the baseline
    and the target dates, in any order. ``measurements`` may be in any order and
    may include measurements dated after the as-of date (they are ignored, so that
    history can be replayed) and illustrative ones (ignored on the reported
    basis); at most one measurement per date.
    """

    baseline_date: dt.date
    baseline_value: float
    target_date: dt.date
    target_value: float
    trajectory: tuple[Point, ...] = ()
    measurements: tuple[Point, ...] = ()
    reporting_interval_days: int = 90

    @property
    def direction(self) -> int:
        """+1 when the target must rise, -1 when it must fall (0 for the invalid flat target)."""
        if self.target_value > self.baseline_value:
            return 1
        if self.target_value < self.baseline_value:
            return -1
        return 0


@dataclass(frozen=True, slots=True)
class MilestoneInput:
    """A dated deliverable.

    ``baseline_due_date`` (B) is fixed when the milestone is approved;
    ``forecast_due_date`` (F) is the editors' current forecast; ``completed_on``
    (C) is when it was delivered (ignored while it is after the as-of date).
    """

    baseline_due_date: dt.date
    forecast_due_date: dt.date | None = None
    completed_on: dt.date | None = None
    cancelled: bool = False


@dataclass(frozen=True, slots=True)
class Thresholds:
    """SPI thresholds for the target status: ``spi >= on_track`` is on track,
    ``at_risk <= spi < on_track`` is at risk, below ``at_risk`` is off track."""

    on_track: float = 0.95
    at_risk: float = 0.80

    def __post_init__(self) -> None:
        # A misconfigured setting must fail loudly, not silently make a status unreachable.
        if not (0 <= self.at_risk <= self.on_track):
            raise ValueError(
                f"Thresholds need 0 <= at_risk <= on_track, got at_risk={self.at_risk!r}, on_track={self.on_track!r}."
            )


DEFAULT_THRESHOLDS = Thresholds()


@dataclass(frozen=True, slots=True)
class Reporting:
    """Is anyone publishing figures? The reporting indicators of one target (always on the reported basis)."""

    last_reported_on: dt.date | None
    report_due_on: dt.date
    reporting_overdue_days: int

    def as_fields(self) -> dict[str, Any]:
        return {
            "last_reported_on": self.last_reported_on,
            "report_due_on": self.report_due_on,
            "reporting_overdue_days": self.reporting_overdue_days,
        }


def compute_reporting(target: TargetInput, as_of: dt.date) -> Reporting:
    """When the latest reported figure on or before ``as_of`` came, when the next is due, how late it is.

    Illustrative figures never count: they report nothing. With no reported
    figure, the first one is due one reporting interval after the baseline date.
    """
    last: dt.date | None = None
    for m in target.measurements:
        if not m.illustrative and m.date <= as_of and (last is None or m.date > last):
            last = m.date
    due = (last or target.baseline_date) + dt.timedelta(days=target.reporting_interval_days)
    return Reporting(
        last_reported_on=last,
        report_due_on=due,
        reporting_overdue_days=max(0, as_of.toordinal() - due.toordinal()),
    )


# --- Statuses -------------------------------------------------------------------


class TargetStatus(StrEnum):
    """Status of a target as of a date; the first rule that matches wins (in this order)."""

    ACHIEVED = "achieved"
    NO_DATA = "no_data"
    MISSED = "missed"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


class MilestoneStatus(StrEnum):
    """Status of a milestone as of a date; the first rule that matches wins (in this order)."""

    CANCELLED = "cancelled"
    COMPLETED = "completed"
    OVERDUE = "overdue"
    AT_RISK = "at_risk"
    ON_TRACK = "on_track"


# --- Outputs --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetIndicators:
    """The indicators of one target as of one date.

    Every schedule field (``progress`` to ``staleness_days``) is ``None`` when
    the status is ``no_data`` (no measurement on or before the as-of date, on
    the basis asked for). The reporting fields are always on the reported basis.

    Attributes:
        as_of: the date the numbers describe.
        status: achieved / no_data / missed / on_track / at_risk / off_track.
        progress: share of the way from the baseline value to the target value
            that the latest measurement has covered (0 = still at baseline,
            1 = target reached). Not clamped: below 0 means worse than baseline,
            above 1 means beyond the target.
        planned_progress: the share the plan expected to be covered on the date
            of that measurement.
        actual_value: the latest measured value (EV) on or before the as-of date.
        evaluation_date: the date of that measurement (e). The schedule
            indicators are judged at this date, not at the as-of date.
        earned_schedule: the date on which the plan expected the measured value
            to be reached (shown rounded to the nearest day).
        slip_days: how many days behind the plan the measurement is
            (evaluation date minus earned schedule); negative = ahead.
        spi: schedule performance index: days of plan earned per day elapsed
            since the baseline. 1 = exactly on plan, 0.5 = half the planned pace.
            ``None`` when the measurement is dated on (or before) the baseline date.
        forecast_completion: the date the target will be reached if the pace
            so far (the SPI) continues.
        forecast_slip_days: days between that forecast and the deadline;
            positive = will finish late.
        required_rate: change per day needed from the as-of date to the
            deadline to hit the target, from the latest figure (negative for a
            target that must fall). ``None`` once the as-of date is on or after
            the deadline, or the target is achieved.
        required_rate_per_year: the same, times 365.25.
        staleness_days: days since the latest measurement (as-of date minus e).
        stale: True when ``staleness_days`` exceeds twice the reporting interval.
        basis: what the numbers rest on (``Basis``).
        last_reported_on: the date of the latest *reported* figure on or before
            the as-of date, whatever the basis; ``None`` when there is none.
        report_due_on: when the next reported figure is due: the last reported
            figure's date (or the baseline date, when there is none) plus the
            reporting interval.
        reporting_overdue_days: how many days late that figure is
            (``max(0, as_of - report_due_on)``).
    """

    as_of: dt.date
    status: TargetStatus
    progress: float | None
    planned_progress: float | None
    actual_value: float | None
    evaluation_date: dt.date | None
    earned_schedule: dt.date | None
    slip_days: int | None
    spi: float | None
    forecast_completion: dt.date | None
    forecast_slip_days: int | None
    required_rate: float | None
    required_rate_per_year: float | None
    staleness_days: int | None
    stale: bool
    basis: Basis
    last_reported_on: dt.date | None
    report_due_on: dt.date
    reporting_overdue_days: int

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict: dates as ISO strings, the status as its string value."""
        return _json_dict(self, TARGET_INDICATOR_FIELDS)

    @classmethod
    def from_values(cls, values: Iterable[Any]) -> TargetIndicators:
        """Rebuilt from stored values in the order of ``TARGET_INDICATOR_FIELDS`` (a snapshot row)."""
        data = dict(zip(TARGET_INDICATOR_FIELDS, values, strict=True))
        data["status"] = TargetStatus(data["status"])
        data["basis"] = Basis(data["basis"])
        return cls(**data)

    @classmethod
    def no_data(cls, as_of: dt.date, basis: Basis, reporting: Reporting) -> TargetIndicators:
        """The indicators of a target with no measurement on or before ``as_of``: the schedule undefined."""
        data: dict[str, Any] = dict.fromkeys(TARGET_INDICATOR_FIELDS)
        data.update(as_of=as_of, status=TargetStatus.NO_DATA, stale=False, basis=basis, **reporting.as_fields())
        return cls(**data)


@dataclass(frozen=True, slots=True)
class MilestoneIndicators:
    """The indicators of one milestone as of one date.

    Attributes:
        as_of: the date the numbers describe.
        status: cancelled / completed / overdue / at_risk / on_track.
        expected_date: when the milestone is (or was) expected to be delivered:
            the completion date once completed; otherwise the forecast (or the
            baseline due date when there is no forecast), but never earlier than
            the as-of date once that date has passed (an unfinished milestone
            cannot finish before today).
        slip_days: expected date minus baseline due date; positive = late,
            negative = early. ``None`` for a cancelled milestone.
        basis: the basis the milestone was computed on: its numbers are the
            same on both (a milestone has no figures), and say which was asked.
    """

    as_of: dt.date
    status: MilestoneStatus
    expected_date: dt.date | None
    slip_days: int | None
    basis: Basis = Basis.REPORTED

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict: dates as ISO strings, the status as its string value."""
        return _json_dict(self, MILESTONE_INDICATOR_FIELDS)

    @classmethod
    def from_values(cls, values: Iterable[Any]) -> MilestoneIndicators:
        """Rebuilt from stored values in the order of ``MILESTONE_INDICATOR_FIELDS`` (a snapshot row)."""
        data = dict(zip(MILESTONE_INDICATOR_FIELDS, values, strict=True))
        data["status"] = MilestoneStatus(data["status"])
        data["basis"] = Basis(data["basis"])
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Rollup:
    """Counts and slip figures over a set of targets and milestones as of one date.

    Attributes:
        as_of: the date the numbers describe.
        targets: number of targets in each status (every status present, zeros included).
        milestones: number of milestones in each status (every status present).
        median_slip_days: median of the ``slip_days`` of all targets and milestones
            that have one, pooled together (can end in .5).
        max_slip_days: the largest of those slips.
        on_schedule_share: share of the items that are on schedule: targets
            achieved or on track plus milestones completed no later than their
            baseline due date or on track, over targets with data plus milestones
            not cancelled. ``None`` when there is nothing to count.
        basis: what the targets' numbers rest on (``Basis``).
        reporting_coverage: share of the targets with a reported figure on or
            before the as-of date. ``None`` when there are no targets.
        targets_reporting_overdue: how many targets' next reported figure is late
            (``reporting_overdue_days > 0``).
        median_reporting_overdue_days: the median of those targets' days late.
        max_reporting_overdue_days: the largest of them. Both ``None`` when no
            target is late.
    """

    as_of: dt.date
    targets: dict[str, int]
    milestones: dict[str, int]
    median_slip_days: float | None
    max_slip_days: int | None
    on_schedule_share: float | None
    basis: Basis = Basis.REPORTED
    reporting_coverage: float | None = None
    targets_reporting_overdue: int = 0
    median_reporting_overdue_days: float | None = None
    max_reporting_overdue_days: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-friendly dict (the count dicts are copied)."""
        return _json_dict(self, ROLLUP_FIELDS)


#: The indicator names, in order, as the API, the snapshots and the CSV columns know them.
TARGET_INDICATOR_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TargetIndicators))
MILESTONE_INDICATOR_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(MilestoneIndicators))
ROLLUP_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Rollup))


def _json_value(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, dict):
        return dict(value)
    return value


def _json_dict(result: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _json_value(getattr(result, name)) for name in names}


# --- Validation -----------------------------------------------------------------


class InvalidTarget(ValueError):
    """A target definition the indicators cannot be computed for.

    ``messages`` lists every problem found, each a sentence fit to show an editor.
    """

    def __init__(self, messages: list[str]) -> None:
        super().__init__(" ".join(messages))
        self.messages: list[str] = list(messages)


def _bad_value(value: float) -> bool:
    # Written so that NaN (for which every comparison is False) counts as bad too.
    return not (abs(value) <= VALUE_LIMIT)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,}"


def _problems(target: TargetInput) -> list[str]:
    """Every validation message for ``target`` (empty when it is valid).

    This is the slow, thorough path that explains each problem; ``_curve`` is the
    fast path that the computations use, and falls back to this one to explain.
    """
    messages: list[str] = []
    t0, v0 = target.baseline_date, target.baseline_value
    tT, vT = target.target_date, target.target_value

    if _bad_value(v0):
        messages.append(f"The baseline value must be a finite number no larger than {VALUE_LIMIT:,.0f}.")
    if _bad_value(vT):
        messages.append(f"The target value must be a finite number no larger than {VALUE_LIMIT:,.0f}.")
    elif vT == v0:
        messages.append(
            "The target value must differ from the baseline value: a target that neither rises "
            "nor falls has no direction in which to measure progress."
        )
    if tT <= t0:
        messages.append(f"The target date ({tT.isoformat()}) must be after the baseline date ({t0.isoformat()}).")
    if target.reporting_interval_days < 1:
        messages.append("The reporting interval must be at least one day.")

    interim: list[Point] = []
    if target.trajectory:
        seen: set[dt.date] = set()
        duplicated: set[dt.date] = set()
        for point in sorted(target.trajectory, key=_by_date):
            if point.date in seen:
                if point.date not in duplicated:
                    duplicated.add(point.date)
                    messages.append(f"There is more than one interim point dated {point.date.isoformat()}; keep one.")
                continue
            seen.add(point.date)
            if not (t0 < point.date < tT):
                messages.append(
                    f"The interim point dated {point.date.isoformat()} must fall strictly between "
                    f"the baseline date ({t0.isoformat()}) and the target date ({tT.isoformat()})."
                )
                continue
            if _bad_value(point.value):
                messages.append(
                    f"The value of the interim point dated {point.date.isoformat()} must be a finite "
                    f"number no larger than {VALUE_LIMIT:,.0f}."
                )
                continue
            interim.append(point)

        direction = target.direction
        if direction and not _bad_value(v0) and not _bad_value(vT):
            verb = "rise" if direction == 1 else "fall"
            wrong = "lower" if direction == 1 else "higher"
            chain = [("the baseline value", Point(t0, v0)), *(("the interim value", p) for p in interim)]
            chain.append(("the target value", Point(tT, vT)))
            for (prev_label, prev), (label, cur) in pairwise(chain):
                if direction * (cur.value - prev.value) < 0:
                    messages.append(
                        f"The planned values must {verb} (or stay level) from the baseline to the "
                        f"target: {label} {_fmt(cur.value)} on {cur.date.isoformat()} is {wrong} than "
                        f"{prev_label} {_fmt(prev.value)} on {prev.date.isoformat()}."
                    )

    measurements = target.measurements
    for m in measurements:
        if _bad_value(m.value):
            messages.append(
                f"The measurement dated {m.date.isoformat()} must be a finite number no larger than {VALUE_LIMIT:,.0f}."
            )
    if len(measurements) > 1 and len({m.date for m in measurements}) != len(measurements):
        counts: dict[dt.date, int] = {}
        for m in measurements:
            counts[m.date] = counts.get(m.date, 0) + 1
        for day in sorted(d for d, n in counts.items() if n > 1):
            messages.append(
                f"There is more than one measurement dated {day.isoformat()}; a target has at most "
                "one measurement per date."
            )
    return messages


def validate_target_input(target: TargetInput) -> None:
    """Raise ``InvalidTarget`` listing every problem with ``target``; return None when it is valid.

    Checked: the target value differs from the baseline value; the target date is
    after the baseline date; interim points fall strictly between the two dates,
    one per date, and their values move monotonically towards the target (a
    plateau is allowed, going backwards is not); every value is a finite number
    within ``VALUE_LIMIT``; the reporting interval is at least one day; at most
    one measurement per date.
    """
    messages = _problems(target)
    if messages:
        raise InvalidTarget(messages)


# --- Rounding and the planned curve -----------------------------------------------


def round_half_away_from_zero(x: float) -> int:
    """Round to the nearest whole number, halves away from zero (2.5 -> 3, -2.5 -> -3).

    Python's built-in ``round`` sends halves to the even neighbour (2.5 -> 2),
    which is not what a reader of "rounded to the nearest day" expects.
    """
    # ``x - floor(x)`` is exact in binary floating point, so there is no
    # ``x + 0.5`` pitfall (0.49999999999999994 + 0.5 == 1.0).
    if x >= 0:
        whole = _floor(x)
        return whole + 1 if x - whole >= 0.5 else whole
    whole = _floor(-x)
    return -whole - 1 if -x - whole >= 0.5 else -whole


def _curve(target: TargetInput) -> tuple[list[int], list[float]] | None:
    """Validate ``target`` and return its planned curve.

    Returns None when there are no interim points (the curve is one straight
    line), else the knots as day offsets from the baseline date and cumulative
    values, in date order. Raises ``InvalidTarget`` (with the messages of
    ``_problems``) when anything is wrong. Called once per computation, so it
    checks in one pass and builds messages only on failure.
    """
    v0, vT = target.baseline_value, target.target_value
    t0, tT = target.baseline_date, target.target_date
    limit = VALUE_LIMIT
    if not (abs(v0) <= limit and abs(vT) <= limit and vT != v0 and tT > t0 and target.reporting_interval_days >= 1):
        raise _invalid(target)
    measurements = target.measurements
    for m in measurements:
        if not abs(m.value) <= limit:
            raise _invalid(target)
    if len(measurements) > 1 and len({m.date for m in measurements}) != len(measurements):
        raise _invalid(target)

    trajectory = target.trajectory
    if not trajectory:
        return None
    if len(trajectory) > 1:
        trajectory = tuple(sorted(trajectory, key=_by_date))
    rising = vT > v0
    origin = t0.toordinal()
    days = [0]
    values = [v0]
    prev_day, prev_value = 0, v0
    for point in trajectory:
        day = point.date.toordinal() - origin
        value = point.value
        # day <= prev_day catches both a duplicate date and a date on/before the baseline.
        if day <= prev_day or not abs(value) <= limit or (value < prev_value if rising else value > prev_value):
            raise _invalid(target)
        days.append(day)
        values.append(value)
        prev_day, prev_value = day, value
    span = tT.toordinal() - origin
    if prev_day >= span or (vT < prev_value if rising else vT > prev_value):
        raise _invalid(target)
    days.append(span)
    values.append(vT)
    return days, values


def _invalid(target: TargetInput) -> InvalidTarget:
    messages = _problems(target)
    # The fast and the thorough checks agree (a property test holds them to it);
    # this fallback only guards against a future edit breaking that.
    return InvalidTarget(messages or ["The target definition is invalid."])


def _pv_linear(v0: float, vT: float, span: int, x: int) -> float:
    if x <= 0:
        return v0
    if x >= span:
        return vT
    # Multiply before dividing: exact for whole-number inputs, which keeps the
    # fractional-day arithmetic free of avoidable rounding.
    return v0 + (vT - v0) * x / span


def _pv_knots(days: list[int], values: list[float], x: int) -> float:
    if x <= 0:
        return values[0]
    if x >= days[-1]:
        return values[-1]
    k = bisect_right(days, x)  # days[k - 1] <= x < days[k]
    d_a, v_a = days[k - 1], values[k - 1]
    return v_a + (values[k] - v_a) * (x - d_a) / (days[k] - d_a)


def planned_value(target: TargetInput, on: dt.date) -> float:
    """PV(t): the value the plan expects on date ``on``.

    The piecewise-linear curve through the baseline, the interim points in date
    order and the target, interpolated by day; the baseline value before the
    baseline date and the target value after the deadline. Raises ``InvalidTarget``
    for an invalid target.
    """
    curve = _curve(target)
    x = on.toordinal() - target.baseline_date.toordinal()
    if curve is None:
        span = target.target_date.toordinal() - target.baseline_date.toordinal()
        return _pv_linear(target.baseline_value, target.target_value, span, x)
    return _pv_knots(curve[0], curve[1], x)


def _earned_days_knots(days: list[int], values: list[float], direction: int, ev: float) -> float:
    """Fractional days from the baseline to the earliest date the plan reaches ``ev``.

    Only called when ``ev`` lies strictly between the baseline and target values.
    """
    # The values are monotone in the target's direction, so the first knot that
    # reaches ``ev`` closes the segment in which the curve first reaches it: on a
    # plateau that is the plateau's first day (the earliest date).
    k = bisect_left(values, ev) if direction == 1 else bisect_left(values, -ev, key=operator.neg)
    v_b = values[k]
    if v_b == ev:
        return float(days[k])
    d_a, v_a = days[k - 1], values[k - 1]
    return d_a + (ev - v_a) * (days[k] - d_a) / (v_b - v_a)


# --- Targets --------------------------------------------------------------------


def compute_target(
    target: TargetInput,
    as_of: dt.date,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    basis: Basis = Basis.REPORTED,
) -> TargetIndicators:
    """Compute every indicator of ``target`` as of ``as_of`` on ``basis`` (see ``TargetIndicators``).

    Raises ``InvalidTarget`` when the target definition is invalid.
    """
    curve = _curve(target)
    reporting = compute_reporting(target, as_of)

    # EV: the latest measurement on or before the as-of date; later ones are ignored, and so are
    # illustrative ones unless the basis asks for them.
    every_figure = basis == Basis.ILLUSTRATIVE
    latest: Point | None = None
    for m in target.measurements:
        if m.date <= as_of and (every_figure or not m.illustrative) and (latest is None or m.date > latest.date):
            latest = m
    if latest is None:
        return TargetIndicators.no_data(as_of, basis, reporting)

    v0, vT = target.baseline_value, target.target_value
    direction = 1 if vT > v0 else -1
    t0 = target.baseline_date.toordinal()
    span = target.target_date.toordinal() - t0
    e = latest.date
    ev = float(latest.value)
    elapsed = e.toordinal() - t0  # days from the baseline to the measurement
    change = vT - v0

    # PV(e): what the plan expected on the date of the measurement.
    pv = _pv_knots(curve[0], curve[1], elapsed) if curve is not None else _pv_linear(v0, vT, span, elapsed)

    # The earned schedule in fractional days from the baseline: when the plan
    # expected the measured value to be reached.
    achieved = direction * (ev - vT) >= 0
    if achieved:
        earned = float(span)
    elif direction * (ev - v0) <= 0:
        earned = 0.0
    elif curve is not None:
        earned = _earned_days_knots(curve[0], curve[1], direction, ev)
    else:
        earned = (ev - v0) * span / change

    spi: float | None = None
    forecast_completion: dt.date | None = None
    forecast_slip_days: int | None = None
    if elapsed > 0:
        spi = earned / elapsed
        if earned > 0:
            # (T - t0) / spi, written to divide once: fewer roundings near a half day.
            forecast_days = span * elapsed / earned
            # A crawling pace can push the forecast past the last representable
            # date (9999-12-31); such a forecast means "not in any useful future".
            if forecast_days < _MAX_ORDINAL:
                ordinal = t0 + round_half_away_from_zero(forecast_days)
                if ordinal <= _MAX_ORDINAL:
                    forecast_completion = dt.date.fromordinal(ordinal)
                    forecast_slip_days = round_half_away_from_zero(forecast_days - span)

    # What is needed from the as-of date on (not from the figure's date: the older the figure, the
    # fewer days are left to close the same gap).
    required_rate: float | None = None
    required_rate_per_year: float | None = None
    remaining = target.target_date.toordinal() - as_of.toordinal()
    if remaining > 0 and not achieved:
        required_rate = (vT - ev) / remaining
        required_rate_per_year = required_rate * DAYS_PER_YEAR

    staleness = as_of.toordinal() - e.toordinal()

    if achieved:
        status = TargetStatus.ACHIEVED
    elif as_of > target.target_date:
        status = TargetStatus.MISSED
    elif spi is None or spi >= thresholds.on_track:
        status = TargetStatus.ON_TRACK
    elif spi >= thresholds.at_risk:
        status = TargetStatus.AT_RISK
    else:
        status = TargetStatus.OFF_TRACK

    return TargetIndicators(
        as_of=as_of,
        status=status,
        progress=(ev - v0) / change,
        planned_progress=(pv - v0) / change,
        actual_value=ev,
        evaluation_date=e,
        earned_schedule=dt.date.fromordinal(t0 + round_half_away_from_zero(earned)),
        slip_days=round_half_away_from_zero(elapsed - earned),
        spi=spi,
        forecast_completion=forecast_completion,
        forecast_slip_days=forecast_slip_days,
        required_rate=required_rate,
        required_rate_per_year=required_rate_per_year,
        staleness_days=staleness,
        stale=staleness > 2 * target.reporting_interval_days,
        basis=basis,
        **reporting.as_fields(),
    )


# --- Milestones -----------------------------------------------------------------


def compute_milestone(milestone: MilestoneInput, as_of: dt.date, basis: Basis = Basis.REPORTED) -> MilestoneIndicators:
    """Compute the expected date, slip and status of ``milestone`` as of ``as_of``.

    A completion dated after ``as_of`` is ignored (history can be replayed). A
    cancelled milestone keeps the expected date the formula gives, but has no slip.
    """
    baseline = milestone.baseline_due_date
    forecast = milestone.forecast_due_date
    planned = forecast if forecast is not None else baseline
    completed_on = milestone.completed_on
    completed = completed_on is not None and completed_on <= as_of

    if completed_on is not None and completed:
        expected = completed_on
    elif as_of > planned:
        expected = as_of  # an unfinished milestone cannot finish before today
    else:
        expected = planned

    if milestone.cancelled:
        return MilestoneIndicators(
            as_of=as_of, status=MilestoneStatus.CANCELLED, expected_date=expected, slip_days=None, basis=basis
        )
    if completed:
        status = MilestoneStatus.COMPLETED
    elif as_of > baseline:
        status = MilestoneStatus.OVERDUE
    elif forecast is not None and forecast > baseline:
        status = MilestoneStatus.AT_RISK
    else:
        status = MilestoneStatus.ON_TRACK
    return MilestoneIndicators(
        as_of=as_of,
        status=status,
        expected_date=expected,
        slip_days=expected.toordinal() - baseline.toordinal(),
        basis=basis,
    )


# --- Roll-ups -------------------------------------------------------------------


def compute_rollup(
    targets: Iterable[TargetIndicators],
    milestones: Iterable[MilestoneIndicators],
    as_of: dt.date,
    basis: Basis = Basis.REPORTED,
) -> Rollup:
    """Roll up the indicators of a set of targets and milestones (a pillar, a hub, the policy).

    The caller chooses the set: to roll up only the items due in a window (say
    2025-2027), pass only those -- a target is "due" on its target date, a
    milestone on its baseline due date. ``as_of`` is stamped on the result; the
    items are expected to have been computed as of that same date.

    Statuses are compared as strings, so indicators rebuilt from stored rows
    whose status is a plain string count the same as freshly computed ones.
    The items are expected to have been computed on ``basis``; their reporting
    indicators are on the reported basis whatever it is.
    """
    target_counts = dict.fromkeys((s.value for s in TargetStatus), 0)
    milestone_counts = dict.fromkeys((s.value for s in MilestoneStatus), 0)
    slips: list[int] = []
    on_schedule = 0
    counted = 0
    target_total = 0
    reported = 0
    overdue: list[int] = []

    for t in targets:
        target_total += 1
        if t.last_reported_on is not None:
            reported += 1
        if t.reporting_overdue_days > 0:
            overdue.append(t.reporting_overdue_days)
        status = t.status
        target_counts[status] += 1
        if status != TargetStatus.NO_DATA:
            counted += 1
            if status == TargetStatus.ON_TRACK or status == TargetStatus.ACHIEVED:
                on_schedule += 1
        if t.slip_days is not None:
            slips.append(t.slip_days)

    for m in milestones:
        mstatus = m.status
        milestone_counts[mstatus] += 1
        slip = m.slip_days
        if mstatus != MilestoneStatus.CANCELLED:
            counted += 1
            if mstatus == MilestoneStatus.ON_TRACK or (
                mstatus == MilestoneStatus.COMPLETED and slip is not None and slip <= 0
            ):
                on_schedule += 1
        if slip is not None:
            slips.append(slip)

    return Rollup(
        as_of=as_of,
        targets=target_counts,
        milestones=milestone_counts,
        median_slip_days=float(statistics.median(slips)) if slips else None,
        max_slip_days=max(slips) if slips else None,
        on_schedule_share=on_schedule / counted if counted else None,
        basis=basis,
        reporting_coverage=reported / target_total if target_total else None,
        targets_reporting_overdue=len(overdue),
        median_reporting_overdue_days=float(statistics.median(overdue)) if overdue else None,
        max_reporting_overdue_days=max(overdue) if overdue else None,
    )
