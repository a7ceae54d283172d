"""A token that changes whenever the data or the indicators change: the basis of the API's ETags.

Kept in the cache (Redis in production, shared by the web processes and the
Celery workers). A committed write anywhere replaces it with a new random
token; if the cache loses it, a new one is made, which only costs clients a
full response. Which models count as "the data" is declared by each app
(`core.signals.watch`).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.core.cache import cache

from .oncommit import CommitBatch

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


def replace_token(_items: object = None) -> None:
    """Put a new token in the cache now (readers' copies under the old one are then out of date)."""
    try:
        cache.set(KEY, uuid.uuid4().hex, timeout=None)
    except Exception:
        logger.warning("Cache unavailable; could not record a data change.", exc_info=True)


_renewals: CommitBatch[None] = CommitBatch(replace_token)


def bump_data_version(**kwargs: Any) -> None:
    """Replace the token once the write commits (readers must not see it before): once per transaction.

    Also a signal receiver (post_save, post_delete, m2m_changed), hence `**kwargs`.
    """
    _renewals.add()
