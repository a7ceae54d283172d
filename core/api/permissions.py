"""Who may write through the API: reading is public, writing needs the Editors group."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from rest_framework import permissions
from rest_framework.request import Request

if TYPE_CHECKING:
    # DRF imports this module while rest_framework.views is loading (settings): no import at run time.
    from rest_framework.views import APIView


def is_editor(user: Any) -> bool:
    """Editors (the delivery unit's group) and superusers may write."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(group.name == settings.EDITORS_GROUP_NAME for group in user.groups.all())


class IsEditorOrReadOnly(permissions.BasePermission):
    """Reading is public; writing needs an account in the Editors group (or a superuser)."""

    message = "Only members of the Editors group can change the data."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or is_editor(request.user)
