"""The API's query parameters: every value it cannot read is a 400 naming the parameter, on every endpoint.

api.md: "An unknown value is a 400 that names the parameter." Before, an empty
`as_of=` was read as today, `stale=yes` as no filter, `page_size=AAA` as 50,
`format=` as no format, `due_before=10/25/2025` as an American date, and a
parameter given twice counted once.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import HubFactory, IncentiveFactory, MeasurementFactory, MilestoneFactory, TargetFactory


@pytest.fixture
def data(db: None) -> dict[str, Any]:
    cache.clear()
    target = TargetFactory()
    hub = HubFactory()
    return {
        "target": target,
        "milestone": MilestoneFactory(target=target),
        "measurement": MeasurementFactory(target=target),
        "hub": hub,
        "incentive": IncentiveFactory(),
    }


def endpoints(data: dict[str, Any]) -> dict[str, str]:
    target, milestone = data["target"], data["milestone"]
    return {
        "pillars": "/api/v1/pillars/",
        "targets": "/api/v1/targets/",
        "target": f"/api/v1/targets/{target.pk}/",
        "target history": f"/api/v1/targets/{target.pk}/history/",
        "measurements": "/api/v1/measurements/",
        "milestones": "/api/v1/milestones/",
        "milestone": f"/api/v1/milestones/{milestone.pk}/",
        "milestone history": f"/api/v1/milestones/{milestone.pk}/history/",
        "hubs": "/api/v1/hubs/",
        "hub": f"/api/v1/hubs/{data['hub'].slug}/",
        "summary": "/api/v1/dashboard/summary/",
        "changes": "/api/v1/changes/",
    }


def get(query: str, path: str) -> Any:
    return APIClient().get(f"{path}?{query}", HTTP_ACCEPT="application/json")


EMPTY = "“{}” is empty: give a value, or leave the parameter out."
TWICE = "Give “{}” once: it takes one value."


@pytest.mark.parametrize("name", ["as_of", "basis"])
def test_an_empty_as_of_or_basis_is_a_400_on_every_endpoint(data: dict[str, Any], name: str) -> None:
    """api.md: the default is for the parameter left out; `?as_of=` asks for no date, which has no answer."""
    for label, path in endpoints(data).items():
        response = get(f"{name}=", path)
        assert response.status_code == 400, (label, response.status_code)
        assert response.json() == {name: [EMPTY.format(name)]}, label


@pytest.mark.parametrize(("name", "values"), [("as_of", ("2025-07-15", "2025-07-16")), ("basis", ("reported",) * 2)])
def test_as_of_or_basis_given_twice_is_a_400_on_every_endpoint(
    data: dict[str, Any], name: str, values: tuple[str, str]
) -> None:
    for label, path in endpoints(data).items():
        response = get(f"{name}={values[0]}&{name}={values[1]}", path)
        assert response.status_code == 400, (label, response.status_code)
        assert response.json() == {name: [TWICE.format(name)]}, label


@pytest.mark.parametrize("value", ["20250715", "2025-W29-2", "2025-7-15"])
def test_only_yyyy_mm_dd_is_an_as_of_date(data: dict[str, Any], value: str) -> None:
    response = get(f"as_of={value}", "/api/v1/targets/")
    assert response.status_code == 400
    assert response.json() == {"as_of": [f"“{value}” is not a date: write the as-of date as YYYY-MM-DD."]}


@pytest.mark.parametrize("query", ["due_from=", "due_to=", "due_from=2025-01-01&due_from=2025-02-01"])
def test_the_summarys_window_is_read_like_as_of(data: dict[str, Any], query: str) -> None:
    response = get(query, "/api/v1/dashboard/summary/")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json() == {name: [(TWICE if "&" in query else EMPTY).format(name)]}


@pytest.mark.parametrize(
    ("path", "query", "errors"),
    [
        ("targets", "stale=yes", {"stale": ["“yes” is neither true nor false: write true or false."]}),
        ("targets", "stale=", {"stale": [EMPTY.format("stale")]}),
        ("targets", "stale=true&stale=false", {"stale": [TWICE.format("stale")]}),
        ("targets", "kind=", {"kind": [EMPTY.format("kind")]}),
        ("targets", "ordering=", {"ordering": [EMPTY.format("ordering")]}),
        ("targets", "due_before=", {"due_before": [EMPTY.format("due_before")]}),
        ("targets", "due_before=10/25/2025", {"due_before": ["“10/25/2025” is not a date: write it as YYYY-MM-DD."]}),
        ("targets", "due_after=2025-7-5", {"due_after": ["“2025-7-5” is not a date: write it as YYYY-MM-DD."]}),
        ("targets", "due_after=1999-12-31", {"due_after": ["Choose a date between 2000-01-01 and 2100-12-31."]}),
        ("targets", "status=on_track&status=", {"status": [EMPTY.format("status")]}),
        ("targets", "q=a&q=b", {"q": [TWICE.format("q")]}),
        ("milestones", "due_before=2025-01-01&due_before=2026-01-01", {"due_before": [TWICE.format("due_before")]}),
        ("milestones", "target=", {"target": [EMPTY.format("target")]}),
        (
            "measurements",
            "illustrative=maybe",
            {"illustrative": ["“maybe” is neither true nor false: write true or false."]},
        ),
        ("measurements", "illustrative=", {"illustrative": [EMPTY.format("illustrative")]}),
        (
            "measurements",
            "date_after=yesterday",
            {"date_after": ["“yesterday” is not a date: write it as YYYY-MM-DD."]},
        ),
        ("measurements", "target=", {"target": [EMPTY.format("target")]}),
        ("measurements", "ordering=", {"ordering": [EMPTY.format("ordering")]}),
        ("measurements", "ordering=,,,", {"ordering": [EMPTY.format("ordering")]}),
        ("measurements", "ordering=date,,value", {"ordering": [EMPTY.format("ordering")]}),
        ("measurements", "ordering=date&ordering=value", {"ordering": [TWICE.format("ordering")]}),
        ("hubs", "province=a%00b", {"province": ["Null characters are not allowed."]}),
        ("hubs", "tier=", {"tier": [EMPTY.format("tier")]}),
        ("incentives", "kind=", {"kind": [EMPTY.format("kind")]}),
        ("changes", "since=", {"since": [EMPTY.format("since")]}),
        ("changes", "until=01/01/2026", {"until": ["“01/01/2026” is not a date: write it as YYYY-MM-DD."]}),
    ],
)
def test_a_filter_value_that_cannot_be_read_is_a_400_naming_it(
    data: dict[str, Any], path: str, query: str, errors: dict[str, list[str]]
) -> None:
    response = get(query, f"/api/v1/{path}/")
    assert response.status_code == 400, response.content[:300]
    assert response.json() == errors


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("targets", "stale=true"),
        ("targets", "stale=1"),
        ("targets", "stale=False"),
        ("targets", "stale=0"),
        ("targets", "q="),  # free text may be empty
        ("targets", "status=on_track&status=off_track"),
        ("targets", "due_before=2026-01-01&due_after=2025-01-01"),
        ("measurements", "illustrative=true"),
        ("measurements", "ordering=date,-value"),
        ("measurements", "target_code="),
        ("hubs", "province="),
        ("hubs", "tier=primary&tier=auxiliary"),
        ("changes", "since=2025-01-01&until=2026-01-01"),
    ],
)
def test_values_that_can_be_read_are_accepted(data: dict[str, Any], path: str, query: str) -> None:
    response = get(query, f"/api/v1/{path}/")
    assert response.status_code == 200, response.content[:300]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("format=", EMPTY.format("format")),
        ("format=xml", "“xml” is not a format: choose one of json, api, csv, xlsx."),
        ("format=json&format=csv", TWICE.format("format")),
    ],
)
def test_a_format_that_cannot_be_read_is_a_400_in_json(data: dict[str, Any], query: str, message: str) -> None:
    for label, path in endpoints(data).items():
        response = APIClient().get(f"{path}?{query}")
        assert response.status_code == 400, (label, response.status_code)
        assert response["Content-Type"].startswith("application/json"), label
        assert response.json() == {"format": [message]}, label


def test_the_formats_there_are_still_answer(data: dict[str, Any]) -> None:
    assert APIClient().get("/api/v1/targets/?format=csv")["Content-Type"].startswith("text/csv")
    assert APIClient().get("/api/v1/targets/?format=json")["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    ("path", "query", "status"),
    [
        ("/", "as_of=", 200),  # the as-of form's empty date field: today
        ("/targets/", "as_of=&stale=&kind=&due_before=&ordering=", 200),  # the filter form sends every field
        ("/targets/", "stale=yes", 400),
        ("/targets/", "due_before=10/25/2025", 400),
        ("/changes/", "since=01/01/2026", 400),
    ],
)
def test_the_pages_read_the_same_values_and_take_their_forms_empty_fields(
    data: dict[str, Any], path: str, query: str, status: int
) -> None:
    assert Client().get(f"{path}?{query}").status_code == status


def test_the_schema_says_how_each_parameter_is_read(db: None) -> None:
    from drf_spectacular.generators import SchemaGenerator

    from core.asof import DATE_PATTERN

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {
        (path, parameter["name"]): parameter["schema"]
        for path, operations in schema["paths"].items()
        for parameter in operations.get("get", {}).get("parameters", [])
    }
    assert parameters[("/api/v1/targets/", "as_of")]["pattern"] == DATE_PATTERN
    assert parameters[("/api/v1/targets/", "due_before")]["pattern"] == DATE_PATTERN
    assert parameters[("/api/v1/dashboard/summary/", "due_from")]["pattern"] == DATE_PATTERN
    assert parameters[("/api/v1/targets/", "stale")] == {"type": "boolean"}
    assert parameters[("/api/v1/measurements/", "illustrative")] == {"type": "boolean"}
    assert parameters[("/api/v1/targets/", "page")] == {"type": "integer", "minimum": 1}
    assert parameters[("/api/v1/targets/", "page_size")] == {"type": "integer", "minimum": 1}
    assert parameters[("/api/v1/targets/", "pillar")]["items"] == {"type": "string", "minLength": 1}
    for path, name in [("/api/v1/targets/", "q"), ("/api/v1/hubs/", "province"), ("/api/v1/incentives/", "q")]:
        assert parameters[(path, name)] == {"type": "string", "pattern": "^[^\\x00]*$"}, (path, name)
