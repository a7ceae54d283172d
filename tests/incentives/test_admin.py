"""The incentive admin, for a superuser and for an editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incentives.models import Incentive
from tests.factories import EditorFactory, HubFactory, IncentiveFactory, PillarFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

USERS = pytest.mark.parametrize("who", [SuperuserFactory, EditorFactory], ids=["superuser", "editor"])


def login(client: Client, factory: Any) -> User:
    user = factory()
    client.force_login(user)
    return user


@USERS
def test_pages_answer(client: Client, who: Any) -> None:
    login(client, who)
    incentive = IncentiveFactory(pillar=PillarFactory())

    assert client.get("/admin/incentives/incentive/").status_code == 200
    assert client.get("/admin/incentives/incentive/add/").status_code == 200
    assert client.get(f"/admin/incentives/incentive/{incentive.pk}/change/").status_code == 200
    assert client.get(f"/admin/incentives/incentive/{incentive.pk}/history/").status_code == 200


def test_editor_adds_an_incentive(client: Client) -> None:
    editor = login(client, EditorFactory)
    pillar = PillarFactory()

    response = client.post(
        "/admin/incentives/incentive/add/",
        {
            "name": "National AI Fund",
            "slug": "national-ai-fund",
            "kind": "venture",
            "status": "announced",
            "pillar": pillar.pk,
            "planned_launch_basis": "assumed",
            "budget_amount": "1000000",
            "budget_currency": "PKR",
            "confidence": "A",
            "scope": "nationwide",
        },
    )

    assert response.status_code == 302
    incentive = Incentive.objects.get()
    assert (incentive.pillar, incentive.history.latest().history_user) == (pillar, editor)


def test_negative_budget_is_refused(client: Client) -> None:
    login(client, EditorFactory)

    response = client.post(
        "/admin/incentives/incentive/add/",
        {
            "name": "Fund",
            "slug": "fund",
            "kind": "grant",
            "status": "announced",
            "planned_launch_basis": "assumed",
            "budget_amount": "-5",
            "confidence": "A",
            "scope": "nationwide",
        },
    )

    assert response.status_code == 200
    # Only the budget is wrong (today the model's check constraint says so as a form-wide error).
    assert set(response.context["adminform"].form.errors) <= {"__all__", "budget_amount"}
    assert not Incentive.objects.exists()


def test_list_shows_the_budget(client: Client) -> None:
    login(client, EditorFactory)
    IncentiveFactory(budget_amount=2_500_000, budget_currency="PKR")

    assert "2,500,000 PKR" in client.get("/admin/incentives/incentive/").content.decode()


def _changelist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/incentives/incentive/").status_code == 200
    return len(queries)


@USERS
def test_changelist_runs_the_same_queries_for_2_and_20_rows(client: Client, who: Any) -> None:
    login(client, who)
    for _ in range(2):
        IncentiveFactory(pillar=PillarFactory())
    with_two = _changelist_queries(client)
    for _ in range(18):
        IncentiveFactory(pillar=PillarFactory())

    assert _changelist_queries(client) == with_two


def test_editor_sets_where_who_how_and_when(client: Client) -> None:
    editor = login(client, EditorFactory)
    lahore = HubFactory(slug="lahore", province="Punjab")
    base = {
        "name": "Lahore seed grants",
        "slug": "lahore-seed-grants",
        "kind": "grant",
        "status": "announced",
        "planned_launch_basis": "assumed",
        "confidence": "A",
    }
    # Regional names somewhere; dates in order; only the fixed choices.
    refused = client.post(
        "/admin/incentives/incentive/add/",
        {
            **base,
            "scope": "regional",
            "applicants": ["startup", "astronauts"],
            "opens_on": "2026-03-01",
            "closes_on": "2026-02-01",
        },
    )
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors
    assert {"scope", "applicants"} <= set(errors)
    assert "closes_on" in errors or "__all__" in errors
    assert not Incentive.objects.exists()

    response = client.post(
        "/admin/incentives/incentive/add/",
        {
            **base,
            "scope": "regional",
            "hubs": [lahore.pk],
            "provinces": ["Punjab"],
            "applicants": ["startup", "women_led"],
            "apply_to": "Punjab IT Board",
            "apply_url": "https://example.org/apply",
            "apply_address": "Arfa Tower, Lahore",
            "announced_on": "2026-01-10",
            "opens_on": "2026-02-01",
            "closes_on": "2026-03-01",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    incentive = Incentive.objects.get()
    assert (incentive.scope, incentive.provinces, incentive.applicants) == (
        "regional",
        ["Punjab"],
        ["startup", "women_led"],
    )
    assert list(incentive.hubs.all()) == [lahore]
    assert (incentive.apply_to, incentive.opens_on.isoformat()) == ("Punjab IT Board", "2026-02-01")
    assert incentive.history.latest().history_user == editor
    page = client.get(f"/admin/incentives/incentive/{incentive.pk}/change/")
    assert 'name="applicants" value="women_led"' in page.content.decode() and "checked" in page.content.decode()
