"""Celery tasks: thin wrappers that take ids and dates and call the recompute service.

Every task is idempotent (a recompute replaces the snapshots of its date) and
safe under at-least-once delivery: `acks_late` redelivers a task whose worker
died, and the service holds a PostgreSQL advisory lock so that two runs of one
date never interleave. Transient database errors are retried with backoff.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from typing import Any

from celery import chord, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from pillars.models import Milestone, Target

from . import services

logger = logging.getLogger(__name__)

RETRY: dict[str, Any] = {
    "acks_late": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 6,
}


def _day(as_of: str | None) -> dt.date:
    """The as-of date of a task: an ISO date, or today in the policy's time zone."""
    return dt.date.fromisoformat(as_of) if as_of else timezone.localdate()


def _summary(result: services.RecomputeResult) -> dict[str, Any]:
    return {
        "as_of": result.as_of.isoformat(),
        "targets": result.targets,
        "milestones": result.milestones,
        "rollups": result.rollups,
        "invalid_targets": list(result.invalid_targets),
        "seconds": round(result.seconds, 3),
    }


@shared_task(name="indicators.recompute_all", **RETRY)
def recompute_all(as_of: str | None = None) -> dict[str, Any]:
    """Recompute every indicator for a date (default: today in Asia/Karachi); scheduled nightly."""
    result = services.indicators_recompute(as_of=_day(as_of))
    logger.info("Recomputed %s targets and %s milestones as of %s.", result.targets, result.milestones, result.as_of)
    return _summary(result)


# Nobody reads these two tasks' results; ignoring them also keeps a publish from waiting on the result
# backend (Redis too), which retries for some 20 s when it is down.
@shared_task(name="indicators.recompute_items", ignore_result=True, **RETRY)
def recompute_items(
    target_ids: list[int] | None = None,
    milestone_ids: list[int] | None = None,
    as_of: str | None = None,
    pending_ids: list[int] | None = None,
) -> dict[str, Any]:
    """Recompute what an edit touched (enqueued by the services after commit).

    With `pending_ids` (what the services send), the edit's outbox rows: its
    items for the day of the edit and for today, unless the periodic drain
    has done them already. Without, the given items for `as_of` (default today).
    """
    if pending_ids is not None:
        return _drained(services.indicators_recompute_pending(pending_ids=pending_ids))
    result = services.indicators_recompute_items(
        as_of=_day(as_of), target_ids=target_ids or [], milestone_ids=milestone_ids or []
    )
    return _summary(result)


def _drained(result: services.DrainResult) -> dict[str, Any]:
    return {"rows": result.rows, "dates": [day.isoformat() for day in result.dates], "caught_up": result.caught_up}


@shared_task(name="indicators.drain_pending", ignore_result=True, **RETRY)
def drain_pending() -> dict[str, Any]:
    """Do the recomputes left in the outbox (their task never reached a broker), and a missed nightly run.

    Scheduled by Celery beat every `INDICATORS_OUTBOX_DRAIN_SECONDS`, so that
    an edit made while the broker was down is reflected within a minute of its
    return. Rows younger than the interval are left to the task their edit sent.
    """
    grace = dt.timedelta(seconds=settings.INDICATORS_OUTBOX_DRAIN_SECONDS)
    result = services.indicators_recompute_pending(older_than=grace)
    caught_up = False
    now = timezone.localtime()
    if now.time() >= dt.time.fromisoformat(settings.INDICATORS_CATCH_UP_AFTER):
        caught_up = services.indicators_catch_up(today=now.date())
    if result.rows or caught_up:
        logger.info(
            "Drained %d pending recomputes (%s); caught up today's run: %s.", result.rows, result.dates, caught_up
        )
    return _drained(dataclasses.replace(result, caught_up=caught_up))


@shared_task(name="indicators.recompute_chunk", **RETRY)
def recompute_chunk(as_of: str, start: int, end: int) -> dict[str, Any]:
    """Recompute the targets and milestones whose ids lie in [start, end): one chunk of a parallel run."""
    result = services.indicators_recompute(as_of=_day(as_of), id_range=(start, end), rollups=False)
    return _summary(result)


@shared_task(name="indicators.recompute_rollups", **RETRY)
def recompute_rollups(chunk_results: list[dict[str, Any]] | None, as_of: str) -> dict[str, Any]:
    """Compute the roll-ups once every chunk is done, and record the full run."""
    count = services.indicators_rollup(as_of=_day(as_of), record_full_run=True)
    chunks = chunk_results or []
    return {
        "as_of": as_of,
        "chunks": len(chunks),
        "targets": sum(c["targets"] for c in chunks),
        "milestones": sum(c["milestones"] for c in chunks),
        "rollups": count,
    }


@shared_task(name="indicators.recompute_all_parallel", **RETRY)
def recompute_all_parallel(as_of: str | None = None, chunk_size: int = 20_000) -> str:
    """Split a full recompute into id ranges that several workers take in parallel, then roll up once.

    Returns the id of the chord whose callback computes the roll-ups.
    """
    day = _day(as_of).isoformat()
    high = max(
        Target.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        Milestone.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
    )
    chunks = [recompute_chunk.s(day, start, start + chunk_size) for start in range(1, high + 1, chunk_size)]
    if not chunks:
        return str(recompute_rollups.delay(None, day).id)
    return str(chord(chunks)(recompute_rollups.s(day)).id)
