"""The hubs API: fields of shared/docs/api.md with their roll-ups, filters, Urdu names in CSV, query counts."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from indicators import services as indicator_services
from tests.factories import (
    HubFactory,
    MeasurementFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    TargetFactory,
)

AS_OF = dt.date(2025, 7, 15)
HUB_FIELDS = {"slug", "name", "province", "latitude", "longitude", "rollup"}
ROLLUP_KEYS = {"as_of", "targets", "milestones", "median_slip_days", "max_slip_days", "on_schedule_share"}


@pytest.fixture
def hubs(db: None) -> dict[str, Any]:
    """Lahore (the worked-example target and an overdue milestone) and Karachi (nothing yet)."""
    policy = PolicyFactory()
    pillar = PillarFactory(policy=policy)
    lahore = HubFactory(
        slug="lahore",
        name="Lahore",
        name_ur="لاہور",
        province="Punjab",
        latitude=31.52,
        longitude=74.36,
        tier="primary",
    )
    karachi = HubFactory(
        slug="karachi", name="Karachi", name_ur="کراچی", province="Sindh", latitude=24.86, longitude=67.0
    )
    target = TargetFactory(policy=policy, pillar=pillar, code="t-behind")
    target.hubs.set([lahore])
    MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    milestone = MilestoneFactory(
        policy=policy, pillar=pillar, announced_on=dt.date(2025, 1, 1), baseline_due_date=dt.date(2025, 6, 30)
    )
    milestone.hubs.set([lahore])
    return {"lahore": lahore, "karachi": karachi}


@pytest.fixture(params=["stored", "computed"])
def mode(request: pytest.FixtureRequest, hubs: dict[str, Any]) -> str:
    if request.param == "stored":
        indicator_services.indicators_recompute(as_of=AS_OF)
    return str(request.param)


def test_list_and_detail_carry_the_fields_and_rollups(api: APIClient, mode: str) -> None:
    page = api.get("/api/v1/hubs/", {"as_of": AS_OF.isoformat()}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert [row["slug"] for row in page["results"]] == ["karachi", "lahore"]  # by name
    for row in page["results"]:
        assert set(row) >= HUB_FIELDS
        assert set(row["rollup"]) >= ROLLUP_KEYS
        assert isinstance(row["latitude"], float)
        assert isinstance(row["longitude"], float)
    lahore = api.get("/api/v1/hubs/lahore/", {"as_of": AS_OF.isoformat()}).json()
    assert lahore["name_ur"] == "لاہور"
    assert lahore["province"] == "Punjab"
    assert (lahore["latitude"], lahore["longitude"]) == (31.52, 74.36)
    rollup = lahore["rollup"]
    assert rollup["as_of"] == AS_OF.isoformat()
    assert rollup["targets"]["off_track"] == 1
    assert rollup["milestones"]["overdue"] == 1
    assert rollup["max_slip_days"] == 90
    assert rollup["median_slip_days"] == pytest.approx(52.5)  # 90 (target) and 15 (milestone)
    assert rollup["on_schedule_share"] == 0
    karachi = api.get("/api/v1/hubs/karachi/", {"as_of": AS_OF.isoformat()}).json()["rollup"]
    assert sum(karachi["targets"].values()) == 0
    assert karachi["on_schedule_share"] is None
    assert karachi["median_slip_days"] is None


def test_unknown_hub_is_404_json(api: APIClient, hubs: dict[str, Any]) -> None:
    response = api.get("/api/v1/hubs/atlantis/")
    assert response.status_code == 404
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"province": "sindh"}, ["karachi"]),
        ({"province": "Punjab"}, ["lahore"]),
        ({"tier": "primary"}, ["lahore"]),
        ({"status": "planned"}, ["karachi", "lahore"]),
    ],
)
def test_filters(api: APIClient, hubs: dict[str, Any], params: dict[str, str], expected: list[str]) -> None:
    rows = api.get("/api/v1/hubs/", params).json()["results"]
    assert [row["slug"] for row in rows] == expected


def test_csv_keeps_urdu_names(api: APIClient, mode: str) -> None:
    json_rows = api.get("/api/v1/hubs/", {"as_of": AS_OF.isoformat()}).json()["results"]
    response = api.get("/api/v1/hubs/", {"as_of": AS_OF.isoformat(), "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    assert "لاہور".encode() in body
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r["slug"] for r in rows] == [r["slug"] for r in json_rows]
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["lahore"]["name_ur"] == "لاہور"
    assert by_slug["karachi"]["name_ur"] == "کراچی"
    assert "rollup.targets.off_track" not in by_slug["lahore"]  # counts per status: a related table
    counts = api.get("/api/v1/hubs/", {"as_of": AS_OF.isoformat(), "format": "csv", "table": "rollup.targets"})
    count_rows = list(csv.DictReader(io.StringIO(counts.content.decode("utf-8-sig"))))
    assert {"hub_slug": "lahore", "status": "off_track", "count": "1"} in count_rows
    assert by_slug["lahore"]["rollup.max_slip_days"] == "90"


def test_etag_and_304(api: APIClient, hubs: dict[str, Any]) -> None:
    for path in ("/api/v1/hubs/", "/api/v1/hubs/lahore/"):
        etag = api.get(path)["ETag"]
        response = api.get(path, HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 304
        assert response.content == b""


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "computed"])
def test_query_count_does_not_grow_with_the_data(api: APIClient, db: None, stored: bool) -> None:
    policy = PolicyFactory()
    pillar = PillarFactory(policy=policy)

    def add(n: int) -> None:
        for _ in range(n):
            hub = HubFactory()
            target = TargetFactory(policy=policy, pillar=pillar)
            target.hubs.set([hub])
            MeasurementFactory(target=target)
            MilestoneFactory(policy=policy, pillar=pillar).hubs.set([hub])
        if stored:
            indicator_services.indicators_recompute(as_of=AS_OF)

    def count() -> int:
        path = f"/api/v1/hubs/?as_of={AS_OF.isoformat()}"
        api.get(path)
        with CaptureQueriesContext(connection) as context:
            assert api.get(path).status_code == 200
        return len(context.captured_queries)

    add(3)
    small = count()
    add(12)
    cache.clear()
    assert count() == small
