"""Celery tasks of the data package: built after each recompute, coalesced, never inside a request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from indicators.tasks import RETRY

from . import services

_QUEUED = "opendata:queued:{as_of}"


@shared_task(name="opendata.build_package", ignore_result=True, **RETRY)
def build_package(as_of: str | None = None) -> dict[str, Any]:
    """Build the package of `as_of` (default today) if the data changed since its last build."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate()
    cache.delete(_QUEUED.format(as_of=day.isoformat()))
    row = services.package_build(as_of=day)
    services.packages_prune(keep_dates=settings.OPENDATA_KEEP_DATES)
    if row is None:
        return {"as_of": day.isoformat(), "built": False}
    return {"as_of": day.isoformat(), "built": True, "bytes": row.size, "seconds": round(row.seconds, 2)}


def package_outdated(as_of: dt.date | None = None) -> bool:
    """Queue a build of `as_of` (default today) in `OPENDATA_BUILD_DELAY` seconds, once however often it is asked.

    A burst of edits (each with its recompute) gives one build, a little after
    the last of them. False when a build is already queued (or the broker is down:
    the nightly recompute, or the next edit, sends another).
    """
    day = as_of or timezone.localdate()
    delay = settings.OPENDATA_BUILD_DELAY
    if not cache.add(_QUEUED.format(as_of=day.isoformat()), True, timeout=delay + 600):
        return False
    try:
        build_package.apply_async(args=[day.isoformat()], countdown=delay)
    except Exception:  # the broker is down: forget the mark so that the next edit tries again
        cache.delete(_QUEUED.format(as_of=day.isoformat()))
        return False
    return True
