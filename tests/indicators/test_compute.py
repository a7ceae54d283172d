"""Tests of the pure slip-indicator module (shared/docs/indicators.md).

Plain pytest functions: no Django, no database. Expected values are worked out
by hand (the arithmetic is in the comments); the property tests at the end also
hold the module to an exact, independent reference written with fractions.
"""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import pairwise
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from indicators.compute import (
    DEFAULT_THRESHOLDS,
    Basis,
    InvalidTarget,
    MilestoneIndicators,
    MilestoneInput,
    MilestoneStatus,
    Point,
    Rollup,
    TargetIndicators,
    TargetInput,
    TargetStatus,
    Thresholds,
    compute_milestone,
    compute_rollup,
    compute_target,
    planned_value,
    round_half_away_from_zero,
    validate_target_input,
)

T0 = date(2025, 1, 1)


def day(n: int) -> date:
    """The date n days after 2025-01-01 (day 0)."""
    return T0 + timedelta(days=n)


def P(d: date, v: float) -> Point:
    return Point(d, float(v))


# The worked example of the contract: 0 on 2025-01-01 -> 200,000 on 2025-12-31 (364 days).
WORKED = TargetInput(
    baseline_date=date(2025, 1, 1),
    baseline_value=0.0,
    target_date=date(2025, 12, 31),
    target_value=200_000.0,
    measurements=(P(date(2025, 7, 1), 50_000),),
)


def worked(*measurements: Point, **changes: Any) -> TargetInput:
    return dataclasses.replace(WORKED, measurements=measurements, **changes)


# Waiting time must fall from 100 days to 20 over 2025 (same calendar as WORKED).
WAITING = TargetInput(date(2025, 1, 1), 100.0, date(2025, 12, 31), 20.0)

# 200,000 per year: cumulative 200k on 2026-01-01 (day 365), 400k on 2027-01-01 (day 730),
# 600k on 2028-01-01 (day 1095). The interim points are given out of order on purpose.
YEARLY = TargetInput(
    date(2025, 1, 1),
    0.0,
    date(2028, 1, 1),
    600_000.0,
    trajectory=(P(date(2027, 1, 1), 400_000), P(date(2026, 1, 1), 200_000)),
)

# A plateau: 0 on day 0, 100 on day 100 (2025-04-11), still 100 on day 200 (2025-07-20),
# 200 on day 300 (2025-10-28).
PLATEAU = TargetInput(T0, 0.0, day(300), 200.0, trajectory=(P(day(100), 100), P(day(200), 100)))

# Falling with an interim point: 100 on day 0, 50 on day 182 (2025-07-02), 20 on day 364.
FALLING = TargetInput(T0, 100.0, day(364), 20.0, trajectory=(P(day(182), 50),))

# 0 -> 200 over 200 days: a measurement on day 100 gives spi = value / 100 exactly.
HUNDRED = TargetInput(T0, 0.0, day(200), 200.0)

# 0 -> 10 over 10 days, for half-day forecasts.
TEN = TargetInput(T0, 0.0, day(10), 10.0)


def at(target: TargetInput, *measurements: Point) -> TargetInput:
    return dataclasses.replace(target, measurements=measurements)


# --- The worked example, to the day ----------------------------------------------


def test_worked_example_to_the_day() -> None:
    r = compute_target(WORKED, date(2025, 7, 15))
    assert r.as_of == date(2025, 7, 15)
    assert r.status is TargetStatus.OFF_TRACK
    assert r.actual_value == 50_000
    assert r.evaluation_date == date(2025, 7, 1)
    assert r.planned_progress == pytest.approx(181 / 364)
    assert round(r.planned_progress, 4) == 0.4973
    assert planned_value(WORKED, date(2025, 7, 1)) == pytest.approx(99_450.549, abs=1e-3)
    assert r.progress == 0.25
    assert r.earned_schedule == date(2025, 4, 2)  # day 91
    assert r.slip_days == 90
    assert r.spi == pytest.approx(91 / 181)
    assert round(r.spi, 4) == 0.5028
    # 364 / (91/181) = 724 exactly: day 724 is 2026-12-26.
    assert r.forecast_completion == date(2026, 12, 26)
    assert r.forecast_slip_days == 360
    # From the as-of date: 169 days from 2025-07-15 to 2025-12-31.
    assert r.required_rate == pytest.approx(150_000 / 169)
    assert round(r.required_rate, 1) == 887.6
    assert r.required_rate_per_year == pytest.approx(150_000 / 169 * 365.25)
    assert round(r.required_rate_per_year) == 324_186
    assert r.staleness_days == 14
    assert r.stale is False
    assert r.basis is Basis.REPORTED
    # Reporting (interval 90 days): the figure of 2025-07-01, the next due on 2025-09-29, not late yet.
    assert r.last_reported_on == date(2025, 7, 1)
    assert r.report_due_on == date(2025, 9, 29)
    assert r.reporting_overdue_days == 0
    assert compute_target(WORKED, date(2025, 12, 1)).reporting_overdue_days == 63


def test_worked_example_as_dict_is_json_friendly() -> None:
    d = compute_target(WORKED, date(2025, 7, 15)).as_dict()
    assert list(d) == [f.name for f in dataclasses.fields(TargetIndicators)]
    assert d["as_of"] == "2025-07-15"
    assert d["status"] == "off_track"
    assert type(d["status"]) is str
    assert d["evaluation_date"] == "2025-07-01"
    assert d["earned_schedule"] == "2025-04-02"
    assert d["forecast_completion"] == "2026-12-26"
    assert d["slip_days"] == 90
    assert d["stale"] is False
    assert json.loads(json.dumps(d)) == d


# --- Every indicator, hand-computed ------------------------------------------------

