"""Recompute what an edit touched, once its transaction commits.

The services of every app call `recompute_after_commit` with the ids each
write touched. Everything touched in one transaction (an import of 500 rows,
the loader) is sent as one task; a rolled-back transaction sends nothing
(`core.oncommit.CommitBatch`). Enqueuing never makes the edit fail: with the
broker down, the edit is kept and the nightly full recompute catches up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from core.oncommit import CommitBatch

from . import tasks

logger = logging.getLogger(__name__)

Item = tuple[str, int]  # ("target" or "milestone", primary key)


def _send(items: set[Item]) -> None:
    targets = sorted(pk for kind, pk in items if kind == "target")
    milestones = sorted(pk for kind, pk in items if kind == "milestone")
    if not targets and not milestones:
        return
    try:
        tasks.recompute_items.delay(target_ids=targets, milestone_ids=milestones)
    except Exception:  # the broker is unreachable: keep the edit, the nightly run catches up
        logger.warning(
            "Could not enqueue the recompute of %d targets and %d milestones; the nightly run will catch up.",
            len(targets),
            len(milestones),
            exc_info=True,
        )


_batch: CommitBatch[Item] = CommitBatch(_send)


def recompute_after_commit(*, target_ids: Iterable[int] = (), milestone_ids: Iterable[int] = ()) -> None:
    """Schedule the recompute of what an edit touched, once (and only if) the transaction commits."""
    _batch.add([*(("target", pk) for pk in target_ids), *(("milestone", pk) for pk in milestone_ids)])
