"""A second connection to the test database, outside Django's: to hold a lock or end a connection under a test."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from django.db import connection


@contextlib.contextmanager
def other_connection() -> Iterator[Any]:
    """A psycopg2 connection (autocommit) to the database the tests use; closed, with its session locks, after."""
    import psycopg2

    db = connection.settings_dict
    other = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], host=db["HOST"] or None, port=db["PORT"] or None,
        password=db["PASSWORD"] or None,
    )  # fmt: skip
    other.autocommit = True
    try:
        yield other
    finally:
        other.close()
