"""Make sure there is a superuser who can sign in to the admin; safe to run on every start.

Two ways, in this order:

1. DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD are both set (a
   deployment): create that superuser, or bring an existing account up to date
   (password, staff and superuser flags). DJANGO_SUPERUSER_EMAIL is optional.
   The password is never printed.
2. Otherwise (`make run` on a developer's machine): if there is no account
   named `admin`, create the superuser `admin` with a random password and print
   it once, on one line. Later runs leave the account alone and say so.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEFAULT_USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the superuser admin (random password, printed once) or the one named by DJANGO_SUPERUSER_*."

    def handle(self, *args: Any, **options: Any) -> None:
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        if username and password:
            self._ensure_from_environment(username, password, os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip())
        elif username or password:
            raise CommandError("Set both DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD, or neither.")
        else:
            self._ensure_default_admin()

    @transaction.atomic
    def _ensure_from_environment(self, username: str, password: str, email: str) -> None:
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        created = user is None
        if user is None:
            user = user_model(**{user_model.USERNAME_FIELD: username})
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = True
        user.is_active = True
        if email:
            user.email = email
        user.save()
        verb = "created" if created else "updated"
        self.stdout.write(f"Superuser {username!r} {verb} from DJANGO_SUPERUSER_USERNAME/DJANGO_SUPERUSER_PASSWORD.")

    @transaction.atomic
    def _ensure_default_admin(self) -> None:
        user_model = get_user_model()
        existing = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: DEFAULT_USERNAME}).first()
        if existing is not None:
            self.stdout.write(
                f"The {DEFAULT_USERNAME!r} account already exists (its password was printed when it was created); "
                f"to reset it: python manage.py changepassword {DEFAULT_USERNAME}"
            )
            if not existing.is_superuser:
                self.stderr.write(f"Warning: {DEFAULT_USERNAME!r} exists but is not a superuser; left unchanged.")
            return
        password = secrets.token_urlsafe(12)
        user_model._default_manager.create_superuser(
            **{user_model.USERNAME_FIELD: DEFAULT_USERNAME, "email": "", "password": password}
        )
        self.stdout.write(f"username: {DEFAULT_USERNAME}  password: {password}")