TARGET_CASES: list[tuple[str, TargetInput, date, dict[str, Any]]] = [
    (
        # progress (80-100)/(20-100) = 0.25; ES = 0.25*364 = day 91; as in the worked example.
        "falling-waiting-time",
        at(WAITING, P(date(2025, 7, 1), 80)),
        date(2025, 7, 15),
        {
            "status": TargetStatus.OFF_TRACK,
            "progress": 0.25,
            "planned_progress": 181 / 364,
            "earned_schedule": date(2025, 4, 2),
            "slip_days": 90,
            "spi": 91 / 181,
            "forecast_completion": date(2026, 12, 26),
            "forecast_slip_days": 360,
            "required_rate": -60 / 169,  # (20 - 80) / 169 days from the as-of date: 0.36 days per day
            "required_rate_per_year": -60 / 169 * 365.25,
            "staleness_days": 14,
        },
    ),
    (
        # On the interim point itself: exactly on plan.
        "interim-on-the-point",
        at(YEARLY, P(date(2026, 1, 1), 200_000)),
        date(2026, 1, 10),
        {
            "status": TargetStatus.ON_TRACK,
            "progress": 1 / 3,
            "planned_progress": 1 / 3,
            "earned_schedule": date(2026, 1, 1),
            "slip_days": 0,
            "spi": 1.0,
            "forecast_completion": date(2028, 1, 1),
            "forecast_slip_days": 0,
            "required_rate": 400_000 / 721,  # from the as-of date, 2026-01-10, to 2028-01-01
            "required_rate_per_year": 400_000 / 721 * 365.25,
            "staleness_days": 9,
        },
    ),
    (
        # Third segment (400k on day 730 -> 600k on day 1095). 450k reached on day
        # 730 + 50k*365/200k = 821.25 (2027-04-02); e = day 912: slip 90.75 -> 91;
        # spi 821.25/912 = 0.9005 (at risk); forecast 1095*912/821.25 = 1216 (2028-05-01).
        # PV(912) = 400k + 200k*182/365 = 499,726.03.
        "interim-later-segment",
        at(YEARLY, P(date(2027, 7, 2), 450_000)),
        date(2027, 7, 2),
        {
            "status": TargetStatus.AT_RISK,
            "progress": 0.75,
            "planned_progress": (400_000 + 200_000 * 182 / 365) / 600_000,
            "actual_value": 450_000.0,
            "evaluation_date": date(2027, 7, 2),
            "earned_schedule": date(2027, 4, 2),
            "slip_days": 91,
            "spi": 821.25 / 912,
            "forecast_completion": date(2028, 5, 1),
            "forecast_slip_days": 121,
            "required_rate": 150_000 / 183,
            "staleness_days": 0,
        },
    ),
    (
        # First segment: 100k reached on day 100k*365/200k = 182.5 -> shown 2025-07-03
        # (day 183, half away from zero). e = day 200: slip 17.5 -> 18; spi 0.9125;
        # forecast 1095*200/182.5 = 1200 (2028-04-15).
        "interim-first-segment-half-day",
        at(YEARLY, P(day(200), 100_000)),
        day(200),
        {
            "status": TargetStatus.AT_RISK,
            "progress": 1 / 6,
            "planned_progress": 200_000 * 200 / 365 / 600_000,
            "earned_schedule": date(2025, 7, 3),
            "slip_days": 18,
            "spi": 0.9125,
            "forecast_completion": date(2028, 4, 15),
            "forecast_slip_days": 105,
        },
    ),
    (
        # slip 199 - 182.5 = 16.5 -> 17 (banker's rounding would give 16); forecast 6*199 = 1194.
        "rounding-half-behind",
        at(YEARLY, P(day(199), 100_000)),
        day(199),
        {
            "earned_schedule": date(2025, 7, 3),
            "slip_days": 17,
            "spi": 182.5 / 199,
            "forecast_completion": date(2028, 4, 9),
            "forecast_slip_days": 99,
        },
    ),
    (
        # slip 166 - 182.5 = -16.5 -> -17 (banker's: -16); forecast 6*166 = 996 (2027-09-24).
        "rounding-half-ahead",
        at(YEARLY, P(day(166), 100_000)),
        day(166),
        {
            "status": TargetStatus.ON_TRACK,
            "earned_schedule": date(2025, 7, 3),
            "slip_days": -17,
            "spi": 182.5 / 166,
            "forecast_completion": date(2027, 9, 24),
            "forecast_slip_days": -99,
        },
    ),
    (
        # ES 4, e day 5: forecast 10*5/4 = 12.5 -> 13; forecast slip 2.5 -> 3; spi 0.8 exactly.
        "rounding-half-forecast-late",
        at(TEN, P(day(5), 4)),
        day(5),
        {
            "status": TargetStatus.AT_RISK,
            "earned_schedule": day(4),
            "slip_days": 1,
            "spi": 0.8,
            "forecast_completion": day(13),
            "forecast_slip_days": 3,
        },
    ),
    (
        # ES 8, e day 6: forecast 10*6/8 = 7.5 -> 8 (2025-01-09); forecast slip -2.5 -> -3.
        # Each number is rounded on its own, as the contract defines them (see docs).
        "rounding-half-forecast-early",
        at(TEN, P(day(6), 8)),
        day(6),
        {
            "status": TargetStatus.ON_TRACK,
            "earned_schedule": day(8),
            "slip_days": -2,
            "spi": 8 / 6,
            "forecast_completion": day(8),
            "forecast_slip_days": -3,
        },
    ),
    (
        # On a plateau the earliest date counts: 100 was planned from day 100.
        "plateau-on-the-flat",
        at(PLATEAU, P(day(150), 100)),
        day(150),
        {
            "status": TargetStatus.OFF_TRACK,
            "progress": 0.5,
            "planned_progress": 0.5,
            "earned_schedule": day(100),
            "slip_days": 50,
            "spi": 100 / 150,
            "forecast_completion": date(2026, 3, 27),  # 300 * 150 / 100 = day 450
            "forecast_slip_days": 150,
            "required_rate": 100 / 150,
        },
    ),
    (
        "plateau-after-the-flat",
        at(PLATEAU, P(day(250), 100)),
        day(250),
        {"earned_schedule": day(100), "slip_days": 150, "spi": 0.4, "status": TargetStatus.OFF_TRACK},
    ),
    (
        # 150 is planned on day 200 + 50*100/100 = 250: on plan.
        "plateau-later-segment-on-plan",
        at(PLATEAU, P(day(250), 150)),
        day(250),
        {"earned_schedule": day(250), "slip_days": 0, "spi": 1.0, "status": TargetStatus.ON_TRACK},
    ),
    (
        # First segment 100 -> 50 over 182 days: 75 is planned on day 91. PV(120) = 100 - 50*120/182.
        "falling-interim-first-segment",
        at(FALLING, P(day(120), 75)),
        day(120),
        {
            "status": TargetStatus.OFF_TRACK,
            "progress": 25 / 80,
            "planned_progress": (50 * 120 / 182) / 80,
            "earned_schedule": day(91),
            "slip_days": 29,
            "spi": 91 / 120,
            "required_rate": (20 - 75) / 244,
        },
    ),
    (
        # Second segment 50 -> 20 over days 182..364: 35 is planned on day 182 + 15*182/30 = 273.
        # forecast 364*300/273 = 400 (2026-02-05).
        "falling-interim-second-segment",
        at(FALLING, P(day(300), 35)),
        day(310),
        {
            "status": TargetStatus.AT_RISK,
            "earned_schedule": date(2025, 10, 1),
            "slip_days": 27,
            "spi": 0.91,
            "forecast_completion": date(2026, 2, 5),
            "forecast_slip_days": 36,
            "required_rate": -15 / 54,  # (20 - 35) / 54 days from the as-of date
            "staleness_days": 10,
        },
    ),
    (
        # A plateau at the start (day 100 still 0): 0 has not moved past the baseline -> ES = t0.
        "plateau-at-start-no-progress",
        at(TargetInput(T0, 0.0, day(300), 200.0, trajectory=(P(day(100), 0),)), P(day(150), 0)),
        day(150),
        {
            "planned_progress": 0.25,  # PV(150) = 200 * 50/200
            "progress": 0.0,
            "earned_schedule": T0,
            "slip_days": 150,
            "spi": 0.0,
            "forecast_completion": None,
            "forecast_slip_days": None,
            "status": TargetStatus.OFF_TRACK,
        },
    ),
    (
        # Measurements after the as-of date are ignored, whatever their order.
        "later-measurements-ignored",
        worked(P(date(2025, 8, 1), 200_000), P(date(2025, 7, 1), 50_000), P(date(2025, 3, 1), 1)),
        date(2025, 7, 15),
        {
            "actual_value": 50_000.0,
            "evaluation_date": date(2025, 7, 1),
            "slip_days": 90,
            "status": TargetStatus.OFF_TRACK,
        },
    ),
    (
        # 0 -> 364 over 364 days, 181 on day 181: exactly on the curve.
        "exactly-on-the-curve",
        at(TargetInput(T0, 0.0, day(364), 364.0), P(day(181), 181)),
        day(200),
        {
            "status": TargetStatus.ON_TRACK,
            "earned_schedule": day(181),
            "slip_days": 0,
            "spi": 1.0,
            "forecast_completion": day(364),
            "forecast_slip_days": 0,
            "required_rate": 183 / 164,  # (364 - 181) / 164 days left after the as-of date
        },
    ),
    (
        # Achieved early: ES = T (day 364), e day 273: slip -91, spi 364/273, the forecast is e itself.
        # Achieved: no rate is required any more.
        "achieved-early",
        worked(P(date(2025, 10, 1), 210_000)),
        date(2025, 10, 5),
        {
            "status": TargetStatus.ACHIEVED,
            "progress": 1.05,
            "earned_schedule": date(2025, 12, 31),
            "slip_days": -91,
            "spi": 364 / 273,
            "forecast_completion": date(2025, 10, 1),
            "forecast_slip_days": -91,
            "required_rate": None,
            "staleness_days": 4,
        },
    ),
    (
        "achieved-on-the-deadline",
        worked(P(date(2025, 12, 31), 200_000)),
        date(2026, 2, 1),
        {
            "status": TargetStatus.ACHIEVED,
            "progress": 1.0,
            "planned_progress": 1.0,
            "slip_days": 0,
            "spi": 1.0,
            "forecast_slip_days": 0,
            "required_rate": None,
            "required_rate_per_year": None,
        },
    ),
    (
        # Achieved after the deadline (day 424) is still achieved, not missed.
        "achieved-late",
        worked(P(date(2026, 3, 1), 200_000)),
        date(2026, 3, 1),
        {
            "status": TargetStatus.ACHIEVED,
            "planned_progress": 1.0,
            "earned_schedule": date(2025, 12, 31),
            "slip_days": 60,
            "spi": 364 / 424,
            "forecast_completion": date(2026, 3, 1),
            "forecast_slip_days": 60,
            "required_rate": None,
        },
    ),
    (
        # Deadline passed, not achieved. 150k on day 334: ES 0.75*364 = 273 (2025-10-01).
        "missed",
        worked(P(date(2025, 12, 1), 150_000)),
        date(2026, 1, 5),
        {
            "status": TargetStatus.MISSED,
            "earned_schedule": date(2025, 10, 1),
            "slip_days": 61,
            "spi": 273 / 334,
            "required_rate": None,  # the as-of date is past the deadline
            "staleness_days": 35,
        },
    ),
    (
        # On the deadline itself it is not yet missed: a > T is needed.
        "deadline-day-not-yet-missed",
        worked(P(date(2025, 12, 1), 150_000)),
        date(2025, 12, 31),
        {"status": TargetStatus.AT_RISK, "spi": 273 / 334},
    ),
    (
        # A measurement on the deadline that falls short: the required rate is null once a >= T.
        "measured-on-deadline-short",
        worked(P(date(2025, 12, 31), 150_000)),
        date(2025, 12, 31),
        {
            "status": TargetStatus.OFF_TRACK,
            "spi": 0.75,
            "slip_days": 91,
            "required_rate": None,
            "required_rate_per_year": None,
        },
    ),
    (
        # Measured after the deadline, short: missed, planned progress 1, no required rate.
        "measured-after-deadline-short",
        worked(P(date(2026, 3, 1), 150_000)),
        date(2026, 3, 1),
        {
            "status": TargetStatus.MISSED,
            "planned_progress": 1.0,
            "slip_days": 424 - 273,
            "spi": 273 / 424,
            "required_rate": None,
        },
    ),
    (
        # e == t0: spi (and the forecast) are null, which counts as on track.
        "measured-on-baseline-date",
        worked(P(date(2025, 1, 1), 0)),
        date(2025, 2, 1),
        {
            "status": TargetStatus.ON_TRACK,
            "progress": 0.0,
            "planned_progress": 0.0,
            "earned_schedule": date(2025, 1, 1),
            "slip_days": 0,
            "spi": None,
            "forecast_completion": None,
            "forecast_slip_days": None,
            "required_rate": 200_000 / 333,  # from the as-of date, 2025-02-01
            "staleness_days": 31,
        },
    ),
    (
        # e == t0 with some progress already: ES = 10k*364/200k = 18.2 days -> slip -18.
        "measured-on-baseline-date-ahead",
        worked(P(date(2025, 1, 1), 10_000)),
        date(2025, 1, 1),
        {"status": TargetStatus.ON_TRACK, "slip_days": -18, "earned_schedule": day(18), "spi": None},
    ),
    (
        # A measurement before the baseline date (31 days): spi null, slip literal e - ES = -31.
        "measured-before-baseline",
        worked(P(date(2024, 12, 1), 0)),
        date(2024, 12, 15),
        {
            "status": TargetStatus.ON_TRACK,
            "planned_progress": 0.0,
            "earned_schedule": date(2025, 1, 1),
            "slip_days": -31,
            "spi": None,
            "forecast_completion": None,
            "required_rate": 200_000 / 381,  # from the as-of date, 2024-12-15
            "staleness_days": 14,
        },
    ),
    (
        # Worse than the baseline: progress negative, ES = t0, spi 0 -> no forecast.
        "below-baseline",
        worked(P(date(2025, 7, 1), -10_000)),
        date(2025, 7, 1),
        {
            "status": TargetStatus.OFF_TRACK,
            "progress": -0.05,
            "earned_schedule": date(2025, 1, 1),
            "slip_days": 181,
            "spi": 0.0,
            "forecast_completion": None,
            "forecast_slip_days": None,
            "required_rate": 210_000 / 183,
        },
    ),
    (
        # A falling target that rose instead: negative progress, ES = t0.
        "falling-target-went-up",
        at(WAITING, P(date(2025, 7, 1), 120)),
        date(2025, 7, 1),
        {"progress": -0.25, "earned_schedule": date(2025, 1, 1), "slip_days": 181, "spi": 0.0},
    ),
    (
        # A falling target that got below its target value: achieved, progress > 1.
        "falling-target-achieved",
        at(WAITING, P(date(2025, 7, 1), 10)),
        date(2025, 7, 1),
        {"status": TargetStatus.ACHIEVED, "progress": 1.125, "slip_days": -183, "spi": 364 / 181},
    ),
    (
        # A pace so slow that the forecast would fall after 9999-12-31: no forecast at all.
        "forecast-beyond-date-max",
        at(TargetInput(T0, 0.0, day(364), 1e12), P(day(181), 0.001)),
        day(181),
        {"status": TargetStatus.OFF_TRACK, "forecast_completion": None, "forecast_slip_days": None},
    ),
]


