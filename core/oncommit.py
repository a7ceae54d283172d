"""Work done once per committed transaction, however many writes asked for it.

An import of 500 figures, or the loader writing the whole policy, asks for the
same after-commit work (renew the data-version token, recompute what changed)
hundreds of times in one transaction. `CommitBatch` collects what the writes
ask for and runs the work once, after the commit, with everything collected.

Only public APIs are used. The first request in a transaction registers one
callback with `transaction.on_commit`; later requests add their items to it
while it is still registered. Django keeps its own reference to a registered
callback and drops it when its transaction, or the savepoint it was
registered in, rolls back; the batch holds only a weak reference, so a dropped
callback is gone at once, and the next request starts a new batch (the items
of the rolled-back writes are abandoned with it, as they should be).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterable
from typing import Generic, TypeVar

from django.db import transaction

T = TypeVar("T")


class _Flush(Generic[T]):
    """The one callback registered for a batch; it runs the work with the batch's items."""

    __slots__ = ("__weakref__", "done", "items", "work")

    def __init__(self, work: Callable[[set[T]], None]) -> None:
        self.items: set[T] = set()
        self.work = work
        self.done = False

    def __call__(self) -> None:
        if self.done:
            return
        self.done = True
        self.work(self.items)


class CommitBatch(Generic[T]):
    """Collect items across one transaction and hand them to `work` once, after it commits.

    Outside a transaction (autocommit) the work runs at once, as `on_commit` does.
    """

    def __init__(self, work: Callable[[set[T]], None]) -> None:
        self._work = work
        self._local = threading.local()

    def add(self, items: Iterable[T] = ()) -> bool:
        """Ask for the work to run after the current transaction commits, with `items` among its items.

        True when this started a new batch: the first request of a transaction
        (or of what is left of it after a rolled-back savepoint dropped the
        batch), the moment for work that must happen once inside it.
        """
        ref: weakref.ref[_Flush[T]] | None = getattr(self._local, "flush", None)
        flush = ref() if ref is not None else None
        if flush is not None and not flush.done:
            flush.items.update(items)
            return False
        flush = _Flush(self._work)
        flush.items.update(items)
        self._local.flush = weakref.ref(flush)
        transaction.on_commit(flush)  # Django holds the only strong reference from here on
        return True

    def pending(self) -> set[T]:
        """The items collected so far in the current transaction's batch (empty when there is none)."""
        ref: weakref.ref[_Flush[T]] | None = getattr(self._local, "flush", None)
        flush = ref() if ref is not None else None
        return flush.items if flush is not None and not flush.done else set()
