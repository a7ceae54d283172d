"""Found and shared: canonical links and absolute hreflang alternates, robots.txt, the sitemap (core.seo, sitemaps)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext

from core.seo import canonical_query
from policy_portal import sitemaps
from tests.factories import HubFactory, IncentiveFactory, MilestoneFactory, PillarFactory, TargetFactory
from tests.pillars.test_views import build_world, page_urls

pytestmark = pytest.mark.django_db

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
LINK = re.compile(r'<link rel="(canonical|alternate)"(?: hreflang="([^"]+)")? href="([^"]+)">')


def head_links(client: Client, url: str) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    text = response.content.decode()
    return {hreflang or rel: href.replace("&amp;", "&") for rel, hreflang, href in LINK.findall(text)}


@pytest.mark.parametrize("language", ["", "/ur"])
def test_every_page_has_a_canonical_link_and_absolute_alternates(client: Client, language: str) -> None:
    world = build_world(2)
    for name, url in page_urls(world).items():
        links = head_links(client, language + url)
        assert set(links) == {"canonical", "en", "ur", "x-default"}, name
        assert all(href.startswith("http://testserver/") for href in links.values()), name
        assert links["canonical"] == links["ur" if language else "en"], name
        assert links["x-default"] == links["en"] and links["ur"].startswith("http://testserver/ur/"), name


def test_the_canonical_query_keeps_what_the_page_shows_and_drops_the_noise(client: Client) -> None:
    links = head_links(
        client,
        "/ur/targets/?status=off_track&utm_source=news&page=1&fbclid=x&as_of=2025-07-15&basis=illustrative",
    )
    assert links["canonical"] == "http://testserver/ur/targets/?as_of=2025-07-15&basis=illustrative&status=off_track"
    assert links["en"] == "http://testserver/targets/?as_of=2025-07-15&basis=illustrative&status=off_track"
    assert head_links(client, "/targets/?page=2")["canonical"] == "http://testserver/targets/?page=2"
    assert head_links(client, "/targets/?page=nonsense")["canonical"] == "http://testserver/targets/"
    # An unfilled field of a filter form is the same page as no field.
    assert canonical_query(RequestFactory().get("/targets/?q=&kind=a&kind=b&gclid=1")) == "?kind=a&kind=b"


@override_settings(PORTAL_BASE_URL="https://portal.example.org/")
def test_the_public_address_comes_from_the_setting(client: Client) -> None:
    TargetFactory()
    assert head_links(client, "/hubs/")["canonical"] == "https://portal.example.org/hubs/"
    assert "Sitemap: https://portal.example.org/sitemap.xml" in client.get("/robots.txt").content.decode()
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert index.find(f"{SM}sitemap/{SM}loc").text == "https://portal.example.org/sitemap-pages.xml"  # type: ignore[union-attr]
    locations = [loc.text for loc in ET.fromstring(client.get("/sitemap-targets.xml").content).iter(f"{SM}loc")]
    assert locations and all(loc.startswith("https://portal.example.org/") for loc in locations)  # type: ignore[union-attr]


def test_robots_allows_the_public_pages_and_points_to_the_sitemap(client: Client) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    lines = response.content.decode().splitlines()
    assert "User-agent: *" in lines and "Disallow: /admin/" in lines and "Allow: /" in lines
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert not any(line in {"Disallow: /", "Disallow: /ur/", "Disallow: /api/"} for line in lines)


def _sitemap_urls(client: Client) -> dict[str, dict[str, str]]:
    """Every address in the sitemap, with its alternates, by following the index."""
    index = ET.fromstring(client.get("/sitemap.xml").content)
    urls: dict[str, dict[str, str]] = {}
    for loc in index.iter(f"{SM}loc"):
        response = client.get(loc.text)
        assert response.status_code == 200, loc.text
        for url in ET.fromstring(response.content).iter(f"{SM}url"):
            alternates = {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
            urls[url.find(f"{SM}loc").text] = alternates  # type: ignore[union-attr,index]
    return urls


def test_the_sitemap_has_every_page_in_both_languages_with_its_alternates(client: Client) -> None:
    pillar, target, milestone = PillarFactory(), TargetFactory(), MilestoneFactory()
    incentive, hub = IncentiveFactory(), HubFactory()
    urls = _sitemap_urls(client)
    paths = [
        "/",
        "/targets/",
        "/milestones/",
        "/incentives/",
        "/hubs/",
        "/changes/",
        "/methodology/",
        f"/pillars/{pillar.slug}/",
        f"/targets/{target.pk}/",
        f"/milestones/{milestone.pk}/",
        f"/incentives/{incentive.slug}/",
        f"/hubs/{hub.slug}/",
    ]
    for path in paths:
        english, urdu = f"http://testserver{path}", f"http://testserver/ur{path}"
        assert english in urls and urdu in urls, path
        assert urls[english] == urls[urdu] == {"en": english, "ur": urdu, "x-default": english}
        assert client.get(urdu).status_code == 200
    assert not any("search" in url or "healthz" in url for url in urls)


def _sitemap_queries(client: Client) -> list[int]:
    counts = []
    for url in ["/sitemap.xml", "/sitemap-targets.xml", "/sitemap-targets.xml?p=2", "/sitemap-pages.xml"]:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts.append(len(queries))
    return counts


def test_the_sitemap_pages_and_runs_the_same_queries_for_6_and_14_targets(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sitemaps.PortalSitemap, "limit", 4)  # two languages: two targets a page
    TargetFactory.create_batch(6)
    small = _sitemap_queries(client)
    TargetFactory.create_batch(8)
    assert _sitemap_queries(client) == small
    urls = _sitemap_urls(client)
    assert len([url for url in urls if "/targets/" in url and url.rstrip("/")[-1].isdigit()]) == 2 * 14
    index = ET.fromstring(client.get("/sitemap.xml").content)
    assert "http://testserver/sitemap-targets.xml?p=7" in [loc.text for loc in index.iter(f"{SM}loc")]


def test_a_pair_slice_crosses_languages(client: Client) -> None:
    pairs = sitemaps.Pairs(["a", "b", "c"], ["en", "ur"])
    assert len(pairs) == 6 and pairs[3] == ("b", "ur")
    assert pairs[1:4] == [("a", "ur"), ("b", "en"), ("b", "ur")]
    assert pairs[4:] == [("c", "en"), ("c", "ur")]
