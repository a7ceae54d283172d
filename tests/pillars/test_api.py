"""The JSON API of pillars, targets, measurements, milestones and the dashboard summary (shared/docs/api.md).

Every list is checked in both of its modes: with a stored full recompute for
the as-of date (indicators read from the snapshots, filtered and ordered in
SQL) and without one (computed on the fly in Python). Both must give the same
rows in the same order with the same numbers.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.throttling import AnonymousThrottle
from indicators import selectors as indicator_selectors
from indicators import services as indicator_services
from indicators.compute import Basis
from indicators.models import RecomputeRun, TargetSnapshot
from pillars import selectors, services
from pillars.models import Measurement, Milestone, Target
from tests.factories import (
    EditorFactory,
    HubFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    TargetFactory,
    TrajectoryPointFactory,
    UserFactory,
    reported,
)

AS_OF = dt.date(2025, 7, 15)

TARGET_FIELDS = {
    "id",
    "code",
    "title",
    "pillar",
    "unit",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "trajectory",
    "reporting_interval_days",
    "hubs",
    "sources",
    "indicators",
}
TARGET_INDICATOR_KEYS = {
    "as_of",
    "status",
    "progress",
    "planned_progress",
    "actual_value",
    "evaluation_date",
    "earned_schedule",
    "slip_days",
    "spi",
    "forecast_completion",
    "forecast_slip_days",
    "required_rate",
    "required_rate_per_year",
    "staleness_days",
    "stale",
}
MILESTONE_FIELDS = {
    "id",
    "title",
    "pillar",
    "target",
    "baseline_due_date",
    "forecast_due_date",
    "completed_on",
    "cancelled",
    "hubs",
    "sources",
    "indicators",
}
MILESTONE_INDICATOR_KEYS = {"as_of", "status", "expected_date", "slip_days"}
MEASUREMENT_FIELDS = {"id", "target", "date", "value", "source_url", "note", "illustrative"}
PILLAR_FIELDS = {"slug", "number", "name", "summary", "rollup"}
ROLLUP_KEYS = {"as_of", "targets", "milestones", "median_slip_days", "max_slip_days", "on_schedule_share"}
TARGET_STATUSES = {"achieved", "no_data", "missed", "on_track", "at_risk", "off_track"}
MILESTONE_STATUSES = {"cancelled", "completed", "overdue", "at_risk", "on_track"}


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Two pillars, two hubs, seven targets and five milestones whose indicators as of AS_OF are known.

    As of 2025-07-15 (the worked example of indicators.md):

    - t-behind: the worked example, off track by 90 days (a later figure, 2025-10-01, must be ignored);
    - t-ahead: one day ahead, on track;
    - t-atrisk: spi 0.905, at risk;
    - t-falling: a target that must fall, off track;
    - t-stale: on track but its last figure is 181 days old with a 30-day interval;
    - t-nodata: no figure yet;
    - t-achieved: policy-wide (no pillar), done; its title looks like a spreadsheet formula.
    """
    policy = PolicyFactory()
    p1 = PillarFactory(policy=policy, number=1, slug="foundations", name="Foundations")
    p2 = PillarFactory(policy=policy, number=2, slug="awareness-and-readiness", name="Awareness and readiness")
    lahore = HubFactory(slug="lahore", name="Lahore", name_ur="لاہور")
    karachi = HubFactory(slug="karachi", name="Karachi", name_ur="کراچی")

    def target(code: str, pillar: Any, **fields: Any) -> Target:
        return TargetFactory(policy=policy, pillar=pillar, code=code, **fields)

    behind = target("t-behind", p1, title="Train people in AI")
    behind.hubs.set([lahore])
    MeasurementFactory(target=behind, date=dt.date(2025, 7, 1), value=50_000)
    MeasurementFactory(target=behind, date=dt.date(2025, 10, 1), value=150_000)
    ahead = target("t-ahead", p2)
    ahead.hubs.set([karachi])
    MeasurementFactory(target=ahead, date=dt.date(2025, 7, 1), value=100_000)
    atrisk = target("t-atrisk", p2, target_value=729, target_date=dt.date(2026, 12, 31))
    atrisk.hubs.set([lahore, karachi])
    MeasurementFactory(target=atrisk, date=dt.date(2025, 7, 1), value=163.8)
    falling = target("t-falling", p1, baseline_value=100, target_value=0, unit="days")
    MeasurementFactory(target=falling, date=dt.date(2025, 7, 1), value=80)
    stale = target("t-stale", p2, reporting_interval_days=30, target_date=dt.date(2026, 6, 30))
    MeasurementFactory(target=stale, date=dt.date(2025, 1, 15), value=10_000)
    target("t-nodata", p1, target_date=dt.date(2027, 12, 31))
    achieved = target(
        "t-achieved",
        None,
        title='=HYPERLINK("http://evil.example/","x")',
        target_value=100,
        target_date=dt.date(2027, 6, 30),
    )
    MeasurementFactory(target=achieved, date=dt.date(2025, 6, 1), value=100)
    TrajectoryPointFactory(target=achieved, date=dt.date(2026, 1, 1), value=50)

    def milestone(code: str, pillar: Any, **fields: Any) -> Milestone:
        fields.setdefault("announced_on", dt.date(2025, 1, 1))
        return MilestoneFactory(policy=policy, pillar=pillar, code=code, **fields)

    overdue = milestone("m-overdue", p1, baseline_due_date=dt.date(2025, 6, 30))
    overdue.hubs.set([lahore])
    late = milestone("m-atrisk", p2, baseline_due_date=dt.date(2025, 12, 31), forecast_due_date=dt.date(2026, 3, 31))
    late.hubs.set([karachi])
    milestone("m-ontrack", p2, baseline_due_date=dt.date(2026, 1, 31), target=ahead)
    milestone("m-done", p1, baseline_due_date=dt.date(2025, 6, 30), completed_on=dt.date(2025, 5, 1))
    milestone("m-cancelled", None, title="Set up the AI fund", baseline_due_date=dt.date(2025, 9, 30), cancelled=True)
    return {"policy": policy, "pillars": [p1, p2], "hubs": [lahore, karachi]}


@pytest.fixture(params=["stored", "computed"])
def mode(request: pytest.FixtureRequest, world: dict[str, Any]) -> str:
    """Both ways a list gets its indicators: from a stored full recompute of AS_OF, or on the fly."""
    if request.param == "stored":
        indicator_services.indicators_recompute(as_of=AS_OF)
        assert indicator_selectors.full_run_exists(as_of=AS_OF)
    else:
        assert not indicator_selectors.full_run_exists(as_of=AS_OF)
    return str(request.param)


