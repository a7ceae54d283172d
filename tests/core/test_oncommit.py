"""Work done once per committed transaction: collected across writes, dropped with a rollback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import transaction

from core.oncommit import CommitBatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs() -> Iterator[list[set[int]]]:
    yield []


@pytest.fixture
def batch(runs: list[set[int]]) -> CommitBatch[int]:
    return CommitBatch(lambda items: runs.append(set(items)))


def test_every_request_of_one_transaction_is_one_run_after_the_commit(
    batch: CommitBatch[int], runs: list[set[int]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        batch.add([1])
        batch.add([2, 3])
        with transaction.atomic():
            batch.add([4])
        assert runs == []  # not before the commit
    assert runs == [{1, 2, 3, 4}]
    assert len(callbacks) == 1  # one callback registered, however many requests


def test_a_rolled_back_savepoint_drops_its_items_with_its_callback(
    batch: CommitBatch[int], runs: list[set[int]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                batch.add([1])  # registers the callback inside the savepoint
                raise RuntimeError
        except RuntimeError:
            pass
        batch.add([2])  # the dropped callback is gone: a new batch starts
    assert runs == [{2}]


def test_a_rolled_back_transaction_runs_nothing_and_the_next_one_runs_alone(
    batch: CommitBatch[int], runs: list[set[int]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                batch.add([1])
                raise RuntimeError
        except RuntimeError:
            pass
    assert runs == []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        batch.add([2])
    assert runs == [{2}]


def test_successive_transactions_run_once_each(
    batch: CommitBatch[int], runs: list[set[int]], django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    for items in ([1], [2]):
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            batch.add(items)
    assert runs == [{1}, {2}]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_the_work_runs_at_once(batch: CommitBatch[int], runs: list[set[int]]) -> None:
    batch.add([7])
    assert runs == [{7}]
    with transaction.atomic():
        batch.add([8])
        batch.add([9])
    assert runs == [{7}, {8, 9}]
