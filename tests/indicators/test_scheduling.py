"""The outbox drill (issue 11, 2): edits made while the broker is down are recomputed once it is back.

A real worker with its beat scheduler runs against a redis-server of the
test's own (`private_redis`), which the test stops and starts; the edits are
committed for real by this process while that Redis is down. Nothing but the
periodic drain brings the indicators up to date: no second edit, no manual
recompute, no nightly run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from indicators.models import MilestoneSnapshot, PendingRecompute, TargetSnapshot
from pillars import services
from tests.factories import MilestoneFactory, TargetFactory, reported
from tests.redis_server import PrivateRedis

from .conftest import CeleryWorkers, Worker, celery_configured, worker_env

DRAIN_SECONDS = 2


@pytest.fixture
def worker_with_beat(private_redis: PrivateRedis, tmp_path) -> Iterator[CeleryWorkers]:  # type: ignore[no-untyped-def]
    env = worker_env(private_redis.url(), INDICATORS_OUTBOX_DRAIN_SECONDS=str(DRAIN_SECONDS))
    worker = Worker("outbox-drill", tmp_path / "worker.log", env, beat=True)
    running = CeleryWorkers(private_redis.url(), [worker])
    try:
        running.wait_for(lambda: " ready." in worker.output(), "the worker to be ready", 30)
        yield running
    finally:
        worker.terminate()
        worker.wait()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_edits_made_while_the_broker_is_down_are_recomputed_within_a_minute_of_its_return(
    private_redis: PrivateRedis, worker_with_beat: CeleryWorkers, caplog: pytest.LogCaptureFixture
) -> None:
    today = timezone.localdate()
    target = TargetFactory()
    milestone = MilestoneFactory(baseline_due_date=today - dt.timedelta(days=30))
    publish = celery_configured(
        broker_url=private_redis.url(),
        result_backend=private_redis.url(),
        task_always_eager=False,
        broker_connection_timeout=django_settings.CELERY_BROKER_CONNECTION_TIMEOUT,
        broker_transport_options=django_settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        task_publish_retry=False,
    )
    with publish:
        private_redis.stop(save=True)
        with caplog.at_level(logging.WARNING, logger="indicators.scheduling"):
            services.measurement_create(target=target, date=today - dt.timedelta(days=1), value=1_234)
            services.milestone_update(
                milestone=milestone, forecast_due_date=today + dt.timedelta(days=90), reason="", user=None
            )
        assert sum("Could not enqueue" in r.getMessage() for r in caplog.records) == 2
        assert PendingRecompute.objects.count() == 2  # committed with the edits
        assert not TargetSnapshot.objects.exists()
        private_redis.start()
        back = timezone.now()

        def reflected() -> bool:
            figure = reported(TargetSnapshot).filter(target=target, as_of=today, actual_value=1_234).exists()
            forecast = reported(MilestoneSnapshot).filter(
                milestone=milestone, as_of=today, forecast_due_date=today + dt.timedelta(days=90)
            )
            return figure and forecast.exists() and not PendingRecompute.objects.exists()

        worker_with_beat.wait_for(reflected, "the drain to recompute both edits", timeout=60)
    seconds = (timezone.now() - back).total_seconds()
    print(f"reflected {seconds:.1f} s after the broker came back")
    assert seconds < 60, f"reflected {seconds:.1f} s after the broker came back"
    assert "indicators.drain_pending" in worker_with_beat.workers[0].output()