def get(api: APIClient, path: str, **params: Any) -> Any:
    response = api.get(path, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def codes(api: APIClient, path: str, **params: Any) -> list[str]:
    params.setdefault("as_of", AS_OF.isoformat())
    return [row["code"] for row in get(api, path, **params)["results"]]


def by_code(api: APIClient, path: str, **params: Any) -> dict[str, dict[str, Any]]:
    params.setdefault("as_of", AS_OF.isoformat())
    params.setdefault("page_size", 500)
    return {row["code"]: row for row in get(api, path, **params)["results"]}


# --- Fields ----------------------------------------------------------------------------------------


def test_target_list_and_detail_carry_the_fields_of_api_md(api: APIClient, mode: str) -> None:
    page = get(api, "/api/v1/targets/", as_of=AS_OF.isoformat())
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 7
    for row in page["results"]:
        assert set(row) >= TARGET_FIELDS
        assert set(row["indicators"]) >= TARGET_INDICATOR_KEYS
        assert row["indicators"]["as_of"] == AS_OF.isoformat()
        assert row["indicators"]["status"] in TARGET_STATUSES
    behind = Target.objects.get(code="t-behind")
    detail = get(api, f"/api/v1/targets/{behind.pk}/", as_of=AS_OF.isoformat())
    assert set(detail) >= TARGET_FIELDS
    assert detail["id"] == behind.pk
    assert detail["pillar"] == "foundations"
    assert detail["hubs"] == ["lahore"]
    assert detail["trajectory"] == []
    assert isinstance(detail["baseline_value"], float | int)
    assert isinstance(detail["target_value"], float | int)
    assert detail["baseline_date"] == "2025-01-01"
    assert detail["target_date"] == "2025-12-31"
    assert detail["reporting_interval_days"] == 90
    achieved = Target.objects.get(code="t-achieved")
    detail = get(api, f"/api/v1/targets/{achieved.pk}/", as_of=AS_OF.isoformat())
    assert detail["pillar"] is None
    assert detail["trajectory"] == [{"date": "2026-01-01", "value": 50.0}]


def test_worked_example_of_indicators_md_through_the_api(api: APIClient, mode: str) -> None:
    behind = Target.objects.get(code="t-behind")
    indicators = get(api, f"/api/v1/targets/{behind.pk}/", as_of="2025-07-15")["indicators"]
    assert indicators["as_of"] == "2025-07-15"
    assert indicators["status"] == "off_track"
    assert indicators["actual_value"] == 50_000  # the 2025-10-01 figure is after the as-of date
    assert indicators["evaluation_date"] == "2025-07-01"
    assert indicators["progress"] == pytest.approx(0.25)
    assert indicators["planned_progress"] == pytest.approx(0.4973, abs=1e-4)
    assert indicators["earned_schedule"] == "2025-04-02"
    assert indicators["slip_days"] == 90
    assert indicators["spi"] == pytest.approx(0.5028, abs=1e-4)
    forecast = dt.date.fromisoformat(indicators["forecast_completion"])
    assert abs((forecast - dt.date(2026, 12, 26)).days) <= 1
    assert abs(indicators["forecast_slip_days"] - 360) <= 1
    assert indicators["required_rate"] == pytest.approx(887.6, abs=0.05)  # 150,000 / 169 days from the as-of date
    assert indicators["required_rate_per_year"] == pytest.approx(324_186, abs=1)
    assert indicators["staleness_days"] == 14
    assert indicators["stale"] is False
    assert indicators["basis"] == "reported"
    assert indicators["last_reported_on"] == "2025-07-01"
    assert indicators["report_due_on"] == "2025-09-29"
    assert indicators["reporting_overdue_days"] == 0
    # Numbers are JSON numbers, never strings.
    for key in ("progress", "spi", "required_rate", "actual_value"):
        assert isinstance(indicators[key], float | int)


def test_no_data_target_has_null_indicators(api: APIClient, mode: str) -> None:
    indicators = by_code(api, "/api/v1/targets/")["t-nodata"]["indicators"]
    assert indicators["status"] == "no_data"
    for key in TARGET_INDICATOR_KEYS - {"as_of", "status", "stale"}:
        assert indicators[key] is None, key


def test_milestone_list_and_detail_carry_the_fields_of_api_md(api: APIClient, mode: str) -> None:
    page = get(api, "/api/v1/milestones/", as_of=AS_OF.isoformat())
    assert page["count"] == 5
    for row in page["results"]:
        assert set(row) >= MILESTONE_FIELDS
        assert set(row["indicators"]) >= MILESTONE_INDICATOR_KEYS
        assert row["indicators"]["status"] in MILESTONE_STATUSES
    rows = by_code(api, "/api/v1/milestones/")
    assert {code: row["indicators"]["status"] for code, row in rows.items()} == {
        "m-overdue": "overdue",
        "m-atrisk": "at_risk",
        "m-ontrack": "on_track",
        "m-done": "completed",
        "m-cancelled": "cancelled",
    }
    assert {code: row["indicators"]["slip_days"] for code, row in rows.items()} == {
        "m-overdue": 15,
        "m-atrisk": 90,
        "m-ontrack": 0,
        "m-done": -60,
        "m-cancelled": None,
    }
    assert rows["m-overdue"]["indicators"]["expected_date"] == AS_OF.isoformat()
    assert rows["m-ontrack"]["target"] == Target.objects.get(code="t-ahead").pk
    assert rows["m-cancelled"]["pillar"] is None
    assert rows["m-cancelled"]["cancelled"] is True
    milestone = Milestone.objects.get(code="m-atrisk")
    detail = get(api, f"/api/v1/milestones/{milestone.pk}/", as_of=AS_OF.isoformat())
    assert set(detail) >= MILESTONE_FIELDS
    assert detail["hubs"] == ["karachi"]
    assert detail["forecast_due_date"] == "2026-03-31"
    assert detail["indicators"] == {
        "as_of": "2025-07-15",
        "status": "at_risk",
        "expected_date": "2026-03-31",
        "slip_days": 90,
        "basis": "reported",
    }


def test_measurement_list_and_detail_carry_the_fields_of_api_md(api: APIClient, world: dict[str, Any]) -> None:
    page = get(api, "/api/v1/measurements/")
    assert page["count"] == Measurement.objects.count()
    for row in page["results"]:
        assert set(row) >= MEASUREMENT_FIELDS
        assert isinstance(row["value"], float | int)
        assert isinstance(row["illustrative"], bool)
    behind = Target.objects.get(code="t-behind")
    rows = get(api, "/api/v1/measurements/", target=behind.pk)["results"]
    assert [(r["date"], r["value"]) for r in rows] == [("2025-07-01", 50_000), ("2025-10-01", 150_000)]
    assert all(r["target"] == behind.pk for r in rows)
    detail = get(api, f"/api/v1/measurements/{rows[0]['id']}/")
    assert detail == rows[0]


def test_pillar_list_and_detail_carry_rollups(api: APIClient, mode: str) -> None:
    page = get(api, "/api/v1/pillars/", as_of=AS_OF.isoformat())
    assert [row["slug"] for row in page["results"]] == ["foundations", "awareness-and-readiness"]
    for row in page["results"]:
        assert set(row) >= PILLAR_FIELDS
        assert set(row["rollup"]) >= ROLLUP_KEYS
        assert set(row["rollup"]["targets"]) == TARGET_STATUSES
        assert set(row["rollup"]["milestones"]) == MILESTONE_STATUSES
    detail = get(api, "/api/v1/pillars/foundations/", as_of=AS_OF.isoformat())
    rollup = detail["rollup"]
    assert rollup["as_of"] == AS_OF.isoformat()
    # Foundations: t-behind (off, 90), t-falling (off, 108), t-nodata; m-overdue (15), m-done (completed, -60).
    assert rollup["targets"] == {
        "achieved": 0,
        "no_data": 1,
        "missed": 0,
        "on_track": 0,
        "at_risk": 0,
        "off_track": 2,
    }
    assert rollup["milestones"] == {"cancelled": 0, "completed": 1, "overdue": 1, "at_risk": 0, "on_track": 0}
    assert rollup["max_slip_days"] == 108
    assert rollup["median_slip_days"] == pytest.approx(52.5)
    assert rollup["on_schedule_share"] == pytest.approx(1 / 4)


def test_summary_has_the_policy_rollup_and_one_per_pillar(api: APIClient, mode: str) -> None:
    data = get(api, "/api/v1/dashboard/summary/", as_of=AS_OF.isoformat())
    assert set(data["rollup"]) >= ROLLUP_KEYS
    assert data["rollup"]["as_of"] == AS_OF.isoformat()
    assert sum(data["rollup"]["targets"].values()) == 7
    assert sum(data["rollup"]["milestones"].values()) == 5
    assert [p["slug"] for p in data["pillars"]] == ["foundations", "awareness-and-readiness"]
    for pillar in data["pillars"]:
        assert set(pillar["rollup"]) >= ROLLUP_KEYS
    # A window: only the items due in 2025.
    windowed = get(
        api, "/api/v1/dashboard/summary/", as_of=AS_OF.isoformat(), due_from="2025-01-01", due_to="2025-12-31"
    )
    assert windowed["due_from"] == "2025-01-01"
    assert windowed["due_to"] == "2025-12-31"
    assert sum(windowed["rollup"]["targets"].values()) == 3  # t-behind, t-ahead, t-falling
    assert sum(windowed["rollup"]["milestones"].values()) == 4  # all but m-ontrack (2026-01-31)


def test_summary_rejects_a_window_that_ends_before_it_starts(api: APIClient, world: dict[str, Any]) -> None:
    response = api.get("/api/v1/dashboard/summary/", {"due_from": "2026-01-01", "due_to": "2025-01-01"})
    assert response.status_code == 400
    assert "due_to" in response.json()


def test_history_endpoints_give_what_a_chart_needs(api: APIClient, world: dict[str, Any]) -> None:
    for day in (dt.date(2025, 7, 15), dt.date(2025, 4, 1), dt.date(2025, 10, 15)):
        indicator_services.indicators_recompute(as_of=day)
    behind = Target.objects.get(code="t-behind")
    history = get(api, f"/api/v1/targets/{behind.pk}/history/")
    assert history["target"] == behind.pk
    assert history["code"] == "t-behind"
    assert history["planned"] == [{"date": "2025-01-01", "value": 0.0}, {"date": "2025-12-31", "value": 200_000.0}]
    assert [(m["date"], m["value"]) for m in history["measurements"]] == [
        ("2025-07-01", 50_000),
        ("2025-10-01", 150_000),
    ]
    assert [s["as_of"] for s in history["snapshots"]] == ["2025-04-01", "2025-07-15", "2025-10-15"]
    assert history["snapshots"][1]["slip_days"] == 90
    milestone = Milestone.objects.get(code="m-atrisk")
    history = get(api, f"/api/v1/milestones/{milestone.pk}/history/")
    assert history["milestone"] == milestone.pk
    assert history["baseline_due_date"] == "2025-12-31"
    assert [s["as_of"] for s in history["snapshots"]] == ["2025-04-01", "2025-07-15", "2025-10-15"]
    assert {s["forecast_due_date"] for s in history["snapshots"]} == {"2026-03-31"}
    assert api.get("/api/v1/targets/999999/history/").status_code == 404
    assert api.get("/api/v1/milestones/999999/history/").status_code == 404


def test_unknown_objects_are_404_json(api: APIClient, world: dict[str, Any]) -> None:
    for path in ("/api/v1/targets/999999/", "/api/v1/milestones/999999/", "/api/v1/pillars/nope/"):
        response = api.get(path, HTTP_ACCEPT="application/json")
        assert response.status_code == 404, path
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()


# --- Filters and ordering, in both modes ---------------------------------------------------------------

TARGET_FILTERS = [
    ({"pillar": "foundations"}, {"t-behind", "t-falling", "t-nodata"}),
    ({"pillar": "awareness-and-readiness"}, {"t-ahead", "t-atrisk", "t-stale"}),
    ({"hub": "lahore"}, {"t-behind", "t-atrisk"}),
    ({"hub": "karachi"}, {"t-ahead", "t-atrisk"}),
    ({"status": "off_track"}, {"t-behind", "t-falling"}),
    ({"status": ["off_track", "at_risk"]}, {"t-behind", "t-falling", "t-atrisk"}),
    ({"status": "no_data"}, {"t-nodata"}),
    ({"status": "achieved"}, {"t-achieved"}),
    ({"status": "on_track"}, {"t-ahead", "t-stale"}),
    ({"due_before": "2025-12-31"}, {"t-behind", "t-ahead", "t-falling"}),
    ({"due_after": "2026-01-01"}, {"t-atrisk", "t-stale", "t-nodata", "t-achieved"}),
    ({"due_after": "2026-01-01", "due_before": "2026-12-31"}, {"t-atrisk", "t-stale"}),
    ({"stale": "true"}, {"t-stale"}),
    ({"stale": "1"}, {"t-stale"}),
    ({"stale": "True"}, {"t-stale"}),
    ({"stale": "0"}, {"t-behind", "t-ahead", "t-atrisk", "t-falling", "t-nodata", "t-achieved"}),
    ({"stale": "false"}, {"t-behind", "t-ahead", "t-atrisk", "t-falling", "t-nodata", "t-achieved"}),
    ({"q": "train"}, {"t-behind"}),
    ({"q": "T-FALL"}, {"t-falling"}),
    ({"pillar": "foundations", "status": "off_track", "hub": "lahore"}, {"t-behind"}),
]


@pytest.mark.parametrize(("params", "expected"), TARGET_FILTERS, ids=[str(p) for p, _ in TARGET_FILTERS])
def test_target_filters(api: APIClient, mode: str, params: dict[str, Any], expected: set[str]) -> None:
    found = codes(api, "/api/v1/targets/", **params)
    assert len(found) == len(set(found)), "a row appears twice"
    assert set(found) == expected


TARGET_ORDERINGS = [
    ("code", ["t-achieved", "t-ahead", "t-atrisk", "t-behind", "t-falling", "t-nodata", "t-stale"]),
    ("-code", ["t-stale", "t-nodata", "t-falling", "t-behind", "t-atrisk", "t-ahead", "t-achieved"]),
    ("target_date", ["t-ahead", "t-behind", "t-falling", "t-stale", "t-atrisk", "t-achieved", "t-nodata"]),
    ("-target_date", ["t-nodata", "t-achieved", "t-atrisk", "t-stale", "t-ahead", "t-behind", "t-falling"]),
    # Slip: t-achieved -759, t-stale -13, t-ahead -1, t-atrisk 17, t-behind 90, t-falling 108; no data last.
    ("slip_days", ["t-achieved", "t-stale", "t-ahead", "t-atrisk", "t-behind", "t-falling", "t-nodata"]),
    ("-slip_days", ["t-falling", "t-behind", "t-atrisk", "t-ahead", "t-stale", "t-achieved", "t-nodata"]),
]


@pytest.mark.parametrize(("ordering", "expected"), TARGET_ORDERINGS, ids=[o for o, _ in TARGET_ORDERINGS])
def test_target_ordering(api: APIClient, mode: str, ordering: str, expected: list[str]) -> None:
    assert codes(api, "/api/v1/targets/", ordering=ordering) == expected


def test_target_slips_behind_the_ordering(api: APIClient, mode: str) -> None:
    rows = by_code(api, "/api/v1/targets/")
    assert {code: row["indicators"]["slip_days"] for code, row in rows.items()} == {
        "t-achieved": -759,
        "t-stale": -13,
        "t-ahead": -1,
        "t-atrisk": 17,
        "t-behind": 90,
        "t-falling": 108,
        "t-nodata": None,
    }


def test_target_ordering_combines_with_filters_and_pages(api: APIClient, mode: str) -> None:
    first = get(api, "/api/v1/targets/", as_of=AS_OF.isoformat(), ordering="-slip_days", page_size=2)
    assert [r["code"] for r in first["results"]] == ["t-falling", "t-behind"]
    assert first["count"] == 7
    assert "page=2" in first["next"]
    second = get(api, "/api/v1/targets/", as_of=AS_OF.isoformat(), ordering="-slip_days", page_size=2, page=2)
    assert [r["code"] for r in second["results"]] == ["t-atrisk", "t-ahead"]
    filtered = codes(api, "/api/v1/targets/", ordering="-slip_days", pillar="awareness-and-readiness")
    assert filtered == ["t-atrisk", "t-ahead", "t-stale"]


def test_default_target_order_is_by_code(api: APIClient, mode: str) -> None:
    assert codes(api, "/api/v1/targets/") == sorted(codes(api, "/api/v1/targets/"))


MILESTONE_FILTERS = [
    ({"pillar": "foundations"}, {"m-overdue", "m-done"}),
    ({"pillar": "awareness-and-readiness"}, {"m-atrisk", "m-ontrack"}),
    ({"hub": "lahore"}, {"m-overdue"}),
    ({"hub": ["lahore", "karachi"]}, {"m-overdue", "m-atrisk"}),
    ({"status": "overdue"}, {"m-overdue"}),
    ({"status": ["completed", "cancelled"]}, {"m-done", "m-cancelled"}),
    ({"status": "on_track"}, {"m-ontrack"}),
    ({"due_before": "2025-06-30"}, {"m-overdue", "m-done"}),
    ({"due_after": "2025-10-01"}, {"m-atrisk", "m-ontrack"}),
    ({"q": "fund"}, {"m-cancelled"}),
    ({"pillar": "awareness-and-readiness", "status": "at_risk"}, {"m-atrisk"}),
]


@pytest.mark.parametrize(("params", "expected"), MILESTONE_FILTERS, ids=[str(p) for p, _ in MILESTONE_FILTERS])
def test_milestone_filters(api: APIClient, mode: str, params: dict[str, Any], expected: set[str]) -> None:
    found = codes(api, "/api/v1/milestones/", **params)
    assert len(found) == len(set(found)), "a row appears twice"
    assert set(found) == expected


MILESTONE_ORDERINGS = [
    ("code", ["m-atrisk", "m-cancelled", "m-done", "m-ontrack", "m-overdue"]),
    ("-code", ["m-overdue", "m-ontrack", "m-done", "m-cancelled", "m-atrisk"]),
    ("baseline_due_date", ["m-done", "m-overdue", "m-cancelled", "m-atrisk", "m-ontrack"]),
    ("-baseline_due_date", ["m-ontrack", "m-atrisk", "m-cancelled", "m-done", "m-overdue"]),
    ("slip_days", ["m-done", "m-ontrack", "m-overdue", "m-atrisk", "m-cancelled"]),
    ("-slip_days", ["m-atrisk", "m-overdue", "m-ontrack", "m-done", "m-cancelled"]),
]


@pytest.mark.parametrize(("ordering", "expected"), MILESTONE_ORDERINGS, ids=[o for o, _ in MILESTONE_ORDERINGS])
def test_milestone_ordering(api: APIClient, mode: str, ordering: str, expected: list[str]) -> None:
    assert codes(api, "/api/v1/milestones/", ordering=ordering) == expected


def test_default_milestone_order_is_by_baseline_due_date(api: APIClient, mode: str) -> None:
    assert codes(api, "/api/v1/milestones/") == ["m-done", "m-overdue", "m-cancelled", "m-atrisk", "m-ontrack"]


def test_measurement_filters_and_ordering(api: APIClient, world: dict[str, Any]) -> None:
    behind = Target.objects.get(code="t-behind")
    assert [r["date"] for r in get(api, "/api/v1/measurements/", target_code="t-behind")["results"]] == [
        "2025-07-01",
        "2025-10-01",
    ]
    rows = get(api, "/api/v1/measurements/", target=behind.pk, ordering="-date")["results"]
    assert [r["date"] for r in rows] == ["2025-10-01", "2025-07-01"]
    rows = get(api, "/api/v1/measurements/", date_after="2025-07-01", date_before="2025-07-01")["results"]
    assert len(rows) == 4


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/targets/", {"status": "bogus"}),
        ("/api/v1/targets/", {"ordering": "title; DROP TABLE"}),
        ("/api/v1/targets/", {"pillar": "no-such-pillar"}),
        ("/api/v1/targets/", {"due_before": "31/12/2025"}),
        ("/api/v1/milestones/", {"status": "late"}),
        ("/api/v1/milestones/", {"due_after": "tomorrow"}),
        ("/api/v1/targets/", {"as_of": "2025-02-30"}),
        ("/api/v1/milestones/", {"as_of": "yesterday"}),
    ],
)
def test_bad_filter_values_are_400_naming_the_parameter(
    api: APIClient, world: dict[str, Any], path: str, params: dict[str, str]
) -> None:
    response = api.get(path, params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(params)


# --- As of any date: stored and replayed -----------------------------------------------------------


REPLAY_DATES = [dt.date(2025, 1, 10), dt.date(2025, 3, 1), AS_OF, dt.date(2025, 11, 1), dt.date(2026, 2, 1)]


@pytest.mark.parametrize("day", REPLAY_DATES, ids=str)
def test_as_of_replay_equals_the_stored_snapshot_and_the_on_the_fly_value(
    api: APIClient, world: dict[str, Any], day: dt.date
) -> None:
    on_the_fly = by_code(api, "/api/v1/targets/", as_of=day.isoformat())
    milestones_on_the_fly = by_code(api, "/api/v1/milestones/", as_of=day.isoformat())
    assert not indicator_selectors.full_run_exists(as_of=day)

    indicator_services.indicators_recompute(as_of=day)
    cache.clear()  # a new ETag anyway; keep the throttle out of the way
    stored = by_code(api, "/api/v1/targets/", as_of=day.isoformat())
    milestones_stored = by_code(api, "/api/v1/milestones/", as_of=day.isoformat())
    snapshots = indicator_selectors.target_indicators_on(as_of=day, basis=Basis.REPORTED)
    milestone_snapshots = indicator_selectors.milestone_indicators_on(as_of=day, basis=Basis.REPORTED)

    assert set(stored) == set(on_the_fly)
    for code, row in stored.items():
        expected = snapshots[row["id"]].as_dict()
        assert row["indicators"] == expected, code
        assert on_the_fly[code]["indicators"] == expected, code
        detail = get(api, f"/api/v1/targets/{row['id']}/", as_of=day.isoformat())
        assert detail["indicators"] == expected, code
    for code, row in milestones_stored.items():
        expected = milestone_snapshots[row["id"]].as_dict()
        assert row["indicators"] == expected, code
        assert milestones_on_the_fly[code]["indicators"] == expected, code


def test_both_modes_give_the_same_rows_in_the_same_order(api: APIClient, world: dict[str, Any]) -> None:
    queries = [{"ordering": o} for o, _ in TARGET_ORDERINGS] + [p for p, _ in TARGET_FILTERS]
    before = [get(api, "/api/v1/targets/", as_of=AS_OF.isoformat(), **q)["results"] for q in queries]
    milestone_queries = [{"ordering": o} for o, _ in MILESTONE_ORDERINGS] + [p for p, _ in MILESTONE_FILTERS]
    milestones_before = [
        get(api, "/api/v1/milestones/", as_of=AS_OF.isoformat(), **q)["results"] for q in milestone_queries
    ]
    indicator_services.indicators_recompute(as_of=AS_OF)
    cache.clear()
    after = [get(api, "/api/v1/targets/", as_of=AS_OF.isoformat(), **q)["results"] for q in queries]
    milestones_after = [
        get(api, "/api/v1/milestones/", as_of=AS_OF.isoformat(), **q)["results"] for q in milestone_queries
    ]
    assert after == before
    assert milestones_after == milestones_before


def test_as_of_defaults_to_today_in_the_policy_time_zone(api: APIClient, world: dict[str, Any]) -> None:
    today = timezone.localdate().isoformat()
    rows = get(api, "/api/v1/targets/")["results"]
    assert {row["indicators"]["as_of"] for row in rows} == {today}
    assert get(api, "/api/v1/dashboard/summary/")["as_of"] == today


def test_a_later_measurement_does_not_change_a_replayed_date(api: APIClient, world: dict[str, Any]) -> None:
    behind = Target.objects.get(code="t-behind")
    before = get(api, f"/api/v1/targets/{behind.pk}/", as_of=AS_OF.isoformat())["indicators"]
    MeasurementFactory(target=behind, date=dt.date(2025, 8, 1), value=120_000)
    cache.clear()
    after = get(api, f"/api/v1/targets/{behind.pk}/", as_of=AS_OF.isoformat())["indicators"]
    assert after == before
    later = get(api, f"/api/v1/targets/{behind.pk}/", as_of="2025-08-15")["indicators"]
    assert later["actual_value"] == 120_000


# --- CSV -----------------------------------------------------------------------------------------


def _csv_rows(response: Any) -> list[dict[str, str]]:
    import csv
    import io

    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/v1/targets/", {"ordering": "-slip_days"}),
        ("/api/v1/targets/", {"status": ["off_track", "at_risk"], "ordering": "target_date"}),
        ("/api/v1/milestones/", {"ordering": "slip_days"}),
        ("/api/v1/milestones/", {"pillar": "foundations"}),
    ],
)
def test_csv_has_the_same_rows_as_json(api: APIClient, mode: str, path: str, params: dict[str, Any]) -> None:
    params = {"as_of": AS_OF.isoformat(), **params}
    json_rows = get(api, path, **params)["results"]
    response = api.get(path, {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert [int(r["id"]) for r in rows] == [r["id"] for r in json_rows]
    assert [r["code"] for r in rows] == [r["code"] for r in json_rows]
    header = response.content.decode("utf-8-sig").splitlines()[0].split(",")
    assert "indicators.status" in header
    assert "indicators.slip_days" in header
    for row, json_row in zip(rows, json_rows, strict=True):
        assert row["indicators.status"] == json_row["indicators"]["status"]
        slip = json_row["indicators"]["slip_days"]
        assert row["indicators.slip_days"] == ("" if slip is None else str(slip))


def test_csv_neutralises_formulas_and_keeps_negative_numbers(api: APIClient, mode: str) -> None:
    response = api.get("/api/v1/targets/", {"as_of": AS_OF.isoformat(), "format": "csv"})
    rows = {r["code"]: r for r in _csv_rows(response)}
    assert rows["t-achieved"]["title"].startswith("'=")
    assert rows["t-achieved"]["title"][1:] == '=HYPERLINK("http://evil.example/","x")'
    assert rows["t-ahead"]["indicators.slip_days"] == "-1"
    assert "hubs" not in rows["t-behind"]  # a list is a related table, one row per hub
    hubs = api.get("/api/v1/targets/", {"as_of": AS_OF.isoformat(), "format": "csv", "table": "hubs"})
    by_target: dict[str, list[str]] = {}
    for row in _csv_rows(hubs):
        by_target.setdefault(row["target_id"], []).append(row["slug"])
    assert by_target[rows["t-behind"]["id"]] == ["lahore"]
    assert sorted(by_target[rows["t-atrisk"]["id"]]) == ["karachi", "lahore"]


def test_csv_of_the_worked_example(api: APIClient, mode: str) -> None:
    response = api.get("/api/v1/targets/", {"as_of": AS_OF.isoformat(), "q": "train", "format": "csv"})
    (row,) = _csv_rows(response)
    assert row["indicators.slip_days"] == "90"
    assert row["indicators.status"] == "off_track"
    assert row["indicators.staleness_days"] == "14"
    assert row["indicators.stale"] == "false"


# --- Query counts: constant whatever the number of rows ------------------------------------------------


def _add_targets_and_milestones(policy: Any, pillars: list[Any], hubs: list[Any], n: int, start: int) -> None:
    for i in range(start, start + n):
        target = TargetFactory(policy=policy, pillar=pillars[i % 2], code=f"bulk-{i:03d}")
        target.hubs.set(hubs)
        MeasurementFactory(target=target, date=dt.date(2025, 6, 1), value=1_000 * (i + 1))
        TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 30), value=90_000)
        milestone = MilestoneFactory(policy=policy, pillar=pillars[i % 2], code=f"bulk-m-{i:03d}", target=target)
        milestone.hubs.set(hubs)