@pytest.mark.parametrize(
    ("target", "as_of", "expected"),
    [case[1:] for case in TARGET_CASES],
    ids=[case[0] for case in TARGET_CASES],
)
def test_target_indicators(target: TargetInput, as_of: date, expected: dict[str, Any]) -> None:
    result = compute_target(target, as_of)
    assert result.as_of == as_of
    for name, value in expected.items():
        got = getattr(result, name)
        if isinstance(value, float) and not isinstance(got, bool):
            assert got == pytest.approx(value, rel=1e-12, abs=1e-12), name
        else:
            assert got == value, name
            assert type(got) is type(value), name


def test_no_data_when_nothing_measured() -> None:
    for target, as_of in [
        (dataclasses.replace(WORKED, measurements=()), date(2025, 7, 15)),
        (worked(P(date(2025, 7, 16), 50_000)), date(2025, 7, 15)),  # only after as-of
        (worked(P(date(2025, 1, 1), 0)), date(2024, 12, 15)),  # as-of before the baseline
        (dataclasses.replace(WORKED, measurements=()), date(2026, 6, 1)),  # even past the deadline
    ]:
        r = compute_target(target, as_of)
        assert r.status is TargetStatus.NO_DATA
        assert r.stale is False
        assert r.as_of == as_of
        reporting = {"basis", "last_reported_on", "report_due_on", "reporting_overdue_days"}
        others = [f.name for f in dataclasses.fields(r) if f.name not in {"as_of", "status", "stale", *reporting}]
        assert all(getattr(r, name) is None for name in others)
        assert r.basis is Basis.REPORTED
        assert r.last_reported_on is None
        # With no figure, the first was due one interval (90 days) after the baseline, 2025-04-01.
        assert r.report_due_on == date(2025, 4, 1)
        assert r.reporting_overdue_days == max(0, (as_of - date(2025, 4, 1)).days)
        assert r.as_dict()["status"] == "no_data"


def test_measured_exactly_on_an_interim_point_is_exactly_on_plan() -> None:
    # Decimal values: 0.3 * 7 / 0.3 is 7.000000000000001 in floating point; a value
    # equal to a point's value must land on the point's date exactly (spi exactly 1).
    target = TargetInput(T0, 0.0, day(14), 0.6, trajectory=(P(day(7), 0.3),))
    r = compute_target(at(target, P(day(7), 0.3)), day(7))
    assert r.spi == 1.0
    assert r.slip_days == 0
    assert r.earned_schedule == day(7)
    assert r.forecast_completion == day(14)


def test_forecast_overflowing_float_is_null() -> None:
    # 1e-300 earned of 1e15 in 364 days: the forecast is infinite in floating point.
    r = compute_target(at(TargetInput(T0, 0.0, day(364), 1e15), P(day(181), 1e-300)), day(181))
    assert r.spi is not None
    assert r.spi > 0
    assert r.forecast_completion is None
    assert r.forecast_slip_days is None
    assert r.status is TargetStatus.OFF_TRACK


def test_latest_measurement_on_as_of_counts() -> None:
    r = compute_target(worked(P(date(2025, 7, 15), 50_000), P(date(2025, 7, 1), 40_000)), date(2025, 7, 15))
    assert r.actual_value == 50_000
    assert r.staleness_days == 0


@pytest.mark.parametrize(
    ("interval", "as_of", "stale"),
    [
        (30, date(2025, 8, 30), False),  # 60 days = exactly twice the interval: not stale
        (30, date(2025, 8, 31), True),  # 61 days
        (90, date(2025, 12, 28), False),  # 180 days (default interval)
        (90, date(2025, 12, 29), True),  # 181 days
        (1, date(2025, 7, 3), False),
        (1, date(2025, 7, 4), True),
    ],
)
def test_stale_boundary(interval: int, as_of: date, stale: bool) -> None:
    r = compute_target(worked(P(date(2025, 7, 1), 50_000), reporting_interval_days=interval), as_of)
    assert r.stale is stale
    assert r.staleness_days == (as_of - date(2025, 7, 1)).days


def test_default_reporting_interval_is_90() -> None:
    assert WORKED.reporting_interval_days == 90


# --- The basis and the reporting indicators ---------------------------------------------


def I(d: date, v: float) -> Point:  # noqa: E743 -- reads like P, for an illustrative figure
    return Point(d, float(v), illustrative=True)


@pytest.mark.parametrize(
    ("measurements", "interval", "as_of", "last", "due", "overdue"),
    [
        # The worked example: one reported figure of 2025-07-01, interval 90 days.
        ((P(date(2025, 7, 1), 50_000),), 90, date(2025, 7, 15), date(2025, 7, 1), date(2025, 9, 29), 0),
        ((P(date(2025, 7, 1), 50_000),), 90, date(2025, 9, 29), date(2025, 7, 1), date(2025, 9, 29), 0),  # due today
        ((P(date(2025, 7, 1), 50_000),), 90, date(2025, 9, 30), date(2025, 7, 1), date(2025, 9, 29), 1),
        ((P(date(2025, 7, 1), 50_000),), 90, date(2025, 12, 1), date(2025, 7, 1), date(2025, 9, 29), 63),
        # No figure: the first was due one interval after the baseline date (2025-01-01 + 90 = 2025-04-01).
        ((), 90, date(2025, 3, 1), None, date(2025, 4, 1), 0),
        ((), 90, date(2026, 12, 3), None, date(2025, 4, 1), 611),
        ((), 30, date(2025, 2, 1), None, date(2025, 1, 31), 1),
        # Only illustrative figures: they report nothing.
        ((I(date(2025, 7, 1), 50_000),), 90, date(2025, 12, 1), None, date(2025, 4, 1), 244),
        # The latest reported one counts, not a later illustrative one.
        (
            (P(date(2025, 5, 1), 10), I(date(2025, 9, 1), 90)),
            90,
            date(2025, 9, 15),
            date(2025, 5, 1),
            date(2025, 7, 30),
            47,
        ),
        # A figure dated after the as-of date has not been reported yet.
        (
            (P(date(2025, 5, 1), 10), P(date(2025, 9, 1), 90)),
            90,
            date(2025, 8, 1),
            date(2025, 5, 1),
            date(2025, 7, 30),
            2,
        ),
        # As of a date before the baseline: nothing due yet.
        ((), 90, date(2024, 12, 1), None, date(2025, 4, 1), 0),
    ],
)
def test_reporting_indicators(
    measurements: tuple[Point, ...], interval: int, as_of: date, last: date | None, due: date, overdue: int
) -> None:
    target = worked(*measurements, reporting_interval_days=interval)
    for basis in Basis:  # the reporting indicators are on the reported basis whatever the basis asked
        r = compute_target(target, as_of, basis=basis)
        assert (r.last_reported_on, r.report_due_on, r.reporting_overdue_days) == (last, due, overdue)
        assert r.basis is basis


