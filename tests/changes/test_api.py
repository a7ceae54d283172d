"""`/api/v1/changes/`: the public record as JSON and CSV, paginated, filtered, with per-field 400s."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from rest_framework.test import APIClient

from pillars.models import Rebaseline
from tests.factories import MeasurementFactory, TargetFactory

from .helpers import EVIDENCE, KINDS_PER_ADD, TODAY, Mixed, Record, api_changes, change_id, query_count

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "at",
    "kind",
    "object",
    "field",
    "old",
    "new",
    "reason",
    "evidence",
    "role",
    "item",
    "pillar",
    "illustrative",
    "unit",
    "figure",
}


def by_id(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in data["results"]}


def kinds(query: str) -> list[str]:
    return sorted(record["kind"] for record in api_changes(query)["results"])


def test_every_change_with_the_documented_fields(mixed: Mixed) -> None:
    data = api_changes()
    assert set(data) == {"count", "next", "previous", "results"}
    assert data["count"] == len(data["results"]) == 10
    assert (data["next"], data["previous"]) == (None, None)
    for record in data["results"]:
        assert set(record) == FIELDS, record["id"]
    # Newest first.
    moments = [record["at"] for record in data["results"]]
    assert moments == sorted(moments, reverse=True)


def test_the_values_of_each_kind(mixed: Mixed) -> None:
    records = by_id(api_changes("?basis=illustrative"))
    forecast = records[change_id(mixed.milestone, "forecast_moved")]
    assert {k: forecast[k] for k in ("kind", "object", "field", "old", "new", "reason", "evidence", "role")} == {
        "kind": "forecast_moved",
        "object": {"type": "milestone", "id": mixed.milestone.pk},
        "field": "forecast_due_date",
        "old": None,
        "new": "2026-06-30",
        "reason": "The fund is delayed.",
        "evidence": EVIDENCE,
        "role": "editor",
    }
    assert forecast["item"] == {
        "type": "milestone",
        "id": mixed.milestone.pk,
        "code": "m1",
        "title": mixed.milestone.title,
    }
    assert (forecast["pillar"], forecast["unit"]) == (mixed.first.slug, "")

    completed = records[change_id(mixed.other_milestone, "completed")]
    assert (completed["old"], completed["new"], completed["evidence"]) == (None, "2026-02-01", f"{EVIDENCE}-done")

    rebaseline = records[f"rebaseline-{mixed.target_rebaseline.pk}"]
    assert rebaseline["object"] == {"type": "rebaseline", "id": mixed.target_rebaseline.pk}
    assert rebaseline["old"] == {
        "baseline_value": 0.0,
        "baseline_date": "2025-01-01",
        "target_value": 200_000.0,
        "target_date": "2025-12-31",
    }
    assert rebaseline["new"]["target_date"] == "2026-12-31"
    assert (rebaseline["role"], rebaseline["evidence"]) == ("administrator", "https://www.finance.gov.pk/budget")
    assert rebaseline["item"]["type"] == "target"
    milestone_rebaseline = records[f"rebaseline-{mixed.milestone_rebaseline.pk}"]
    assert (milestone_rebaseline["field"], milestone_rebaseline["old"], milestone_rebaseline["new"]) == (
        "due_date",
        "2026-01-31",
        "2026-09-30",
    )

    status = records[change_id(mixed.incentive, "incentive_status")]
    assert (status["old"], status["new"], status["item"]["code"], status["item"]["type"]) == (
        "announced",
        "open",
        "ignite",
        "incentive",
    )

    withdrawn = records[change_id(mixed.made_up, "figure_withdrawn")]
    assert (withdrawn["illustrative"], withdrawn["old"], withdrawn["new"], withdrawn["reason"]) == (
        True,
        None,
        TODAY.isoformat(),
        "Demo over.",
    )
    added = records[change_id(mixed.figure, "figure_added")]
    assert (added["old"], added["new"], added["role"], added["reason"]) == (None, 50_000.0, "data load", "")


# --- Filters ------------------------------------------------------------------------------------


def test_kind_several_at_once(mixed: Mixed) -> None:
    assert kinds("?kind=figure_revised") == ["figure_revised"]
    assert kinds("?kind=rebaselined&kind=incentive_status") == ["incentive_status", "rebaselined", "rebaselined"]
    assert api_changes("?kind=cancelled")["count"] == 0


def test_pillar(mixed: Mixed) -> None:
    assert kinds(f"?pillar={mixed.second.slug}") == ["completed", "definition_changed", "figure_added"]
    data = api_changes(f"?pillar={mixed.first.slug}")
    assert data["count"] == 7
    assert {record["pillar"] for record in data["results"]} == {mixed.first.slug}


def test_since_and_until(mixed: Mixed) -> None:
    karachi = zoneinfo.ZoneInfo("Asia/Karachi")
    mixed.figure.history.filter(change_kind="figure_revised").update(
        history_date=dt.datetime(2025, 7, 1, 0, 30, tzinfo=karachi)
    )
    Rebaseline.objects.filter(pk=mixed.milestone_rebaseline.pk).update(
        created_at=dt.datetime(2025, 7, 2, 23, 0, tzinfo=karachi)
    )
    assert kinds("?since=2025-07-01&until=2025-07-01") == ["figure_revised"]
    [record] = api_changes("?until=2025-07-01")["results"]
    assert record["at"] == "2025-07-01T00:30:00+05:00"
    assert kinds("?since=2025-07-02&until=2025-07-02") == ["rebaselined"]
    assert api_changes("?since=2025-07-03")["count"] == 8


def test_one_item(mixed: Mixed) -> None:
    assert kinds(f"?target={mixed.target.pk}") == [
        "definition_changed",
        "figure_added",
        "figure_revised",
        "rebaselined",
    ]
    assert kinds(f"?milestone={mixed.milestone.pk}") == ["forecast_moved", "rebaselined"]
    assert kinds(f"?incentive={mixed.other_incentive.pk}") == ["definition_changed"]
    assert kinds(f"?target={mixed.target.pk}&kind=rebaselined") == ["rebaselined"]


def test_illustrative_figures_changes_only_on_request(mixed: Mixed) -> None:
    reported = api_changes()
    assert not any(record["illustrative"] for record in reported["results"])
    illustrative = api_changes("?basis=illustrative")
    assert illustrative["count"] == reported["count"] + 2
    made_up = [r for r in illustrative["results"] if r["object"] == {"type": "measurement", "id": mixed.made_up.pk}]
    assert sorted(r["kind"] for r in made_up) == ["figure_added", "figure_withdrawn"]
    assert all(r["illustrative"] is True for r in made_up)
    assert sum(r["illustrative"] for r in illustrative["results"]) == 2


@pytest.mark.parametrize(
    ("query", "field", "words"),
    [
        ("kind=nonsense", "kind", "nonsense"),
        ("kind=figure_added&kind=other", "kind", "other"),
        ("pillar=no-such-pillar", "pillar", "valid choice"),
        ("since=2025-13-01", "since", "not a date"),
        ("until=yesterday", "until", "not a date"),
        ("since=2025-07-02&until=2025-07-01", "until", "comes before"),
        ("target=abc", "target", "number"),
        ("target=0", "target", "greater than or equal to 1"),
        ("milestone=" + "9" * 30, "milestone", "less than or equal to"),
        ("incentive=many", "incentive", "number"),
        ("basis=made-up", "basis", "not a basis"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(query: str, field: str, words: str) -> None:
    response = APIClient().get(f"/api/v1/changes/?{query}", HTTP_ACCEPT="application/json")
    assert response.status_code == 400, (query, response.content)
    errors = response.json()
    assert field in errors, errors
    assert words.lower() in str(errors[field]).lower(), errors


def test_a_fractional_id_is_a_400_not_another_item(mixed: Mixed) -> None:
    response = APIClient().get(f"/api/v1/changes/?target={mixed.target.pk}.5", HTTP_ACCEPT="application/json")
    assert response.status_code == 400, response.json()


def test_anonymous_readers_may_read_and_nobody_writes(editor: User) -> None:
    assert APIClient().get("/api/v1/changes/").status_code == 200
    client = APIClient()
    client.force_authenticate(editor)
    assert client.post("/api/v1/changes/", {}, format="json").status_code == 405


# --- Pages and CSV ------------------------------------------------------------------------------


def test_pages(editor: User) -> None:
    target = TargetFactory()
    for day in range(7):
        MeasurementFactory(target=target, date=dt.date(2025, 1, 2) + dt.timedelta(days=day))
    first = api_changes("?page_size=3")
    second = api_changes("?page_size=3&page=2")
    third = api_changes("?page_size=3&page=3")
    assert first["count"] == second["count"] == third["count"] == 7
    assert [len(p["results"]) for p in (first, second, third)] == [3, 3, 1]
    assert first["next"].endswith("/api/v1/changes/?page=2&page_size=3")
    assert second["previous"] is not None and third["next"] is None
    ids = [r["id"] for p in (first, second, third) for r in p["results"]]
    assert len(set(ids)) == 7
    assert APIClient().get("/api/v1/changes/?page=9", HTTP_ACCEPT="application/json").status_code == 404


def test_csv_has_a_bom_and_the_old_and_new_values(mixed: Mixed) -> None:
    response = APIClient().get("/api/v1/changes/?format=csv&kind=figure_revised&kind=incentive_status")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(codecs.BOM_UTF8)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = list(rows[0])
    assert header[:8] == ["id", "at", "kind", "object.type", "object.id", "field", "old", "new"]
    assert {"reason", "evidence", "role", "item.code", "pillar", "illustrative", "unit"} <= set(header)
    by_kind = {row["kind"]: row for row in rows}
    # `old` and `new` hold a value of any type: JSON text, one cell each.
    assert (by_kind["figure_revised"]["old"], by_kind["figure_revised"]["new"]) == ("50000.0", "55000.0")
    assert by_kind["figure_revised"]["reason"] == "PBS revised it."
    assert (by_kind["incentive_status"]["old"], by_kind["incentive_status"]["new"]) == ('"announced"', '"open"')
    assert by_kind["incentive_status"]["illustrative"] == "false"


def test_csv_of_a_re_baseline_keeps_its_terms_as_json_text(mixed: Mixed) -> None:
    response = APIClient().get("/api/v1/changes/?format=csv&kind=rebaselined")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert not any(column.startswith(("old.", "new.")) for column in rows[0])  # one column each, whatever the type
    target_row = next(row for row in rows if row["id"] == f"rebaseline-{mixed.target_rebaseline.pk}")
    old, new = json.loads(target_row["old"]), json.loads(target_row["new"])
    assert (old["target_date"], new["target_date"]) == ("2025-12-31", "2026-12-31")
    milestone_row = next(row for row in rows if row["id"] == f"rebaseline-{mixed.milestone_rebaseline.pk}")
    assert (milestone_row["old"], milestone_row["new"]) == ('"2026-01-31"', '"2026-09-30"')


# --- Queries ------------------------------------------------------------------------------------


QUERIES = [
    "",
    "?basis=illustrative",
    "?kind=figure_revised&kind=rebaselined&kind=forecast_moved",
    "?since=2025-01-01&until=2100-01-01",
    "?format=csv",
    "?page_size=5&page=2",
]


def test_the_same_queries_for_2_and_8_of_every_kind(editor: User, superuser: User) -> None:
    client = APIClient()
    record = Record(editor=editor, superuser=superuser)
    record.add(2)

    def counts() -> dict[str, int]:
        found = {q: query_count(client, f"/api/v1/changes/{q}") for q in QUERIES}
        found["pillar"] = query_count(client, f"/api/v1/changes/?pillar={record.pillars[0].slug}")
        return found

    small = counts()
    assert api_changes()["count"] == 2 * len(KINDS_PER_ADD)
    record.add(6)
    large = counts()
    data = api_changes()
    assert data["count"] == 8 * len(KINDS_PER_ADD)
    assert {r["kind"] for r in data["results"]} == set(KINDS_PER_ADD)
    assert large == small
