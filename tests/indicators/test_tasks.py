"""The Celery tasks, and how an edit schedules them.

Four levels, from no services at all to real worker processes:

1. Eager (as in the test settings): the tasks are thin wrappers over the
   recompute services, declared for at-least-once delivery, and the nightly
   run is in the beat schedule.
2. Scheduling: an edit enqueues exactly one recompute once its transaction
   commits, nothing when it rolls back, and a broker failure keeps the edit.
3. An unreachable broker (a closed port, or one that never answers) never
   makes an edit hang: it saves and returns in well under 3 seconds.
4. Real `celery worker` processes on Redis and PostgreSQL run the nightly
   recompute, the per-edit recompute and the parallel split end to end
   (marked `postgres` and `redis`).
"""

from __future__ import annotations

import contextlib
import logging
import re
import signal
import socket
import time
from collections.abc import Iterator
from datetime import date
from unittest import mock

import kombu.exceptions
import pytest
from celery.schedules import crontab
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Count, Max
from django.utils import timezone

from hubs.models import Hub
from indicators import compute, tasks
from indicators import services as indicator_services
from indicators.models import MilestoneSnapshot, PendingRecompute, RecomputeRun, RollupSnapshot, TargetSnapshot
from pillars import services
from pillars.models import Measurement, Milestone, Pillar, Target
from policy_portal.celery import app as celery_app
from tests.factories import HubFactory, MeasurementFactory, MilestoneFactory, PillarFactory, TargetFactory, reported
from tests.postgres import other_connection

from .conftest import CeleryWorkers, Worker, celery_configured, worker_env

AS_OF = "2025-07-15"
AS_OF_DATE = date(2025, 7, 15)
# Every task and whether it retries transient database errors itself.
TASKS = [
    (tasks.recompute_all, True),
    (tasks.recompute_items, True),
    (tasks.recompute_chunk, True),
    (tasks.recompute_rollups, True),
    (tasks.recompute_all_parallel, True),
    (tasks.drain_pending, True),
]


def _runs(scope: str | None = None) -> list[RecomputeRun]:
    runs = RecomputeRun.objects.filter(as_of=AS_OF_DATE).order_by("finished_at", "pk")
    return list(runs.filter(scope=scope) if scope else runs)


# --- 1. The tasks, run eagerly -----------------------------------------------------------


@pytest.mark.django_db
def test_recompute_all_writes_the_worked_example() -> None:
    """TargetFactory + MeasurementFactory are the worked example of indicators.md: 90 days late, off track."""
    target = MeasurementFactory().target

    summary = tasks.recompute_all.delay(AS_OF).get()

    snapshot = reported(TargetSnapshot).get(target=target, as_of=AS_OF_DATE)
    assert snapshot.slip_days == 90
    assert snapshot.status == "off_track"
    assert snapshot.actual_value == 50_000
    assert summary["as_of"] == AS_OF
    assert summary["targets"] == 1
    assert summary["milestones"] == 0
    assert summary["rollups"] == RollupSnapshot.objects.filter(as_of=AS_OF_DATE).count() > 0  # on both bases
    assert summary["invalid_targets"] == []
    [run] = _runs()
    assert run.scope == RecomputeRun.Scope.FULL
    assert run.target_count == 1


@pytest.mark.django_db
def test_recompute_all_defaults_to_today_in_the_policy_time_zone() -> None:
    MeasurementFactory()

    summary = tasks.recompute_all.delay().get()

    assert summary["as_of"] == timezone.localdate().isoformat()
    assert reported(TargetSnapshot).filter(as_of=timezone.localdate()).count() == 1


@pytest.mark.django_db
def test_recompute_items_without_a_full_run_does_a_full_run() -> None:
    """The roll-ups need every item of the date, so the first edit of a day recomputes everything."""
    first, second = MeasurementFactory(), MeasurementFactory()
    milestone = MilestoneFactory()

    summary = tasks.recompute_items.delay(target_ids=[first.target_id], as_of=AS_OF).get()

    [run] = _runs()
    assert run.scope == RecomputeRun.Scope.FULL
    assert (run.target_count, run.milestone_count) == (2, 1)
    assert (summary["targets"], summary["milestones"]) == (2, 1)
    assert set(reported(TargetSnapshot).filter(as_of=AS_OF_DATE).values_list("target_id", flat=True)) == {
        first.target_id,
        second.target_id,
    }
    assert reported(MilestoneSnapshot).filter(milestone=milestone, as_of=AS_OF_DATE).exists()