def test_an_illustrative_figure_counts_only_on_the_illustrative_basis() -> None:
    target = worked(P(date(2025, 4, 1), 20_000), I(date(2025, 7, 1), 50_000))
    reported = compute_target(target, date(2025, 7, 15))
    assert reported == compute_target(worked(P(date(2025, 4, 1), 20_000)), date(2025, 7, 15))
    assert reported.actual_value == 20_000
    assert reported.evaluation_date == date(2025, 4, 1)
    shown = compute_target(target, date(2025, 7, 15), basis=Basis.ILLUSTRATIVE)
    assert shown.basis is Basis.ILLUSTRATIVE
    assert shown.as_dict()["basis"] == "illustrative"
    assert (shown.actual_value, shown.slip_days, shown.status) == (50_000, 90, TargetStatus.OFF_TRACK)
    assert shown.last_reported_on == date(2025, 4, 1)  # reporting never counts the made-up figure


def test_a_target_with_only_illustrative_figures_is_no_data_when_reported() -> None:
    target = worked(I(date(2025, 7, 1), 50_000))
    assert compute_target(target, date(2025, 7, 15)).status is TargetStatus.NO_DATA
    assert compute_target(target, date(2025, 7, 15), basis=Basis.ILLUSTRATIVE).status is TargetStatus.OFF_TRACK


@pytest.mark.parametrize(
    ("measurements", "as_of", "per_day"),
    [
        # From the as-of date, not from the figure's date: (200,000 - 50,000) / 169 days.
        ((P(date(2025, 7, 1), 50_000),), date(2025, 7, 15), 150_000 / 169),
        # The same figure read later needs more each day: 150,000 / 30 days from 2025-12-01.
        ((P(date(2025, 7, 1), 50_000),), date(2025, 12, 1), 150_000 / 30),
        ((P(date(2025, 7, 1), 50_000),), date(2025, 12, 30), 150_000 / 1),  # the last day
        ((P(date(2025, 7, 1), 50_000),), date(2025, 12, 31), None),  # the deadline itself: a >= T
        ((P(date(2025, 7, 1), 50_000),), date(2026, 1, 5), None),  # missed
        ((P(date(2025, 7, 1), 200_000),), date(2025, 7, 15), None),  # achieved
        ((P(date(2025, 7, 1), 250_000),), date(2025, 7, 15), None),  # achieved and more
        ((P(date(2025, 7, 1), -10_000),), date(2025, 7, 15), 210_000 / 169),  # behind the baseline
        ((P(date(2024, 12, 1), 0),), date(2024, 12, 31), 200_000 / 365),  # measured before the baseline
    ],
)
def test_required_rate_from_the_as_of_date(measurements: tuple[Point, ...], as_of: date, per_day: float | None) -> None:
    r = compute_target(worked(*measurements), as_of)
    if per_day is None:
        assert r.required_rate is None
        assert r.required_rate_per_year is None
    else:
        assert r.required_rate == pytest.approx(per_day)
        assert r.required_rate_per_year == pytest.approx(per_day * 365.25)


def test_required_rate_of_a_falling_target_is_negative() -> None:
    r = compute_target(dataclasses.replace(WAITING, measurements=(P(date(2025, 7, 1), 80),)), date(2025, 7, 15))
    assert r.required_rate == pytest.approx((20 - 80) / 169)


@pytest.mark.parametrize(
    ("value", "thresholds", "status"),
    [
        (95, DEFAULT_THRESHOLDS, TargetStatus.ON_TRACK),  # spi exactly 0.95
        (96, DEFAULT_THRESHOLDS, TargetStatus.ON_TRACK),
        (94, DEFAULT_THRESHOLDS, TargetStatus.AT_RISK),
        (80, DEFAULT_THRESHOLDS, TargetStatus.AT_RISK),  # spi exactly 0.80
        (79, DEFAULT_THRESHOLDS, TargetStatus.OFF_TRACK),
        (94.99, DEFAULT_THRESHOLDS, TargetStatus.AT_RISK),
        (79.99, DEFAULT_THRESHOLDS, TargetStatus.OFF_TRACK),
        (90, Thresholds(on_track=0.9, at_risk=0.5), TargetStatus.ON_TRACK),
        (89, Thresholds(on_track=0.9, at_risk=0.5), TargetStatus.AT_RISK),
        (50, Thresholds(on_track=0.9, at_risk=0.5), TargetStatus.AT_RISK),
        (49, Thresholds(on_track=0.9, at_risk=0.5), TargetStatus.OFF_TRACK),
        (94, Thresholds(on_track=0.9, at_risk=0.5), TargetStatus.ON_TRACK),
        (10, Thresholds(on_track=0.5, at_risk=0.0), TargetStatus.AT_RISK),
        (0, Thresholds(on_track=0.5, at_risk=0.0), TargetStatus.AT_RISK),  # spi 0 >= 0
    ],
)
def test_status_thresholds(value: float, thresholds: Thresholds, status: TargetStatus) -> None:
    r = compute_target(at(HUNDRED, P(day(100), value)), day(100), thresholds)
    assert r.spi == pytest.approx(value / 100)
    assert r.status is status


def test_thresholds_defaults_and_validation() -> None:
    assert Thresholds(on_track=0.95, at_risk=0.80) == DEFAULT_THRESHOLDS
    with pytest.raises(ValueError, match="at_risk"):
        Thresholds(on_track=0.7, at_risk=0.8)
    with pytest.raises(ValueError):
        Thresholds(on_track=0.9, at_risk=-0.1)


def test_status_rule_order_achieved_beats_missed_and_no_data_beats_missed() -> None:
    # Achieved before the deadline, looked at long after: achieved.
    assert compute_target(worked(P(date(2025, 6, 1), 200_000)), date(2027, 1, 1)).status is TargetStatus.ACHIEVED
    # No measurement at all, long after the deadline: no_data comes before missed.
    assert compute_target(worked(), date(2027, 1, 1)).status is TargetStatus.NO_DATA
    # Missed even though the spi was fine when last measured.
    r = compute_target(worked(P(date(2025, 7, 1), 99_500)), date(2026, 1, 1))
    assert r.spi is not None
    assert r.spi > 0.95
    assert r.status is TargetStatus.MISSED


def test_direction() -> None:
    assert WORKED.direction == 1
    assert WAITING.direction == -1
    assert FALLING.direction == -1


# --- planned_value ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "on", "expected"),
    [
        (WORKED, date(2024, 6, 1), 0.0),  # before t0: v0
        (WORKED, date(2025, 1, 1), 0.0),
        (WORKED, date(2025, 7, 1), 200_000 * 181 / 364),
        (WORKED, date(2025, 12, 31), 200_000.0),
        (WORKED, date(2030, 1, 1), 200_000.0),  # after T: vT
        (WAITING, date(2025, 7, 1), 100 - 80 * 181 / 364),
        (WAITING, date(2026, 7, 1), 20.0),
        (YEARLY, date(2026, 1, 1), 200_000.0),  # on an interim point
        (YEARLY, date(2026, 1, 2), 200_000 + 200_000 / 365),
        (YEARLY, date(2027, 7, 2), 400_000 + 200_000 * 182 / 365),
        (YEARLY, date(2028, 1, 1), 600_000.0),
        (PLATEAU, day(150), 100.0),
        (PLATEAU, day(250), 150.0),
        (FALLING, day(91), 75.0),
        (FALLING, day(273), 35.0),
    ],
)
def test_planned_value(target: TargetInput, on: date, expected: float) -> None:
    assert planned_value(target, on) == pytest.approx(expected, rel=1e-12)


# --- Rounding ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 0),
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),  # round() would give 2
        (-0.5, -1),
        (-2.5, -3),  # round() would give -2
        (2.4999999999, 2),
        (-2.4999999999, -2),
        (0.49999999999999994, 0),  # the classic x + 0.5 pitfall
        (-0.49999999999999994, 0),
        (3.0, 3),
        (-3.0, -3),
        (90.75, 91),
        (-16.5, -17),
        (1e15 + 0.5, 1_000_000_000_000_001),
    ],
)
def test_round_half_away_from_zero(x: float, expected: int) -> None:
    got = round_half_away_from_zero(x)
    assert got == expected
    assert type(got) is int


# --- Validation -------------------------------------------------------------------


