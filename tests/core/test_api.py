"""What every API endpoint shares: the root, pagination, errors as JSON, throttling, the schema and its docs."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from core.api.throttling import AnonymousThrottle
from pillars.models import Measurement
from tests.factories import TargetFactory

API_MD_PATHS = [
    "/api/v1/pillars/",
    "/api/v1/pillars/{slug}/",
    "/api/v1/targets/",
    "/api/v1/targets/{id}/",
    "/api/v1/targets/{id}/history/",
    "/api/v1/measurements/",
    "/api/v1/milestones/",
    "/api/v1/milestones/{id}/",
    "/api/v1/milestones/{id}/history/",
    "/api/v1/incentives/",
    "/api/v1/hubs/",
    "/api/v1/dashboard/summary/",
]


@pytest.fixture
def measurements(db: None) -> Any:
    """One target with 520 figures (one a day), enough to hit the page-size cap."""
    target = TargetFactory(baseline_date=dt.date(2024, 1, 1), target_date=dt.date(2026, 12, 31))
    Measurement.objects.bulk_create(
        Measurement(target=target, date=dt.date(2024, 1, 1) + dt.timedelta(days=i), value=float(i)) for i in range(520)
    )
    return target


def test_api_root_lists_the_resources(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert {"pillars", "targets", "measurements", "milestones", "incentives", "hubs"} <= set(response.json())


def test_the_browsable_api_answers_a_browser(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/targets/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


# --- Pagination -------------------------------------------------------------------------------------


def test_pagination_envelope_and_links(api: APIClient, measurements: Any) -> None:
    page = api.get("/api/v1/measurements/", {"page_size": 200}).json()
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] == 520
    assert len(page["results"]) == 200
    assert page["previous"] is None
    assert "page=2" in page["next"] and "page_size=200" in page["next"]
    last = api.get("/api/v1/measurements/", {"page_size": 200, "page": 3}).json()
    assert len(last["results"]) == 120
    assert last["next"] is None
    assert "page=2" in last["previous"]
    default = api.get("/api/v1/measurements/").json()
    assert len(default["results"]) == 50


@pytest.mark.parametrize("size", ["501", "1000", "100000000", "999999999999999999999999"])
def test_page_size_is_capped_at_500(api: APIClient, measurements: Any, size: str) -> None:
    page = api.get("/api/v1/measurements/", {"page_size": size}).json()
    assert len(page["results"]) == 500
    assert page["count"] == 520


@pytest.mark.parametrize("size", ["0", "000", "-5", "abc", "AAA", "1.5", "", " 5", "5 ", "+5", "\u0665"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_a_400(api: APIClient, measurements: Any, size: str) -> None:
    # DRF silently used the default size (50) for these: api.md has every unknown value a 400 naming it.
    response = api.get("/api/v1/measurements/", {"page_size": size})
    assert response.status_code == 400
    message = f"“{size}” is not a page size: give a whole number from 1 to 500."
    if size == "":
        message = "“page_size” is empty: give a value, or leave the parameter out."
    assert response.json() == {"page_size": [message]}


def test_a_page_size_with_leading_zeros_is_read(api: APIClient, measurements: Any) -> None:
    assert len(api.get("/api/v1/measurements/", {"page_size": "0000000000000000000000007"}).json()["results"]) == 7


@pytest.mark.parametrize("page", ["99", "99999999999999999999999", "9" * 5000])
def test_a_page_past_the_end_is_404_json(api: APIClient, measurements: Any, page: str) -> None:
    response = api.get("/api/v1/measurements/", {"page": page})
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1e3", "1.5", "", "first"])
def test_a_page_that_is_not_a_whole_number_from_1_is_a_400(api: APIClient, measurements: Any, page: str) -> None:
    response = api.get("/api/v1/measurements/", {"page": page})
    assert response.status_code == 400
    message = f"“{page}” is not a page number: give a whole number from 1 (or “last”)."
    if page == "":
        message = "“page” is empty: give a value, or leave the parameter out."
    assert response.json() == {"page": [message]}


@pytest.mark.parametrize("name", ["page", "page_size"])
def test_a_page_or_page_size_given_twice_is_a_400(api: APIClient, measurements: Any, name: str) -> None:
    response = api.get(f"/api/v1/measurements/?{name}=1&{name}=2")
    assert response.status_code == 400
    assert response.json() == {name: [f"Give “{name}” once: it takes one value."]}


def test_page_last_is_the_last_page(api: APIClient, measurements: Any) -> None:
    page = api.get("/api/v1/measurements/", {"page": "last", "page_size": 500}).json()
    assert len(page["results"]) == 20


# --- Errors are JSON ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v1/targets/not-a-number/", "/api/nothing-here", "/api/v2/"])
def test_unknown_api_paths_are_404_json(api: APIClient, db: None, settings: Any, path: str) -> None:
    settings.DEBUG = False
    response = api.get(path)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Not found."}


def test_an_unexpected_error_is_a_500_in_json(db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.DEBUG = False

    def broken(**kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("pillars.api.views.indicator_selectors.rollups_on", broken)
    client = APIClient(raise_request_exception=False)
    response = client.get("/api/v1/dashboard/summary/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Server error."}
    assert "a bug" not in response.content.decode()


def test_a_malformed_json_body_is_400(db: None) -> None:
    from tests.factories import EditorFactory

    client = APIClient()
    client.force_authenticate(EditorFactory())
    response = client.post("/api/v1/measurements/", b'{"target": ', content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()
    response = client.post("/api/v1/measurements/", b"target=1", content_type="text/plain")
    assert response.status_code == 415


# --- Throttling: who counts as one client -----------------------------------------------------------------


def test_a_forged_forwarded_for_header_does_not_dodge_the_throttle(
    api: APIClient, db: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 0
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    statuses = [api.get("/api/v1/pillars/", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code for i in range(1, 5)]
    assert statuses == [200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_allowance(
    api: APIClient, db: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", {"anon": "2/minute"})

    def status(client_address: str) -> int:
        # The proxy appends the address it saw; anything further left is the client's own invention.
        forwarded = f"198.51.100.7, {client_address}"
        return int(api.get("/api/v1/pillars/", HTTP_X_FORWARDED_FOR=forwarded).status_code)

    assert [status("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert status("203.0.113.2") == 200


def test_throttle_rate_from_settings_reaches_the_throttle(
    api: APIClient, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented way to change the rate (REST_FRAMEWORK's DEFAULT_THROTTLE_RATES) works once DRF reloads."""
    from django.conf import settings as django_settings
    from rest_framework.settings import api_settings

    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "1/minute"}}
    monkeypatch.setattr(django_settings, "REST_FRAMEWORK", rates, raising=False)
    api_settings.reload()
    monkeypatch.setattr(AnonymousThrottle, "THROTTLE_RATES", api_settings.DEFAULT_THROTTLE_RATES)
    try:
        assert api.get("/api/v1/pillars/").status_code == 200
        response = api.get("/api/v1/pillars/")
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
    finally:
        monkeypatch.undo()
        api_settings.reload()


