"""`manage.py recompute_indicators`: one date, a back-filled range, and clear errors."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from indicators.models import RecomputeRun, TargetSnapshot
from tests.factories import MeasurementFactory, reported

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("recompute_indicators", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_one_date_fills_the_snapshots_of_the_worked_example():
    measurement = MeasurementFactory()
    output = _run("--as-of", "2025-07-15")
    snapshot = reported(TargetSnapshot).get(target=measurement.target, as_of=dt.date(2025, 7, 15))
    assert (snapshot.status, snapshot.slip_days, snapshot.forecast_slip_days) == ("off_track", 90, 360)
    assert "2025-07-15: 1 targets (1 off_track)" in output
    assert "Recomputed 1 date(s)" in output


def test_a_range_back_fills_history_every_week():
    MeasurementFactory()
    output = _run("--from", "2025-07-01", "--to", "2025-07-29", "--every", "week")
    dates = sorted(reported(TargetSnapshot).values_list("as_of", flat=True))
    assert dates == [dt.date(2025, 7, d) for d in (1, 8, 15, 22, 29)]
    assert RecomputeRun.objects.filter(scope="full").count() == 5
    assert "Recomputed 5 date(s)" in output


def test_a_monthly_range_steps_by_calendar_month():
    MeasurementFactory()
    _run("--from", "2025-01-31", "--to", "2025-04-30", "--every", "month")
    assert sorted(reported(TargetSnapshot).values_list("as_of", flat=True)) == [
        dt.date(2025, 1, 31),
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
    ]


def test_without_a_date_it_recomputes_today_in_karachi(settings):
    MeasurementFactory()
    _run()
    from django.utils import timezone

    assert reported(TargetSnapshot).get().as_of == timezone.localdate()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "15/07/2025"], "is not a date"),
        (["--as-of", "2025-07-15", "--from", "2025-07-01"], "not both"),
        (["--to", "2025-07-01"], "--to needs --from"),
        (["--from", "2025-07-10", "--to", "2025-07-01"], "comes before"),
    ],
)
def test_bad_arguments_are_refused_and_write_nothing(args, message):
    MeasurementFactory()
    with pytest.raises(CommandError, match=message):
        call_command("recompute_indicators", *args, stdout=StringIO(), stderr=StringIO())
    assert not reported(TargetSnapshot).exists()
