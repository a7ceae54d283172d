"""The search page finds plurals, numbers with or without separators, and Urdu as readers type it."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import HubFactory, IncentiveFactory, MilestoneFactory, PillarFactory, TargetFactory

pytestmark = pytest.mark.django_db


def found(client: Client, query: str, kind: str, language: str = "") -> list[str]:
    text = client.get(f"{language}/search/", {"q": query}).content.decode()
    section = text.split(f'data-testid="results-{kind}"')
    return re.findall(r"<li><a [^>]*>([^<]*)</a>", section[1].split("</ul>")[0]) if len(section) > 1 else []


@pytest.fixture
def world() -> None:
    TargetFactory(code="p3-startups", title="Startups incubated", description="AI startups given seed money.")
    TargetFactory(code="p3-startup-fund", title="A startup fund", description="One fund.")
    TargetFactory(code="p2-trained", title="People trained in AI", description="200,000 people a year.")
    TargetFactory(code="p2-lakh", title="Students in lakhs", description="Written 2,00,000 on the Urdu page.")
    MilestoneFactory(code="p1-policy", title="Data protection policy", description="A policy adopted.")
    MilestoneFactory(code="p1-policies", title="Sector policies", description="Policies for each sector.")
    MilestoneFactory(code="p1-fund", title="National AI Fund set up", description="")
    IncentiveFactory(name="Startup grants")
    HubFactory(slug="karachi", name="Karachi", name_ur="کراچی")
    HubFactory(slug="muzaffarabad", name="Muzaffarabad", name_ur="مظفرآباد")


@pytest.mark.parametrize("query", ["startup", "startups", "Startups", "STARTUP"])
def test_a_plural_finds_what_its_singular_finds(client: Client, world: None, query: str) -> None:
    assert sorted(found(client, query, "targets")) == ["A startup fund", "Startups incubated"]
    assert found(client, query, "incentives") == ["Startup grants"]


@pytest.mark.parametrize("query", ["policy", "policies"])
def test_policy_and_policies(client: Client, world: None, query: str) -> None:
    assert sorted(found(client, query, "milestones")) == ["Data protection policy", "Sector policies"]


@pytest.mark.parametrize("query", ["200000", "200,000", "2,00,000", "۲۰۰۰۰۰", "۲٬۰۰٬۰۰۰"])
def test_a_number_is_found_however_it_is_grouped(client: Client, world: None, query: str) -> None:
    assert sorted(found(client, query, "targets")) == ["People trained in AI", "Students in lakhs"]


@pytest.mark.parametrize("query", ["کراچی", "كراچي", "کراچي"])
def test_urdu_is_found_in_either_keyboards_letters(client: Client, world: None, query: str) -> None:
    assert found(client, query, "hubs", "/ur") == ["کراچی"]


def test_an_alef_without_its_madda_still_finds_the_city(client: Client, world: None) -> None:
    assert found(client, "مظفراباد", "hubs", "/ur") == ["مظفرآباد"]


def test_the_urdu_words_of_the_issue_find_the_records_the_urdu_pages_show(client: Client, world: None) -> None:
    assert found(client, "تربیت", "targets", "/ur") == ["People trained in AI"]
    assert found(client, "تربيت", "targets", "/ur") == ["People trained in AI"]  # Arabic yeh
    assert "National AI Fund set up" in found(client, "فنڈ", "milestones", "/ur")
    assert "A startup fund" in found(client, "فنڈ", "targets", "/ur")


def test_every_word_must_match(client: Client, world: None) -> None:
    assert found(client, "startup fund", "targets") == ["A startup fund"]
    text = client.get("/search/", {"q": "، ۔"}).content.decode()
    assert "Nothing found" in text


def _queries(client: Client, query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/search/", {"q": query}).status_code == 200
    return len(captured)


def test_the_search_runs_the_same_queries_at_two_sizes(client: Client) -> None:
    pillar = PillarFactory()

    def grow(n: int) -> None:
        for i in range(n):
            TargetFactory(pillar=pillar, policy=pillar.policy, title=f"Startups {i}", description="200,000")
            MilestoneFactory(pillar=pillar, policy=pillar.policy, title=f"Startup milestone {i}")
            IncentiveFactory(name=f"Startup grant {i}")
            HubFactory(name_ur=f"کراچی {i}")

    grow(2)
    small = _queries(client, "startups 200000")
    grow(8)
    assert _queries(client, "startups 200000") == small
    assert _queries(client, "startup 200,000 target") == small  # more words: no more queries
