"""The incentives directory: filtered by kind, pillar, hub and status with the API's FilterSet, and a page each."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from incentives.choices import IncentiveKind, IncentiveStatus
from tests.factories import HubFactory, IncentiveFactory, PillarFactory, SourceFactory
from tests.pillars.test_views import AS_OF, assert_self_contained, build_world, html, query_count

pytestmark = pytest.mark.django_db


def cards(text: str) -> list[str]:
    return re.findall(r'data-testid="incentive-card"[^>]*id="([^"]+)"', text)


@pytest.fixture
def directory() -> dict[str, object]:
    pillar, other_pillar = PillarFactory(slug="innovation"), PillarFactory(slug="skills")
    lahore, karachi = HubFactory(slug="lahore"), HubFactory(slug="karachi")
    grant = IncentiveFactory(
        slug="naif-grants",
        name="NAIF grants",
        kind=IncentiveKind.GRANT,
        status=IncentiveStatus.OPEN,
        pillar=pillar,
        administered_by="Ignite",
        eligibility="Startups registered in Pakistan.",
    )
    grant.hubs.add(lahore)
    grant.sources.add(SourceFactory(title="Ignite announces NAIF", confidence="A+"))
    tax = IncentiveFactory(
        slug="tax-holiday", name="Tax holiday", kind=IncentiveKind.FISCAL, status=IncentiveStatus.ANNOUNCED
    )
    tax.hubs.add(karachi)
    loans = IncentiveFactory(slug="student-loans", name="Student loans", kind=IncentiveKind.TALENT, pillar=other_pillar)
    return {"grant": grant, "tax": tax, "loans": loans}


def test_directory_shows_what_a_founder_needs_to_know(client: Client, directory: dict[str, object]) -> None:
    text = html(client.get("/incentives/"))
    assert sorted(cards(text)) == ["naif-grants", "student-loans", "tax-holiday"]
    grant = text.split('id="naif-grants"')[1].split("</li>\n")[0]
    assert "Ignite" in grant  # who runs it
    assert "Startups registered in Pakistan." in grant  # who can apply
    assert "open for applications" in grant  # status
    assert "Ignite announces NAIF" in grant and "[A+]" in grant  # sources with confidence marks
    assert_self_contained(text)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=grant", ["naif-grants"]),
        ("kind=grant&kind=fiscal", ["naif-grants", "tax-holiday"]),
        ("status=announced", ["student-loans", "tax-holiday"]),
        ("pillar=innovation", ["naif-grants"]),
        ("hub=karachi", ["tax-holiday"]),
        ("q=loans", ["student-loans"]),
        ("kind=grant&hub=karachi", []),
    ],
)
def test_filters_change_the_directory(
    client: Client, directory: dict[str, object], query: str, expected: list[str]
) -> None:
    text = html(client.get(f"/incentives/?{query}"))
    assert sorted(cards(text)) == expected
    if not expected:
        assert "No incentive matches these filters." in text


def test_filters_are_kept_in_the_form(client: Client, directory: dict[str, object]) -> None:
    text = html(client.get(f"/incentives/?kind=grant&hub=karachi&as_of={AS_OF}"))
    assert re.search(r'name="kind" value="grant"[^>]*checked', text)
    assert re.search(r'name="hub" value="karachi"[^>]*checked', text)
    assert f'name="as_of" value="{AS_OF}"' in text
    assert 'data-testid="as-of-banner"' in text


@pytest.mark.parametrize("query", ["kind=lottery", "status=maybe", "pillar=nowhere", "hub=atlantis", "as_of=never"])
def test_bad_filters_get_the_friendly_400_page(client: Client, directory: dict[str, object], query: str) -> None:
    response = client.get(f"/incentives/?{query}")
    assert response.status_code == 400
    assert 'data-testid="error-title"' in html(response)


def test_incentive_page_and_unknown_slug(client: Client, directory: dict[str, object]) -> None:
    text = html(client.get("/incentives/naif-grants/"))
    assert "NAIF grants" in text and "Startups registered in Pakistan." in text and "Ignite" in text
    assert 'data-testid="sources"' in text
    assert "NAIF grants" in html(client.get("/ur/incentives/naif-grants/"))
    response = client.get("/incentives/no-such-thing/")
    assert response.status_code == 404
    assert 'data-testid="error-title"' in html(response)


def test_incentive_pages_run_the_same_queries_for_2_and_8_items(client: Client) -> None:
    world = build_world(2)
    urls = [
        "/incentives/",
        "/incentives/?kind=grant&hub=" + world.hubs[0].slug,
        f"/incentives/{world.incentives[0].slug}/",
    ]
    small = [query_count(client, url) for url in urls]
    world.add(6)
    assert [query_count(client, url) for url in urls] == small
