"""Clients generate from the OpenAPI schema, and the generated client reads the live API (issue 12).

`openapi-python-client generate` with its default configuration (no config file) must succeed on
/api/schema/; the package it writes is imported and, against a live server, lists targets with a
filter, fetches one as of a past date and reads the summary, with the same numbers the API answers.
The schema also passes openapi-spec-validator.
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