def _queries(api: APIClient, path: str) -> int:
    accept = {} if "format=" in path else {"HTTP_ACCEPT": "application/json"}
    api.get(path, **accept)  # warm-up: nothing lazily cached counts
    with CaptureQueriesContext(connection) as context:
        response = api.get(path, **accept)
    assert response.status_code == 200, response.content
    return len(context.captured_queries)


LIST_PATHS = [
    "/api/v1/pillars/",
    "/api/v1/targets/",
    "/api/v1/targets/?ordering=-slip_days&status=off_track&status=on_track&stale=false",
    "/api/v1/targets/?format=csv",
    "/api/v1/measurements/",
    "/api/v1/milestones/",
    "/api/v1/milestones/?ordering=slip_days&status=on_track",
    "/api/v1/dashboard/summary/",
    "/api/v1/dashboard/summary/?due_from=2025-01-01&due_to=2027-12-31",
]


@pytest.mark.parametrize("path", LIST_PATHS)
@pytest.mark.parametrize("stored", [True, False], ids=["stored", "computed"])
def test_list_query_count_does_not_grow_with_the_data(db: None, api: APIClient, path: str, stored: bool) -> None:
    policy = PolicyFactory()
    pillars = [PillarFactory(policy=policy), PillarFactory(policy=policy)]
    hubs = [HubFactory(), HubFactory()]
    path += ("&" if "?" in path else "?") + f"as_of={AS_OF.isoformat()}"

    _add_targets_and_milestones(policy, pillars, hubs, 3, 0)
    if stored:
        indicator_services.indicators_recompute(as_of=AS_OF)
    small = _queries(api, path)
    _add_targets_and_milestones(policy, pillars, hubs, 12, 3)
    if stored:
        indicator_services.indicators_recompute(as_of=AS_OF)
    cache.clear()
    large = _queries(api, path)
    assert large == small, f"{path}: {small} queries with 3 items, {large} with 15"


