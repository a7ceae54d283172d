"""Who is knocking: the client address django-axes counts failed logins against."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or behind `TRUSTED_PROXY_COUNT` proxies the address the first one saw.

    Only the entries our own proxies appended are trusted (counted from the
    right of X-Forwarded-For); anything further left is whatever the client
    typed, and would let a guesser pick a fresh address for every attempt.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return str(forwarded[-proxies])
    address: str | None = request.META.get("REMOTE_ADDR")
    return address
