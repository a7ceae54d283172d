"""Test-suite wiring: which external services a test needs, and shared fixtures.

Tests that need a real service carry a marker (`postgres`, `redis`,
`browser`). Locally, a missing service skips them with a reason that pytest's
summary prints. With CI=true a missing service is an error, never a skip: CI
must prove the code against the real PostgreSQL, Redis and Chromium.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable

import pytest
from django.conf import settings

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
CHROMIUM = "/usr/bin/chromium"


def _postgres_available() -> str | None:
    engine = settings.DATABASES["default"]["ENGINE"]
    return None if "postgresql" in engine else f"DATABASE_URL is not PostgreSQL (engine: {engine})"


def _redis_available() -> str | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return "REDIS_URL is not set"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:  # any failure means "not reachable"
        return f"Redis at {url} is not reachable ({exc})"
    return None


def _browser_available() -> str | None:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is not installed"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


# @redocly/cli, the OpenAPI linter: installed by .ci/run with npm (`REDOCLY` names another copy).
REDOCLY = os.environ.get("REDOCLY") or os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "var", "redocly", "node_modules", ".bin", "redocly"
)


def _redocly_available() -> str | None:
    if not os.path.exists(REDOCLY):
        return f"{REDOCLY} is not installed (see .ci/run: npm install @redocly/cli)"
    return None


SERVICE_CHECKS: dict[str, Callable[[], str | None]] = {
    "postgres": _postgres_available,
    "redis": _redis_available,
    "browser": _browser_available,
    "redocly": _redocly_available,
}


def _check_transactional_tests_restore_the_database(items: list[pytest.Item]) -> None:
    """A test that commits for real must also restore what the migrations put in (`serialized_rollback`).

    Without it, its teardown flushes the tables and lets `post_migrate` create
    the content types and permissions again under new ids, and drops the
    Editors group of the data migration; the next test that restores the
    serialized database then fails on duplicate content types, depending on
    the order the tests run in.
    """
    for item in items:
        for marker in item.iter_markers("django_db"):
            if marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
                raise pytest.UsageError(
                    f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True (see tests/conftest.py)"
                )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _check_transactional_tests_restore_the_database(items)
    missing: dict[str, str | None] = {}
    for item in items:
        for marker, check in SERVICE_CHECKS.items():
            if marker not in item.keywords:
                continue
            if marker not in missing:
                missing[marker] = check()
            reason = missing[marker]
            if reason is None:
                continue
            if IN_CI:
                raise pytest.UsageError(f"CI=true but a test needs {marker}: {reason}")
            item.add_marker(pytest.mark.skip(reason=f"needs {marker}: {reason}"))


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):  # type: ignore[no-untyped-def]
    """Uploaded evidence and built data packages go to a throw-away folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OPENDATA_ROOT = tmp_path / "media" / "opendata"


@pytest.fixture(autouse=True)
def _english_to_start():  # type: ignore[no-untyped-def]
    """Every test starts in English: a request in Urdu (a /ur/ page, `?lang=ur`) leaves Urdu active in the thread,
    and the records' translated fields (django-modeltranslation) read and filter the active language's column."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _fresh_cache():  # type: ignore[no-untyped-def]
    """Throttle counters, ETag tokens and stored representations never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    """An anonymous API client (DRF's), as a dashboard or a script reads the API."""
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def private_redis(tmp_path):  # type: ignore[no-untyped-def]
    """A redis-server of the test's own, on a free port, that the test may stop and start (`tests.redis_server`)."""
    from tests.redis_server import REDIS_SERVER, PrivateRedis

    if not os.path.exists(REDIS_SERVER):
        if IN_CI:
            pytest.fail(f"CI=true but {REDIS_SERVER} is not installed")
        pytest.skip(f"needs {REDIS_SERVER}")
    server = PrivateRedis(tmp_path / "redis")
    server.folder.mkdir()
    server.start()
    yield server
    server.stop()
