"""The incentives API's finder fields and filters: where, who, how and when, added to api.md's fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incentives.choices import Applicant, IncentiveScope, Province
from tests.factories import HubFactory, IncentiveFactory

pytestmark = pytest.mark.django_db

NEW_FIELDS = {
    "scope",
    "provinces",
    "applicants",
    "apply_to",
    "apply_url",
    "apply_address",
    "announced_on",
    "opens_on",
    "closes_on",
    "application_status",
}


@pytest.fixture
def incentives() -> dict[str, Any]:
    lahore = HubFactory(slug="lahore", province=Province.PUNJAB)
    karachi = HubFactory(slug="karachi", province=Province.SINDH)
    fund = IncentiveFactory(
        slug="national-fund",
        scope=IncentiveScope.NATIONWIDE,
        applicants=[Applicant.STARTUP],
        apply_to="Ignite",
        apply_url="https://ignite.example.org/apply",
        opens_on=dt.date(2026, 2, 1),
        closes_on=dt.date(2026, 6, 30),
    )
    lab = IncentiveFactory(slug="karachi-lab", scope=IncentiveScope.REGIONAL, applicants=[Applicant.UNIVERSITY])
    lab.hubs.set([karachi])
    grant = IncentiveFactory(slug="punjab-grant", scope=IncentiveScope.REGIONAL, provinces=[Province.PUNJAB])
    return {"lahore": lahore, "karachi": karachi, "fund": fund, "lab": lab, "grant": grant}


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["slug"] for row in response.json()["results"])


def test_new_fields_are_added_and_the_status_is_derived(api: APIClient, incentives: dict[str, Any]) -> None:
    row = api.get("/api/v1/incentives/national-fund/", {"as_of": "2026-03-01"}).json()
    assert set(row) >= NEW_FIELDS
    assert {"slug", "name", "kind", "pillar", "status", "administered_by", "eligibility", "hubs"} <= set(row)
    assert row["scope"] == "nationwide" and row["applicants"] == ["startup"] and row["provinces"] == []
    assert (row["apply_to"], row["apply_url"], row["opens_on"], row["closes_on"]) == (
        "Ignite",
        "https://ignite.example.org/apply",
        "2026-02-01",
        "2026-06-30",
    )
    assert row["announced_on"] is None and row["application_status"] == "open"
    later = api.get("/api/v1/incentives/national-fund/", {"as_of": "2026-07-01"}).json()
    assert later["application_status"] == "closed"
    grant = api.get("/api/v1/incentives/punjab-grant/").json()
    assert grant["provinces"] == ["Punjab"] and grant["applicants"] == [] and grant["application_status"] == "unknown"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"hub": "lahore"}, ["national-fund", "punjab-grant"]),
        ({"hub": "karachi"}, ["karachi-lab", "national-fund"]),
        ({"province": "Sindh"}, ["karachi-lab", "national-fund"]),
        ({"who": "startup"}, ["national-fund"]),
        ({"who": ["startup", "university"]}, ["karachi-lab", "national-fund"]),
        ({"who": "startup", "hub": "karachi"}, ["national-fund"]),
    ],
)
def test_filters(api: APIClient, incentives: dict[str, Any], params: dict[str, Any], expected: list[str]) -> None:
    assert slugs(api.get("/api/v1/incentives/", params)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"who": "astronaut"}, "who"),
        ({"province": "Atlantis"}, "province"),
        ({"who": ""}, "who"),
        ({"hub": "x"}, "hub"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(
    api: APIClient, incentives: dict[str, Any], params: dict[str, Any], field: str
) -> None:
    response = api.get("/api/v1/incentives/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_constant_queries_for_two_sizes(
    api: APIClient, incentives: dict[str, Any], django_assert_num_queries: Any
) -> None:
    params = {"hub": "lahore", "who": "startup", "as_of": "2026-03-01"}

    def count() -> int:
        api.get("/api/v1/incentives/", params)
        with CaptureQueriesContext(connection) as queries:
            assert api.get("/api/v1/incentives/", params).status_code == 200
        return len(queries)

    small = count()
    for n in range(8):
        extra = IncentiveFactory(
            scope=IncentiveScope.NATIONWIDE if n % 2 else IncentiveScope.REGIONAL,
            provinces=[] if n % 2 else [Province.PUNJAB],
            applicants=[Applicant.STARTUP],
        )
        extra.hubs.set([incentives["lahore"], incentives["karachi"]])
    api.get("/api/v1/incentives/", params)
    with django_assert_num_queries(small):
        assert api.get("/api/v1/incentives/", params).status_code == 200