def messages_of(target: TargetInput) -> list[str]:
    with pytest.raises(InvalidTarget) as info:
        validate_target_input(target)
    # compute_target and planned_value refuse the same input with the same messages.
    with pytest.raises(InvalidTarget) as again:
        compute_target(target, date(2025, 6, 1))
    assert again.value.messages == info.value.messages
    with pytest.raises(InvalidTarget):
        planned_value(target, date(2025, 6, 1))
    return info.value.messages


def test_flat_target_is_invalid() -> None:
    msgs = messages_of(TargetInput(T0, 5.0, day(100), 5.0))
    assert len(msgs) == 1
    assert msgs[0].startswith("The target value must differ from the baseline value")


@pytest.mark.parametrize("target_date", [T0, date(2024, 12, 31)])
def test_target_date_must_follow_baseline(target_date: date) -> None:
    msgs = messages_of(TargetInput(T0, 0.0, target_date, 10.0))
    assert msgs == [f"The target date ({target_date.isoformat()}) must be after the baseline date (2025-01-01)."]


@pytest.mark.parametrize("interim_date", [date(2025, 1, 1), date(2025, 12, 31), date(2024, 6, 1), date(2026, 6, 1)])
def test_interim_points_strictly_inside(interim_date: date) -> None:
    msgs = messages_of(dataclasses.replace(WORKED, trajectory=(P(interim_date, 100_000),)))
    assert len(msgs) == 1
    assert interim_date.isoformat() in msgs[0]
    assert "strictly between" in msgs[0]


def test_duplicated_interim_dates() -> None:
    msgs = messages_of(
        dataclasses.replace(
            WORKED, trajectory=(P(date(2025, 6, 30), 1), P(date(2025, 6, 30), 2), P(date(2025, 6, 30), 3))
        )
    )
    assert msgs == ["There is more than one interim point dated 2025-06-30; keep one."]


def test_interim_values_going_backwards() -> None:
    msgs = messages_of(
        dataclasses.replace(YEARLY, trajectory=(P(date(2026, 1, 1), 300_000), P(date(2027, 1, 1), 200_000)))
    )
    assert msgs == [
        "The planned values must rise (or stay level) from the baseline to the target: the interim value "
        "200,000 on 2027-01-01 is lower than the interim value 300,000 on 2026-01-01."
    ]


def test_interim_value_beyond_the_target_and_before_the_baseline() -> None:
    msgs = messages_of(dataclasses.replace(YEARLY, trajectory=(P(date(2027, 1, 1), 700_000),)))
    assert msgs == [
        "The planned values must rise (or stay level) from the baseline to the target: the target value "
        "600,000 on 2028-01-01 is lower than the interim value 700,000 on 2027-01-01."
    ]
    msgs = messages_of(dataclasses.replace(YEARLY, trajectory=(P(date(2027, 1, 1), -5),)))
    assert "is lower than the baseline value 0 on 2025-01-01" in msgs[0]


def test_falling_target_interim_going_up() -> None:
    msgs = messages_of(dataclasses.replace(FALLING, trajectory=(P(day(100), 60), P(day(200), 70))))
    assert msgs == [
        "The planned values must fall (or stay level) from the baseline to the target: the interim value "
        "70 on 2025-07-20 is higher than the interim value 60 on 2025-04-11."
    ]


def test_plateaus_are_valid() -> None:
    validate_target_input(PLATEAU)
    validate_target_input(dataclasses.replace(FALLING, trajectory=(P(day(100), 100), P(day(200), 20))))
    validate_target_input(dataclasses.replace(YEARLY, trajectory=(P(date(2027, 1, 1), 600_000),)))


def test_several_problems_are_all_reported() -> None:
    msgs = messages_of(
        TargetInput(
            T0, 1.0, T0, 1.0, trajectory=(P(T0, 1),), measurements=(P(T0, 1), P(T0, 2)), reporting_interval_days=0
        )
    )
    assert len(msgs) == 5
    assert any("differ from the baseline" in m for m in msgs)
    assert any("must be after the baseline date" in m for m in msgs)
    assert any("strictly between" in m for m in msgs)
    assert any("reporting interval" in m for m in msgs)
    assert any("more than one measurement dated 2025-01-01" in m for m in msgs)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, 2e15])
def test_values_must_be_finite_and_sane(bad: float) -> None:
    assert messages_of(TargetInput(T0, bad, day(10), 10.0))
    assert messages_of(TargetInput(T0, 0.0, day(10), bad))
    assert messages_of(dataclasses.replace(TEN, trajectory=(P(day(5), bad),)))
    assert messages_of(dataclasses.replace(TEN, measurements=(P(day(5), bad),)))


def test_invalid_target_is_a_value_error_with_messages() -> None:
    err = InvalidTarget(["First problem.", "Second problem."])
    assert isinstance(err, ValueError)
    assert err.messages == ["First problem.", "Second problem."]
    assert "First problem." in str(err)
    assert "Second problem." in str(err)


def test_validate_accepts_valid_input() -> None:
    for target in (WORKED, WAITING, YEARLY, PLATEAU, FALLING, HUNDRED, TEN):
        assert validate_target_input(target) is None


# --- Milestones -------------------------------------------------------------------

B = date(2025, 6, 30)

MILESTONE_CASES: list[tuple[str, MilestoneInput, date, MilestoneStatus, date, int | None]] = [
    ("not-due-yet", MilestoneInput(B), date(2025, 5, 1), MilestoneStatus.ON_TRACK, B, 0),
    ("due-today", MilestoneInput(B), B, MilestoneStatus.ON_TRACK, B, 0),
    (
        "forecast-later",
        MilestoneInput(B, forecast_due_date=date(2025, 7, 15)),
        date(2025, 5, 1),
        MilestoneStatus.AT_RISK,
        date(2025, 7, 15),
        15,
    ),
    (
        "forecast-earlier",
        MilestoneInput(B, forecast_due_date=date(2025, 6, 20)),
        date(2025, 5, 1),
        MilestoneStatus.ON_TRACK,
        date(2025, 6, 20),
        -10,
    ),
    (
        # The forecast date has passed (but not B): it cannot finish before today.
        "forecast-earlier-passed",
        MilestoneInput(B, forecast_due_date=date(2025, 6, 1)),
        date(2025, 6, 10),
        MilestoneStatus.ON_TRACK,
        date(2025, 6, 10),
        -20,
    ),
    (
        "forecast-equals-baseline",
        MilestoneInput(B, forecast_due_date=B),
        date(2025, 5, 1),
        MilestoneStatus.ON_TRACK,
        B,
        0,
    ),
    ("overdue", MilestoneInput(B), date(2025, 7, 10), MilestoneStatus.OVERDUE, date(2025, 7, 10), 10),
    (
        "overdue-forecast-in-the-past",
        MilestoneInput(B, forecast_due_date=date(2025, 7, 5)),
        date(2025, 7, 10),
        MilestoneStatus.OVERDUE,
        date(2025, 7, 10),
        10,
    ),
    (
        "overdue-forecast-in-the-future",
        MilestoneInput(B, forecast_due_date=date(2025, 8, 1)),
        date(2025, 7, 10),
        MilestoneStatus.OVERDUE,
        date(2025, 8, 1),
        32,
    ),
    (
        "completed-early",
        MilestoneInput(B, completed_on=date(2025, 6, 20)),
        date(2025, 7, 1),
        MilestoneStatus.COMPLETED,
        date(2025, 6, 20),
        -10,
    ),
    ("completed-on-time", MilestoneInput(B, completed_on=B), B, MilestoneStatus.COMPLETED, B, 0),
    (
        "completed-late",
        MilestoneInput(B, forecast_due_date=date(2025, 7, 1), completed_on=date(2025, 7, 5)),
        date(2025, 7, 20),
        MilestoneStatus.COMPLETED,
        date(2025, 7, 5),
        5,
    ),
    (
        "completed-today",
        MilestoneInput(B, completed_on=date(2025, 6, 1)),
        date(2025, 6, 1),
        MilestoneStatus.COMPLETED,
        date(2025, 6, 1),
        -29,
    ),
    (
        # Completion after the as-of date is ignored: replayed, it was still open (and late).
        "completion-after-as-of-ignored-overdue",
        MilestoneInput(B, completed_on=date(2025, 7, 5)),
        date(2025, 7, 1),
        MilestoneStatus.OVERDUE,
        date(2025, 7, 1),
        1,
    ),
    (
        "completion-after-as-of-ignored-not-due",
        MilestoneInput(B, completed_on=date(2025, 6, 20)),
        date(2025, 6, 10),
        MilestoneStatus.ON_TRACK,
        B,
        0,
    ),
    (
        "cancelled",
        MilestoneInput(B, cancelled=True),
        date(2025, 7, 10),
        MilestoneStatus.CANCELLED,
        date(2025, 7, 10),
        None,
    ),
    (
        "cancelled-beats-completed",
        MilestoneInput(B, completed_on=date(2025, 6, 1), cancelled=True),
        date(2025, 7, 10),
        MilestoneStatus.CANCELLED,
        date(2025, 6, 1),
        None,
    ),
    (
        "cancelled-with-forecast",
        MilestoneInput(B, forecast_due_date=date(2025, 9, 1), cancelled=True),
        date(2025, 5, 1),
        MilestoneStatus.CANCELLED,
        date(2025, 9, 1),
        None,
    ),
]


