"""`/healthz`: is this process able to serve? The database, the cache and the broker, each checked briefly.

JSON, `{"status": "ok" | "degraded", "checks": {"database": ..., "cache": ..., "broker": ...}}`,
200 when every check is "ok" (or "memory": no REDIS_URL, tasks run in-process), 503 otherwise.
It names no host, URL, password or exception text: a failure is logged, and the answer
only says "error". Never cached, never throttled; the compose health checks call it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Seconds a check of the broker may take (the cache's own socket timeouts are 1 s, see settings CACHES).
BROKER_TIMEOUT = 1.0
HEALTHY = {"ok", "memory"}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def check_cache() -> str:
    key = f"portal:healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    value = cache.get(key)
    cache.delete(key)
    return "ok" if value == "1" else "error"


def check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False) or url.startswith("memory://"):
        return "memory"  # no broker: tasks run eagerly in this process
    from kombu.connection import Connection  # kombu ships no types

    with Connection(  # type: ignore[no-untyped-call]
        url,
        connect_timeout=BROKER_TIMEOUT,
        transport_options={
            "max_retries": 0,
            "socket_connect_timeout": BROKER_TIMEOUT,
            "socket_timeout": BROKER_TIMEOUT,
        },
    ) as broker:
        broker.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT)
        # Redis connects lazily: one round trip on the channel's client proves the server answers.
        client = getattr(broker.default_channel, "client", None)
        if client is not None and hasattr(client, "ping"):
            client.ping()
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
}


def run_checks() -> dict[str, str]:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception:
            # Logged with the exception, answered without it (its text may hold a host or a password).
            logger.warning("Health check %s failed.", name, exc_info=True)
            results[name] = "error"
    return results


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = run_checks()
    healthy = all(value in HEALTHY for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "degraded", "checks": checks}, status=200 if healthy else 503)
