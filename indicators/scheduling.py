"""Recompute what an edit touched: recorded in the edit's own transaction, done once it commits.

The services of every app call `recompute_after_commit` with the ids each
write touched. Each item is written to the outbox (`PendingRecompute`) inside
the edit's transaction, so the edit and the promise to recompute its
indicators commit, or roll back, together. Once the transaction commits,
everything it touched (an import of 500 rows, the loader) is sent as one task
that recomputes those rows and deletes them (`core.oncommit.CommitBatch`).

Sending never makes the edit fail and never blocks it: with the broker down,
the rows wait in the outbox, and the periodic drain (`indicators.drain_pending`,
every `INDICATORS_OUTBOX_DRAIN_SECONDS` from Celery beat) does them once the
broker is back, for the day of the edit and for today.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.utils import timezone

from core.oncommit import CommitBatch

from . import tasks
from .models import PendingRecompute

logger = logging.getLogger(__name__)

Item = tuple[str, int]  # ("target" or "milestone", primary key)
# The outbox rows of the current batch: ("pending", row id), beside the items themselves.
PENDING = "pending"


def _send(entries: set[Item]) -> None:
    targets = sorted(pk for kind, pk in entries if kind == PendingRecompute.Kind.TARGET)
    milestones = sorted(pk for kind, pk in entries if kind == PendingRecompute.Kind.MILESTONE)
    pending = sorted(pk for kind, pk in entries if kind == PENDING)
    if not targets and not milestones:
        return
    try:
        tasks.recompute_items.delay(target_ids=targets, milestone_ids=milestones, pending_ids=pending)
    except Exception:  # the broker is unreachable: the edit and its outbox rows are committed; the drain catches up
        logger.warning(
            "Could not enqueue the recompute of %d targets and %d milestones; they wait in the outbox "
            "for the periodic drain.",
            len(targets),
            len(milestones),
            exc_info=True,
        )


_batch: CommitBatch[Item] = CommitBatch(_send)


def recompute_after_commit(*, target_ids: Iterable[int] = (), milestone_ids: Iterable[int] = ()) -> None:
    """Record the recompute of what an edit touched in its transaction; send it once (and only if) that commits."""
    items = {
        *((PendingRecompute.Kind.TARGET.value, pk) for pk in target_ids),
        *((PendingRecompute.Kind.MILESTONE.value, pk) for pk in milestone_ids),
    }
    new = items - _batch.pending()
    if not new:
        return
    day = timezone.localdate()
    rows = PendingRecompute.objects.bulk_create(
        [PendingRecompute(kind=kind, item_id=pk, as_of=day) for kind, pk in sorted(new)]
    )
    _batch.add([*new, *((PENDING, row.pk) for row in rows if row.pk is not None)])
