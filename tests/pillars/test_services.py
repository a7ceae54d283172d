"""The write services: validation with clear messages, history, and the stored indicators."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubs.models import Hub
from pillars import indicators, selectors, services
from pillars.models import (
    Measurement,
    Milestone,
    MilestoneSnapshot,
    RecomputeRun,
    RollupSnapshot,
    Target,
    TargetSnapshot,
    TrajectoryPoint,
)
from tests.factories import (
    EditorFactory,
    HubFactory,
    MeasurementFactory,
    MilestoneFactory,
    PillarFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

pytestmark = pytest.mark.django_db

WORKED_EXAMPLE_AS_OF = dt.date(2025, 7, 15)


def _target_counts() -> tuple[int, int, int]:
    return Target.objects.count(), TrajectoryPoint.objects.count(), Measurement.objects.count()


# --- Validation: each rule refuses bad input with its message and writes nothing ---------------


def test_target_value_equal_to_baseline_is_refused():
    target = TargetFactory.build(pillar=PillarFactory(), target_value=0.0)
    target.policy = target.pillar.policy
    before = _target_counts()
    with pytest.raises(ValidationError) as excinfo:
        services.target_save(target=target)
    assert "must differ from the baseline value" in str(excinfo.value.message_dict["target_value"])
    assert _target_counts() == before


def test_deadline_before_baseline_is_refused():
    target = TargetFactory.build(pillar=PillarFactory(), target_date=dt.date(2024, 12, 31))
    target.policy = target.pillar.policy
    with pytest.raises(ValidationError) as excinfo:
        services.target_save(target=target)
    assert "must come after the baseline date" in str(excinfo.value.message_dict["target_date"])
    assert not Target.objects.exists()


def test_trajectory_going_backwards_is_refused_and_nothing_is_written():
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 4, 1), value=50_000)
    with pytest.raises(ValidationError) as excinfo:
        services.target_save(
            target=target,
            trajectory=[(dt.date(2025, 4, 1), 120_000.0), (dt.date(2025, 8, 1), 100_000.0)],
        )
    messages = " ".join(excinfo.value.message_dict["trajectory"])
    assert "the interim value 100,000 on 2025-08-01 is lower than the interim value 120,000" in messages
    assert list(target.trajectory_points.values_list("value", flat=True)) == [50_000]


def test_trajectory_point_outside_the_baseline_and_deadline_is_refused():
    target = TargetFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.target_save(target=target, trajectory=[(dt.date(2026, 3, 1), 150_000.0)])
    assert excinfo.value.message_dict["trajectory"]
    assert not target.trajectory_points.exists()


def test_valid_trajectory_is_stored_in_date_order():
    target = TargetFactory()
    services.target_save(target=target, trajectory=[(dt.date(2025, 9, 1), 150_000.0), (dt.date(2025, 4, 1), 50_000.0)])
    assert list(target.trajectory_points.order_by("date").values_list("date", "value")) == [
        (dt.date(2025, 4, 1), 50_000.0),
        (dt.date(2025, 9, 1), 150_000.0),
    ]
    services.target_save(target=target, trajectory=[(dt.date(2025, 9, 1), 160_000.0)])
    assert list(target.trajectory_points.values_list("date", "value")) == [(dt.date(2025, 9, 1), 160_000.0)]


def test_measurement_before_the_baseline_date_is_refused():
    target = TargetFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_create(target=target, date=dt.date(2024, 12, 31), value=10.0)
    assert "before the target's baseline date (2025-01-01)" in excinfo.value.message_dict["date"][0]
    assert not Measurement.objects.exists()


def test_negative_measurement_is_refused_where_the_unit_forbids_it():
    target = TargetFactory(unit="people")
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_create(target=target, date=dt.date(2025, 3, 1), value=-5.0)
    assert excinfo.value.message_dict["value"] == ["People cannot be negative."]
    assert not Measurement.objects.exists()


def test_negative_measurement_is_accepted_where_the_unit_allows_it():
    target = TargetFactory(unit="net change", value_can_be_negative=True, baseline_value=-10.0, target_value=10.0)
    services.measurement_create(target=target, date=dt.date(2025, 3, 1), value=-5.0)
    assert Measurement.objects.get().value == -5.0


def test_second_measurement_on_the_same_date_is_refused_with_a_clear_message():
    measurement = MeasurementFactory()
    with pytest.raises(ValidationError) as excinfo:
        services.measurement_create(target=measurement.target, date=measurement.date, value=60_000.0)
    assert "already has a figure dated 2025-07-01" in excinfo.value.message_dict["date"][0]
    assert Measurement.objects.count() == 1


def test_completion_before_the_milestone_existed_is_refused():
    milestone = MilestoneFactory()
    milestone.completed_on = dt.date(2025, 7, 1)
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(milestone=milestone)
    assert "before it was announced (2025-07-30)" in excinfo.value.message_dict["completed_on"][0]
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_completed_and_cancelled_together_is_refused():
    milestone = MilestoneFactory()
    milestone.completed_on = dt.date(2026, 1, 1)
    milestone.cancelled = True
    with pytest.raises(ValidationError) as excinfo:
        services.milestone_save(milestone=milestone)
    assert "cannot also be cancelled" in str(excinfo.value.message_dict["cancelled"])


@pytest.mark.parametrize(("field", "value"), [("latitude", 95.0), ("latitude", -91.0), ("longitude", 181.0)])
def test_hub_coordinates_out_of_range_are_refused(field, value):
    hub = HubFactory.build(**{field: value})
    with pytest.raises(ValidationError) as excinfo:
        hub.full_clean()
    assert "must be between" in excinfo.value.message_dict[field][0]


def test_database_constraints_back_the_rules_that_must_never_break():
    from django.db import IntegrityError, transaction

    target = TargetFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Target.objects.filter(pk=target.pk).update(target_value=0.0)
    hub = HubFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Hub.objects.filter(pk=hub.pk).update(latitude=100)
    milestone = MilestoneFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Milestone.objects.filter(pk=milestone.pk).update(completed_on=dt.date(2020, 1, 1))


# --- History ------------------------------------------------------------------------------------


def test_history_records_who_changed_what_and_why():
    editor = EditorFactory()
    target = TargetFactory()
    target.title = "People trained in AI"
    services.target_save(target=target, user=editor, reason="Title as in the policy text")
    record = target.history.first()
    assert record.history_user == editor
    assert record.history_change_reason == "Title as in the policy text"
    assert record.title == "People trained in AI"

    measurement = services.measurement_create(target=target, date=dt.date(2025, 3, 1), value=10.0, user=editor)
    assert measurement.entered_by == editor
    assert measurement.history.first().history_user == editor


# --- The stored indicators -------------------------------------------------------------------


def test_recompute_stores_the_worked_example_of_indicators_md():
    measurement = MeasurementFactory()  # 50,000 on 2025-07-01 toward 200,000 by 2025-12-31
    result = services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert result.targets == 1
    snapshot = TargetSnapshot.objects.get(target=measurement.target, as_of=WORKED_EXAMPLE_AS_OF)
    assert snapshot.status == "off_track"
    assert snapshot.progress == pytest.approx(0.25)
    assert snapshot.planned_progress == pytest.approx(0.4973, abs=1e-4)
    assert snapshot.earned_schedule == dt.date(2025, 4, 2)
    assert snapshot.slip_days == 90
    assert snapshot.spi == pytest.approx(91 / 181)
    assert abs((snapshot.forecast_completion - dt.date(2026, 12, 26)).days) <= 1
    assert snapshot.forecast_slip_days == 360
    assert snapshot.required_rate == pytest.approx(150_000 / 183)
    assert snapshot.required_rate_per_year == pytest.approx(150_000 / 183 * 365.25)
    assert snapshot.staleness_days == 14
    assert snapshot.stale is False


def test_recompute_stores_milestones_with_their_forecast_for_trend_analysis():
    milestone = MilestoneFactory(forecast_due_date=dt.date(2026, 6, 30))
    services.indicators_recompute(as_of=dt.date(2025, 12, 6))
    snapshot = MilestoneSnapshot.objects.get(milestone=milestone)
    assert (snapshot.status, snapshot.expected_date, snapshot.slip_days, snapshot.forecast_due_date) == (
        "at_risk",
        dt.date(2026, 6, 30),
        150,
        dt.date(2026, 6, 30),
    )


def _stored() -> tuple[list, list, list]:
    return (
        list(TargetSnapshot.objects.values_list("target_id", "as_of", "status", "slip_days")),
        list(MilestoneSnapshot.objects.values_list("milestone_id", "as_of", "status", "slip_days")),
        list(
            RollupSnapshot.objects.order_by("scope", "scope_key", "window").values_list(
                "scope", "scope_key", "window", "targets", "milestones"
            )
        ),
    )


def test_recomputing_the_same_date_replaces_and_never_duplicates():
    MeasurementFactory()
    MilestoneFactory()
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    first = _stored()
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert _stored() == first
    assert TargetSnapshot.objects.count() == 1
    assert MilestoneSnapshot.objects.count() == 1


def test_replaying_a_past_date_ignores_later_measurements_and_completions():
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    MeasurementFactory(target=target, date=dt.date(2025, 10, 1), value=190_000)
    milestone = MilestoneFactory(completed_on=dt.date(2026, 3, 1))
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert TargetSnapshot.objects.get(target=target).slip_days == 90
    snapshot = MilestoneSnapshot.objects.get(milestone=milestone)
    assert snapshot.status == "on_track"


def test_stored_snapshot_equals_the_pure_computation():
    """Replaying a date from the stored snapshot gives exactly what the pure module computes."""
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 30), value=80_000)
    MeasurementFactory(target=target, date=dt.date(2025, 9, 1), value=120_000)
    as_of = dt.date(2025, 9, 20)
    services.indicators_recompute(as_of=as_of)
    stored = selectors.target_indicators_on(as_of=as_of)[target.pk]
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
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)

    policy = RollupSnapshot.objects.get(scope="policy", window="all")
    assert policy.targets["off_track"] == 1
    assert policy.milestones["on_track"] == 2
    assert policy.on_schedule_share == pytest.approx(2 / 3)
    assert policy.max_slip_days == 90

    windowed = RollupSnapshot.objects.get(scope="policy", window="2025-01-01..2027-12-31")
    assert sum(windowed.milestones.values()) == 1
    pillar = RollupSnapshot.objects.get(scope="pillar", scope_key=on_time.pillar.slug, window="all")
    assert sum(pillar.targets.values()) == 1
    lahore = RollupSnapshot.objects.get(scope="hub", scope_key="lahore", window="all")
    assert lahore.targets["off_track"] == 1
    assert sum(lahore.milestones.values()) == 0


def test_a_full_run_is_recorded():
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert selectors.latest_full_run_date() == WORKED_EXAMPLE_AS_OF
    assert selectors.full_run_exists(as_of=WORKED_EXAMPLE_AS_OF)
    assert not selectors.full_run_exists(as_of=dt.date(2025, 7, 16))


def test_recomputing_items_falls_back_to_a_full_run_when_the_date_has_none():
    MeasurementFactory()
    milestone = MilestoneFactory()
    services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, milestone_ids=[milestone.pk])
    assert TargetSnapshot.objects.filter(as_of=WORKED_EXAMPLE_AS_OF).count() == 1
    assert RecomputeRun.objects.get().scope == "full"

    services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, milestone_ids=[milestone.pk])
    assert list(RecomputeRun.objects.order_by("pk").values_list("scope", flat=True)) == ["full", "items"]
    assert TargetSnapshot.objects.count() == 1
    assert MilestoneSnapshot.objects.count() == 1


def test_an_edited_item_is_recomputed_and_the_rollups_follow():
    measurement = MeasurementFactory()
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert RollupSnapshot.objects.get(scope="policy", window="all").targets["off_track"] == 1

    measurement.value = 99_450.5  # exactly on the planned curve
    services.measurement_save(measurement=measurement)
    services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=[measurement.target_id])
    snapshot = TargetSnapshot.objects.get(target=measurement.target)
    assert (snapshot.status, snapshot.slip_days) == ("on_track", 0)
    assert RollupSnapshot.objects.get(scope="policy", window="all").targets["on_track"] == 1


def test_an_invalid_target_in_the_database_does_not_stop_the_others():
    good = MeasurementFactory()
    bad = TargetFactory()
    TrajectoryPoint.objects.create(target=bad, date=dt.date(2025, 3, 1), value=150_000)
    TrajectoryPoint.objects.create(target=bad, date=dt.date(2025, 6, 1), value=100_000)  # goes backwards
    result = services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    assert result.invalid_targets == (bad.pk,)
    assert TargetSnapshot.objects.filter(target=good.target).exists()
    assert not TargetSnapshot.objects.filter(target=bad).exists()


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
        services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    return len(queries)


def test_a_full_recompute_runs_a_constant_number_of_queries():
    _build(3)
    small = _recompute_queries()
    _build(12)
    large = _recompute_queries()
    assert TargetSnapshot.objects.count() == 15
    assert small == large


def test_an_item_recompute_runs_a_constant_number_of_queries():
    _build(3)
    services.indicators_recompute(as_of=WORKED_EXAMPLE_AS_OF)
    ids = list(Target.objects.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as small:
        services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=ids[:1])
    with CaptureQueriesContext(connection) as large:
        services.indicators_recompute_items(as_of=WORKED_EXAMPLE_AS_OF, target_ids=ids)
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
        services.indicators_recompute(as_of=as_of)
        stored = selectors.target_indicators_on(as_of=as_of)[target.pk]
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
        TargetSnapshot.objects.all().delete()
        Measurement.objects.all().delete()
        Target.objects.all().delete()
