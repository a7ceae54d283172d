"""After a recompute finishes in a worker, the package of its date is out of date: queue its build."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

#: The recompute tasks whose success makes a package out of date.
RECOMPUTES = {
    "indicators.recompute_all",
    "indicators.recompute_items",
    "indicators.drain_pending",
    "indicators.recompute_rollups",
}


def recompute_succeeded(sender: Any = None, result: Any = None, **kwargs: Any) -> None:
    """Celery's `task_success`: queue a build of the recomputed date (today for an edit's recompute)."""
    if not settings.OPENDATA_BUILD_AFTER_RECOMPUTE or getattr(sender, "name", "") not in RECOMPUTES:
        return
    if (
        sender.name == "indicators.drain_pending"
        and not (result or {}).get("rows")
        and not (result or {}).get("caught_up")
    ):
        return
    from . import tasks

    as_of = (
        (result or {}).get("as_of")
        if sender.name in ("indicators.recompute_all", "indicators.recompute_rollups")
        else None
    )
    tasks.package_outdated(dt.date.fromisoformat(as_of) if as_of else None)
