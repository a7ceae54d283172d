"""The data version: it moves with every committed write, in the write's own transaction, and never with the cache."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from rest_framework.test import APIClient

from core.models import DataVersion
from core.versioning import bump_data_version, data_version
from pillars import services
from tests.factories import MilestoneFactory, TargetFactory
from tests.redis_server import PrivateRedis

pytestmark = pytest.mark.django_db


def test_it_moves_once_per_transaction_however_many_writes() -> None:
    before = int(data_version())
    with transaction.atomic():
        TargetFactory()
        TargetFactory()
        MilestoneFactory()
    assert int(data_version()) == before + 1


def test_a_rolled_back_transaction_leaves_it_alone() -> None:
    before = data_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        TargetFactory()
        raise RuntimeError("the import failed")
    assert data_version() == before


def test_a_rolled_back_savepoint_does_not_swallow_the_next_writes_move() -> None:
    before = int(data_version())
    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            TargetFactory()  # moved the version inside the savepoint
            raise RuntimeError("one row refused")
        TargetFactory()  # the move was rolled back with the savepoint: this write moves it again
    assert int(data_version()) == before + 1


def test_it_is_kept_in_the_database_whatever_happens_to_the_cache() -> None:
    TargetFactory()
    version = data_version()
    cache.clear()
    assert data_version() == version
    assert DataVersion.objects.get().version == int(version)


def test_it_is_made_again_if_its_row_is_missing() -> None:
    DataVersion.objects.all().delete()
    assert data_version() == "0"
    bump_data_version()
    assert int(data_version()) > 0


@pytest.fixture
def redis_cache(private_redis: PrivateRedis, settings: Any) -> Iterator[PrivateRedis]:
    """The portal's cache (throttle counters, stored representations) on a Redis the test can stop."""
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.RedisCache",
            "LOCATION": private_redis.url(),
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.API_REPRESENTATION_CACHE_SECONDS = 3600
    yield private_redis


@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits: the version moves once per commit
def test_no_stale_copy_or_304_after_redis_restarts_from_its_dump(redis_cache: PrivateRedis) -> None:
    """Issue 11, 1: an edit made while Redis is down is served once Redis is back with its saved copies."""
    milestone = MilestoneFactory(baseline_due_date=dt.date(2026, 1, 31))
    api = APIClient()
    path = f"/api/v1/milestones/{milestone.pk}/"
    first = api.get(path, HTTP_ACCEPT="application/json")
    second = api.get(path, HTTP_ACCEPT="application/json")  # served from the stored copy
    etag = first["ETag"]
    assert second["ETag"] == etag and second.json() == first.json()
    assert api.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code == 304

    redis_cache.stop(save=True)  # the stored copy and everything else go to the dump
    services.milestone_update(milestone=milestone, forecast_due_date=dt.date(2026, 9, 30), reason="", user=None)
    redis_cache.start()  # back, with the copy made before the edit

    conditional = api.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert conditional.status_code == 200, "a 304 for data that changed while Redis was down"
    assert conditional["ETag"] != etag
    assert conditional.json()["forecast_due_date"] == "2026-09-30"
    assert api.get(path, HTTP_ACCEPT="application/json").json()["forecast_due_date"] == "2026-09-30"


def test_each_move_records_when(monkeypatch: pytest.MonkeyPatch) -> None:
    from core import versioning

    versioning._move()
    version, first = versioning.data_state()
    later = first + dt.timedelta(hours=1) if first else None
    monkeypatch.setattr(versioning.timezone, "now", lambda: later)
    versioning._move()
    assert versioning.data_state() == (str(int(version) + 1), later)


def test_a_new_release_changes_the_etags_of_the_api_and_the_pages(monkeypatch: pytest.MonkeyPatch, rf: Any) -> None:
    """A deploy that changes an answer's shape must not be answered with a 304 or a copy stored before it."""
    from core import pages
    from core.api import conditional

    request = rf.get("/api/v1/targets/")
    before = conditional.etag_for(request), pages.page_validators(request)[0]
    monkeypatch.setattr(conditional, "release", lambda: ("another-release", 0.0))
    monkeypatch.setattr(pages, "release", lambda: ("another-release", 0.0))
    after = conditional.etag_for(request), pages.page_validators(request)[0]
    assert before[0] != after[0] and before[1] != after[1]
