"""Permissions-Policy, the one security header Django has no setting for (django-csp and Django send the others)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class PermissionsPolicyMiddleware:
    """Send `settings.PERMISSIONS_POLICY` as the Permissions-Policy header of every response (none when empty).

    A view that sets the header itself keeps its own value.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        value: str = getattr(settings, "PERMISSIONS_POLICY", "")
        if value and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = value
        return response
