"""The incentives finder on the pages: where an incentive applies (nationwide ones included and labelled), who can
apply, how and when to apply with the derived status, the "Can I apply?" page and the hub page."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.test import Client

from incentives.choices import Applicant, IncentiveScope, Province
from incentives.models import Incentive
from tests.factories import HubFactory, IncentiveFactory
from tests.pillars.test_views import html, query_count

pytestmark = pytest.mark.django_db

AS_OF = "2026-03-15"


def cards(text: str) -> list[str]:
    return sorted(re.findall(r'data-testid="incentive-card"[^>]*id="([^"]+)"', text))


def finder_cards(text: str, testid: str) -> list[str]:
    if f'data-testid="{testid}"' not in text:
        return []
    section = text.split(f'data-testid="{testid}"')[1].split("</ul>")[0]
    return re.findall(r'data-testid="finder-card" data-slug="([^"]+)"', section)


@pytest.fixture
def finder() -> dict[str, Any]:
    lahore = HubFactory(slug="lahore", name="Lahore", name_ur="لاہور", province=Province.PUNJAB)
    karachi = HubFactory(slug="karachi", name="Karachi", province=Province.SINDH)
    faisalabad = HubFactory(slug="faisalabad", name="Faisalabad", province=Province.PUNJAB)
    made: dict[str, Incentive] = {}

    def make(slug: str, **values: Any) -> Incentive:
        hubs = values.pop("hubs", [])
        made[slug] = incentive = IncentiveFactory(slug=slug, name=slug.replace("-", " ").title(), **values)
        incentive.hubs.set(hubs)
        return incentive

    make(
        "national-fund",
        scope=IncentiveScope.NATIONWIDE,
        applicants=[Applicant.STARTUP, Applicant.UNIVERSITY],
        apply_to="Ignite",
        apply_url="https://ignite.example.org/apply",
        announced_on=dt.date(2026, 1, 1),
        opens_on=dt.date(2026, 2, 1),
        closes_on=dt.date(2026, 6, 30),
    )
    make("scholarships", scope=IncentiveScope.NATIONWIDE, applicants=[Applicant.STUDENT])
    make("sandbox", scope=IncentiveScope.NATIONWIDE, eligibility="")  # who may apply: not published
    make("lahore-lab", scope=IncentiveScope.REGIONAL, hubs=[lahore], applicants=[Applicant.STARTUP])
    make("punjab-grant", scope=IncentiveScope.REGIONAL, provinces=[Province.PUNJAB], applicants=[Applicant.SME])
    make("karachi-park", scope=IncentiveScope.REGIONAL, hubs=[karachi], applicants=[Applicant.STARTUP])
    make("faisalabad-lab", scope=IncentiveScope.REGIONAL, hubs=[faisalabad], applicants=[Applicant.STARTUP])
    return {"lahore": lahore, "karachi": karachi, **made}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hub=lahore", ["lahore-lab", "national-fund", "punjab-grant", "sandbox", "scholarships"]),
        ("hub=karachi", ["karachi-park", "national-fund", "sandbox", "scholarships"]),
        (
            "province=Punjab",
            ["faisalabad-lab", "lahore-lab", "national-fund", "punjab-grant", "sandbox", "scholarships"],
        ),
        ("who=startup", ["faisalabad-lab", "karachi-park", "lahore-lab", "national-fund"]),
        ("who=startup&hub=lahore", ["lahore-lab", "national-fund"]),
        ("who=sme&who=student&hub=lahore", ["punjab-grant", "scholarships"]),
        ("who=women_led", []),
    ],
)
def test_place_and_who_filters_include_nationwide_incentives(
    client: Client, finder: dict[str, Any], query: str, expected: list[str]
) -> None:
    text = html(client.get(f"/incentives/?{query}&as_of={AS_OF}"))
    assert cards(text) == expected
    if "hub=" in query or "province=" in query:
        assert 'data-testid="nationwide-note"' in text
    for slug in expected:
        card = text.split(f'id="{slug}"')[1].split("</li>")[0]
        assert ('class="tag nationwide"' in card) == finder[slug].nationwide, slug


def test_the_list_says_where_who_how_and_when(client: Client, finder: dict[str, Any]) -> None:
    text = html(client.get(f"/incentives/?as_of={AS_OF}"))
    fund = text.split('id="national-fund"')[1].split("</li>")[0]
    assert 'data-application="open"' in fund and "startups" in fund and "universities and researchers" in fund
    assert "Ignite" in fund and 'href="https://ignite.example.org/apply"' in fund
    assert "1 Jan 2026" in fund and "1 Feb 2026" in fund and "30 Jun 2026" in fund
    sandbox = text.split('id="sandbox"')[1].split("</li>")[0]
    assert 'data-application="unknown"' in sandbox and "dates not published" in sandbox
    assert sandbox.count("not published") >= 4  # who, how, and the three dates
    lab = text.split('id="lahore-lab"')[1].split("</li>")[0]
    assert "Lahore" in lab and 'class="tag nationwide"' not in lab
    # The status follows the as-of date: closed after the closing day, not yet open before the opening day.
    later = html(client.get("/incentives/?as_of=2026-07-01")).split('id="national-fund"')[1].split("</li>")[0]
    assert 'data-application="closed"' in later
    earlier = html(client.get("/incentives/?as_of=2026-01-15")).split('id="national-fund"')[1].split("</li>")[0]
    assert 'data-application="not_yet_open"' in earlier


def test_the_incentive_page_says_how_and_when(client: Client, finder: dict[str, Any]) -> None:
    text = html(client.get(f"/incentives/national-fund/?as_of={AS_OF}"))
    assert 'data-application="open"' in text and "https://ignite.example.org/apply" in text
    assert 'class="tag nationwide"' in text
    text = html(client.get(f"/incentives/punjab-grant/?as_of={AS_OF}"))
    assert "Punjab" in text and "small and medium enterprises" in text and 'data-application="unknown"' in text


@pytest.mark.parametrize(
    "query", ["who=astronaut", "province=Atlantis", "hub=atlantis", "who=startup&hub=lahore&as_of=never"]
)
def test_bad_filter_values_are_the_friendly_400(client: Client, finder: dict[str, Any], query: str) -> None:
    response = client.get(f"/incentives/?{query}")
    assert response.status_code == 400
    assert 'data-testid="error-title"' in html(response)


def test_can_i_apply_answers_on_the_same_page(client: Client, finder: dict[str, Any]) -> None:
    empty = html(client.get("/incentives/can-i-apply/"))
    assert 'data-testid="finder-form"' in empty and 'data-testid="answer"' not in empty
    assert 'data-testid="finder-incomplete"' not in empty
    half = html(client.get("/incentives/can-i-apply/?who=startup&hub="))
    assert 'data-testid="finder-incomplete"' in half and 'data-testid="answer"' not in half

    text = html(client.get(f"/incentives/can-i-apply/?who=startup&hub=lahore&as_of={AS_OF}"))
    assert finder_cards(text, "answer-listed") == ["lahore-lab", "national-fund"]
    assert finder_cards(text, "answer-unpublished") == ["sandbox"]
    assert "2 incentives list startups and apply in Lahore" in text
    fund = text.split('data-slug="national-fund"')[1].split("</li>")[0]
    assert 'data-reach="nationwide"' in text and 'class="tag nationwide"' in fund
    assert 'data-application="open"' in fund and "https://ignite.example.org/apply" in fund
    lab = text.split('data-slug="lahore-lab"')[1].split("</li>")[0]
    assert "in Lahore" in lab and 'data-application="unknown"' in lab
    assert re.search(r'<option value="startup" selected>', text)
    assert re.search(r'<option value="lahore" selected>', text)
    assert "/incentives/?who=startup&amp;hub=lahore" in text  # the same answer in the directory

    nothing = html(client.get("/incentives/can-i-apply/?who=freelancer&hub=karachi"))
    assert finder_cards(nothing, "answer-listed") == [] and 'data-testid="answer-none"' in nothing
    assert finder_cards(nothing, "answer-unpublished") == ["sandbox"]


def test_can_i_apply_in_urdu(client: Client, finder: dict[str, Any]) -> None:
    text = html(client.get(f"/ur/incentives/can-i-apply/?who=startup&hub=lahore&as_of={AS_OF}"))
    assert 'dir="rtl"' in text and 'lang="ur"' in text
    assert finder_cards(text, "answer-listed") == ["lahore-lab", "national-fund"]
    assert "لاہور" in text  # the city by its Urdu name


@pytest.mark.parametrize("query", ["who=astronaut&hub=lahore", "who=startup&hub=atlantis", "as_of=never"])
def test_can_i_apply_refuses_bad_values(client: Client, finder: dict[str, Any], query: str) -> None:
    response = client.get(f"/incentives/can-i-apply/?{query}")
    assert response.status_code == 400
    assert 'data-testid="error-title"' in html(response)


def test_hub_page_lists_nationwide_incentives_labelled(client: Client, finder: dict[str, Any]) -> None:
    text = html(client.get("/hubs/lahore/"))
    section = text.split('id="incentives-title"')[1].split("</section>")[0]
    for slug, shown in [
        ("national-fund", True),
        ("sandbox", True),
        ("lahore-lab", True),
        ("punjab-grant", True),
        ("karachi-park", False),
        ("faisalabad-lab", False),
    ]:
        assert (finder[slug].name in section) == shown, slug
    assert section.count('data-scope="nationwide"') == 3
    assert 'data-testid="hub-finder-link"' in section


def test_finder_pages_run_the_same_queries_for_two_sizes(
    client: Client, finder: dict[str, Any], django_assert_num_queries: Any
) -> None:
    urls = [
        "/incentives/?hub=lahore&who=startup",
        "/incentives/?province=Punjab",
        "/incentives/can-i-apply/?who=startup&hub=lahore",
        "/incentives/national-fund/",
        "/hubs/lahore/",
    ]
    small = [query_count(client, url) for url in urls]
    for n in range(8):
        incentive = IncentiveFactory(
            scope=IncentiveScope.NATIONWIDE if n % 2 else IncentiveScope.REGIONAL,
            provinces=[] if n % 2 else [Province.PUNJAB],
            applicants=[Applicant.STARTUP],
        )
        incentive.hubs.set([finder["lahore"], finder["karachi"]])
    for url, count in zip(urls, small, strict=True):
        client.get(url)
        with django_assert_num_queries(count):
            assert client.get(url).status_code == 200
