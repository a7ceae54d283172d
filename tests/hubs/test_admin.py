"""The hub admin, for a superuser and for an editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hubs.models import Hub
from tests.factories import EditorFactory, HubFactory, SourceFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

USERS = pytest.mark.parametrize("who", [SuperuserFactory, EditorFactory], ids=["superuser", "editor"])


def login(client: Client, factory: Any) -> User:
    user = factory()
    client.force_login(user)
    return user


def hub_data(**overrides: Any) -> dict[str, Any]:
    """What the add form posts for Lahore."""
    return {
        "name": "Lahore",
        "name_ur": "",
        "slug": "lahore",
        "province": "Punjab",
        "tier": "primary",
        "role": "",
        "latitude": "31.52",
        "longitude": "74.36",
        "coordinates_confidence": "B",
        "status": "planned",
        "planned_launch_on": "",
        "planned_launch_basis": "assumed",
        "launched_on": "",
        "confidence": "A",
        **overrides,
    }


@USERS
def test_pages_answer(client: Client, who: Any) -> None:
    login(client, who)
    hub = HubFactory()

    assert client.get("/admin/hubs/hub/").status_code == 200
    assert client.get("/admin/hubs/hub/add/").status_code == 200
    assert client.get(f"/admin/hubs/hub/{hub.pk}/change/").status_code == 200
    assert client.get(f"/admin/hubs/hub/{hub.pk}/history/").status_code == 200


def test_editor_adds_a_hub_with_its_sources(client: Client) -> None:
    editor = login(client, EditorFactory)
    source = SourceFactory()

    response = client.post("/admin/hubs/hub/add/", hub_data(sources=[source.pk]))

    assert response.status_code == 302
    hub = Hub.objects.get(slug="lahore")
    assert list(hub.sources.all()) == [source]
    assert hub.history.latest().history_user == editor


def test_latitude_out_of_range_is_refused_with_a_message(client: Client) -> None:
    login(client, EditorFactory)

    response = client.post("/admin/hubs/hub/add/", hub_data(latitude="95"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["latitude"] == [
        "Latitude must be between -90 and 90 degrees (Pakistan lies between about 23 and 37)."
    ]
    assert "Latitude must be between -90 and 90 degrees" in response.content.decode()
    assert not Hub.objects.exists()


def test_editor_cannot_delete_a_hub(client: Client) -> None:
    login(client, EditorFactory)
    hub = HubFactory()

    assert client.post(f"/admin/hubs/hub/{hub.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Hub.objects.filter(pk=hub.pk).exists()


def _changelist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/hubs/hub/").status_code == 200
    return len(queries)


@USERS
def test_changelist_runs_the_same_queries_for_2_and_20_rows(client: Client, who: Any) -> None:
    login(client, who)
    HubFactory.create_batch(2)
    with_two = _changelist_queries(client)
    HubFactory.create_batch(18)

    assert _changelist_queries(client) == with_two
