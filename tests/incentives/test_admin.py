"""The incentive admin, for a superuser and for an editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from incentives.models import Incentive
from tests.factories import EditorFactory, IncentiveFactory, PillarFactory, SuperuserFactory

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
