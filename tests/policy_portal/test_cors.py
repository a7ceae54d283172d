"""CORS (settings' "CORS", docs/api.md): any origin reads the API, the feed and the data downloads, anonymously.

A browser page on another origin gets `Access-Control-Allow-Origin: *` on every read, never with credentials (so
it cannot read an answer given to a cookie); a preflight for a write, or for a request with a token, allows neither
the method nor the header, so the browser never sends it; the pages and the admin answer no CORS header at all.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from pillars.models import Measurement
from tests.factories import EditorFactory, PillarFactory, TargetFactory

pytestmark = pytest.mark.django_db

ORIGIN = "http://dashboard.example"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"


def preflight(api: APIClient, path: str, method: str, headers: str = "") -> Any:
    extra = {"HTTP_ORIGIN": ORIGIN, "HTTP_ACCESS_CONTROL_REQUEST_METHOD": method}
    if headers:
        extra["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] = headers
    return api.options(path, **extra)


def listed(response: Any, header: str) -> set[str]:
    return {value.strip().lower() for value in response.get(header, "").split(",") if value.strip()}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/",
        "/api/v1/pillars/",
        "/api/v1/targets/",
        "/api/v1/targets/?format=csv",
        "/api/v1/dashboard/summary/",
        "/api/v1/changes/",
        "/api/schema/",
        "/feeds/changes.atom",
    ],
)
def test_a_read_from_any_origin_is_allowed_without_credentials(api: APIClient, path: str) -> None:
    PillarFactory()
    response = api.get(path, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200, path
    assert response[ALLOW_ORIGIN] == "*"
    assert ALLOW_CREDENTIALS not in response
    assert {"etag", "last-modified", "retry-after", "content-disposition"} <= listed(
        response, "Access-Control-Expose-Headers"
    )


def test_a_target_history_and_a_not_modified_answer_carry_it_too(api: APIClient) -> None:
    target = TargetFactory()
    path = f"/api/v1/targets/{target.pk}/history/"
    first = api.get(path, HTTP_ORIGIN=ORIGIN)
    again = api.get(path, HTTP_ORIGIN=ORIGIN, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first[ALLOW_ORIGIN] == again[ALLOW_ORIGIN] == "*"
    assert again.status_code == 304
    # An error is readable too: the dashboard can show what was wrong.
    bad = api.get("/api/v1/targets/?as_of=2026-02-30", HTTP_ORIGIN=ORIGIN)
    assert bad.status_code == 400
    assert bad[ALLOW_ORIGIN] == "*"


def test_a_request_without_origin_gets_no_cors_header(api: APIClient) -> None:
    response = api.get("/api/v1/pillars/")

    assert ALLOW_ORIGIN not in response


@pytest.mark.parametrize("path", ["/", "/targets/", "/ur/", "/methodology/", "/admin/login/"])
def test_the_pages_and_the_admin_get_no_cors_header(api: APIClient, path: str) -> None:
    response = api.get(path, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 200, path
    assert ALLOW_ORIGIN not in response
    assert "Access-Control-Allow-Methods" not in preflight(api, path, "POST")


@pytest.mark.parametrize(
    "path", ["/api/v1/targets/", "/feeds/changes.atom", "/data/", "/ur/data/", "/data/datapackage.zip"]
)
def test_the_cors_paths(path: str) -> None:
    assert re.match(settings.CORS_URLS_REGEX, path)


@pytest.mark.parametrize("path", ["/", "/targets/", "/ur/targets/", "/admin/", "/healthz", "/i18n/setlang/"])
def test_not_the_other_paths(path: str) -> None:
    assert not re.match(settings.CORS_URLS_REGEX, path)


def test_a_preflight_for_a_polling_read_is_allowed(api: APIClient) -> None:
    response = preflight(api, "/api/v1/dashboard/summary/", "GET", "if-none-match")

    assert response.status_code == 200
    assert response[ALLOW_ORIGIN] == "*"
    assert "if-none-match" in listed(response, "Access-Control-Allow-Headers")
    assert listed(response, "Access-Control-Allow-Methods") == {"get", "head", "options"}
    assert ALLOW_CREDENTIALS not in response


@pytest.mark.parametrize("method", ["POST", "PATCH", "PUT", "DELETE"])
def test_a_preflight_for_a_write_with_a_token_allows_neither(api: APIClient, method: str) -> None:
    """The browser then refuses to send the write: another origin's page can only read."""
    target = TargetFactory()
    response = preflight(api, f"/api/v1/targets/{target.pk}/", method, "authorization, content-type, if-match")

    assert method.lower() not in listed(response, "Access-Control-Allow-Methods")
    assert not {"authorization", "content-type", "if-match", "x-csrftoken"} & listed(
        response, "Access-Control-Allow-Headers"
    )
    assert ALLOW_CREDENTIALS not in response


def test_a_cross_origin_write_with_the_session_cookie_is_refused(api: APIClient) -> None:
    """Were a browser to send the editor's cookie from another site, the CSRF check refuses the write."""
    editor = EditorFactory()
    target = TargetFactory()
    csrf_api = APIClient(enforce_csrf_checks=True)
    csrf_api.force_login(editor)
    response = csrf_api.post(
        "/api/v1/measurements/",
        {"target": target.pk, "date": "2026-06-30", "value": 5, "source_url": "https://example.org/r"},
        format="json",
        HTTP_ORIGIN=ORIGIN,
    )

    assert response.status_code == 403
    assert not Measurement.objects.exists()


def test_the_content_security_policy_stays_on_the_api(api: APIClient) -> None:
    """The CSP governs documents, not what a script fetches: it stays, and does not stop the read."""
    response = api.get("/api/v1/pillars/", HTTP_ORIGIN=ORIGIN)

    assert "Content-Security-Policy" in response
    assert response[ALLOW_ORIGIN] == "*"