@pytest.mark.django_db
def test_recompute_items_after_a_full_run_recomputes_only_the_given_ids() -> None:
    first, second = MeasurementFactory(), MeasurementFactory()
    touched, untouched = MilestoneFactory(), MilestoneFactory()
    tasks.recompute_all.delay(AS_OF).get()
    # Both targets change behind the recompute's back; only the first is sent.
    Measurement.objects.update(value=100_000.0)
    Milestone.objects.update(forecast_due_date=date(2026, 6, 30))

    summary = tasks.recompute_items.delay(target_ids=[first.target_id], milestone_ids=[touched.pk], as_of=AS_OF).get()

    full, items = _runs()
    assert full.scope == RecomputeRun.Scope.FULL
    assert items.scope == RecomputeRun.Scope.ITEMS
    assert (items.target_count, items.milestone_count) == (1, 1)
    assert (summary["targets"], summary["milestones"]) == (1, 1)
    assert reported(TargetSnapshot).get(target_id=first.target_id, as_of=AS_OF_DATE).actual_value == 100_000
    assert reported(TargetSnapshot).get(target_id=second.target_id, as_of=AS_OF_DATE).actual_value == 50_000
    assert reported(MilestoneSnapshot).get(milestone=touched, as_of=AS_OF_DATE).forecast_due_date == date(2026, 6, 30)
    assert reported(MilestoneSnapshot).get(milestone=untouched, as_of=AS_OF_DATE).forecast_due_date is None
    assert reported(TargetSnapshot).filter(as_of=AS_OF_DATE).count() == 2  # replaced, never duplicated


@pytest.mark.django_db
def test_parallel_recompute_covers_every_item_once_then_rolls_up() -> None:
    """Eagerly, the chord runs in-process: each chunk writes its id range, the callback rolls up and records the run."""
    measurements = MeasurementFactory.create_batch(5)
    milestones = MilestoneFactory.create_batch(3)

    chord_id = tasks.recompute_all_parallel.delay(AS_OF, chunk_size=2).get()

    assert isinstance(chord_id, str)
    stored_targets = reported(TargetSnapshot).filter(as_of=AS_OF_DATE).values_list("target_id", flat=True)
    assert sorted(stored_targets) == sorted(m.target_id for m in measurements)
    assert sorted(
        reported(MilestoneSnapshot).filter(as_of=AS_OF_DATE).values_list("milestone_id", flat=True)
    ) == sorted(m.pk for m in milestones)
    [run] = _runs()
    assert run.scope == RecomputeRun.Scope.FULL
    assert (run.target_count, run.milestone_count) == (5, 3)
    assert reported(RollupSnapshot).filter(as_of=AS_OF_DATE, scope="policy", scope_key="", window="all").exists()


@pytest.mark.django_db
def test_a_chunk_recomputes_its_id_range_only_and_records_no_run() -> None:
    targets = [m.target for m in MeasurementFactory.create_batch(3)]
    start, end = targets[0].pk, targets[1].pk + 1

    summary = tasks.recompute_chunk.delay(AS_OF, start, end).get()

    assert summary["targets"] == 2
    assert set(reported(TargetSnapshot).values_list("target_id", flat=True)) == {targets[0].pk, targets[1].pk}
    assert not reported(RollupSnapshot).exists()
    assert _runs() == []


@pytest.mark.django_db
def test_parallel_recompute_with_nothing_to_do_still_records_the_run() -> None:
    tasks.recompute_all_parallel.delay(AS_OF).get()

    [run] = _runs()
    assert (run.scope, run.target_count, run.milestone_count) == (RecomputeRun.Scope.FULL, 0, 0)


def test_the_beat_schedule_runs_recompute_all_nightly() -> None:
    nightly = [entry for entry in celery_app.conf.beat_schedule.values() if entry["task"] == "indicators.recompute_all"]
    assert len(nightly) == 1
    assert nightly[0]["schedule"] == crontab(hour=0, minute=30)
    assert celery_app.conf.timezone == django_settings.TIME_ZONE == "Asia/Karachi"
    assert "indicators.recompute_all" in celery_app.tasks


