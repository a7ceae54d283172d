"""Roles and sign-in: password guessing is locked out, staff sessions expire, editors cannot manage users."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory

from core.security import client_ip
from tests.factories import EditorFactory, SuperuserFactory

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's


def attempt(client: Client, username: str, password: str, address: str = "203.0.113.7") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_the_account_out_on_that_connection(client: Client) -> None:
    editor = EditorFactory(username="ayesha")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "ayesha", "guess")
        assert response.status_code == 200  # the login form again, with its error

    locked = attempt(client, "ayesha", "guess")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()

    # Even the right password is refused now, from that address ...
    assert attempt(client, "ayesha", PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    # ... but the editor can still sign in from elsewhere, and so can everyone else.
    assert attempt(Client(), "ayesha", PASSWORD, address="198.51.100.4").status_code == 302
    other = EditorFactory(username="bilal")
    assert attempt(Client(), other.username, PASSWORD).status_code == 302
    assert editor.pk


def test_a_successful_sign_in_resets_the_count(client: Client) -> None:
    EditorFactory(username="sana")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "sana", "guess")

    assert attempt(client, "sana", PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, "sana", "guess").status_code == 200  # counting starts again


def test_lock_out_lasts_thirty_minutes_per_username_and_address() -> None:
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_force_login_still_works_for_tests(client: Client) -> None:
    client.force_login(EditorFactory())

    assert client.get("/admin/").status_code == 200


def test_staff_sessions_expire_after_a_working_day(client: Client) -> None:
    EditorFactory(username="zara")
    attempt(client, "zara", PASSWORD)

    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert 8 * 3600 - 60 <= client.session.get_expiry_age() <= 8 * 3600


def test_only_superusers_manage_users(client: Client) -> None:
    client.force_login(EditorFactory())
    assert client.get("/admin/auth/user/").status_code == 403

    client.force_login(SuperuserFactory())
    assert client.get("/admin/auth/user/").status_code == 200


def test_the_client_address_behind_the_proxy(settings: Any) -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")

    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxy trusted: a forged header is ignored
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "198.51.100.9"  # the address our proxy saw, not what the client wrote
