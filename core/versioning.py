"""The data version: a number that moves whenever the data or the indicators change, the basis of every ETag.

It is one row in the database (`core.models.DataVersion`), moved inside the
writing transaction itself, once per transaction. So it commits and rolls
back with the write: a reader sees the new version exactly when it can see
the new data, whatever state the cache is in. (It used to be a token in
Redis, replaced after commit: an outage during an edit lost the replacement,
and Redis restarted from its dump with the old token, so clients were told
"304 Not Modified" about data that had changed.) Reading it is one indexed
primary-key query per conditional request.

Concurrent writers queue on the row for the rest of their transaction, so the
version grows in commit order; the recompute moves it last, with its run
record, so an editor's save waits at most a moment behind it. Which models
count as "the data" is declared by each app (`core.signals.watch`).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from .models import DataVersion
from .oncommit import CommitBatch


def data_version() -> str:
    """The committed version of the data, as text (for ETags and cache keys)."""
    return data_state()[0]


def data_state() -> tuple[str, dt.datetime | None]:
    """The committed version of the data and when it last moved (for ETags and Last-Modified), in one query."""
    row = DataVersion.objects.filter(pk=1).values_list("version", "changed_at").first()
    if row is None:
        return "0", None
    return str(row[0] or 0), row[1]


def _move() -> None:
    # `update` skips `auto_now`: the time of the move is set here.
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now()):
        DataVersion.objects.bulk_create([DataVersion(id=1, version=2)], ignore_conflicts=True)


def _committed(_items: set[None]) -> None:
    """Nothing to do after commit: the version committed with the write."""


_writes: CommitBatch[None] = CommitBatch(_committed)


def bump_data_version(**kwargs: Any) -> None:
    """Move the data version inside the current transaction, once per transaction (at once in autocommit).

    Also a signal receiver (post_save, post_delete, m2m_changed), hence `**kwargs`.
    """
    if _writes.add():
        _move()


# What a release changes in a page or an API answer: the templates, translations and styles, and the code of the apps.
RELEASE_DIRS = (
    "templates",
    "locale",
    "static",
    "core",
    "sources",
    "hubs",
    "incentives",
    "pillars",
    "indicators",
    "changes",
    "policy_portal",
)


@functools.cache
def release() -> tuple[str, float]:
    """A digest and the latest modification time of the files a page is made from besides the data (once a process)."""
    base = Path(settings.BASE_DIR)
    stats = []
    for name in RELEASE_DIRS:
        for path in sorted((base / name).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                stat = path.stat()
                stats.append((str(path.relative_to(base)), stat.st_size, stat.st_mtime))
    digest = hashlib.sha1(repr(stats).encode(), usedforsecurity=False).hexdigest()[:12]
    return digest, max((mtime for _name, _size, mtime in stats), default=0.0)