@pytest.mark.parametrize(("task", "retries"), TASKS, ids=[task.name for task, _ in TASKS])
def test_tasks_are_declared_for_at_least_once_delivery(task, retries: bool) -> None:  # type: ignore[no-untyped-def]
    assert task.name in celery_app.tasks
    assert task.acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    if retries:
        assert OperationalError in task.autoretry_for
        assert InterfaceError in task.autoretry_for
        assert task.retry_backoff
        assert 0 < task.max_retries < 20  # bounded: a broken database does not retry forever


@pytest.mark.django_db
def test_a_transient_database_error_is_retried() -> None:
    """`autoretry_for` in action: applied in-process, Celery re-runs the retried task at once and it succeeds."""
    MeasurementFactory()
    real = indicator_services.indicators_recompute
    attempts = [OperationalError("server closed the connection unexpectedly")]

    def flaky(**kwargs):  # type: ignore[no-untyped-def]
        if attempts:
            raise attempts.pop()
        return real(**kwargs)

    with mock.patch.object(indicator_services, "indicators_recompute", side_effect=flaky) as recompute:
        # throw=False: as in a worker, the retry is handled rather than raised to the caller.
        result = tasks.recompute_all.apply((AS_OF,), throw=False)

    assert recompute.call_count == 2
    assert result.successful()
    summary = result.get()
    assert summary["targets"] == 1


def test_the_app_reads_the_fail_fast_broker_settings() -> None:
    """The settings that keep a web request from hanging reach the Celery app under the names Celery reads."""
    conf = celery_app.conf
    assert conf.broker_connection_timeout == django_settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 1
    assert conf.broker_transport_options == django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    assert conf.broker_transport_options["max_retries"] == 0
    assert conf.task_publish_retry is False
    assert conf.task_acks_late is True
    assert conf.worker_prefetch_multiplier == 1


# --- 2. An edit schedules one recompute after commit --------------------------------------


@pytest.fixture
def delay() -> Iterator[mock.MagicMock]:
    """The enqueueing of `recompute_items`, replaced by a mock."""
    with mock.patch.object(tasks.recompute_items, "delay") as delay:
        yield delay


def _measure(target: Target, day: date = date(2025, 7, 1), value: float = 50_000.0) -> Measurement:
    return services.measurement_create(target=target, date=day, value=value)


