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
    assert settings.AXES_ADDRESS_FAILURE_LIMIT == 20  # one address, whatever the usernames
    assert settings.AXES_HANDLER == "core.lockout.AxesHandler"
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_guessing_across_usernames_locks_the_address(client: Client) -> None:
    editor = EditorFactory(username="hina")
    answers = [attempt(client, f"user{n}", "guess").status_code for n in range(30)]

    # Every username is new, so no username+address pair reached its limit: the address's own limit did.
    first_locked = answers.index(429)
    assert first_locked + 1 == settings.AXES_ADDRESS_FAILURE_LIMIT < 30
    assert set(answers[:first_locked]) == {200}
    assert set(answers[first_locked:]) == {429}
    locked = attempt(client, editor.username, PASSWORD)
    assert locked.status_code == 429  # even an editor with the right password, from that address
    assert "every sign-in from it is refused for now, whatever the account" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert attempt(Client(), editor.username, PASSWORD, address="198.51.100.4").status_code == 302


def test_a_few_colleagues_typing_wrong_behind_one_address_lock_nobody_else(client: Client) -> None:
    colleagues = [EditorFactory(username=f"colleague{n}") for n in range(4)]
    for colleague in colleagues:  # 16 mistakes from the office's one address: under both limits
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            assert attempt(client, colleague.username, "typo").status_code == 200
    other = EditorFactory(username="rehan")
    assert attempt(Client(), other.username, PASSWORD).status_code == 302


def test_a_sign_in_to_ones_own_account_does_not_clear_the_failures_against_others(client: Client) -> None:
    own = EditorFactory(username="guesser")
    limit = settings.AXES_ADDRESS_FAILURE_LIMIT
    for n in range(limit - 1):
        assert attempt(client, f"victim{n}", "guess").status_code == 200
    assert attempt(client, own.username, PASSWORD).status_code == 302
    client.logout()
    assert attempt(client, "victim-last", "guess").status_code == 429


PASSWORD_CHANGE = "/admin/password_change/"


def change_password(client: Client, old: str, address: str = "203.0.113.7") -> Any:
    new = "another-long-test-password"
    data = {"old_password": old, "new_password1": new, "new_password2": new}
    return client.post(PASSWORD_CHANGE, data, REMOTE_ADDR=address)


def test_wrong_old_passwords_on_the_password_form_lock_it_and_the_sign_in(client: Client) -> None:
    editor = EditorFactory(username="farah")
    client.force_login(editor)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = change_password(client, "guess")
        assert response.status_code == 200
        assert "old_password" in response.context["form"].errors

    locked = change_password(client, "guess")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.content.decode()
    # Now even the right old password is refused there, and so is signing in as that editor from that address.
    assert change_password(client, PASSWORD).status_code == 429
    assert client.get(PASSWORD_CHANGE, REMOTE_ADDR="203.0.113.7").status_code == 429
    editor.refresh_from_db()
    assert editor.check_password(PASSWORD)
    assert attempt(Client(), "farah", PASSWORD).status_code == 429
    assert attempt(Client(), "farah", PASSWORD, address="198.51.100.4").status_code == 302


def test_the_password_form_still_changes_a_password(client: Client) -> None:
    editor = EditorFactory(username="omar")
    client.force_login(editor)
    assert client.get(PASSWORD_CHANGE).status_code == 200
    assert change_password(client, "guess").status_code == 200  # one mistake, then the right one

    response = change_password(client, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == "/admin/password_change/done/"
    editor.refresh_from_db()
    assert editor.check_password("another-long-test-password")
    assert attempt(Client(), "omar", "another-long-test-password").status_code == 302


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
