"""Django's Redis cache backend: one redis-py client per connection pool, and a one-round-trip `incr`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient

if TYPE_CHECKING:
    from redis.client import Redis
    from redis.commands.core import Script
    from redis.connection import ConnectionPool

# INCRBY only if the key exists, in one atomic round trip.
_INCR_EXISTING = """
if redis.call('EXISTS', KEYS[1]) == 1 then
    return redis.call('INCRBY', KEYS[1], ARGV[1])
end
return false
"""


class PooledClientRedisCacheClient(RedisCacheClient):
    """Django's client, with two changes that the API's throttle and ETags feel on every request.

    - Django builds a new `redis.Redis` for every cache operation; redis-py 8
      copies some two hundred response callbacks into each one, a fifth of a
      conditional API request's time (three operations, measured with py-spy
      under bench/api.py). One client per pool, shared, does the same work: a
      `redis.Redis` holds no connection of its own, it takes one from the pool
      for each command.
    - `incr` is one Lua script instead of EXISTS then INCRBY: one round trip,
      and atomic (between Django's two commands a key could expire, and INCRBY
      would then create it again without its expiry).
    """

    if TYPE_CHECKING:
        # Django's own, private (so not in the stubs): the redis-py client class, and a server's connection pool.
        _client: type[Redis]

        def _get_connection_pool(self, write: bool) -> ConnectionPool: ...

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[ConnectionPool, Redis] = {}
        self._scripts: dict[Redis, Script] = {}

    def incr(self, key: Any, delta: int) -> Any:
        client = self.get_client(key, write=True)
        script = self._scripts.get(client)
        if script is None:
            script = self._scripts[client] = client.register_script(_INCR_EXISTING)
        value = script(keys=[key], args=[delta])
        if value is None:
            raise ValueError(f"Key '{key}' not found.")
        return value

    def get_client(self, key: Any = None, *, write: bool = False) -> Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """`django.core.cache.backends.redis.RedisCache`, with `PooledClientRedisCacheClient`."""

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledClientRedisCacheClient
