"""API tokens are for editors only: those the API lets write (`core.api.permissions.is_editor`).

Both ways a token comes to be are held to it: `manage.py drf_create_token` (core's command replaces DRF's,
refusing anyone else with a clear message) and the admin's *Tokens* page (only editors to choose from). The
API has no endpoint that issues tokens.

A token stays when its user leaves the Editors group (or is no longer a superuser), but it gives them
nothing an anonymous reader lacks: the permission checks the group on every request, so each write is
refused (403), and only editors' requests go unthrottled (`core.api.throttling`). A superuser deletes it
under *Auth Token → Tokens*.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import Token, TokenProxy

from core.api.permissions import is_editor


def token_refusal(user: AbstractBaseUser | AnonymousUser) -> str | None:
    """Why `user` may not hold an API token, or None if they may."""
    if not user.is_active:
        return f"user {user.get_username()} is inactive."
    if not is_editor(user):
        return (
            f"user {user.get_username()} is not an editor (neither in the {settings.EDITORS_GROUP_NAME!r} group "
            "nor a superuser); API tokens are for editors only."
        )
    return None


def token_holders() -> QuerySet[User]:
    """The users who may hold a token: active editors and superusers."""
    editors = Q(groups__name=settings.EDITORS_GROUP_NAME) | Q(is_superuser=True)
    return User.objects.filter(editors, is_active=True).distinct().order_by(User.USERNAME_FIELD)


def issue_token(user: User, *, reset: bool = False) -> Token:
    """The user's token (a new one with `reset`); a ValidationError for anyone who is not an editor."""
    refusal = token_refusal(user)
    if refusal is not None:
        raise ValidationError(refusal, code="not_an_editor")
    if reset:
        Token.objects.filter(user=user).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


class EditorTokenAdmin(TokenAdmin):
    """DRF's *Tokens* page, with only editors to choose from (the choice is checked again on save)."""

    def formfield_for_foreignkey(
        self, db_field: Any, request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        if db_field.name == "user":
            kwargs["queryset"] = token_holders()
            kwargs["help_text"] = "Only editors (the Editors group) and superusers may hold an API token."
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def register_admin() -> None:
    """Replace DRF's token admin with ours (called once the admin has found every app's registrations)."""
    if admin.site.is_registered(TokenProxy):
        admin.site.unregister(TokenProxy)
    admin.site.register(TokenProxy, EditorTokenAdmin)