@pytest.mark.parametrize(
    ("milestone", "as_of", "status", "expected_date", "slip"),
    [case[1:] for case in MILESTONE_CASES],
    ids=[case[0] for case in MILESTONE_CASES],
)
def test_milestone_indicators(
    milestone: MilestoneInput, as_of: date, status: MilestoneStatus, expected_date: date, slip: int | None
) -> None:
    r = compute_milestone(milestone, as_of)
    assert r == MilestoneIndicators(as_of, status, expected_date, slip)


def test_milestone_as_dict() -> None:
    d = compute_milestone(MilestoneInput(B, forecast_due_date=date(2025, 7, 15)), date(2025, 5, 1)).as_dict()
    assert d == {
        "as_of": "2025-05-01",
        "status": "at_risk",
        "expected_date": "2025-07-15",
        "slip_days": 15,
        "basis": "reported",
    }
    assert type(d["status"]) is str
    assert json.loads(json.dumps(d)) == d


# --- Roll-ups ---------------------------------------------------------------------

A = date(2025, 7, 15)


def ti(status: TargetStatus, slip: int | None = None, overdue: int = 0) -> TargetIndicators:
    none = dict.fromkeys(f.name for f in dataclasses.fields(TargetIndicators))
    return TargetIndicators(
        **{
            **none,
            "as_of": A,
            "status": status,
            "slip_days": slip,
            "stale": False,
            "basis": Basis.REPORTED,
            "report_due_on": A,
            "reporting_overdue_days": overdue,
            "last_reported_on": None if status is TargetStatus.NO_DATA else A,
        }
    )


def mi(status: MilestoneStatus, slip: int | None) -> MilestoneIndicators:
    return MilestoneIndicators(A, status, A, slip)


TARGET_KEYS = ["achieved", "no_data", "missed", "on_track", "at_risk", "off_track"]
MILESTONE_KEYS = ["cancelled", "completed", "overdue", "at_risk", "on_track"]


def test_status_enums() -> None:
    assert [s.value for s in TargetStatus] == TARGET_KEYS
    assert [s.value for s in MilestoneStatus] == MILESTONE_KEYS
    assert TargetStatus.ON_TRACK == "on_track"
    assert str(MilestoneStatus.OVERDUE) == "overdue"


def test_rollup_of_nothing() -> None:
    r = compute_rollup([], [], A)
    assert r == Rollup(A, dict.fromkeys(TARGET_KEYS, 0), dict.fromkeys(MILESTONE_KEYS, 0), None, None, None)


def test_rollup_counts_include_zeros() -> None:
    r = compute_rollup([ti(TargetStatus.OFF_TRACK, 40)], [mi(MilestoneStatus.OVERDUE, 3)], A)
    assert r.targets == {"achieved": 0, "no_data": 0, "missed": 0, "on_track": 0, "at_risk": 0, "off_track": 1}
    assert r.milestones == {"cancelled": 0, "completed": 0, "overdue": 1, "at_risk": 0, "on_track": 0}
    assert list(r.targets) == TARGET_KEYS
    assert list(r.milestones) == MILESTONE_KEYS
    assert r.on_schedule_share == 0.0


def test_rollup_median_odd_and_even_pool_targets_and_milestones() -> None:
    targets = [ti(TargetStatus.OFF_TRACK, 90), ti(TargetStatus.ON_TRACK, -5), ti(TargetStatus.NO_DATA)]
    odd = compute_rollup(targets, [mi(MilestoneStatus.OVERDUE, 10), mi(MilestoneStatus.CANCELLED, None)], A)
    assert odd.median_slip_days == 10.0  # of -5, 10, 90
    assert odd.max_slip_days == 90
    even = compute_rollup(targets, [mi(MilestoneStatus.OVERDUE, 10), mi(MilestoneStatus.ON_TRACK, 3)], A)
    assert even.median_slip_days == 6.5  # of -5, 3, 10, 90
    assert even.max_slip_days == 90
    assert compute_rollup([ti(TargetStatus.ON_TRACK, -4)], [mi(MilestoneStatus.ON_TRACK, -2)], A).max_slip_days == -2


def test_rollup_on_schedule_share() -> None:
    targets = [
        ti(TargetStatus.ACHIEVED, -3),  # on schedule
        ti(TargetStatus.ON_TRACK, 0),  # on schedule
        ti(TargetStatus.AT_RISK, 20),
        ti(TargetStatus.MISSED, 50),
        ti(TargetStatus.NO_DATA),  # not counted at all
    ]
    milestones = [
        mi(MilestoneStatus.COMPLETED, -2),  # on schedule
        mi(MilestoneStatus.COMPLETED, 0),  # on schedule
        mi(MilestoneStatus.COMPLETED, 5),  # completed late: counted, not on schedule
        mi(MilestoneStatus.ON_TRACK, 0),  # on schedule
        mi(MilestoneStatus.AT_RISK, 15),
        mi(MilestoneStatus.OVERDUE, 7),
        mi(MilestoneStatus.CANCELLED, None),  # not counted at all
    ]
    r = compute_rollup(iter(targets), iter(milestones), A)
    assert r.on_schedule_share == pytest.approx(5 / 10)
    assert r.targets == {"achieved": 1, "no_data": 1, "missed": 1, "on_track": 1, "at_risk": 1, "off_track": 0}
    assert r.milestones == {"cancelled": 1, "completed": 3, "overdue": 1, "at_risk": 1, "on_track": 1}
    assert r.median_slip_days == 2.5  # of -3, -2, 0, 0, 0, 5, 7, 15, 20, 50
    assert r.max_slip_days == 50


def test_rollup_share_is_none_when_nothing_counts() -> None:
    r = compute_rollup([ti(TargetStatus.NO_DATA)], [mi(MilestoneStatus.CANCELLED, None)], A)
    assert r.on_schedule_share is None
    assert r.median_slip_days is None
    assert r.max_slip_days is None
    assert r.targets["no_data"] == 1
    assert r.milestones["cancelled"] == 1


def test_rollup_counts_plain_string_statuses() -> None:
    # Indicators rebuilt from stored rows may carry the status as a plain string.
    loose = dataclasses.replace(ti(TargetStatus.ON_TRACK, 1), status="on_track")  # type: ignore[arg-type]
    r = compute_rollup([loose], [MilestoneIndicators(A, "completed", A, 0)], A)  # type: ignore[arg-type]
    assert r.targets["on_track"] == 1
    assert r.milestones["completed"] == 1
    assert r.on_schedule_share == 1.0


def test_rollup_reporting_figures() -> None:
    targets = [
        ti(TargetStatus.ON_TRACK, 0),  # reported, on time
        ti(TargetStatus.OFF_TRACK, 40, overdue=10),  # reported, next figure 10 days late
        ti(TargetStatus.NO_DATA, overdue=300),  # never reported
        ti(TargetStatus.NO_DATA, overdue=500),
        ti(TargetStatus.NO_DATA),  # never reported, but nothing due yet
    ]
    r = compute_rollup(targets, [mi(MilestoneStatus.OVERDUE, 3)], A)
    assert r.reporting_coverage == pytest.approx(2 / 5)
    assert r.targets_reporting_overdue == 3
    assert r.median_reporting_overdue_days == 300.0  # of the overdue ones only: 10, 300, 500
    assert r.max_reporting_overdue_days == 500
    assert r.basis is Basis.REPORTED
    even = compute_rollup(targets[:4], [], A, basis=Basis.ILLUSTRATIVE)
    assert even.median_reporting_overdue_days == 300.0  # of 10, 300, 500
    assert compute_rollup(targets[1:3], [], A).median_reporting_overdue_days == 155.0  # of 10, 300
    assert even.as_dict()["basis"] == "illustrative"


def test_rollup_reporting_figures_when_nothing_is_overdue_or_there_are_no_targets() -> None:
    on_time = compute_rollup([ti(TargetStatus.ON_TRACK, 0)], [], A)
    assert (on_time.reporting_coverage, on_time.targets_reporting_overdue) == (1.0, 0)
    assert (on_time.median_reporting_overdue_days, on_time.max_reporting_overdue_days) == (None, None)
    only_milestones = compute_rollup([], [mi(MilestoneStatus.ON_TRACK, 0)], A)
    assert only_milestones.reporting_coverage is None
    assert only_milestones.targets_reporting_overdue == 0


def test_rollup_of_computed_items_and_as_dict() -> None:
    targets = [
        compute_target(WORKED, A),  # off_track, slip 90
        compute_target(worked(), A),  # no_data
        compute_target(worked(P(date(2025, 7, 1), 200_000)), A),  # achieved, slip -183
    ]
    milestones = [compute_milestone(MilestoneInput(B), A), compute_milestone(MilestoneInput(date(2025, 9, 1)), A)]
    r = compute_rollup(targets, milestones, A)
    d = r.as_dict()
    assert d["as_of"] == "2025-07-15"
    assert d["targets"]["off_track"] == 1
    assert d["targets"]["achieved"] == 1
    assert d["milestones"]["overdue"] == 1
    assert d["milestones"]["on_track"] == 1
    assert d["median_slip_days"] == 7.5  # of -183, 0, 15, 90
    assert d["max_slip_days"] == 90
    assert d["on_schedule_share"] == pytest.approx(2 / 4)
    assert json.loads(json.dumps(d)) == d


