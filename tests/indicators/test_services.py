"""The recompute service: the stored indicators, their roll-ups and replays, in a constant number of queries."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators import compute as indicators
from indicators import selectors as indicator_selectors
from indicators import services as indicator_services
from indicators.models import MilestoneSnapshot, RecomputeRun, RollupSnapshot, TargetSnapshot
from pillars import services
from pillars.models import Measurement, Target, TrajectoryPoint
from tests.factories import (
    HubFactory,
    MeasurementFactory,
    MilestoneFactory,
    TargetFactory,
    TrajectoryPointFactory,
    reported,
)

pytestmark = pytest.mark.django_db

WORKED_EXAMPLE_AS_OF = dt.date(2025, 7, 15)


# --- The stored indicators -------------------------------------------------------------------


def test_recompute_stores_the_worked_example_of_indicators_md():
    measurement = MeasurementFactory()  # 50,000 on 2025-07-01 toward 200,000 by 2025-12-31
    result = indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert result.targets == 1
    snapshot = reported(TargetSnapshot).get(target=measurement.target, as_of=WORKED_EXAMPLE_AS_OF)
    assert snapshot.status == "off_track"
    assert snapshot.progress == pytest.approx(0.25)
    assert snapshot.planned_progress == pytest.approx(0.4973, abs=1e-4)
    assert snapshot.earned_schedule == dt.date(2025, 4, 2)
    assert snapshot.slip_days == 90
    assert snapshot.spi == pytest.approx(91 / 181)
    assert abs((snapshot.forecast_completion - dt.date(2026, 12, 26)).days) <= 1
    assert snapshot.forecast_slip_days == 360
    assert snapshot.required_rate == pytest.approx(150_000 / 169)  # from the as-of date, 169 days left
    assert snapshot.required_rate_per_year == pytest.approx(150_000 / 169 * 365.25)
    assert snapshot.staleness_days == 14
    assert snapshot.stale is False
    assert (snapshot.last_reported_on, snapshot.report_due_on, snapshot.reporting_overdue_days) == (
        dt.date(2025, 7, 1),
        dt.date(2025, 9, 29),
        0,
    )


def test_recompute_stores_milestones_with_their_forecast_for_trend_analysis():
    milestone = MilestoneFactory(forecast_due_date=dt.date(2026, 6, 30))
    indicator_services.indicators_recompute(as_of=dt.date(2025, 12, 6))
    snapshot = reported(MilestoneSnapshot).get(milestone=milestone)
    assert (snapshot.status, snapshot.expected_date, snapshot.slip_days, snapshot.forecast_due_date) == (
        "at_risk",
        dt.date(2026, 6, 30),
        150,
        dt.date(2026, 6, 30),
    )


def _stored() -> tuple[list, list, list]:
    return (
        list(reported(TargetSnapshot).values_list("target_id", "as_of", "status", "slip_days")),
        list(reported(MilestoneSnapshot).values_list("milestone_id", "as_of", "status", "slip_days")),
        list(
            reported(RollupSnapshot)
            .order_by("scope", "scope_key", "window")
            .values_list("scope", "scope_key", "window", "targets", "milestones")
        ),
    )


def test_recomputing_the_same_date_replaces_and_never_duplicates():
    MeasurementFactory()
    MilestoneFactory()
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    first = _stored()
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert _stored() == first
    assert reported(TargetSnapshot).count() == 1
    assert reported(MilestoneSnapshot).count() == 1


def test_replaying_a_past_date_ignores_later_measurements_and_completions():
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    MeasurementFactory(target=target, date=dt.date(2025, 10, 1), value=190_000)
    milestone = MilestoneFactory(completed_on=dt.date(2026, 3, 1))
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert reported(TargetSnapshot).get(target=target).slip_days == 90
    snapshot = reported(MilestoneSnapshot).get(milestone=milestone)
    assert snapshot.status == "on_track"


def test_stored_snapshot_equals_the_pure_computation():
    """Replaying a date from the stored snapshot gives exactly what the pure module computes."""
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 30), value=80_000)
    MeasurementFactory(target=target, date=dt.date(2025, 9, 1), value=120_000)
    as_of = dt.date(2025, 9, 20)
    indicator_services.indicators_recompute(as_of=as_of)
    stored = indicator_selectors.target_indicators_on(as_of=as_of, basis=indicators.Basis.REPORTED)[target.pk]
    computed = indicators.compute_target(
        indicators.TargetInput(
            baseline_date=target.baseline_date,
            baseline_value=target.baseline_value,
            target_date=target.target_date,
            target_value=target.target_value,
            trajectory=(indicators.Point(dt.date(2025, 6, 30), 80_000),),
            measurements=(indicators.Point(dt.date(2025, 9, 1), 120_000),),
        ),
        as_of,
    )
    assert stored == computed


def test_rollups_are_stored_for_the_policy_each_pillar_each_hub_and_the_window():
    hub = HubFactory(slug="lahore")
    late = MeasurementFactory()  # off track
    late.target.hubs.add(hub)
    on_time = MilestoneFactory(pillar=late.target.pillar, baseline_due_date=dt.date(2025, 12, 31))
    MilestoneFactory(pillar=late.target.pillar, baseline_due_date=dt.date(2029, 1, 1))  # outside 2025-2027
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)

    policy = reported(RollupSnapshot).get(scope="policy", window="all")
    assert policy.targets["off_track"] == 1
    assert policy.milestones["on_track"] == 2
    assert policy.on_schedule_share == pytest.approx(2 / 3)
    assert policy.max_slip_days == 90

    windowed = reported(RollupSnapshot).get(scope="policy", window="2025-01-01..2027-12-31")
    assert sum(windowed.milestones.values()) == 1
    pillar = reported(RollupSnapshot).get(scope="pillar", scope_key=on_time.pillar.slug, window="all")
    assert sum(pillar.targets.values()) == 1
    lahore = reported(RollupSnapshot).get(scope="hub", scope_key="lahore", window="all")
    assert lahore.targets["off_track"] == 1
    assert sum(lahore.milestones.values()) == 0


def test_a_full_run_is_recorded():
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert indicator_selectors.latest_full_run_date() == WORKED_EXAMPLE_AS_OF
    assert indicator_selectors.full_run_exists(as_of=WORKED_EXAMPLE_AS_OF)
    assert not indicator_selectors.full_run_exists(as_of=dt.date(2025, 7, 16))


def test_recomputing_items_falls_back_to_a_full_run_when_the_date_has_none():
    MeasurementFactory()
    milestone = MilestoneFactory()
    indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, milestone_ids=[milestone.pk])
    assert reported(TargetSnapshot).filter(as_of=WORKED_EXAMPLE_AS_OF).count() == 1
    assert RecomputeRun.objects.get().scope == "full"

    indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, milestone_ids=[milestone.pk])
    assert list(RecomputeRun.objects.order_by("pk").values_list("scope", flat=True)) == ["full", "items"]
    assert reported(TargetSnapshot).count() == 1
    assert reported(MilestoneSnapshot).count() == 1


def test_an_edited_item_is_recomputed_and_the_rollups_follow():
    measurement = MeasurementFactory()
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert reported(RollupSnapshot).get(scope="policy", window="all").targets["off_track"] == 1

    measurement.value = 99_450.5  # exactly on the planned curve
    services.measurement_save(measurement=measurement)
    indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=[measurement.target_id])
    snapshot = reported(TargetSnapshot).get(target=measurement.target)
    assert (snapshot.status, snapshot.slip_days) == ("on_track", 0)
    assert reported(RollupSnapshot).get(scope="policy", window="all").targets["on_track"] == 1


def test_an_invalid_target_in_the_database_does_not_stop_the_others():
    good = MeasurementFactory()
    bad = TargetFactory()
    TrajectoryPoint.objects.create(target=bad, date=dt.date(2025, 3, 1), value=150_000)
    TrajectoryPoint.objects.create(target=bad, date=dt.date(2025, 6, 1), value=100_000)  # goes backwards
    result = indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert result.invalid_targets == (bad.pk,)
    assert reported(TargetSnapshot).filter(target=good.target).exists()
    assert not reported(TargetSnapshot).filter(target=bad).exists()


def _build(size: int) -> None:
    hubs = [HubFactory() for _ in range(2)]
    for index in range(size):
        target = TargetFactory()
        target.hubs.set(hubs)
        TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 1), value=90_000)
        MeasurementFactory(target=target, date=dt.date(2025, 5, 1), value=10_000 * index)
        MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=10_000 * index + 5)
        milestone = MilestoneFactory(pillar=target.pillar, forecast_due_date=dt.date(2026, 3, 1))
        milestone.hubs.set(hubs)


def _recompute_queries() -> int:
    with CaptureQueriesContext(connection) as queries:
        indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    return len(queries)


def test_a_full_recompute_runs_a_constant_number_of_queries():
    _build(3)
    small = _recompute_queries()
    # Kept small enough that SQLite's limit on query variables (999) never splits a bulk insert in two.
    _build(4)
    large = _recompute_queries()
    assert reported(TargetSnapshot).count() == 7
    assert small == large


def test_an_item_recompute_runs_a_constant_number_of_queries():
    _build(3)
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    ids = list(Target.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as small:
        indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=ids[:1])
    with CaptureQueriesContext(connection) as large:
        indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=ids)
    assert len(small) == len(large)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    values=st.lists(st.integers(min_value=0, max_value=250_000), min_size=1, max_size=5),
    offsets=st.lists(st.integers(min_value=0, max_value=500), min_size=5, max_size=5, unique=True),
    as_of_offset=st.integers(min_value=-10, max_value=600),
)
def test_replaying_any_date_gives_the_stored_snapshot(values, offsets, as_of_offset):
    """Property: whatever the measurements, the stored snapshot of a date is the pure result for that date."""
    target = TargetFactory()
    points = []
    for value, offset in zip(sorted(values), offsets, strict=False):
        day = target.baseline_date + dt.timedelta(days=offset)
        MeasurementFactory(target=target, date=day, value=value)
        points.append(indicators.Point(day, float(value)))
    as_of = target.baseline_date + dt.timedelta(days=as_of_offset)
    try:
        indicator_services.indicators_recompute(as_of=as_of)
        stored = indicator_selectors.target_indicators_on(as_of=as_of, basis=indicators.Basis.REPORTED)[target.pk]
        expected = indicators.compute_target(
            indicators.TargetInput(
                baseline_date=target.baseline_date,
                baseline_value=target.baseline_value,
                target_date=target.target_date,
                target_value=target.target_value,
                measurements=tuple(points),
            ),
            as_of,
        )
        assert stored == expected
    finally:
        reported(TargetSnapshot).all().delete()
        Measurement.objects.all().delete()
        Target.objects.all().delete()


# --- The two bases -----------------------------------------------------------------------------------------

ILLUSTRATIVE = indicators.Basis.ILLUSTRATIVE
REPORTED = indicators.Basis.REPORTED


def _rows(model: type[TargetSnapshot] | type[MilestoneSnapshot] | type[RollupSnapshot]) -> dict[str, int]:
    return {b: model.objects.filter(as_of=WORKED_EXAMPLE_AS_OF, basis=b).count() for b in indicators.Basis}


def test_without_an_illustrative_figure_only_the_reported_basis_is_stored_and_read_for_both() -> None:
    measurement = MeasurementFactory()  # reported: 50,000 on 2025-07-01
    MilestoneFactory()
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)

    assert _rows(TargetSnapshot) == {"reported": 1, "illustrative": 0}
    assert _rows(MilestoneSnapshot) == {"reported": 1, "illustrative": 0}
    assert _rows(RollupSnapshot)["illustrative"] == 0
    assert RecomputeRun.objects.get().illustrative is False
    # Asked for the illustrative basis, the reported rows answer, under the basis asked for.
    shown = indicator_selectors.target_indicators_on(as_of=WORKED_EXAMPLE_AS_OF, basis=ILLUSTRATIVE)
    stored = indicator_selectors.target_indicators_on(as_of=WORKED_EXAMPLE_AS_OF, basis=REPORTED)
    assert shown[measurement.target_id].basis is ILLUSTRATIVE
    assert shown[measurement.target_id] == dataclasses.replace(stored[measurement.target_id], basis=ILLUSTRATIVE)
    rollup = indicator_selectors.rollups_on(as_of=WORKED_EXAMPLE_AS_OF, basis=ILLUSTRATIVE)[("policy", "")]
    assert rollup.basis is ILLUSTRATIVE
    assert rollup.targets["off_track"] == 1
    listed = indicator_selectors.target_list(
        queryset=Target.objects.all(), as_of=WORKED_EXAMPLE_AS_OF, basis=ILLUSTRATIVE
    )[:]
    assert listed[0].indicators.basis == ILLUSTRATIVE
    assert listed[0].indicators.slip_days == 90
    history = list(indicator_selectors.target_history(target_id=measurement.target_id, basis=ILLUSTRATIVE))
    assert [(h.as_of, h.basis) for h in history] == [(WORKED_EXAMPLE_AS_OF, "reported")]


def test_with_an_illustrative_figure_both_bases_are_stored_and_differ_only_where_it_counts() -> None:
    real = MeasurementFactory(value=50_000)
    made_up = MeasurementFactory(illustrative=True, value=100_000)  # on another target
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)

    assert _rows(TargetSnapshot) == {"reported": 2, "illustrative": 2}
    assert RecomputeRun.objects.get().illustrative is True
    on = {b: indicator_selectors.target_indicators_on(as_of=WORKED_EXAMPLE_AS_OF, basis=b) for b in indicators.Basis}
    assert on[REPORTED][made_up.target_id].status == "no_data"
    assert on[ILLUSTRATIVE][made_up.target_id].status == "on_track"
    assert on[ILLUSTRATIVE][made_up.target_id].last_reported_on is None  # reporting never counts it
    assert on[ILLUSTRATIVE][real.target_id] == dataclasses.replace(on[REPORTED][real.target_id], basis=ILLUSTRATIVE)
    policy = {b: indicator_selectors.rollups_on(as_of=WORKED_EXAMPLE_AS_OF, basis=b)[("policy", "")] for b in on}
    assert policy[REPORTED].targets["no_data"] == 1
    assert policy[ILLUSTRATIVE].targets["no_data"] == 0
    assert policy[REPORTED].reporting_coverage == policy[ILLUSTRATIVE].reporting_coverage == 0.5


def test_the_first_illustrative_figure_of_a_day_recomputes_every_item() -> None:
    first, second = TargetFactory(), TargetFactory()
    MeasurementFactory(target=first)
    indicator_services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert _rows(TargetSnapshot) == {"reported": 2, "illustrative": 0}

    MeasurementFactory(target=second, illustrative=True, value=100_000)
    result = indicator_services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=[second.pk])

    # Every target gets its illustrative row, not only the edited one, so that every read of the basis works.
    assert result.targets == 2
    assert _rows(TargetSnapshot) == {"reported": 2, "illustrative": 2}
    latest = RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL).order_by("-finished_at").first()
    assert latest is not None and latest.illustrative is True
    shown = indicator_selectors.target_indicators_on(as_of=WORKED_EXAMPLE_AS_OF, basis=ILLUSTRATIVE)
    assert shown[second.pk].status == "on_track"


def test_a_withdrawn_figure_stops_counting_from_its_withdrawal_date() -> None:
    measurement = MeasurementFactory()  # 50,000 on 2025-07-01
    services.measurement_withdraw(
        measurement=measurement, reason="Counted enrolments, not graduates.", today=dt.date(2025, 7, 10)
    )
    before = indicator_selectors.compute_target_indicators(
        as_of=dt.date(2025, 7, 9), basis=REPORTED, target_ids=[measurement.target_id]
    )
    after = indicator_selectors.compute_target_indicators(
        as_of=WORKED_EXAMPLE_AS_OF, basis=REPORTED, target_ids=[measurement.target_id]
    )
    assert before[measurement.target_id].actual_value == 50_000  # a replay of an earlier date still counts it
    assert after[measurement.target_id].status == "no_data"
    assert after[measurement.target_id].last_reported_on is None
    assert Measurement.objects.filter(pk=measurement.pk).exists()
