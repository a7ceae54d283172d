"""The source admin, for a superuser and for an editor."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sources.models import Source
from tests.factories import EditorFactory, SourceFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

USERS = pytest.mark.parametrize("who", [SuperuserFactory, EditorFactory], ids=["superuser", "editor"])


def login(client: Client, factory: Any) -> User:
    user = factory()
    client.force_login(user)
    return user


@USERS
def test_pages_answer(client: Client, who: Any) -> None:
    login(client, who)
    source = SourceFactory()

    assert client.get("/admin/sources/source/").status_code == 200
    assert client.get("/admin/sources/source/add/").status_code == 200
    assert client.get(f"/admin/sources/source/{source.pk}/change/").status_code == 200


def test_list_shows_the_confidence_mark(client: Client) -> None:
    login(client, EditorFactory)
    SourceFactory(confidence="A1", disputed=True)

    assert "[A1] [!]" in client.get("/admin/sources/source/").content.decode()


def test_editor_adds_a_source(client: Client) -> None:
    login(client, EditorFactory)

    response = client.post(
        "/admin/sources/source/add/",
        {"url": "https://www.dawn.com/news/1", "title": "Cabinet approves AI policy", "confidence": "A"},
    )

    assert response.status_code == 302
    assert Source.objects.get().title == "Cabinet approves AI policy"


def test_editor_cannot_delete_a_source(client: Client) -> None:
    login(client, EditorFactory)
    source = SourceFactory()

    assert client.post(f"/admin/sources/source/{source.pk}/delete/", {"post": "yes"}).status_code == 403


def test_autocomplete_finds_sources_for_an_editor(client: Client) -> None:
    login(client, EditorFactory)
    SourceFactory(title="Cabinet approves AI policy")
    SourceFactory(title="Something else")

    response = client.get(
        "/admin/autocomplete/",
        {"term": "cabinet", "app_label": "pillars", "model_name": "target", "field_name": "sources"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["Example News: Cabinet approves AI policy"]


def _changelist_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/admin/sources/source/").status_code == 200
    return len(queries)


@USERS
def test_changelist_runs_the_same_queries_for_2_and_20_rows(client: Client, who: Any) -> None:
    login(client, who)
    SourceFactory.create_batch(2)
    with_two = _changelist_queries(client)
    SourceFactory.create_batch(18)

    assert _changelist_queries(client) == with_two