@pytest.mark.parametrize("path", ["/api/v1/targets/{target}/", "/api/v1/milestones/{milestone}/"])
@pytest.mark.parametrize("stored", [True, False], ids=["stored", "computed"])
def test_detail_query_count_does_not_grow_with_the_data(db: None, api: APIClient, path: str, stored: bool) -> None:
    policy = PolicyFactory()
    pillars = [PillarFactory(policy=policy), PillarFactory(policy=policy)]
    hubs = [HubFactory(), HubFactory()]
    _add_targets_and_milestones(policy, pillars, hubs, 3, 0)
    target = Target.objects.get(code="bulk-000")
    milestone = Milestone.objects.get(code="bulk-m-000")
    url = path.format(target=target.pk, milestone=milestone.pk) + f"?as_of={AS_OF.isoformat()}"
    if stored:
        indicator_services.indicators_recompute(as_of=AS_OF)
    small = _queries(api, url)
    _add_targets_and_milestones(policy, pillars, hubs, 12, 3)
    for day in range(2, 20):
        MeasurementFactory(target=target, date=dt.date(2025, 5, day), value=100 * day)
    if stored:
        indicator_services.indicators_recompute(as_of=AS_OF)
    cache.clear()
    assert _queries(api, url) == small


# --- Writes: permissions, CSRF, tokens ------------------------------------------------------------------


