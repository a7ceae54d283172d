"""Throttling of API clients other than editors (anonymous ones, and accounts with no right to write)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle

from core.api.permissions import is_editor
from core.security import client_ip

if TYPE_CHECKING:
    # DRF imports this module while rest_framework.views is loading (settings): no import at run time.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)


class AnonymousThrottle(AnonRateThrottle):
    """Clients other than editors are throttled (429 with Retry-After); a cache outage lets requests through.

    A fixed-window counter: one atomic increment per request. DRF's own throttle keeps the list of
    every request time in the window and reads and rewrites all of it on each request, which costs
    more the higher the rate (it was most of a 304's time under load) and loses counts between workers.
    """

    # Set by SimpleRateThrottle.__init__ from the rate (None without one); the stubs leave them out.
    num_requests: int | None
    duration: int | None

    def allow_request(self, request: Request, view: APIView) -> bool:
        duration, num_requests = self.duration, self.num_requests
        if self.rate is None or duration is None or num_requests is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // duration)
        self.window_end = (window + 1) * duration
        key = f"{self.key}:{window}"
        try:
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's first request
                count = 1 if self.cache.add(key, 1, duration + 1) else self.cache.incr(key)
        except Exception:  # the cache (Redis) is down: serve rather than fail
            logger.warning("Throttle cache unavailable; letting the request through.", exc_info=True)
            return True
        return bool(count <= num_requests)

    def get_cache_key(self, request: Request, view: APIView) -> str | None:
        # Editors' requests (a token or a session) go unthrottled; anyone else's, signed in or not, counts
        # against the address: a token or a session of a user with no rights buys no extra reading.
        if is_editor(request.user):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def wait(self) -> float:
        return max(1.0, self.window_end - self.timer())

    def get_ident(self, request: Request) -> str:
        # DRF's default (NUM_PROXIES unset) keys on the whole X-Forwarded-For header, which the client
        # writes: a fresh header per request would dodge the limit. Trust only our own proxies, as axes does.
        return client_ip(request) or ""