@pytest.mark.django_db
def test_an_edit_enqueues_one_recompute_after_commit(delay, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    target = TargetFactory()

    with django_capture_on_commit_callbacks(execute=True):
        _measure(target)
        delay.assert_not_called()  # not before the commit

    # (Other on-commit hooks, such as the API's cache token, may run too: only the enqueueing counts.)
    delay.assert_called_once_with(target_ids=[target.pk], milestone_ids=[], pending_ids=mock.ANY)
    [pending] = PendingRecompute.objects.values_list("pk", "kind", "item_id", "as_of")
    assert pending == (pending[0], "target", target.pk, timezone.localdate())
    assert delay.call_args.kwargs["pending_ids"] == [pending[0]]


@pytest.mark.django_db
def test_edits_in_one_transaction_enqueue_one_recompute(delay, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    first, second = TargetFactory(), TargetFactory()
    milestone = MilestoneFactory()

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _measure(second)
        _measure(first)
        _measure(first, date(2025, 8, 1), 60_000.0)
        milestone.title = "Renamed"
        services.milestone_save(milestone=milestone)

    delay.assert_called_once_with(
        target_ids=sorted([first.pk, second.pk]), milestone_ids=[milestone.pk], pending_ids=mock.ANY
    )
    # One outbox row per item, however many writes touched it.
    assert sorted(PendingRecompute.objects.values_list("kind", "item_id")) == sorted(
        [("target", first.pk), ("target", second.pk), ("milestone", milestone.pk)]
    )
    assert sorted(delay.call_args.kwargs["pending_ids"]) == sorted(
        PendingRecompute.objects.values_list("pk", flat=True)
    )


@pytest.mark.django_db
def test_a_rolled_back_edit_enqueues_nothing(delay, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    target = TargetFactory()

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _measure(target)
        raise RuntimeError("the rest of the import failed")

    delay.assert_not_called()
    assert not Measurement.objects.exists()
    assert not PendingRecompute.objects.exists()  # the outbox row rolled back with the edit


@pytest.mark.django_db
def test_a_refused_edit_enqueues_nothing(delay, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    target = TargetFactory()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        _measure(target, date(2024, 12, 31))  # before the baseline

    delay.assert_not_called()


@pytest.mark.django_db
def test_a_broker_failure_keeps_the_edit_and_logs_a_warning(delay, django_capture_on_commit_callbacks, caplog) -> None:  # type: ignore[no-untyped-def]
    delay.side_effect = kombu.exceptions.OperationalError("Error 111 connecting to redis:6379. Connection refused.")
    target = TargetFactory()

    with (
        caplog.at_level(logging.WARNING, logger="indicators.scheduling"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        measurement = _measure(target)

    delay.assert_called_once()
    assert Measurement.objects.get(pk=measurement.pk).value == 50_000
    # The recompute is not lost: it waits in the outbox, committed with the edit.
    assert list(PendingRecompute.objects.values_list("kind", "item_id")) == [("target", target.pk)]
    [record] = [r for r in caplog.records if r.name == "indicators.scheduling"]
    assert record.levelno == logging.WARNING
    assert "Could not enqueue the recompute of 1 targets and 0 milestones" in record.getMessage()
    assert "outbox" in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is kombu.exceptions.OperationalError


# --- 2b. The outbox: what the broker never got is done by the periodic drain ------------------


@pytest.mark.django_db
def test_the_task_an_edit_sends_recomputes_its_items_and_empties_the_outbox(django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    target = TargetFactory()

    with django_capture_on_commit_callbacks(execute=True):  # eager, as in `make run`
        _measure(target)

    assert reported(TargetSnapshot).get(target=target, as_of=timezone.localdate()).actual_value == 50_000
    assert not PendingRecompute.objects.exists()


@pytest.fixture
def broker_down(delay: mock.MagicMock) -> mock.MagicMock:
    """Every enqueueing fails as it does with Redis stopped; the edits still commit (their outbox rows too)."""
    delay.side_effect = kombu.exceptions.OperationalError("Error 111 connecting to redis:6379. Connection refused.")
    return delay


@pytest.mark.django_db
def test_the_drain_does_the_recomputes_the_broker_never_got(
    broker_down, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.INDICATORS_OUTBOX_DRAIN_SECONDS = 0
    target = TargetFactory()
    milestone = MilestoneFactory()
    with django_capture_on_commit_callbacks(execute=True):
        _measure(target)
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_save(milestone=milestone)
    assert PendingRecompute.objects.count() == 2
    assert not TargetSnapshot.objects.exists()  # nothing ran

    summary = tasks.drain_pending()

    today = timezone.localdate()
    assert summary["rows"] == 2 and summary["dates"] == [today.isoformat()]
    assert reported(TargetSnapshot).get(target=target, as_of=today).actual_value == 50_000
    assert reported(MilestoneSnapshot).filter(milestone=milestone, as_of=today).exists()
    assert not PendingRecompute.objects.exists()
    assert tasks.drain_pending()["rows"] == 0  # nothing twice


@pytest.mark.django_db
def test_the_drain_leaves_the_newest_rows_to_the_task_their_edit_sent(
    broker_down, django_capture_on_commit_callbacks, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.INDICATORS_OUTBOX_DRAIN_SECONDS = 3600
    with django_capture_on_commit_callbacks(execute=True):
        _measure(TargetFactory())

    assert tasks.drain_pending()["rows"] == 0
    assert PendingRecompute.objects.count() == 1


@pytest.mark.django_db
def test_an_edit_of_an_earlier_day_is_recomputed_for_that_day_and_for_today() -> None:
    target = MeasurementFactory(date=date(2025, 7, 1), value=50_000).target
    edit_day, today = date(2026, 3, 1), date(2026, 3, 3)
    PendingRecompute.objects.create(kind="target", item_id=target.pk, as_of=edit_day)

    result = indicator_services.indicators_recompute_pending(today=today)

    assert result.dates == (edit_day, today)
    assert set(reported(TargetSnapshot).filter(target=target).values_list("as_of", flat=True)) == {edit_day, today}
    assert not PendingRecompute.objects.exists()


@pytest.mark.django_db
def test_the_task_an_edit_sent_finds_nothing_to_do_once_the_drain_did_it() -> None:
    target = TargetFactory()
    row = PendingRecompute.objects.create(kind="target", item_id=target.pk, as_of=timezone.localdate())
    indicator_services.indicators_recompute_pending()
    runs = RecomputeRun.objects.count()

    assert tasks.recompute_items(target_ids=[target.pk], milestone_ids=[], pending_ids=[row.pk])["rows"] == 0
    assert RecomputeRun.objects.count() == runs  # no second recompute


@pytest.mark.django_db
def test_the_drain_catches_up_a_missed_nightly_run(settings) -> None:
    TargetFactory()
    settings.INDICATORS_CATCH_UP_AFTER = "23:59:59.999999"  # not yet
    assert tasks.drain_pending()["caught_up"] is False
    assert not RecomputeRun.objects.exists()

    settings.INDICATORS_CATCH_UP_AFTER = "00:00"
    assert tasks.drain_pending()["caught_up"] is True
    assert RecomputeRun.objects.get().scope == RecomputeRun.Scope.FULL
    assert tasks.drain_pending()["caught_up"] is False  # once a day


def test_the_beat_schedule_drains_the_outbox_well_within_a_minute() -> None:
    [drain] = [entry for entry in celery_app.conf.beat_schedule.values() if entry["task"] == "indicators.drain_pending"]
    assert drain["schedule"].total_seconds() == django_settings.INDICATORS_OUTBOX_DRAIN_SECONDS
    # A row waits at most one interval for its own task, then at most one more for the drain.
    assert 2 * django_settings.INDICATORS_OUTBOX_DRAIN_SECONDS <= 45


def test_a_task_killed_with_its_worker_is_redelivered_within_minutes_not_an_hour() -> None:
    """kombu's Redis transport returns an unacknowledged task after `visibility_timeout` (default: an hour)."""
    visibility = celery_app.conf.broker_transport_options["visibility_timeout"]
    assert 0 < visibility < 600
    # The hard limit stops any task before the visibility timeout would hand it to a second worker.
    assert celery_app.conf.task_time_limit < visibility
    assert celery_app.conf.task_soft_time_limit < celery_app.conf.task_time_limit


# --- 3. An unreachable broker never makes an edit hang -------------------------------------


@pytest.fixture(params=["refused", "silent"])
def unreachable_broker(request: pytest.FixtureRequest) -> Iterator[str]:
    """A Redis URL nobody answers at: a closed port, or a port that accepts connections but never replies."""
    if request.param == "refused":
        yield "redis://127.0.0.1:1/0"
        return
    # The kernel completes the handshakes, but nothing ever reads nor answers.
    with socket.create_server(("127.0.0.1", 0), backlog=16) as server:
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


class Hung(BaseException):
    """Raised by `_deadline`; not an Exception, so that the service's `except Exception` cannot swallow it."""


@contextlib.contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Interrupt the block after `seconds` (SIGALRM), so that a regression fails the test instead of hanging it."""

    def expire(signum: int, frame: object) -> None:
        raise Hung(f"still blocked after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_edit_saves_quickly_with_the_broker_unreachable(unreachable_broker: str, caplog) -> None:  # type: ignore[no-untyped-def]
    # Only the Celery app is pointed at the broker (`celery_configured`): Celery reads the Django settings
    # live, so changing them too would make it save, and then restore, the changed values.
    target = TargetFactory()

    # The project's own fail-fast settings, applied to a fresh connection to the unreachable broker.
    with (
        celery_configured(
            broker_url=unreachable_broker,
            result_backend=unreachable_broker,  # as in production: REDIS_URL is the result backend too
            task_always_eager=False,
            broker_connection_timeout=django_settings.CELERY_BROKER_CONNECTION_TIMEOUT,
            broker_transport_options=django_settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            task_publish_retry=django_settings.CELERY_TASK_PUBLISH_RETRY,
        ),
        caplog.at_level(logging.WARNING, logger="indicators.scheduling"),
    ):
        started = time.monotonic()
        with _deadline(15):
            measurement = _measure(target)  # commits for real: the publish happens in here
        elapsed = time.monotonic() - started

    assert elapsed < 3, f"the edit took {elapsed:.1f} s with the broker unreachable"
    assert Measurement.objects.get(pk=measurement.pk).value == 50_000
    assert any("Could not enqueue the recompute" in r.getMessage() for r in caplog.records)
    assert not reported(TargetSnapshot).exists()  # nothing ran in-process instead


# --- 4. Real workers -----------------------------------------------------------------------


def real_workers(test):  # type: ignore[no-untyped-def]
    """Marks of a test that drives real worker processes: they need PostgreSQL and Redis, and commit for real."""
    for mark in (
        pytest.mark.postgres,
        pytest.mark.redis,
        pytest.mark.slow,
        pytest.mark.django_db(transaction=True, serialized_rollback=True),
    ):
        test = mark(test)
    return test


def _succeeded(log: str, task: str) -> list[str]:
    """The ids of the tasks named `task` that a worker log reports as succeeded."""
    return re.findall(rf"Task {re.escape(task)}\[([0-9a-f-]+)\] succeeded", log)


@real_workers
def test_a_worker_runs_the_nightly_recompute(live_broker: CeleryWorkers) -> None:
    target = MeasurementFactory().target

    result = tasks.recompute_all.delay(AS_OF)

    run = live_broker.wait_for(lambda: RecomputeRun.objects.filter(as_of=AS_OF_DATE).first(), "the recompute run")
    assert run.scope == RecomputeRun.Scope.FULL
    snapshot = reported(TargetSnapshot).get(target=target, as_of=AS_OF_DATE)
    assert (snapshot.slip_days, snapshot.status) == (90, "off_track")
    assert result.get(timeout=10)["targets"] == 1  # its result, through the Redis result backend
    assert any(result.id in _succeeded(w.output(), "indicators.recompute_all") for w in live_broker)


@real_workers
def test_a_worker_recomputes_what_an_edit_touched(live_broker: CeleryWorkers) -> None:
    target = TargetFactory()
    today = timezone.localdate()

    _measure(target)  # committed for real; the task is published on commit

    snapshot = live_broker.wait_for(
        lambda: reported(TargetSnapshot).filter(target=target, as_of__gte=today).first(), "the edited target's snapshot"
    )
    assert snapshot.as_of in {today, timezone.localdate()}
    assert snapshot.actual_value == 50_000
    # The first edit of the day, with no nightly run yet: the worker did the full run.
    assert RecomputeRun.objects.filter(as_of=snapshot.as_of, scope=RecomputeRun.Scope.FULL).exists()


@real_workers
def test_two_workers_split_a_parallel_recompute(live_broker: CeleryWorkers) -> None:
    pillars = PillarFactory.create_batch(3)
    hubs = HubFactory.create_batch(2)
    targets = [TargetFactory(pillar=pillars[i % 3]) for i in range(50)]
    for i, target in enumerate(targets):
        MeasurementFactory(target=target)
        target.hubs.add(hubs[i % 2])
    milestones = [MilestoneFactory(pillar=pillars[i % 3]) for i in range(50)]
    high = max(Target.objects.aggregate(m=Max("pk"))["m"], Milestone.objects.aggregate(m=Max("pk"))["m"])
    chunks = len(range(1, high + 1, 10))
    before = {w.name: len(w.output()) for w in live_broker}

    tasks.recompute_all_parallel.delay(AS_OF, chunk_size=10)

    run = live_broker.wait_for(
        lambda: RecomputeRun.objects.filter(as_of=AS_OF_DATE, scope=RecomputeRun.Scope.FULL).first(),
        "the parallel run's roll-ups",
    )
    assert (run.target_count, run.milestone_count) == (50, 50)
    # Exactly one snapshot per item (the unique constraints forbid more; none is missing).
    target_rows = reported(TargetSnapshot).filter(as_of=AS_OF_DATE).values("target_id").annotate(n=Count("pk"))
    assert {row["target_id"]: row["n"] for row in target_rows} == {t.pk: 1 for t in targets}
    milestone_rows = reported(MilestoneSnapshot).filter(as_of=AS_OF_DATE).values("milestone_id").annotate(n=Count("pk"))
    assert {row["milestone_id"]: row["n"] for row in milestone_rows} == {m.pk: 1 for m in milestones}
    assert set(reported(TargetSnapshot).filter(as_of=AS_OF_DATE).values_list("status", flat=True)) == {"off_track"}
    # The roll-ups: the policy, each pillar and each hub, for every window.
    windows = 1 + len(django_settings.INDICATORS_ROLLUP_WINDOWS)  # "all", then each window
    places = 1 + Pillar.objects.count() + Hub.objects.count()
    assert reported(RollupSnapshot).filter(as_of=AS_OF_DATE).count() == places * windows
    policy = reported(RollupSnapshot).get(as_of=AS_OF_DATE, scope="policy", scope_key="", window="all")
    assert (sum(policy.targets.values()), sum(policy.milestones.values())) == (50, 50)
    assert policy.targets["off_track"] == 50
    # Both workers took chunks, and every chunk ran once.

    def logged() -> dict[str, str] | None:
        logs = {w.name: w.output()[before[w.name] :] for w in live_broker}
        ran = sum(len(_succeeded(log, "indicators.recompute_chunk")) for log in logs.values())
        rolled_up = sum(len(_succeeded(log, "indicators.recompute_rollups")) for log in logs.values())
        return logs if (ran, rolled_up) == (chunks, 1) else None

    logs = live_broker.wait_for(logged, f"the workers to log {chunks} chunks and one roll-up", timeout=10)
    per_worker = {name: len(_succeeded(log, "indicators.recompute_chunk")) for name, log in logs.items()}
    assert all(count >= 1 for count in per_worker.values()), f"chunks per worker: {per_worker}"


# --- 5. A worker killed outright: its task comes back within the visibility timeout ------------

VISIBILITY_SECONDS = 4


def _snapshot_rows(day: date) -> dict[str, list[tuple[object, ...]]]:
    """Everything a recompute of `day` stored, every indicator column, without ids and clock times."""
    rollup_columns = ("scope", "scope_key", "window", "basis", *compute.ROLLUP_FIELDS)
    return {
        "targets": sorted(
            map(
                repr,
                TargetSnapshot.objects.filter(as_of=day).values_list("target_id", *compute.TARGET_INDICATOR_FIELDS),
            )
        ),
        "milestones": sorted(
            map(
                repr,
                MilestoneSnapshot.objects.filter(as_of=day).values_list(
                    "milestone_id", *compute.MILESTONE_INDICATOR_FIELDS, "forecast_due_date"
                ),
            )
        ),
        "rollups": sorted(map(repr, RollupSnapshot.objects.filter(as_of=day).values_list(*rollup_columns))),
    }


@contextlib.contextmanager
def _date_locked(day: date) -> Iterator[None]:
    """Hold the recompute's advisory lock on `day` from another connection, so that a recompute waits inside."""
    with other_connection() as other:  # its session, and the lock, end with it
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [indicator_services._LOCK_NAMESPACE, day.toordinal()])
        yield


def _waiting_on_the_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            ["%pg_advisory_xact_lock%"],
        )
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_recompute_whose_worker_is_killed_completes_on_a_restarted_worker(private_redis, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Issue 11, 4: SIGKILL the whole worker mid-recompute; a new worker redelivers it, with the same tables."""
    pillar = PillarFactory()
    for i in range(30):
        MeasurementFactory(target=TargetFactory(pillar=pillar), value=10_000.0 * (i % 7))
        MilestoneFactory(pillar=pillar)
    indicator_services.indicators_recompute(as_of=AS_OF_DATE)
    clean = _snapshot_rows(AS_OF_DATE)
    RecomputeRun.objects.all().delete()
    TargetSnapshot.objects.all().delete()
    MilestoneSnapshot.objects.all().delete()
    RollupSnapshot.objects.all().delete()
    env = worker_env(private_redis.url(), CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_SECONDS))

    first = Worker("killed", tmp_path / "killed.log", env)
    workers = CeleryWorkers(private_redis.url(), [first])
    with celery_configured(broker_url=private_redis.url(), result_backend=private_redis.url(), task_always_eager=False):
        workers.wait_for(lambda: " ready." in first.output(), "the first worker to be ready", 30)
        with _date_locked(AS_OF_DATE):
            tasks.recompute_all.delay(AS_OF)
            workers.wait_for(_waiting_on_the_lock, "the recompute to be running (waiting on the date's lock)", 30)
            first.process.kill()  # SIGKILL: no warm shutdown, no acknowledgement, no requeue by the worker
            first.process.wait(10)
        assert not RecomputeRun.objects.exists()

        second = Worker("restarted", tmp_path / "restarted.log", env)
        workers = CeleryWorkers(private_redis.url(), [second])
        try:
            started = time.monotonic()
            workers.wait_for(
                lambda: RecomputeRun.objects.filter(as_of=AS_OF_DATE, scope=RecomputeRun.Scope.FULL).exists(),
                "the redelivered recompute",
                timeout=60,
            )
            seconds = time.monotonic() - started
        finally:
            second.terminate()
            second.wait()

    assert _snapshot_rows(AS_OF_DATE) == clean
    assert RecomputeRun.objects.filter(as_of=AS_OF_DATE).count() == 1
    assert seconds < VISIBILITY_SECONDS + 30, f"redelivered after {seconds:.0f} s"
