"""A read whose database connection is lost under it is answered on a new connection, not with an error page.

`CONN_HEALTH_CHECKS` (settings) checks a kept connection before a request
reuses it, which covers a database restarted or failed over between two
requests. A connection that drops while a request is using it (the server
restarting, a proxy or an administrator closing it) still fails that
request: this middleware runs the view of a GET or HEAD again on a fresh
connection instead, a few times over about a second and a half (a restart
may take that long to accept connections again). Reads have no side effects, so running one twice is
safe; a write is never retried (its transaction may or may not have
committed), and an error of the query itself, on a connection still usable,
is not a lost connection and is left alone.

Written here because no maintained library does this for Django; it is
Django's own exception hook and connection API, nothing more.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponseBase

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD")
# Seconds to wait before each new try: a database restarting or failing over is back within about a second
# or two; a reader waits at most their sum (1.4 s) before getting the error after all.
RETRY_PAUSES = (0.0, 0.2, 0.4, 0.8)


def _lost(alias: str) -> bool:
    """Whether the connection `alias` is broken (rather than the query having failed on a sound connection)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        return False  # a transaction cannot move to another connection
    return connection.connection is None or not connection.is_usable()


def _connection_errors() -> tuple[type[Exception], ...]:
    """Django's connection errors and the driver's own: a server-side cursor's fetch raises psycopg2's unwrapped."""
    errors: list[type[Exception]] = [OperationalError, InterfaceError]
    for alias in connections:
        driver: Any = getattr(connections[alias], "Database")  # noqa: B009  # the backend's driver module; not in the stubs
        errors += [driver.OperationalError, driver.InterfaceError]
    return tuple(errors)


class RetryReadOnLostConnection:
    """Run a GET or HEAD view again, once, when the database connection it used was lost."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        errors = _connection_errors()
        if request.method not in SAFE_METHODS or not isinstance(exception, errors):
            return None
        match = request.resolver_match
        if match is None or getattr(request, "_retried_on_new_connection", False):
            return None
        request._retried_on_new_connection = True  # type: ignore[attr-defined]
        for attempt, pause in enumerate(RETRY_PAUSES, start=1):
            lost = [alias for alias in connections if _lost(alias)]
            if not lost:
                return None  # the query failed on a sound connection: not ours to hide
            logger.warning("The database connection was lost during %s %s (%s); retrying on a new one (%d of %d).",
                           request.method, request.path, exception, attempt, len(RETRY_PAUSES))  # fmt: skip
            for alias in lost:
                connections[alias].close()
            time.sleep(pause)
            try:
                response: HttpResponseBase = match.func(request, *match.args, **match.kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    render()
            except errors as again:
                exception = again
                continue
            return response
        return None
