"""core.health: /healthz is 200 when the database, the cache and the broker answer, else 503 naming the one."""

from __future__ import annotations

import json
import os

import pytest
from django.db import DatabaseError
from django.test import Client, override_settings

from core import health

pytestmark = pytest.mark.django_db


def _get(client: Client) -> tuple[int, dict[str, object], str]:
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content), response.headers.get("Cache-Control", "")


def test_all_ok_without_a_broker_is_200(client: Client) -> None:
    status, body, cache_control = _get(client)
    assert status == 200
    assert body == {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "memory"}}
    assert "no-cache" in cache_control  # never cached by a proxy


@pytest.mark.parametrize("name", ["database", "cache", "broker"])
def test_a_failing_check_is_503_without_its_secrets(client: Client, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    def broken() -> str:
        raise DatabaseError("could not connect to postgres://portal:s3cret@db:5432/portal")

    monkeypatch.setitem(health.CHECKS, name, broken)
    status, body, _ = _get(client)
    assert status == 503
    assert body["status"] == "degraded"
    assert body["checks"][name] == "error"  # type: ignore[index]
    assert all(value in {"ok", "memory"} for key, value in body["checks"].items() if key != name)  # type: ignore[attr-defined]
    assert "s3cret" not in json.dumps(body) and "postgres://" not in json.dumps(body)


def test_a_cache_that_loses_writes_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(health.cache, "get", lambda key: None)
    assert health.check_cache() == "error"


def test_an_unreachable_broker_is_an_error_at_once(client: Client) -> None:
    import time

    with override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_TASK_ALWAYS_EAGER=False):
        started = time.monotonic()
        status, body, _ = _get(client)
    assert time.monotonic() - started < 3
    assert status == 503 and body["checks"] == {"database": "ok", "cache": "ok", "broker": "error"}


@pytest.mark.redis
def test_a_reachable_redis_broker_is_ok() -> None:
    with override_settings(CELERY_BROKER_URL=os.environ["REDIS_URL"], CELERY_TASK_ALWAYS_EAGER=False):
        assert health.check_broker() == "ok"


def test_plain_http_health_check_is_not_redirected_in_production(client: Client) -> None:
    from tests.policy_portal.test_settings import run_python

    result = run_python(
        "import policy_portal.settings.production as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT)",
        DJANGO_SECRET_KEY="a-real-secret",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True ['^healthz$']"
    with override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^healthz$"]):
        assert client.get("/healthz").status_code == 200
        assert client.get("/methodology/").status_code == 301