# --- The schema and its documentation ----------------------------------------------------------------------


def test_schema_validates_with_no_warning(db: None, tmp_path: Any) -> None:
    out = tmp_path / "schema.yaml"
    stderr = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out), stderr=stderr)
    assert "Warning" not in stderr.getvalue()
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    try:
        from openapi_spec_validator import validate
    except ImportError:  # optional: drf-spectacular's own validation already ran
        return
    validate(schema)


def test_schema_endpoint_serves_every_path_of_api_md(api: APIClient, db: None) -> None:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    for path in API_MD_PATHS:
        assert path in schema["paths"], path
    targets = {p["name"] for p in schema["paths"]["/api/v1/targets/"]["get"]["parameters"]}
    assert {"pillar", "hub", "status", "due_before", "due_after", "stale", "q", "ordering", "as_of"} <= targets
    assert {"page", "page_size"} <= targets
    milestones = {p["name"] for p in schema["paths"]["/api/v1/milestones/"]["get"]["parameters"]}
    assert {"pillar", "hub", "status", "due_before", "due_after", "q", "ordering", "as_of"} <= milestones
    incentives = {p["name"] for p in schema["paths"]["/api/v1/incentives/"]["get"]["parameters"]}
    assert {"pillar", "hub", "kind", "status", "q"} <= incentives
    summary = {p["name"] for p in schema["paths"]["/api/v1/dashboard/summary/"]["get"]["parameters"]}
    assert {"as_of", "due_from", "due_to"} <= summary
    security = schema["components"]["securitySchemes"]
    assert any(s.get("type") == "apiKey" and s.get("name") == "Authorization" for s in security.values())


_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']\s*(?:https?:)?//""", re.IGNORECASE)
_LOCAL_ASSET = re.compile(r"""(?:src|href)\s*=\s*["'](/static/[^"']+)["']""", re.IGNORECASE)


def _assert_offline_page(api: APIClient, path: str) -> str:
    response = api.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    external = _EXTERNAL.findall(html)
    assert not external, f"{path} loads from other hosts: {external}"
    assets = _LOCAL_ASSET.findall(html)
    assert assets, f"{path} references no local static file"
    for asset in assets:
        # Shipped with the app (collectstatic puts it where WhiteNoise serves it in production).
        assert finders.find(asset.removeprefix("/static/")), asset
    return html


