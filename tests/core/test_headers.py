"""Permissions-Policy: the setting's value on every response, none when it is empty, a view's own value kept."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from core.headers import PermissionsPolicyMiddleware


def respond(response: HttpResponse) -> HttpResponse:
    def view(request: HttpRequest) -> HttpResponse:
        return response

    result = PermissionsPolicyMiddleware(view)(RequestFactory().get("/"))
    assert isinstance(result, HttpResponse)
    return result


def test_the_setting_is_sent(settings: Any) -> None:
    settings.PERMISSIONS_POLICY = "camera=(), geolocation=()"

    assert respond(HttpResponse())["Permissions-Policy"] == "camera=(), geolocation=()"


def test_an_empty_setting_sends_no_header(settings: Any) -> None:
    settings.PERMISSIONS_POLICY = ""

    assert "Permissions-Policy" not in respond(HttpResponse())


def test_a_view_keeps_its_own_header(settings: Any) -> None:
    settings.PERMISSIONS_POLICY = "camera=()"
    own = HttpResponse()
    own["Permissions-Policy"] = "fullscreen=(self)"

    assert respond(own)["Permissions-Policy"] == "fullscreen=(self)"


def test_every_response_of_the_portal_carries_it(client: Any, settings: Any) -> None:
    settings.PERMISSIONS_POLICY = "usb=()"

    assert client.get("/favicon.ico")["Permissions-Policy"] == "usb=()"