# --- Shape of the API ---------------------------------------------------------------


def test_target_indicator_fields_in_contract_order() -> None:
    assert [f.name for f in dataclasses.fields(TargetIndicators)] == [
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
        "basis",
        "last_reported_on",
        "report_due_on",
        "reporting_overdue_days",
    ]
    assert [f.name for f in dataclasses.fields(MilestoneIndicators)] == [
        "as_of",
        "status",
        "expected_date",
        "slip_days",
        "basis",
    ]


def test_dataclasses_are_frozen_and_slotted() -> None:
    result = compute_target(WORKED, A)
    for obj in (
        P(T0, 1),
        WORKED,
        MilestoneInput(B),
        DEFAULT_THRESHOLDS,
        result,
        compute_milestone(MilestoneInput(B), A),
    ):
        assert not hasattr(obj, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, dataclasses.fields(obj)[0].name, None)


# --- Property tests -----------------------------------------------------------------


@st.composite
def targets(draw: st.DrawFn, *, strictly_monotone: bool = False, max_interim: int = 4) -> TargetInput:
    """A valid target: whole-number values, 0-4 interim points, rising or falling."""
    t0 = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31)))
    n = draw(st.integers(0, max_interim))
    span = draw(st.integers(n + 1, 4000))
    offsets = sorted(draw(st.sets(st.integers(1, span - 1), min_size=n, max_size=n))) if n else []
    direction = draw(st.sampled_from([1, -1]))
    v0 = draw(st.integers(-1_000_000, 1_000_000))
    low = 1 if strictly_monotone else 0
    steps = draw(st.lists(st.integers(low, 100_000), min_size=n + 1, max_size=n + 1))
    if sum(steps) == 0:
        steps[-1] = 1
    values, total = [], v0
    for step in steps:
        total += direction * step
        values.append(float(total))
    trajectory = [Point(t0 + timedelta(days=o), v) for o, v in zip(offsets, values, strict=False)]
    trajectory = draw(st.permutations(trajectory))
    return TargetInput(
        t0,
        float(v0),
        t0 + timedelta(days=span),
        values[-1],
        trajectory=tuple(trajectory),
        reporting_interval_days=draw(st.integers(1, 400)),
    )


@st.composite
def measured_targets(draw: st.DrawFn) -> tuple[TargetInput, date]:
    target = draw(targets())
    span = (target.target_date - target.baseline_date).days
    low, high = min(target.baseline_value, target.target_value), max(target.baseline_value, target.target_value)
    width = high - low
    offsets = draw(st.sets(st.integers(-400, span + 800), max_size=5))
    measurements = tuple(
        Point(
            target.baseline_date + timedelta(days=o),
            float(draw(st.integers(int(low - width / 2), int(high + width / 2)))),
            illustrative=draw(st.booleans()),
        )
        for o in offsets
    )
    as_of = target.baseline_date + timedelta(days=draw(st.integers(-500, span + 1000)))
    return dataclasses.replace(target, measurements=measurements), as_of


def _round_exact(x: Fraction) -> int:
    whole = math.floor(abs(x) + Fraction(1, 2))
    return whole if x >= 0 else -whole


def reference(target: TargetInput, as_of: date, basis: Basis = Basis.REPORTED) -> dict[str, Any]:
    """An independent, exact (fractions) reading of the contract, written segment by segment."""
    reported = [m.date for m in target.measurements if m.date <= as_of and not m.illustrative]
    last_reported = max(reported, default=None)
    due = (last_reported or target.baseline_date) + timedelta(days=target.reporting_interval_days)
    reporting = {
        "last_reported_on": last_reported,
        "report_due_on": due,
        "reporting_overdue_days": max(0, (as_of - due).days),
    }
    seen = [m for m in target.measurements if m.date <= as_of and (basis == "illustrative" or not m.illustrative)]
    if not seen:
        return {"status": "no_data", **reporting}
    m = max(seen, key=lambda p: p.date)
    t0, tT = target.baseline_date, target.target_date
    knots = [(t0, Fraction(target.baseline_value))]
    knots += sorted((p.date, Fraction(p.value)) for p in target.trajectory)
    knots.append((tT, Fraction(target.target_value)))
    d = 1 if target.target_value > target.baseline_value else -1
    ev, e = Fraction(m.value), m.date
    v0, vT = knots[0][1], knots[-1][1]
    span = (tT - t0).days
    elapsed = (e - t0).days
    if d * (ev - v0) <= 0:
        es = Fraction(0)
    elif d * (ev - vT) >= 0:
        es = Fraction(span)
    else:
        for (da, va), (db, vb) in pairwise(knots):
            if d * (vb - ev) >= 0:  # the first segment whose end reaches ev
                es = (da - t0).days + (ev - va) / (vb - va) * (db - da).days
                break
    spi = es / elapsed if elapsed > 0 else None
    status: str
    if d * (ev - vT) >= 0:
        status = "achieved"
    elif as_of > tT:
        status = "missed"
    elif spi is None or spi >= Fraction(0.95):
        status = "on_track"
    elif spi >= Fraction(0.80):
        status = "at_risk"
    else:
        status = "off_track"
    forecast = span / spi if spi else None
    if forecast is not None and t0.toordinal() + _round_exact(forecast) > date.max.toordinal():
        forecast = None  # the pace is so slow that no calendar date fits
    return {
        "status": status,
        "progress": (ev - v0) / (vT - v0),
        "earned_schedule": t0 + timedelta(days=_round_exact(es)),
        "slip_days": _round_exact(elapsed - es),
        "spi": spi,
        "forecast_completion": None if forecast is None else t0 + timedelta(days=_round_exact(forecast)),
        "forecast_slip_days": None if forecast is None else _round_exact(forecast - span),
        # From the as-of date on, not from the figure's date; none once the deadline is reached.
        "required_rate": (vT - ev) / (tT - as_of).days if as_of < tT and status != "achieved" else None,
        "staleness_days": (as_of - e).days,
        **reporting,
    }


@given(measured_targets(), st.sampled_from(Basis))
@example((worked(P(date(2025, 7, 1), 50_000)), date(2025, 7, 15)), Basis.REPORTED)
@example(
    (at(TargetInput(T0, 0.0, day(364), 1e12), P(day(181), 0.001)), day(181)), Basis.REPORTED
)  # forecast beyond 9999
@example((at(PLATEAU, P(day(150), 100)), day(150)), Basis.REPORTED)
def test_property_matches_exact_reference_and_never_raises(case: tuple[TargetInput, date], basis: Basis) -> None:
    target, as_of = case
    result = compute_target(target, as_of, basis=basis)
    assert isinstance(result.status, TargetStatus)
    assert result.status in set(TargetStatus)
    assert result.basis is basis
    expected = reference(target, as_of, basis)
    assert result.status == expected.pop("status")
    for name in ("last_reported_on", "report_due_on", "reporting_overdue_days"):
        assert getattr(result, name) == expected.pop(name), name
    if result.status is TargetStatus.NO_DATA:
        return
    assert result.evaluation_date is not None
    assert result.evaluation_date <= as_of
    assert target.baseline_date <= result.earned_schedule <= target.target_date  # type: ignore[operator]
    for name, value in expected.items():
        got = getattr(result, name)
        if value is None or isinstance(value, (int, date)):
            assert got == value, name
        else:
            assert got == pytest.approx(float(value), rel=1e-9, abs=1e-9), name
    assert result.stale == (result.staleness_days > 2 * target.reporting_interval_days)  # type: ignore[operator]
    json.dumps(result.as_dict())


@given(targets(strictly_monotone=True), st.data())
def test_property_on_the_curve_is_on_schedule(target: TargetInput, data: st.DataObject) -> None:
    span = (target.target_date - target.baseline_date).days
    e = target.baseline_date + timedelta(days=data.draw(st.integers(1, span)))
    value = planned_value(target, e)
    result = compute_target(dataclasses.replace(target, measurements=(Point(e, value),)), e)
    assert result.slip_days == 0
    # Float tolerance: PV(e) carries an error of about one ulp of the value, which the
    # inverse magnifies by days-per-unit (up to 4000 days for a step of 1) over elapsed days.
    assert result.spi == pytest.approx(1.0, abs=1e-5)
    assert result.earned_schedule == e
    assert result.forecast_slip_days == 0
    assert result.status in {TargetStatus.ON_TRACK, TargetStatus.ACHIEVED}


