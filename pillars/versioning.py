"""A token that changes whenever the data or the indicators change: the basis of the API's ETags.

Kept in the cache (Redis in production, shared by the web processes and the
Celery workers). A write anywhere replaces it with a new random token; if the
cache loses it, a new one is made, which only costs clients a full response.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

KEY = "portal:data-version"


def data_version() -> str:
    """The current token (a fresh one, never cached, when the cache is unreachable)."""
    try:
        token = cache.get(KEY)
        if token is None:
            token = uuid.uuid4().hex
            cache.add(KEY, token, timeout=None)
            token = cache.get(KEY, token)
        return str(token)
    except Exception:
        logger.warning("Cache unavailable; ETags are disabled until it is back.", exc_info=True)
        return uuid.uuid4().hex


def _replace_token() -> None:
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("Cache unavailable; could not record a data change.", exc_info=True)


def bump_data_version(**kwargs: Any) -> None:
    """Signal receiver: replace the token once the write commits (readers must not see it before).

    One replacement per transaction, however many rows it wrote.
    """
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(callback is _replace_token for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_replace_token)