def _new_target(**overrides: Any) -> dict[str, Any]:
    data = {
        "code": "t-new",
        "title": "A new target",
        "pillar": "foundations",
        "unit": "people",
        "baseline_value": 0,
        "baseline_date": "2025-01-01",
        "target_value": 1000,
        "target_date": "2026-12-31",
        "hubs": ["lahore"],
        "trajectory": [{"date": "2025-12-31", "value": 400}],
    }
    data.update(overrides)
    return data


WRITES = [
    ("post", "/api/v1/targets/", lambda w: _new_target()),
    ("patch", "/api/v1/targets/{target}/", lambda w: {"title": "Renamed"}),
    ("post", "/api/v1/measurements/", lambda w: {"target": w["target"], "date": "2025-08-01", "value": 60_000}),
    ("patch", "/api/v1/measurements/{measurement}/", lambda w: {"value": 55_000, "reason": "PBS revised it."}),
    (
        "post",
        "/api/v1/milestones/",
        lambda w: {
            "code": "m-new",
            "title": "New",
            "pillar": "foundations",
            "announced_on": "2025-07-30",
            "baseline_due_date": "2026-06-30",
        },
    ),
    ("patch", "/api/v1/milestones/{milestone}/", lambda w: {"title": "Renamed", "responsible_body": "MoITT"}),
]
WRITE_IDS = [f"{method} {path}" for method, path, _ in WRITES]


@pytest.fixture
def ids(world: dict[str, Any]) -> dict[str, int]:
    behind = Target.objects.get(code="t-behind")
    return {
        "target": behind.pk,
        "measurement": behind.measurements.order_by("date").first().pk,  # type: ignore[union-attr]
        "milestone": Milestone.objects.get(code="m-atrisk").pk,
    }


def _write(client: APIClient, method: str, path: str, data: dict[str, Any], **extra: Any) -> Any:
    return getattr(client, method)(path, data, format="json", **extra)


@pytest.mark.parametrize(("method", "path", "payload"), WRITES, ids=WRITE_IDS)
def test_anonymous_writes_are_401(api: APIClient, ids: dict[str, int], method: str, path: str, payload: Any) -> None:
    response = _write(api, method, path.format(**ids), payload(ids))
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response["WWW-Authenticate"].startswith("Token")
    assert "detail" in response.json()


@pytest.mark.parametrize(("method", "path", "payload"), WRITES, ids=WRITE_IDS)
def test_a_logged_in_non_editor_gets_403(
    api: APIClient, ids: dict[str, int], method: str, path: str, payload: Any
) -> None:
    api.force_authenticate(UserFactory())
    response = _write(api, method, path.format(**ids), payload(ids))
    assert response.status_code == 403
    assert "Editors" in response.json()["detail"]


