"""`manage.py drf_create_token <username> [--reset]`: DRF's command, for editors only (`core.tokens`).

Core's commands come before `rest_framework.authtoken`'s (core is listed first in INSTALLED_APPS), so this
one replaces DRF's.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from rest_framework.authtoken.management.commands.drf_create_token import Command as DRFCommand
from rest_framework.authtoken.models import Token

from core.tokens import issue_token


class Command(DRFCommand):
    help = "Create the API token of an editor (a member of the Editors group, or a superuser)."

    def create_user_token(self, username: str, reset_token: bool) -> Token:
        user = User._default_manager.get_by_natural_key(username)
        try:
            return issue_token(user, reset=reset_token)
        except ValidationError as error:
            raise CommandError(f"Cannot create the Token: {' '.join(error.messages)}") from None
