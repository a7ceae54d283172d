"""policy_portal.cache: Django's Redis cache with one client per connection pool, against a real Redis."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator

import pytest

from core.cache import RedisCache

pytestmark = pytest.mark.redis


@pytest.fixture
def cache() -> Iterator[RedisCache]:
    prefix = f"test-cache-{os.getpid()}"
    backend = RedisCache(os.environ["REDIS_URL"], {"KEY_PREFIX": prefix, "TIMEOUT": 60})
    yield backend
    client = backend._cache.get_client(write=True)
    keys = client.keys(f"{prefix}:*")  # only this test's keys: other tests share the database
    if keys:
        client.delete(*keys)
    backend.close()


def test_every_operation_behaves_as_djangos_backend(cache: RedisCache) -> None:
    assert cache.get("missing") is None
    assert cache.add("counter", 1) and not cache.add("counter", 5)
    assert cache.incr("counter") == 2
    with pytest.raises(ValueError):
        cache.incr("nobody")
    cache.set("row", {"urdu": "قومی", "values": [1.5, None]})
    assert cache.get("row") == {"urdu": "قومی", "values": [1.5, None]}
    cache.set_many({"a": 1, "b": 2})
    assert cache.get_many(["a", "b", "c"]) == {"a": 1, "b": 2}
    cache.delete_many(["a", "b"])
    assert cache.get_many(["a", "b"]) == {}
    assert cache.touch("row", 5) and cache.has_key("row")


def test_one_client_serves_every_call_and_every_thread(cache: RedisCache) -> None:
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=False) is client
    assert cache._cache.get_client("any-key", write=True) is client
    failures: list[BaseException] = []

    def hammer(n: int) -> None:
        try:
            for i in range(50):
                cache.set(f"t{n}:{i}", i)
                assert cache.get(f"t{n}:{i}") == i
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    assert cache._cache.get_client() is client


def test_incr_keeps_the_expiry_and_refuses_a_missing_key(cache: RedisCache) -> None:
    cache.set("window", 1, timeout=30)
    assert [cache.incr("window") for _ in range(3)] == [2, 3, 4]
    assert cache.incr("window", 10) == 14 and cache.get("window") == 14
    client = cache._cache.get_client(write=True)
    assert 0 < client.ttl(cache.make_and_validate_key("window")) <= 30
    with pytest.raises(ValueError, match="not found"):
        cache.incr("never-set")
    assert not cache.has_key("never-set")  # refusing did not create it
    cache.set("bounded", 1, timeout=1)
    client.delete(cache.make_and_validate_key("bounded"))  # as if it had just expired
    with pytest.raises(ValueError):
        cache.incr("bounded")
    assert client.exists(cache.make_and_validate_key("bounded")) == 0
