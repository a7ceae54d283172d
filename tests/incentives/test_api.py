"""The incentives API: fields of shared/docs/api.md, filters, ordering, CSV, ETags, constant query counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from incentives.choices import IncentiveKind, IncentiveStatus
from incentives.models import Incentive
from tests.factories import EditorFactory, HubFactory, IncentiveFactory, PillarFactory, PolicyFactory, SourceFactory

INCENTIVE_FIELDS = {
    "slug",
    "name",
    "kind",
    "pillar",
    "status",
    "administered_by",
    "eligibility",
    "hubs",
    "sources",
}


@pytest.fixture
def incentives(db: None) -> dict[str, Incentive]:
    policy = PolicyFactory()
    p1 = PillarFactory(policy=policy, number=1, slug="foundations")
    p2 = PillarFactory(policy=policy, number=2, slug="awareness-and-readiness")
    lahore = HubFactory(slug="lahore", name="Lahore", name_ur="لاہور")
    karachi = HubFactory(slug="karachi", name="Karachi")
    fund = IncentiveFactory(
        slug="ai-venture-fund",
        name="AI Venture Fund",
        kind=IncentiveKind.VENTURE,
        status=IncentiveStatus.ANNOUNCED,
        pillar=p1,
        administered_by="Ministry of IT",
        eligibility="Startups incorporated in Pakistan.",
        budget_amount="1500000000.00",
        budget_currency="PKR",
    )
    fund.hubs.set([lahore, karachi])
    fund.sources.set([SourceFactory(url="https://news.example.org/fund")])
    grants = IncentiveFactory(
        slug="ignite-grants",
        name="Ignite research grants",
        kind=IncentiveKind.GRANT,
        status=IncentiveStatus.OPEN,
        pillar=p2,
        eligibility="Universities and their researchers.",
    )
    grants.hubs.set([karachi])
    tax = IncentiveFactory(
        slug="tax-holiday",
        name="=A1+A2 tax holiday",
        kind=IncentiveKind.FISCAL,
        status=IncentiveStatus.ANNOUNCED,
        pillar=None,
        administered_by="FBR",
        eligibility="AI companies in special technology zones.",
    )
    return {"fund": fund, "grants": grants, "tax": tax}


def slugs(api: APIClient, **params: Any) -> list[str]:
    response = api.get("/api/v1/incentives/", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    return [row["slug"] for row in response.json()["results"]]


def test_list_and_detail_carry_the_fields_of_api_md(api: APIClient, incentives: dict[str, Incentive]) -> None:
    page = api.get("/api/v1/incentives/").json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 3
    for row in page["results"]:
        assert set(row) >= INCENTIVE_FIELDS
    detail = api.get("/api/v1/incentives/ai-venture-fund/").json()
    assert set(detail) >= INCENTIVE_FIELDS
    assert detail["kind"] == "venture"
    assert detail["status"] == "announced"
    assert detail["pillar"] == "foundations"
    assert sorted(detail["hubs"]) == ["karachi", "lahore"]
    assert detail["administered_by"] == "Ministry of IT"
    assert detail["sources"][0]["url"] == "https://news.example.org/fund"
    assert detail["budget_amount"] == 1_500_000_000  # a JSON number, never a string
    tax = api.get("/api/v1/incentives/tax-holiday/").json()
    assert tax["pillar"] is None
    assert tax["hubs"] == []
    assert tax["budget_amount"] is None


def test_unknown_incentive_is_404_json(api: APIClient, incentives: dict[str, Incentive]) -> None:
    response = api.get("/api/v1/incentives/nope/")
    assert response.status_code == 404
    assert "detail" in response.json()


FILTERS = [
    ({"pillar": "foundations"}, {"ai-venture-fund"}),
    ({"pillar": ["foundations", "awareness-and-readiness"]}, {"ai-venture-fund", "ignite-grants"}),
    ({"hub": "karachi"}, {"ai-venture-fund", "ignite-grants"}),
    ({"hub": "lahore"}, {"ai-venture-fund"}),
    ({"kind": "grant"}, {"ignite-grants"}),
    ({"kind": ["grant", "fiscal"]}, {"ignite-grants", "tax-holiday"}),
    ({"status": "announced"}, {"ai-venture-fund", "tax-holiday"}),
    ({"status": "open"}, {"ignite-grants"}),
    ({"q": "universities"}, {"ignite-grants"}),
    ({"q": "fbr"}, {"tax-holiday"}),
    ({"q": "venture"}, {"ai-venture-fund"}),
    ({"status": "announced", "hub": "karachi"}, {"ai-venture-fund"}),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_filters(api: APIClient, incentives: dict[str, Incentive], params: dict[str, Any], expected: set[str]) -> None:
    found = slugs(api, **params)
    assert len(found) == len(set(found)), "a row appears twice"
    assert set(found) == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        (
            None,
            ["tax-holiday", "ai-venture-fund", "ignite-grants"],
        ),  # by name ("=A1" comes first under C and ICU collations alike)
        ("name", ["tax-holiday", "ai-venture-fund", "ignite-grants"]),
        ("-name", ["ignite-grants", "ai-venture-fund", "tax-holiday"]),
        ("kind", ["tax-holiday", "ignite-grants", "ai-venture-fund"]),
        ("-kind", ["ai-venture-fund", "ignite-grants", "tax-holiday"]),
    ],
)
def test_ordering(api: APIClient, incentives: dict[str, Incentive], ordering: str | None, expected: list[str]) -> None:
    params = {"ordering": ordering} if ordering else {}
    assert slugs(api, **params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"kind": "lottery"},
        {"status": "maybe"},
        {"pillar": "no-such-pillar"},
        {"hub": "atlantis"},
        {"ordering": "budget"},
    ],
)
def test_bad_filter_values_are_400(api: APIClient, incentives: dict[str, Incentive], params: dict[str, str]) -> None:
    response = api.get("/api/v1/incentives/", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == set(params)


def test_csv_has_the_same_rows_as_json(api: APIClient, incentives: dict[str, Incentive]) -> None:
    params = {"ordering": "-name"}
    json_rows = api.get("/api/v1/incentives/", params).json()["results"]
    response = api.get("/api/v1/incentives/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["slug"] for r in rows] == [r["slug"] for r in json_rows]
    by_slug = {r["slug"]: r for r in rows}
    assert by_slug["tax-holiday"]["name"] == "'=A1+A2 tax holiday"
    assert by_slug["ai-venture-fund"]["kind"] == "venture"
    assert "hubs" not in by_slug["ai-venture-fund"]  # a list is a related table, keyed by the incentive's slug
    hubs = api.get("/api/v1/incentives/", {**params, "format": "csv", "table": "hubs"})
    hub_rows = list(csv.DictReader(io.StringIO(hubs.content.decode("utf-8-sig"))))
    assert list(hub_rows[0]) == ["incentive_slug", "position", "slug"]
    venture = [(r["position"], r["slug"]) for r in hub_rows if r["incentive_slug"] == "ai-venture-fund"]
    assert venture in ([("1", "lahore"), ("2", "karachi")], [("1", "karachi"), ("2", "lahore")])


def test_incentives_are_read_only(api: APIClient, incentives: dict[str, Incentive]) -> None:
    assert api.post("/api/v1/incentives/", {"name": "x"}, format="json").status_code == 401
    api.force_authenticate(EditorFactory())
    assert api.post("/api/v1/incentives/", {"name": "x"}, format="json").status_code == 405
    assert api.patch("/api/v1/incentives/tax-holiday/", {"name": "x"}, format="json").status_code == 405


def test_etag_and_304(api: APIClient, incentives: dict[str, Incentive]) -> None:
    for path in ("/api/v1/incentives/", "/api/v1/incentives/ai-venture-fund/"):
        first = api.get(path)
        etag = first["ETag"]
        again = api.get(path, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304
        assert again.content == b""


def _queries(api: APIClient) -> int:
    api.get("/api/v1/incentives/")
    with CaptureQueriesContext(connection) as context:
        response = api.get("/api/v1/incentives/")
    assert response.status_code == 200
    return len(context.captured_queries)


def test_query_count_does_not_grow_with_the_data(api: APIClient, db: None) -> None:
    policy = PolicyFactory()
    pillar = PillarFactory(policy=policy)
    hubs = [HubFactory(), HubFactory()]

    def add(n: int) -> None:
        for _ in range(n):
            incentive = IncentiveFactory(pillar=pillar)
            incentive.hubs.set(hubs)
            incentive.sources.set([SourceFactory()])

    add(3)
    small = _queries(api)
    add(12)
    cache.clear()
    assert _queries(api) == small