@pytest.mark.parametrize(("method", "path", "payload"), WRITES, ids=WRITE_IDS)
def test_an_editor_by_token_may_write(ids: dict[str, int], method: str, path: str, payload: Any) -> None:
    token = Token.objects.create(user=EditorFactory())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = _write(client, method, path.format(**ids), payload(ids))
    assert response.status_code == (201 if method == "post" else 200), response.content


def test_a_bad_token_is_401(api: APIClient, ids: dict[str, int]) -> None:
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = api.get("/api/v1/targets/")
    assert response.status_code == 401
    response = _write(api, "patch", f"/api/v1/targets/{ids['target']}/", {"title": "x"})
    assert response.status_code == 401


def test_a_superuser_may_write(api: APIClient, ids: dict[str, int]) -> None:
    from tests.factories import SuperuserFactory

    api.force_authenticate(SuperuserFactory())
    response = _write(api, "patch", f"/api/v1/targets/{ids['target']}/", {"title": "By the superuser"})
    assert response.status_code == 200


def test_an_editor_by_session_needs_the_csrf_token(ids: dict[str, int]) -> None:
    from django.conf import settings
    from django.utils.crypto import get_random_string

    editor = EditorFactory()
    assert Group.objects.get(name=settings.EDITORS_GROUP_NAME) in editor.groups.all()
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(editor)
    path = f"/api/v1/targets/{ids['target']}/"

    response = _write(client, "patch", path, {"title": "Without CSRF"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Target.objects.get(pk=ids["target"]).title == "Train people in AI"

    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = _write(client, "patch", path, {"title": "With CSRF"}, HTTP_X_CSRFTOKEN=secret)
    assert response.status_code == 200, response.content
    assert response.json()["title"] == "With CSRF"
    response = _write(
        client,
        "post",
        "/api/v1/measurements/",
        {"target": ids["target"], "date": "2025-08-01", "value": 60_000},
        HTTP_X_CSRFTOKEN=secret,
    )
    assert response.status_code == 201, response.content


def test_put_and_delete_are_not_offered(ids: dict[str, int]) -> None:
    client = APIClient()
    client.force_authenticate(EditorFactory())
    assert client.put(f"/api/v1/targets/{ids['target']}/", _new_target(), format="json").status_code == 405
    assert client.delete(f"/api/v1/targets/{ids['target']}/").status_code == 405
    assert client.delete(f"/api/v1/measurements/{ids['measurement']}/").status_code == 405
    assert client.post("/api/v1/pillars/", {}, format="json").status_code == 405


# --- Writes: validation ----------------------------------------------------------------------------------


@pytest.fixture
def editor(api: APIClient, world: dict[str, Any]) -> APIClient:
    api.force_authenticate(EditorFactory())
    return api


def test_create_a_target(editor: APIClient) -> None:
    response = _write(editor, "post", f"/api/v1/targets/?as_of={AS_OF.isoformat()}", _new_target())
    assert response.status_code == 201, response.content
    data = response.json()
    assert set(data) >= TARGET_FIELDS
    assert data["code"] == "t-new"
    assert data["pillar"] == "foundations"
    assert data["hubs"] == ["lahore"]
    assert data["trajectory"] == [{"date": "2025-12-31", "value": 400.0}]
    assert data["indicators"]["status"] == "no_data"
    target = Target.objects.get(code="t-new")
    assert target.policy == Target.objects.get(code="t-behind").policy


def test_numbers_as_strings_are_accepted_and_returned_as_numbers(editor: APIClient) -> None:
    response = _write(editor, "post", "/api/v1/targets/", _new_target(baseline_value="10", target_value="1500.5"))
    assert response.status_code == 201, response.content
    assert response.json()["target_value"] == 1500.5
    assert response.json()["baseline_value"] == 10
    behind = Target.objects.get(code="t-behind")
    response = _write(
        editor, "post", "/api/v1/measurements/", {"target": str(behind.pk), "date": "2025-08-01", "value": "70000"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["value"] == 70_000
    assert response.json()["target"] == behind.pk


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"target_value": 0}, "target_value", "must differ from the baseline"),
        ({"target_date": "2024-12-31"}, "target_date", "must come after the baseline date"),
        ({"target_value": "a lot"}, "target_value", "valid number"),
        ({"baseline_date": "01/01/2025"}, "baseline_date", "Date has wrong format"),
        ({"pillar": "no-such-pillar"}, "pillar", "does not exist"),
        ({"hubs": ["atlantis"]}, "hubs", "does not exist"),
        ({"hubs": "lahore"}, "hubs", "list"),
        ({"trajectory": [{"date": "2025-12-31", "value": 2000}]}, "trajectory", ""),
        ({"reporting_interval_days": "weekly"}, "reporting_interval_days", "valid integer"),
        ({"code": "t-behind"}, "code", "already exists"),
        ({"colour": "red"}, "colour", "not known"),
        ({"id": 5}, "id", "not known"),
    ],
)
def test_bad_targets_get_per_field_400s(editor: APIClient, overrides: dict[str, Any], field: str, words: str) -> None:
    before = Target.objects.count()
    response = _write(editor, "post", "/api/v1/targets/", _new_target(**overrides))
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in str(errors[field]).lower(), errors
    assert Target.objects.count() == before


def test_a_patch_that_makes_the_target_value_equal_the_baseline_is_400(editor: APIClient) -> None:
    behind = Target.objects.get(code="t-behind")
    response = _write(editor, "patch", f"/api/v1/targets/{behind.pk}/", {"target_value": 0})
    assert response.status_code == 400
    assert "target_value" in response.json()
    behind.refresh_from_db()
    assert behind.target_value == 200_000


def test_a_non_object_body_is_400(editor: APIClient) -> None:
    response = editor.post("/api/v1/targets/", [1, 2, 3], format="json")
    assert response.status_code == 400
    response = editor.post("/api/v1/targets/", b"{not json", content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"date": "2024-06-01", "value": 10}, "date", "before the target's baseline date"),
        ({"date": "2025-07-01", "value": 10}, "date", "already has a figure"),
        ({"date": "2025-08-01", "value": -5}, "value", "cannot be negative"),
        ({"date": "2025-08-01", "value": "many"}, "value", "valid number"),
        ({"date": "August", "value": 5}, "date", "wrong format"),
        ({"date": "2025-08-01", "value": 5, "illustrative": "maybe"}, "illustrative", "valid boolean"),
        ({"date": "2025-08-01", "value": 5, "source_url": "not a url"}, "source_url", "valid url"),
        ({"date": "2025-08-01", "value": 5, "entered_by": 1}, "entered_by", "not known"),
    ],
)
def test_bad_measurements_get_per_field_400s(
    editor: APIClient, payload: dict[str, Any], field: str, words: str
) -> None:
    behind = Target.objects.get(code="t-behind")
    response = _write(editor, "post", "/api/v1/measurements/", {"target": behind.pk, **payload})
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in str(errors[field]).lower(), errors


def test_a_measurement_for_an_unknown_target_is_400(editor: APIClient) -> None:
    response = _write(editor, "post", "/api/v1/measurements/", {"target": 999_999, "date": "2025-08-01", "value": 1})
    assert response.status_code == 400
    assert "target" in response.json()


@pytest.mark.parametrize(
    ("payload", "field", "words"),
    [
        ({"announced_on": "2025-06-01", "completed_on": "2025-05-01"}, "completed_on", "before it was announced"),
        ({"cancelled": True, "completed_on": "2025-08-01"}, "cancelled", "cannot also be cancelled"),
        ({"cancelled_on": "2025-08-01"}, "cancelled_on", "Tick 'cancelled'"),
        ({"baseline_due_date": "soon"}, "baseline_due_date", "wrong format"),
        ({"target": "abc"}, "target", "Incorrect type"),
        ({"evidence": []}, "evidence", "not known"),
    ],
)
def test_bad_milestones_get_per_field_400s(editor: APIClient, payload: dict[str, Any], field: str, words: str) -> None:
    base = {"code": "m-new", "title": "New", "pillar": "foundations", "baseline_due_date": "2026-06-30"}
    base.setdefault("announced_on", "2025-01-01")
    response = _write(editor, "post", "/api/v1/milestones/", {**base, **payload})
    assert response.status_code == 400, response.content
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in str(errors[field]).lower(), errors


