"""`manage.py ensure_admin`: the superuser that `make run` and deployments rely on."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db

PASSWORD_LINE = re.compile(r"^username: admin  password: (\S+)$")


@pytest.fixture(autouse=True)
def _no_superuser_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DJANGO_SUPERUSER_USERNAME", "DJANGO_SUPERUSER_PASSWORD", "DJANGO_SUPERUSER_EMAIL"):
        monkeypatch.delenv(name, raising=False)


def run_command() -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("ensure_admin", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_creates_admin_and_prints_its_password_on_one_line() -> None:
    out, _ = run_command()

    lines = out.splitlines()
    assert len(lines) == 1, out
    match = PASSWORD_LINE.match(lines[0])
    assert match, out
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.is_active
    assert admin.check_password(match.group(1))
    assert len(match.group(1)) >= 16  # token_urlsafe(12) gives 16 characters


def test_second_run_keeps_the_account_and_prints_no_password() -> None:
    first, _ = run_command()
    password = PASSWORD_LINE.match(first.strip()).group(1)  # type: ignore[union-attr]

    second, _ = run_command()

    assert "already exists" in second
    assert "changepassword admin" in second
    assert password not in second
    assert "password: " not in second
    assert get_user_model().objects.filter(username="admin").count() == 1
    assert get_user_model().objects.get(username="admin").check_password(password)


def test_existing_non_superuser_admin_is_left_alone_with_a_warning() -> None:
    get_user_model().objects.create_user(username="admin", password="x-unchanged-1")

    out, err = run_command()

    assert "already exists" in out
    assert "not a superuser" in err
    admin = get_user_model().objects.get(username="admin")
    assert not admin.is_superuser
    assert admin.check_password("x-unchanged-1")


def test_environment_variables_create_then_update_that_superuser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "first-Secret-42")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.org")

    out, _ = run_command()

    assert "created" in out
    assert "first-Secret-42" not in out
    ops = get_user_model().objects.get(username="ops")
    assert ops.is_superuser and ops.is_staff
    assert ops.email == "ops@example.org"
    assert ops.check_password("first-Secret-42")
    assert not get_user_model().objects.filter(username="admin").exists()

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "second-Secret-42")
    out, _ = run_command()

    assert "updated" in out
    assert get_user_model().objects.filter(username="ops").count() == 1
    assert get_user_model().objects.get(username="ops").check_password("second-Secret-42")


def test_environment_path_promotes_an_existing_plain_user(monkeypatch: pytest.MonkeyPatch) -> None:
    get_user_model().objects.create_user(username="ops", password="old-one-99")
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "new-one-99")

    run_command()

    ops = get_user_model().objects.get(username="ops")
    assert ops.is_superuser and ops.is_staff
    assert ops.check_password("new-one-99")


def test_only_one_of_the_two_variables_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")

    with pytest.raises(CommandError, match="both"):
        run_command()

    assert not get_user_model().objects.exists()
