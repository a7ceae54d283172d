"""API tokens are for editors only: the command, the admin's Tokens page, and a token whose user left the group."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.throttling import AnonymousThrottle
from tests.factories import EditorFactory, SuperuserFactory, TargetFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD_TOKEN = "/admin/authtoken/tokenproxy/add/"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()  # the throttle's counters


def create_token(username: str, *args: str) -> str:
    out = StringIO()
    call_command("drf_create_token", username, *args, stdout=out)
    return out.getvalue()


def test_the_command_is_ours() -> None:
    assert get_commands()["drf_create_token"] == "core"


def test_the_command_issues_tokens_to_editors_and_superusers() -> None:
    editor, superuser = EditorFactory(username="nadia"), SuperuserFactory(username="root")

    printed = create_token("nadia")
    token = Token.objects.get(user=editor)
    assert printed.strip() == f"Generated token {token.key} for user nadia"
    assert create_token("nadia").strip() == printed.strip()  # the same token again
    renewed = create_token("nadia", "--reset")
    assert Token.objects.get(user=editor).key != token.key
    assert Token.objects.get(user=editor).key in renewed
    create_token("root")
    assert Token.objects.filter(user=superuser).exists()


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: UserFactory(username="clerk", is_staff=True), "user clerk is not an editor"),
        (lambda: EditorFactory(username="clerk", is_active=False), "user clerk is inactive"),
    ],
    ids=["staff-without-rights", "inactive-editor"],
)
def test_the_command_refuses_anyone_else(make: Any, words: str) -> None:
    make()
    with pytest.raises(CommandError, match=f"Cannot create the Token: {words}"):
        create_token("clerk")
    with pytest.raises(CommandError, match="Cannot create the Token"):
        create_token("clerk", "--reset")
    assert not Token.objects.exists()
    with pytest.raises(CommandError, match="does not exist"):
        create_token("nobody")


def test_the_admin_offers_only_editors_and_refuses_anyone_else() -> None:
    editor = EditorFactory(username="editor")
    superuser = SuperuserFactory(username="admin")
    clerk = UserFactory(username="clerk", is_staff=True)
    EditorFactory(username="gone", is_active=False)
    client = Client()
    client.force_login(superuser)

    form = client.get(ADD_TOKEN)
    assert form.status_code == 200
    offered = set(re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', form.content.decode()))
    assert offered == {"admin", "editor"}

    refused = client.post(ADD_TOKEN, {"user": clerk.pk})
    assert refused.status_code == 200
    assert "user" in refused.context["adminform"].form.errors
    assert not Token.objects.exists()

    assert client.post(ADD_TOKEN, {"user": editor.pk}).status_code == 302
    assert Token.objects.filter(user=editor).exists()


def _token_client(user: User) -> APIClient:
    token = Token.objects.create(user=user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_token_of_someone_who_left_the_editors_cannot_write_nor_dodge_the_throttle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "3/minute"})
    target = TargetFactory(title="Before")
    editor = EditorFactory()
    client = _token_client(editor)
    assert client.patch(f"/api/v1/targets/{target.pk}/", {"title": "By an editor"}, format="json").status_code == 200
    assert [client.get("/api/v1/pillars/").status_code for _ in range(4)] == [200] * 4  # editors: no throttle

    editor.groups.remove(Group.objects.get(name=settings.EDITORS_GROUP_NAME))
    cache.clear()
    response = client.patch(f"/api/v1/targets/{target.pk}/", {"title": "After leaving"}, format="json")
    assert response.status_code == 403
    assert "Editors" in response.json()["detail"]
    target.refresh_from_db()
    assert target.title == "By an editor"
    # Reading is public, but the token buys no more of it than an anonymous reader gets.
    assert [client.get("/api/v1/pillars/").status_code for _ in range(4)] == [200, 200, 200, 429]


def test_an_inactive_accounts_token_is_refused() -> None:
    editor = EditorFactory()
    client = _token_client(editor)
    editor.is_active = False
    editor.save()
    assert client.get("/api/v1/pillars/").status_code == 401