@given(measured_targets(), st.integers(0, 3000))
def test_property_same_value_later_never_slips_less(case: tuple[TargetInput, date], later: int) -> None:
    target, _ = case
    assume(target.measurements)
    first = dataclasses.replace(target.measurements[0], illustrative=False)
    e2 = first.date + timedelta(days=later)
    r1 = compute_target(dataclasses.replace(target, measurements=(first,)), first.date)
    r2 = compute_target(dataclasses.replace(target, measurements=(Point(e2, first.value),)), e2)
    assert r1.slip_days is not None
    assert r2.slip_days is not None
    assert r2.slip_days >= r1.slip_days
    assert r2.earned_schedule == r1.earned_schedule


@given(targets(), st.lists(st.integers(-3_000_000, 3_000_000), min_size=2, max_size=2))
def test_property_progress_is_linear_in_ev(target: TargetInput, evs: list[int]) -> None:
    e = target.baseline_date + timedelta(days=1)

    def progress(ev: float) -> float:
        r = compute_target(dataclasses.replace(target, measurements=(Point(e, ev),)), e)
        assert r.progress is not None
        return r.progress

    v0, vT = target.baseline_value, target.target_value
    assert progress(v0) == 0.0
    assert progress(vT) == 1.0
    a, b = (float(x) for x in evs)
    assert progress(a) == pytest.approx((a - v0) / (vT - v0), rel=1e-12, abs=1e-12)
    assert progress(a) - progress(b) == pytest.approx((a - b) / (vT - v0), rel=1e-9, abs=1e-9)


@given(measured_targets())
def test_property_a_falling_target_mirrors_a_rising_one(case: tuple[TargetInput, date]) -> None:
    target, as_of = case

    def mirror(p: Point) -> Point:
        return dataclasses.replace(p, value=-p.value)

    mirrored = dataclasses.replace(
        target,
        baseline_value=-target.baseline_value,
        target_value=-target.target_value,
        trajectory=tuple(map(mirror, target.trajectory)),
        measurements=tuple(map(mirror, target.measurements)),
    )
    a, b = compute_target(target, as_of), compute_target(mirrored, as_of)
    assert b.status == a.status
    for name in ("progress", "planned_progress", "earned_schedule", "slip_days", "spi", "forecast_completion"):
        assert getattr(b, name) == getattr(a, name), name
    assert b.required_rate == (None if a.required_rate is None else -a.required_rate)


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    st.one_of(st.none(), st.integers(-400, 400)),
    st.one_of(st.none(), st.integers(-400, 400)),
    st.integers(1, 800),
)
def test_property_unfinished_late_milestone_never_shows_early(
    baseline: date, forecast: int | None, completed: int | None, after: int
) -> None:
    as_of = baseline + timedelta(days=after)  # strictly after B
    completed_on = None if completed is None else as_of + timedelta(days=abs(completed) + 1)  # not yet done
    milestone = MilestoneInput(
        baseline,
        None if forecast is None else baseline + timedelta(days=forecast),
        completed_on,
    )
    r = compute_milestone(milestone, as_of)
    assert r.status is MilestoneStatus.OVERDUE
    assert r.slip_days is not None
    assert r.slip_days > 0
    assert r.expected_date is not None
    assert r.expected_date >= as_of


@given(
    st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    st.one_of(st.none(), st.integers(-400, 400)),
    st.one_of(st.none(), st.integers(-400, 400)),
    st.booleans(),
    st.integers(-800, 800),
)
def test_property_milestone_invariants(
    baseline: date, forecast: int | None, completed: int | None, cancelled: bool, offset: int
) -> None:
    as_of = baseline + timedelta(days=offset)
    m = MilestoneInput(
        baseline,
        None if forecast is None else baseline + timedelta(days=forecast),
        None if completed is None else baseline + timedelta(days=completed),
        cancelled,
    )
    r = compute_milestone(m, as_of)
    assert r.as_of == as_of
    done = m.completed_on is not None and m.completed_on <= as_of
    if cancelled:
        assert r.status is MilestoneStatus.CANCELLED
        assert r.slip_days is None
    else:
        assert r.expected_date is not None
        assert r.slip_days == (r.expected_date - baseline).days
        if not done:
            assert r.expected_date == max(m.forecast_due_date or baseline, as_of)
            if as_of > baseline:
                assert r.slip_days >= 0
        assert (r.status is MilestoneStatus.COMPLETED) == done


@given(
    st.lists(st.tuples(st.sampled_from(list(TargetStatus)), st.integers(-500, 500))),
    st.lists(st.tuples(st.sampled_from(list(MilestoneStatus)), st.integers(-500, 500))),
)
def test_property_rollup_counts_add_up(t: list[tuple[TargetStatus, int]], m: list[tuple[MilestoneStatus, int]]) -> None:
    targets_ = [ti(s, None if s is TargetStatus.NO_DATA else slip) for s, slip in t]
    milestones_ = [mi(s, None if s is MilestoneStatus.CANCELLED else slip) for s, slip in m]
    r = compute_rollup(targets_, milestones_, A)
    assert sum(r.targets.values()) == len(t)
    assert sum(r.milestones.values()) == len(m)
    slips = [x.slip_days for x in targets_ if x.slip_days is not None] + [
        x.slip_days for x in milestones_ if x.slip_days is not None
    ]
    assert r.max_slip_days == (max(slips) if slips else None)
    if r.on_schedule_share is not None:
        assert 0.0 <= r.on_schedule_share <= 1.0
        assert r.median_slip_days is not None
        assert min(slips) <= r.median_slip_days <= max(slips)


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
@example(2.5)
@example(-2.5)
@example(0.49999999999999994)
def test_property_rounding_matches_decimal_half_away(x: float) -> None:
    expected = int(Decimal(x).quantize(Decimal(1), rounding=ROUND_HALF_UP))  # HALF_UP = away from zero
    assert round_half_away_from_zero(x) == expected
    assert round_half_away_from_zero(-x) == -expected


@st.composite
def any_targets(draw: st.DrawFn) -> TargetInput:
    """Possibly invalid targets: random dates and values, including NaN and huge ones."""
    base = date(2025, 1, 1)
    offset = st.integers(-20, 60).map(lambda n: base + timedelta(days=n))
    value = st.one_of(st.integers(-50, 50).map(float), st.sampled_from([math.nan, math.inf, 1e16, -1e16]))
    points = st.lists(st.builds(Point, offset, value), max_size=4).map(tuple)
    return TargetInput(
        base,
        draw(value),
        draw(offset),
        draw(value),
        trajectory=draw(points),
        measurements=draw(points),
        reporting_interval_days=draw(st.integers(-1, 3)),
    )


@given(any_targets())
def test_property_fast_and_thorough_validation_agree(target: TargetInput) -> None:
    try:
        validate_target_input(target)
    except InvalidTarget as slow:
        assert slow.messages
        with pytest.raises(InvalidTarget) as fast:
            compute_target(target, date(2025, 2, 1))
        assert fast.value.messages == slow.messages
    else:
        r = compute_target(target, date(2025, 2, 1))
        assert r.status in set(TargetStatus)


# --- An illustrative figure never moves a reported number -------------------------------


@st.composite
def with_illustrative_figures(draw: st.DrawFn) -> tuple[TargetInput, TargetInput, date]:
    """A target with reported figures only, the same with made-up figures added (on any dates), an as-of date."""
    target, as_of = draw(measured_targets())
    reported = tuple(dataclasses.replace(m, illustrative=False) for m in target.measurements)
    taken = {m.date for m in reported}
    extra = draw(st.lists(st.tuples(st.integers(-400, 3000), st.floats(-1e7, 1e7)), max_size=4))
    made_up = tuple(
        {
            d: Point(d, v, illustrative=True)
            for o, v in extra
            if (d := target.baseline_date + timedelta(days=o)) not in taken
        }.values()
    )
    honest = dataclasses.replace(target, measurements=reported)
    return honest, dataclasses.replace(honest, measurements=reported + made_up), as_of


@given(with_illustrative_figures())
def test_property_illustrative_figures_never_change_reported_indicators(
    case: tuple[TargetInput, TargetInput, date],
) -> None:
    honest, mixed, as_of = case
    assert compute_target(mixed, as_of) == compute_target(honest, as_of)


@given(
    st.lists(with_illustrative_figures(), min_size=1, max_size=5),
    st.lists(st.sampled_from(MILESTONE_CASES), max_size=4),
)
def test_property_illustrative_figures_never_change_a_reported_rollup(
    cases: list[tuple[TargetInput, TargetInput, date]], milestone_cases: list[Any]
) -> None:
    as_of = cases[0][2]
    milestones = [compute_milestone(case[1], as_of) for case in milestone_cases]
    honest = compute_rollup([compute_target(h, as_of) for h, _, _ in cases], milestones, as_of)
    mixed = compute_rollup([compute_target(m, as_of) for _, m, _ in cases], milestones, as_of)
    assert mixed == honest
    # ... while the illustrative basis does see them (its reporting figures stay the reported ones).
    shown = compute_rollup(
        [compute_target(m, as_of, basis=Basis.ILLUSTRATIVE) for _, m, _ in cases], milestones, as_of, Basis.ILLUSTRATIVE
    )
    for name in (
        "reporting_coverage",
        "targets_reporting_overdue",
        "median_reporting_overdue_days",
        "max_reporting_overdue_days",
    ):
        assert getattr(shown, name) == getattr(honest, name), name