def test_swagger_ui_works_offline(api: APIClient, db: None) -> None:
    html = _assert_offline_page(api, "/api/docs/")
    # The script that starts Swagger UI is a file of its own (the Content-Security-Policy allows no inline script).
    assert '<script src="/api/docs/?script="></script>' in html
    script = api.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_redoc_works_offline(api: APIClient, db: None) -> None:
    html = _assert_offline_page(api, "/api/redoc/")
    assert "/api/schema/" in html


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_repeated_request_is_answered_from_the_stored_representation(settings, django_assert_max_num_queries):
    """The copy kept under an ETag is served without recomputing, and an edit makes it unreachable."""
    from pillars import services
    from tests.factories import MeasurementFactory

    settings.API_REPRESENTATION_CACHE_SECONDS = 60
    measurement = MeasurementFactory()
    client = APIClient()
    url = "/api/v1/targets/?as_of=2025-07-15"
    first = client.get(url)
    assert first.status_code == 200

    with django_assert_max_num_queries(1):  # the data version (`core.versioning`), one primary-key read
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]

    services.measurement_create(
        target=measurement.target, date=dt.date(2025, 7, 2), value=60_000.0, source_url="https://news.example.org/x"
    )
    after = client.get(url)
    assert after["ETag"] != first["ETag"]
    assert after.json()["results"][0]["indicators"]["actual_value"] == 60_000.0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_stored_csv_keeps_its_links_to_the_related_tables_and_its_file_name(settings, django_assert_max_num_queries):
    from tests.factories import MeasurementFactory

    settings.API_REPRESENTATION_CACHE_SECONDS = 60
    MeasurementFactory()
    client = APIClient()
    url = "/api/v1/targets/?format=csv"
    first = client.get(url)
    assert 'rel="related"' in first["Link"]
    with django_assert_max_num_queries(1):  # served from the stored copy
        again = client.get(url)
    assert again.content == first.content
    assert again["Link"] == first["Link"]
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Link"].count('rel="license"') == 1


# --- The JSON renderer ----------------------------------------------------------------------------------------

RENDERED = {
    "urdu": "قومی مصنوعی ذہانت پالیسی",
    "separators": "a\u2028b\u2029c",
    "date": dt.date(2026, 1, 31),
    "aware": dt.datetime(2026, 1, 31, 12, 0, 0, 123456, tzinfo=dt.UTC),
    "naive": dt.datetime(2026, 1, 31, 12, 0),
    "time": dt.time(9, 30, 0, 5000),
    "decimal": Decimal("1.50"),
    "lazy": gettext_lazy("Status"),
    "rows": [{"none": None, "yes": True, "share": 0.125, "people": 200_000.0, "days": -3}, (1, 2)],
    "empty": {},
}


def test_the_json_renderer_writes_byte_for_byte_what_drfs_renderer_writes() -> None:
    from rest_framework.renderers import JSONRenderer as DRFJSONRenderer

    from core.api.renderers import JSONRenderer

    ours, drf = JSONRenderer(), DRFJSONRenderer()
    assert ours.render(RENDERED) == drf.render(RENDERED)
    assert b"\\u2028" in ours.render(RENDERED) and "ذہانت".encode() in ours.render(RENDERED)
    assert ours.render(None) == drf.render(None) == b""
    # Left to DRF: an indented rendering, and what orjson refuses (an integer beyond 64 bits).
    indented = "application/json; indent=2"
    assert ours.render(RENDERED, indented) == drf.render(RENDERED, indented)
    assert b"\n  " in ours.render(RENDERED, indented)
    assert ours.render({"big": 2**70}) == drf.render({"big": 2**70}) == b'{"big":1180591620717411303424}'


def test_the_api_renders_with_the_json_renderer(api: APIClient, db: None) -> None:
    from core.api.renderers import JSONRenderer

    response = api.get("/api/v1/")
    assert response.status_code == 200 and isinstance(response.accepted_renderer, JSONRenderer)


@pytest.mark.django_db
def test_if_none_match_star_does_not_hide_a_bad_query() -> None:
    client = APIClient()
    assert client.get("/api/v1/targets/?as_of=yesterday", HTTP_IF_NONE_MATCH="*").status_code == 400
    assert client.get("/api/v1/targets/", HTTP_IF_NONE_MATCH="*").status_code == 200


def test_the_schema_documents_reads_as_public_and_writes_as_editors_only(api: APIClient, db: None) -> None:
    """Reading needs no credentials (`{}` among the security options); writing needs a token or a session."""
    schema = json.loads(api.get("/api/schema/", {"format": "json"}).content)
    operations = [(method, op) for ops in schema["paths"].values() for method, op in ops.items()]
    reads = [op for method, op in operations if method == "get"]
    writes = [op for method, op in operations if method in ("post", "patch", "put", "delete")]
    assert reads and writes
    assert all({} in op["security"] for op in reads)
    assert all({} not in op.get("security", []) and op["security"] for op in writes)
