"""The write services: validation with clear messages, and history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from hubs.models import Hub
from pillars import services
from pillars.models import Measurement, Milestone, Target, TrajectoryPoint
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
