"""Clients generate from the OpenAPI schema, and the generated client reads the live API (issue 12).

`openapi-python-client generate` with its default configuration (no config file) must succeed on
/api/schema/; the package it writes is imported and, against a live server, lists targets with a
filter, fetches one as of a past date and reads the summary, with the same numbers the API answers.
The schema also passes openapi-spec-validator and `redocly lint` (recommended rules, redocly.yaml) with no
error, and every operation, field and parameter is described.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.core.cache import cache
from openapi_spec_validator import validate

from core.api.throttling import AnonymousThrottle
from indicators import services as indicator_services
from pillars.models import Target
from tests.conftest import REDOCLY
from tests.factories import (
    MeasurementFactory,
    PillarFactory,
    PolicyFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

PAST = dt.date(2025, 7, 15)
BIN = Path(sys.executable).parent
GENERATOR = BIN / "openapi-python-client"
PACKAGE = "national_ai_policy_2025_delivery_tracker_api_client"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def portal(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    """Two pillars, four targets with figures before and after PAST, and the indicators stored for PAST."""
    cache.clear()
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "1000000/minute"})
    policy = PolicyFactory()
    pillars = [PillarFactory(policy=policy, number=n, slug=f"pillar-{n}") for n in (1, 2)]
    targets = []
    for i in range(4):
        target = TargetFactory(policy=policy, pillar=pillars[i % 2])
        TrajectoryPointFactory(target=target)
        MeasurementFactory(target=target, date=dt.date(2025, 3, 1), value=10_000 * (i + 1))
        MeasurementFactory(target=target, date=dt.date(2025, 9, 1), value=40_000 * (i + 1))
        targets.append(target)
    indicator_services.indicators_recompute(as_of=PAST)
    yield {"pillars": pillars, "targets": targets}
    cache.clear()


@pytest.fixture
def schema(live_server: Any) -> dict[str, Any]:
    """The schema as a client downloads it from /api/schema/."""
    response = httpx.get(f"{live_server.url}/api/schema/?format=json", timeout=30)
    response.raise_for_status()
    document: dict[str, Any] = response.json()
    return document


@pytest.fixture
def client_module(schema: dict[str, Any], tmp_path: Path) -> Iterator[Any]:
    """`openapi-python-client generate` (default configuration, offline), its package imported."""
    if not GENERATOR.exists():
        pytest.fail(f"{GENERATOR} is missing: pip install -r requirements-dev.txt")
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    # The generator formats its output with ruff (a post hook); ruff is in the virtualenv's bin.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(path), "--output-path", str(tmp_path / "client")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    # Any warning means part of the schema was skipped (an operation or a model missing from the client).
    assert "Warning" not in output, output
    sys.path.insert(0, str(tmp_path / "client"))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path / "client"))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]
        shutil.rmtree(tmp_path / "client", ignore_errors=True)


def test_schema_passes_openapi_spec_validator(schema: dict[str, Any]) -> None:
    validate(schema)  # raises on the first error


@pytest.mark.redocly
def test_schema_passes_redocly_lint(schema: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(schema), encoding="utf-8")
    config = Path(__file__).resolve().parents[2] / "redocly.yaml"
    env = {**os.environ, "REDOCLY_TELEMETRY": "off", "REDOCLY_SUPPRESS_UPDATE_NOTICE": "true"}
    run = subprocess.run(
        [REDOCLY, "lint", str(path), "--config", str(config), "--format", "stylish"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "valid" in output, output


def test_everything_is_described(schema: dict[str, Any]) -> None:
    """A summary and description on every operation, a description on every tag, field and parameter."""
    missing = [f"tag {t['name']}" for t in schema["tags"] if not t.get("description")]
    for name, component in schema["components"]["schemas"].items():
        missing += [f"{name}.{f}" for f, prop in component.get("properties", {}).items() if not prop.get("description")]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            missing += [f"{method} {path}: {key}" for key in ("summary", "description") if not operation.get(key)]
            missing += [
                f"{method} {path}: {p['name']}" for p in operation.get("parameters", []) if not p.get("description")
            ]
            assert operation["tags"] == [path.split("/")[3]], path
    assert not missing
    assert schema["info"]["license"]["url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert schema["servers"]


def test_responses_are_documented(schema: dict[str, Any]) -> None:
    """CSV as text, and the status codes each operation can answer."""
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            expected = {"400", "404", "414", "429"} | {"get": {"304"}, "patch": {"412", "413"}, "post": {"413"}}[method]
            assert expected <= responses.keys(), (method, path)
            for response in responses.values():
                csv = response.get("content", {}).get("text/csv")
                assert csv is None or csv["schema"]["type"] == "string", (method, path)
    for operation_id in ("targets_list", "targets_retrieve", "dashboard_summary_retrieve"):
        [operation] = [
            o for item in schema["paths"].values() for o in item.values() if o["operationId"] == operation_id
        ]
        assert operation["responses"]["200"]["content"]["application/json"]["examples"]


def test_generated_client_reads_the_api(portal: dict[str, Any], client_module: Any, live_server: Any) -> None:
    targets_list = importlib.import_module(f"{PACKAGE}.api.targets.targets_list")
    targets_retrieve = importlib.import_module(f"{PACKAGE}.api.targets.targets_retrieve")
    summary_retrieve = importlib.import_module(f"{PACKAGE}.api.dashboard.dashboard_summary_retrieve")
    # Reads are public: no token (an empty Authorization header is no credential).
    client = client_module.AuthenticatedClient(base_url=live_server.url, token="", prefix="")
    raw = httpx.Client(base_url=live_server.url, timeout=30)

    # A list with a filter: the targets of pillar 2.
    page = targets_list.sync(client=client, pillar=["pillar-2"], as_of=PAST)
    expected = raw.get("/api/v1/targets/", params={"pillar": "pillar-2", "as_of": PAST.isoformat()}).json()
    assert page.count == expected["count"] == 2
    assert [t.id for t in page.results] == [t["id"] for t in expected["results"]]
    assert {t.pillar for t in page.results} == {"pillar-2"}

    # One target as of a past date: the figure of 2025-09-01 is not yet known.
    pk = portal["targets"][1].pk
    target = targets_retrieve.sync(pk, client=client, as_of=PAST)
    expected = raw.get(f"/api/v1/targets/{pk}/", params={"as_of": PAST.isoformat()}).json()
    assert target.id == pk == expected["id"]
    assert target.indicators.as_of == PAST
    assert target.indicators.actual_value == expected["indicators"]["actual_value"] == 20_000
    assert target.indicators.slip_days == expected["indicators"]["slip_days"]
    assert target.indicators.status.value == expected["indicators"]["status"]

    # The summary: the same roll-up, counts per status included.
    summary = summary_retrieve.sync(client=client, as_of=PAST)
    expected = raw.get("/api/v1/dashboard/summary/", params={"as_of": PAST.isoformat()}).json()
    assert summary.to_dict() == expected
    assert sum(summary.rollup.targets.to_dict().values()) == Target.objects.count()


def test_a_body_too_large_is_the_documented_413(admin_client: Any) -> None:
    """A write whose body exceeds DATA_UPLOAD_MAX_MEMORY_SIZE answers 413 with JSON, as the schema says."""
    body = json.dumps({"target": 1, "date": "2025-01-01", "value": 1, "note": "x" * 3_000_000})
    response = admin_client.post("/api/v1/measurements/", data=body, content_type="application/json")
    assert response.status_code == 413
    assert "too large" in response.json()["detail"]