def test_a_patch_completing_a_milestone_before_its_announcement_is_400(editor: APIClient) -> None:
    milestone = Milestone.objects.get(code="m-atrisk")
    response = _write(editor, "patch", f"/api/v1/milestones/{milestone.pk}/", {"completed_on": "2024-12-01"})
    assert response.status_code == 400
    assert "completed_on" in response.json()


# --- Writes: the recompute after commit, and the ETag ----------------------------------------------------


def test_a_new_measurement_is_recomputed_after_commit(
    editor: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    indicator_services.indicators_recompute(as_of=today)
    nodata = Target.objects.get(code="t-nodata")
    before = get(editor, f"/api/v1/targets/{nodata.pk}/")["indicators"]
    assert before["status"] == "no_data"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _write(
            editor, "post", "/api/v1/measurements/", {"target": nodata.pk, "date": today.isoformat(), "value": 200_000}
        )
    assert response.status_code == 201, response.content
    assert callbacks, "the recompute was not scheduled after commit"
    snapshot = reported(TargetSnapshot).get(target=nodata, as_of=today)
    assert snapshot.status == "achieved"
    after = get(editor, f"/api/v1/targets/{nodata.pk}/")["indicators"]
    assert after["status"] == "achieved"
    assert after["actual_value"] == 200_000


def test_a_target_edit_is_reflected_in_the_response_and_recomputed_after_commit(
    editor: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    behind = Target.objects.get(code="t-behind")
    path = f"/api/v1/targets/{behind.pk}/?as_of={AS_OF.isoformat()}"
    with django_capture_on_commit_callbacks(execute=True):
        response = _write(editor, "patch", path, {"target_value": "100000"})
    assert response.status_code == 200, response.content
    # 50,000 of 100,000: half-way on 2025-07-01, which is one day behind the plan's 181/364.
    assert response.json()["target_value"] == 100_000
    assert response.json()["indicators"]["progress"] == pytest.approx(0.5)
    assert RecomputeRun.objects.filter(as_of=today).exists()
    assert reported(TargetSnapshot).filter(target=behind, as_of=today).exists()


def test_a_milestone_edit_is_recomputed_after_commit(
    editor: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    milestone = Milestone.objects.get(code="m-ontrack")
    due = today + dt.timedelta(days=200)
    with django_capture_on_commit_callbacks(execute=True):
        response = _write(
            editor, "patch", f"/api/v1/milestones/{milestone.pk}/", {"baseline_due_date": due.isoformat()}
        )
    assert response.status_code == 200, response.content
    assert response.json()["indicators"] == {
        "as_of": today.isoformat(),
        "status": "on_track",
        "expected_date": due.isoformat(),
        "slip_days": 0,
        "basis": "reported",
    }
    snapshot = milestone.snapshots.get(as_of=today, basis="reported")
    assert (snapshot.status, snapshot.expected_date, snapshot.slip_days) == ("on_track", due, 0)


def test_nothing_is_recomputed_when_a_write_is_rejected(
    editor: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    behind = Target.objects.get(code="t-behind")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = _write(editor, "patch", f"/api/v1/targets/{behind.pk}/", {"target_value": 0})
    assert response.status_code == 400
    assert callbacks == []
    assert not RecomputeRun.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/targets/",
        "/api/v1/targets/{target}/",
        "/api/v1/targets/{target}/history/",
        "/api/v1/milestones/",
        "/api/v1/milestones/{milestone}/",
        "/api/v1/measurements/",
        "/api/v1/pillars/",
        "/api/v1/pillars/foundations/",
        "/api/v1/dashboard/summary/",
    ],
)
def test_etag_and_304(api: APIClient, ids: dict[str, int], path: str) -> None:
    path = path.format(**ids)
    first = api.get(path, HTTP_ACCEPT="application/json")
    assert first.status_code == 200
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = api.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = api.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200
    # Another as-of date or format is another representation.
    assert api.get(path, {"as_of": "2025-07-15"}, HTTP_ACCEPT="application/json")["ETag"] != etag


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_etag_changes_after_an_edit(ids: dict[str, int]) -> None:
    """Real commits: the data-version token is replaced once the write's transaction commits."""
    anonymous = APIClient()
    editor = APIClient()
    editor.force_authenticate(EditorFactory())
    paths = ["/api/v1/targets/", f"/api/v1/targets/{ids['target']}/", "/api/v1/dashboard/summary/"]
    etags = {path: anonymous.get(path, HTTP_ACCEPT="application/json")["ETag"] for path in paths}
    for path, etag in etags.items():
        assert anonymous.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    response = _write(editor, "patch", f"/api/v1/targets/{ids['target']}/", {"title": "Renamed"})
    assert response.status_code == 200, response.content
    for path, etag in etags.items():
        response = anonymous.get(path, HTTP_ACCEPT="application/json", HTTP_IF_NONE_MATCH=etag)
        assert response.status_code == 200, path
        assert response["ETag"] != etag
    # The edit was recomputed after commit: today's snapshot carries it.
    assert reported(TargetSnapshot).filter(target_id=ids["target"], as_of=timezone.localdate()).exists()


# --- Throttling -----------------------------------------------------------------------------------------


def test_anonymous_clients_are_throttled_with_retry_after(
    api: APIClient, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    statuses = [api.get("/api/v1/targets/", HTTP_ACCEPT="application/json").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = api.get("/api/v1/dashboard/summary/", HTTP_ACCEPT="application/json")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert 0 < int(response["Retry-After"]) <= 60
    # An editor with a token is not an anonymous client.
    token = Token.objects.create(user=EditorFactory())
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/targets/").status_code == 200


def test_throttling_lets_requests_through_when_the_cache_is_down(
    api: APIClient, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    class BrokenCache:
        def get(self, *args: Any, **kwargs: Any) -> Any:
            raise ConnectionError("cache down")

        set = add = incr = get

    monkeypatch.setattr(AnonymousThrottle, "cache", BrokenCache())
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "1/minute"})
    statuses = {api.get("/api/v1/targets/", HTTP_ACCEPT="application/json").status_code for _ in range(3)}
    assert statuses == {200}


def test_rollup_numbers_are_json_numbers(api: APIClient, mode: str) -> None:
    rollup = get(api, "/api/v1/dashboard/summary/", as_of=AS_OF.isoformat())["rollup"]
    assert isinstance(rollup["median_slip_days"], float | int)
    assert isinstance(rollup["max_slip_days"], int)
    assert isinstance(rollup["on_schedule_share"], float)
    assert all(isinstance(v, int) for v in rollup["targets"].values())
    assert not math.isnan(rollup["on_schedule_share"])


def test_the_fast_target_rows_equal_the_declared_serializer(world: dict[str, Any], mode: str) -> None:
    """TargetSerializer's fast rows (`core.api.rows`) equal DRF's rendering of its declared fields."""
    from pillars.api.serializers import TargetSerializer
    from pillars.api.views import TargetViewSet
    from tests.factories import SuperuserFactory

    behind = Target.objects.get(code="t-behind")
    Target.objects.filter(pk=behind.pk).update(published_on=dt.date(2025, 1, 1))
    behind.refresh_from_db()
    services.target_rebaseline(
        target=behind,
        baseline_value=0.0,
        baseline_date=behind.baseline_date,
        target_value=200_000.0,
        target_date=dt.date(2026, 6, 30),
        reason="Budget approved a year late.",
        user=SuperuserFactory(),
        decided_on=dt.date(2025, 7, 10),
        today=dt.date(2025, 7, 10),
    )
    rows = indicator_selectors.target_list(queryset=TargetViewSet.queryset.all(), as_of=AS_OF)[:]
    selectors.prefetch_target_relations(rows)
    serializer = TargetSerializer()
    assert len(rows) == 7
    for target in rows:
        assert serializer.to_representation(target) == serializer.declared_representation(target), target.code


def test_the_fast_rollups_equal_the_declared_serializer(world: dict[str, Any], mode: str) -> None:
    from core.api.renderers import JSONRenderer
    from indicators import compute as indicators
    from indicators.serializers import RollupSerializer

    rollups = list(indicator_selectors.rollups_on(as_of=AS_OF).values())
    empty = indicators.Rollup(AS_OF, {"on_track": 0}, {"overdue": 0}, None, None, None)
    halves = indicators.Rollup(AS_OF, {"on_track": 1, "off_track": 1}, {}, 12.5, 30, 0.5)
    whole = indicators.Rollup(AS_OF, {"off_track": 3}, {}, 15, 40, 1)  # ints where floats are declared
    serializer = RollupSerializer()
    assert len(rollups) > 3
    for rollup in [*rollups, empty, halves, whole]:
        fast, declared = serializer.to_representation(rollup), serializer.declared_representation(rollup)
        assert JSONRenderer().render(fast) == JSONRenderer().render(declared), rollup  # 15.0, not 15


def test_the_fast_milestone_rows_equal_the_declared_serializer(world: dict[str, Any], mode: str) -> None:
    """MilestoneSerializer's fast rows too; with evidence (a document, a source, none) and a re-baseline."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework.test import APIRequestFactory

    from pillars.api.serializers import MilestoneSerializer
    from pillars.api.views import MilestoneViewSet
    from tests.factories import SuperuserFactory

    overdue = Milestone.objects.get(code="m-overdue")
    Milestone.objects.filter(pk=overdue.pk).update(
        published_on=dt.date(2025, 1, 1), forecast_due_date=dt.date(2025, 9, 1)
    )
    overdue.refresh_from_db()
    MilestoneEvidenceFactory(milestone=overdue, document=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"))
    MilestoneEvidenceFactory(milestone=overdue, date=dt.date(2025, 5, 2), source=None, kind="forecast")
    services.milestone_rebaseline(
        milestone=overdue,
        due_date=dt.date(2025, 12, 31),
        reason="The council was notified late.",
        user=SuperuserFactory(),
        decided_on=dt.date(2025, 7, 1),
        source_url="https://news.example.org/council",
        today=dt.date(2025, 7, 1),
    )
    rows = indicator_selectors.milestone_list(queryset=MilestoneViewSet.queryset.all(), as_of=AS_OF)[:]
    selectors.prefetch_milestone_relations(rows)
    request = APIRequestFactory().get("/api/v1/milestones/")
    serializer = MilestoneSerializer(context={"request": request})
    assert len(rows) == 5
    for milestone in rows:
        assert serializer.to_representation(milestone) == serializer.declared_representation(milestone), milestone.code
    shown = serializer.to_representation(next(m for m in rows if m.code == "m-overdue"))
    assert len(shown["evidence"]) == 2 and shown["evidence"][1]["document"].startswith("http://testserver/")
    assert shown["rebaselines"][0]["new_due_date"] == "2025-12-31"


@pytest.mark.parametrize("path", ["/api/v1/targets/", "/api/v1/milestones/", "/api/v1/targets/{id}/"])
def test_a_page_is_freed_as_soon_as_it_is_sent(world: dict[str, Any], mode: str, path: str) -> None:
    """Nothing lasting keeps the items a request read alive: not the view, nor a shared Prefetch, nor a cache.

    DRF keeps the view, request and response in reference cycles until the
    garbage collector finds them; the views hand the paginator rows already
    represented, so that the page's model instances are not in those cycles.
    What is left are Django's own prefetch back-references (a trajectory point
    points back at its target), small cycles of young objects that the
    youngest generation's collection frees.
    """
    import gc
    import weakref

    from django.db.models.signals import post_init

    read: list[weakref.ref[Any]] = []

    def track(sender: Any, instance: Any, **kwargs: Any) -> None:
        read.append(weakref.ref(instance))

    path = path.format(id=Target.objects.get(code="t-behind").pk)
    gc.collect()
    gc.disable()
    try:
        for model in (Target, Milestone):
            post_init.connect(track, sender=model)
        try:
            response = APIClient().get(path, {"as_of": AS_OF.isoformat()}, HTTP_ACCEPT="application/json")
        finally:
            for model in (Target, Milestone):
                post_init.disconnect(track, sender=model)
        assert response.status_code == 200 and read
        del response
        gc.collect(0)
        alive = [ref() for ref in read if ref() is not None]
        assert not alive, f"{len(alive)} of {len(read)} items outlive their request: {alive[:3]}"
    finally:
        gc.enable()


# --- Lost updates: PATCH writes only what it sends; If-Match refuses a stale copy (issue 11, 3) -------------


def _milestone_api() -> tuple[APIClient, Milestone]:
    from tests.factories import MilestoneFactory

    client = APIClient()
    client.force_authenticate(EditorFactory())
    return client, MilestoneFactory(title="Before", description="Before")


@pytest.mark.django_db
def test_a_patch_with_the_etag_of_its_copy_is_saved_and_answers_the_next_etag() -> None:
    client, milestone = _milestone_api()
    path = f"/api/v1/milestones/{milestone.pk}/"
    etag = client.get(path, HTTP_ACCEPT="application/json")["ETag"]
    assert etag.startswith('"r1-')

    first = client.patch(path, {"title": "First"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200, first.content
    assert first["ETag"].startswith('"r2-')

    stale = client.patch(path, {"description": "Stale"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert "changed since your copy" in stale.json()["detail"]
    milestone.refresh_from_db()
    assert (milestone.title, milestone.description, milestone.revision) == ("First", "Before", 2)

    fresh = client.patch(path, {"description": "After"}, format="json", HTTP_IF_MATCH=first["ETag"])
    assert fresh.status_code == 200
    assert client.patch(path, {"title": "Any"}, format="json", HTTP_IF_MATCH="*").status_code == 200
    assert client.patch(path, {"title": "None"}, format="json").status_code == 200  # no If-Match: no check


@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # real commits move the data version
def test_if_match_ignores_what_changed_elsewhere() -> None:
    """A recompute, or an edit of another record, moves the data version but not this record's revision."""
    from tests.factories import TargetFactory

    client, milestone = _milestone_api()
    path = f"/api/v1/milestones/{milestone.pk}/"
    etag = client.get(path, HTTP_ACCEPT="application/json")["ETag"]
    TargetFactory()
    indicator_services.indicators_recompute(as_of=timezone.localdate())

    assert client.get(path, HTTP_ACCEPT="application/json")["ETag"] != etag  # the representation changed
    assert client.patch(path, {"title": "Mine"}, format="json", HTTP_IF_MATCH=etag).status_code == 200


@pytest.mark.django_db
def test_if_match_guards_figures_and_targets_too() -> None:
    from tests.factories import MeasurementFactory

    client = APIClient()
    client.force_authenticate(EditorFactory())
    measurement = MeasurementFactory()
    for path, change in [
        (f"/api/v1/measurements/{measurement.pk}/", {"note": "checked"}),
        (f"/api/v1/targets/{measurement.target_id}/", {"title": "Renamed"}),
    ]:
        etag = client.get(path, HTTP_ACCEPT="application/json")["ETag"]
        assert client.patch(path, change, format="json", HTTP_IF_MATCH=etag).status_code == 200, path
        assert client.patch(path, change, format="json", HTTP_IF_MATCH=etag).status_code == 412, path


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_patches_of_different_fields_keep_both() -> None:
    """The reviewer's drill: 20 pairs of PATCHes at once, one the title, the other the description."""
    import threading

    from django.db import connections

    from tests.factories import MilestoneFactory

    editor = EditorFactory()
    milestones = [MilestoneFactory(title="Before", description="Before") for _ in range(20)]
    statuses: list[int] = []
    failures: list[BaseException] = []

    def patch(milestone: Milestone, field: str, barrier: threading.Barrier) -> None:
        client = APIClient()
        client.force_authenticate(editor)
        try:
            barrier.wait(120)  # both requests leave together (generous: CI machines may be busy)
            response = client.patch(f"/api/v1/milestones/{milestone.pk}/", {field: "After"}, format="json")
            statuses.append(response.status_code)
        except BaseException as error:  # reported below, with the statuses
            failures.append(error)
        finally:
            connections.close_all()

    for milestone in milestones:
        barrier = threading.Barrier(2)
        threads = [
            threading.Thread(target=patch, args=(milestone, field, barrier)) for field in ("title", "description")
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert not failures, failures
    assert statuses == [200] * 40
    kept = Milestone.objects.filter(pk__in=[m.pk for m in milestones], title="After", description="After")
    assert kept.count() == 20
