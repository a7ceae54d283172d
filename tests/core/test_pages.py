"""core.pages: conditional GETs of the public pages (ETag, Last-Modified, 304 in one query)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from core.versioning import bump_data_version, data_state
from tests.factories import TargetFactory
from tests.pillars.test_views import build_world, page_urls

pytestmark = pytest.mark.django_db


def _urls(world: object) -> list[str]:
    urls = [*page_urls(world).values(), "/changes/", "/targets/?basis=illustrative"]  # type: ignore[arg-type]
    return urls + ["/ur" + url for url in urls]


def _not_modified_queries(client: Client, url: str) -> int:
    first = client.get(url)
    assert first.status_code == 200, url
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304, url
    assert again.content == b"" and again["ETag"] == first["ETag"]
    return len(queries)


def test_every_page_answers_a_current_copy_with_304_in_one_query_for_2_and_8_items(client: Client) -> None:
    world = build_world(2)
    small = {url: _not_modified_queries(client, url) for url in _urls(world)}
    assert set(small.values()) == {1}  # the data version; no page is computed
    world.add(6)
    assert {url: _not_modified_queries(client, url) for url in _urls(world)} == small


def test_a_page_carries_validators_and_asks_caches_to_check_them(client: Client) -> None:
    response = client.get("/methodology/")
    assert response["ETag"].startswith('"p-')
    assert "no-cache" in response["Cache-Control"]
    midnight = dt.datetime.combine(timezone.localdate(), dt.time.min, tzinfo=timezone.get_current_timezone())
    # Never older than today's midnight: the default as-of date moves then.
    assert parse_http_date(response["Last-Modified"]) >= int(midnight.timestamp())


def test_the_etag_differs_by_address_query_language_and_basis(client: Client) -> None:
    urls = ["/targets/", "/targets/?status=off_track", "/ur/targets/", "/targets/?basis=illustrative", "/hubs/"]
    tags = {client.get(url)["ETag"] for url in urls}
    assert len(tags) == len(urls)


def test_an_edit_changes_the_etag_and_the_last_modified_time(client: Client) -> None:
    before = client.get("/targets/")
    _version, moved_before = data_state()
    TargetFactory()
    _version, moved = data_state()
    assert moved is not None and (moved_before is None or moved > moved_before)
    after = client.get("/targets/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200 and after["ETag"] != before["ETag"]


def test_if_modified_since(client: Client) -> None:
    response = client.get("/hubs/")
    last_modified = response["Last-Modified"]
    assert client.get("/hubs/", headers={"If-Modified-Since": last_modified}).status_code == 304
    yesterday = http_date(parse_http_date(last_modified) - 24 * 3600)
    assert client.get("/hubs/", headers={"If-Modified-Since": yesterday}).status_code == 200
    bump_data_version()
    assert client.get("/hubs/", headers={"If-Modified-Since": http_date()}).status_code == 304
    # An If-None-Match that does not match wins over a current If-Modified-Since.
    assert (
        client.get("/hubs/", headers={"If-None-Match": '"other"', "If-Modified-Since": http_date()}).status_code == 200
    )


def test_a_wildcard_or_a_bad_query_is_never_a_304(client: Client) -> None:
    assert client.get("/targets/", headers={"If-None-Match": "*"}).status_code == 200
    bad = client.get("/targets/?as_of=yesterday", headers={"If-None-Match": "*"})
    assert bad.status_code == 400 and "ETag" not in bad and "Last-Modified" not in bad


def test_a_weak_copy_of_the_etag_matches(client: Client) -> None:
    tag = client.get("/incentives/")["ETag"]
    assert client.get("/incentives/", headers={"If-None-Match": f'"x", W/{tag}'}).status_code == 304
