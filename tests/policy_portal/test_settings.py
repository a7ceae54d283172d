"""The settings read the environment as documented: each case runs in a fresh interpreter with a clean environment.

A subprocess is needed because settings are read once per process, and CI
itself sets DATABASE_URL and REDIS_URL.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]

# Prints the settings these tests look at, as JSON, without touching a database.
DUMP_SETTINGS = """
import json
from django.conf import settings
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
}))
"""


def run_python(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a new interpreter whose environment holds only PATH, PYTHONPATH and `env`."""
    clean_env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(BASE_DIR), **env}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def dump_settings(module: str, **env: str) -> dict[str, object]:
    result = run_python(DUMP_SETTINGS, DJANGO_SETTINGS_MODULE=module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def skip_if_dotenv_sets(*names: str) -> None:
    """A developer's .env file (read by base.py) would defeat the "clean environment" these tests need."""
    dotenv = BASE_DIR / ".env"
    if not dotenv.exists():
        return
    for line in dotenv.read_text(encoding="utf-8").splitlines():
        key = line.strip().removeprefix("export ").split("=", 1)[0].strip()
        if key in names:
            pytest.skip(f"{dotenv} sets {key}; these tests need it unset")


def test_production_refuses_to_start_without_a_secret_key() -> None:
    skip_if_dotenv_sets("DJANGO_SECRET_KEY")

    result = run_python("import policy_portal.settings.production")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_refuses_an_empty_secret_key() -> None:
    result = run_python("import policy_portal.settings.production", DJANGO_SECRET_KEY="")

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


def test_production_starts_with_a_secret_key() -> None:
    result = run_python(
        "import policy_portal.settings.production as s; print(s.SECRET_KEY == 'a-real-secret', s.DEBUG)",
        DJANGO_SECRET_KEY="a-real-secret",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "False"]


@pytest.mark.parametrize("module", ["policy_portal.settings.local", "policy_portal.settings.test"])
def test_database_defaults_to_sqlite_under_var(module: str) -> None:
    skip_if_dotenv_sets("DATABASE_URL")

    values = dump_settings(module)

    assert values["engine"] == "django.db.backends.sqlite3"
    assert Path(str(values["name"])) == BASE_DIR / "var" / "portal.sqlite3"


def test_database_url_selects_postgresql() -> None:
    values = dump_settings(
        "policy_portal.settings.local", DATABASE_URL="postgres://someone@db.example:5432/portal_elsewhere"
    )

    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "portal_elsewhere"


def test_local_settings_run_tasks_eagerly_without_redis() -> None:
    skip_if_dotenv_sets("REDIS_URL")

    values = dump_settings("policy_portal.settings.local")

    assert values["eager"] is True
    assert values["broker"] == "memory://localhost/"


def test_local_settings_use_the_broker_when_redis_url_is_set() -> None:
    values = dump_settings("policy_portal.settings.local", REDIS_URL="redis://127.0.0.1:6379/15")

    assert values["eager"] is False
    assert values["broker"] == "redis://127.0.0.1:6379/15"
