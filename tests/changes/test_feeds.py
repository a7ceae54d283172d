"""`/feeds/changes.atom`: the public record as an Atom feed, with the page's filters."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from changes import feeds
from core import versioning
from pillars import services
from tests.factories import MeasurementFactory, MilestoneFactory, TargetFactory

from .helpers import (
    ATOM,
    EVIDENCE,
    KINDS_PER_ADD,
    TODAY,
    Mixed,
    Record,
    change_id,
    feed_entries,
    guid,
    html_read,
    query_count,
)

pytestmark = pytest.mark.django_db

FEED = "/feeds/changes.atom"


def test_the_feed_is_atom_and_cacheable(client: Client, mixed: Mixed) -> None:
    response = client.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert response["Cache-Control"] == "public, max-age=300"
    text = response.content.decode()
    assert '<link href="http://testserver/feeds/changes.atom" rel="self"/>' in text
    assert '<link href="http://testserver/changes/" rel="alternate"/>' in text
    entries = feed_entries(response)
    assert len(entries) == 10
    assert all(key.startswith("tag:ai-policy-tracker,2025:change/") for key in entries)
    published = [entry["published"] for entry in entries.values()]
    assert published == sorted(published, reverse=True)


def test_each_entry_says_what_changed_why_on_what_evidence_and_by_whom(client: Client, mixed: Mixed) -> None:
    entries = feed_entries(client.get(FEED))

    revised = entries[guid(change_id(mixed.figure, "figure_revised"))]
    assert revised["title"] == "Renamed target: figure revised"
    assert revised["summary"] == (
        "Figure for 1 Jul 2025 revised, value: [was: 50,000] → 55,000. Reason: PBS revised it. "
        f"Evidence: {mixed.figure.source_url} By: editor."
    )
    assert revised["link"] == f"http://testserver/targets/{mixed.target.pk}/"
    assert revised["categories"] == ["figure_revised", "measurement"]

    forecast = entries[guid(change_id(mixed.milestone, "forecast_moved"))]
    assert forecast["summary"] == (
        f"Forecast moved: [was: 31 Jan 2026] → 30 Jun 2026. Reason: The fund is delayed. Evidence: {EVIDENCE} "
        "By: editor."
    )
    assert forecast["link"] == f"http://testserver/milestones/{mixed.milestone.pk}/"

    rebaseline = entries[guid(f"rebaseline-{mixed.target_rebaseline.pk}")]
    assert rebaseline["title"] == "Renamed target: re-baselined"
    assert (
        "[was: 0 on 1 Jan 2025 to 200,000 by 31 Dec 2025] → 0 on 1 Jan 2025 to 200,000 by 31 Dec 2026"
        in (rebaseline["summary"])
    )
    assert rebaseline["summary"].endswith(
        "Reason: The budget came a year late. Evidence: https://www.finance.gov.pk/budget By: administrator."
    )
    assert rebaseline["categories"] == ["rebaselined", "rebaseline"]

    status = entries[guid(change_id(mixed.incentive, "incentive_status"))]
    assert "status: [was: announced, not launched] → open for applications." in status["summary"]
    assert status["link"] == "http://testserver/incentives/ignite/"

    added = entries[guid(change_id(mixed.figure, "figure_added"))]
    assert "Reason:" not in added["summary"]  # none was given
    assert added["summary"].endswith("By: data load.")


def test_the_feed_is_in_english_whatever_the_reader_asks(client: Client, mixed: Mixed) -> None:
    entries = feed_entries(client.get(FEED, HTTP_ACCEPT_LANGUAGE="ur"))
    revised = entries[guid(change_id(mixed.figure, "figure_revised"))]
    assert revised["title"] == "Renamed target: figure revised"
    assert revised["link"] == f"http://testserver/targets/{mixed.target.pk}/"


def test_filters_as_on_the_page(client: Client, mixed: Mixed) -> None:
    def kinds(query: str) -> list[str]:
        return sorted(e["categories"][0] for e in feed_entries(client.get(f"{FEED}?{query}")).values())

    assert kinds("kind=figure_revised&kind=completed") == ["completed", "figure_revised"]
    assert kinds(f"pillar={mixed.second.slug}") == ["completed", "definition_changed", "figure_added"]
    assert kinds(f"milestone={mixed.milestone.pk}") == ["forecast_moved", "rebaselined"]
    assert kinds(f"incentive={mixed.incentive.pk}") == ["incentive_status"]
    assert kinds("since=2100-01-01") == []


def test_illustrative_figures_changes_only_on_request(client: Client, mixed: Mixed) -> None:
    withdrawn = guid(change_id(mixed.made_up, "figure_withdrawn"))
    assert withdrawn not in feed_entries(client.get(FEED))
    entries = feed_entries(client.get(f"{FEED}?basis=illustrative"))
    assert len(entries) == 12
    assert entries[withdrawn]["title"] == "Renamed target: figure withdrawn (illustrative)"
    assert (
        "[was: 80,000 people for 1 Sep 2025]; it no longer counts. Reason: Demo over." in entries[withdrawn]["summary"]
    )


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("kind=nonsense", "nonsense"),
        ("pillar=no-such-pillar", "Pillar"),
        ("since=2025-13-01", "From"),
        ("since=2025-07-02&until=2025-07-01", "comes before"),
        ("target=abc", "Target"),
        ("basis=made-up", "not a basis"),
        ("as_of=someday", "not a date"),
    ],
)
def test_a_bad_filter_gets_the_friendly_400_page(client: Client, query: str, words: str) -> None:
    response = client.get(f"{FEED}?{query}")
    assert response.status_code == 400, query
    text = response.content.decode()
    assert 'data-testid="problems"' in text
    assert words in text.split('data-testid="problems"')[1].split("</ul>")[0]


def test_the_latest_hundred(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    target = TargetFactory()
    for day in range(5):
        MeasurementFactory(target=target, date=dt.date(2025, 1, 2) + dt.timedelta(days=day))
    assert feeds.FEED_SIZE == 100
    monkeypatch.setattr(feeds, "FEED_SIZE", 3)
    entries = feed_entries(client.get(FEED))
    assert len(entries) == 3
    newest = target.measurements.order_by("-date")[:3]
    assert [e["summary"].split(" for ")[1].split(".")[0] for e in entries.values()] == [
        f"{m.date.day} {m.date:%b} {m.date.year}" for m in newest
    ]


def test_the_same_queries_for_2_and_8_of_every_kind(client: Client, editor: User, superuser: User) -> None:
    record = Record(editor=editor, superuser=superuser)
    queries = ["", "?basis=illustrative", "?kind=figure_withdrawn&kind=forecast_moved&kind=rebaselined"]
    record.add(2)
    small = {q: query_count(client, FEED + q) for q in queries}
    assert len(feed_entries(client.get(FEED))) == 2 * len(KINDS_PER_ADD)
    record.add(6)
    large = {q: query_count(client, FEED + q) for q in queries}
    entries = feed_entries(client.get(FEED))
    assert len(entries) == 8 * len(KINDS_PER_ADD)
    assert {e["categories"][0] for e in entries.values()} == set(KINDS_PER_ADD)
    assert large == small


IMG = "<img src=x onerror=alert(1)>"
SCRIPT = '<script>alert("feed")</script>'


def test_editor_text_reaches_feed_readers_as_text_never_as_markup(client: Client, editor: User) -> None:
    """A title, a reason and an evidence address are text: escaped once, so a reader shows them as typed."""
    milestone = MilestoneFactory(title=IMG, published_on=dt.date(2025, 1, 1))
    evidence = "https://www.dawn.com/news/fund?id=1&page=2"
    services.milestone_update(
        milestone=milestone,
        forecast_due_date=milestone.baseline_due_date + dt.timedelta(days=90),
        reason=f"Delayed {SCRIPT} & <b>more</b>",
        evidence_url=evidence,
        user=editor,
        today=TODAY,
    )
    target = TargetFactory(title="Plain title", published_on=dt.date(2025, 1, 1))
    target.title = f"{IMG} & co"
    services.target_save(target=target, user=editor, reason=SCRIPT)

    response = client.get(FEED)
    root = ET.fromstring(response.content)
    entries = list(root.iter(f"{ATOM}entry"))
    assert len(entries) == 2
    for entry in entries:
        for element in entry.iter():
            kind = element.get("type")
            if kind == "html":  # what a reader parses as HTML holds no element at all
                elements, _text = html_read(element.text or "")
                assert elements == [], (element.tag, element.text)
            else:  # anything else is text: never HTML-escaped as well (a reader would show "&lt;")
                assert kind in (None, "text"), (element.tag, kind)
                assert "&lt;" not in (element.text or "") and "&amp;" not in (element.text or ""), element.text
                assert element.tail is None or not element.tail.strip()
        summary = entry.find(f"{ATOM}summary")
        assert summary is not None and summary.get("type") == "html"

    shown = feed_entries(response)
    moved = shown[guid(change_id(milestone, "forecast_moved"))]
    assert moved["title"] == f"{IMG}: forecast moved"
    assert moved["summary"].endswith(f"Reason: Delayed {SCRIPT} & <b>more</b> Evidence: {evidence} By: editor.")
    renamed = shown[guid(change_id(target, "definition_changed"))]
    assert renamed["title"] == f"{IMG} & co: definition changed"
    assert renamed["summary"] == f"title: [was: Plain title] → {IMG} & co. Reason: {SCRIPT} By: editor."


def test_a_control_character_in_editor_text_does_not_break_the_feed(client: Client, editor: User) -> None:
    """XML 1.0 cannot carry U+0014: the feed drops it instead of failing for every reader (a 500 before)."""
    target = TargetFactory(title="Trained\x14 people", published_on=dt.date(2025, 1, 1))
    target.title = "Trained\x0c people in AI"
    services.target_save(target=target, user=editor, reason="Pasted\x14\x15 from the PDF")

    response = client.get(FEED)

    assert response.status_code == 200
    [entry] = feed_entries(response).values()
    assert entry["title"] == "Trained people in AI: definition changed"
    assert "Reason: Pasted from the PDF" in entry["summary"]


def _not_modified_queries(client: Client, url: str, header: str) -> int:
    first = client.get(url)
    assert first.status_code == 200, url
    value = first["ETag"] if header == "If-None-Match" else first["Last-Modified"]
    with CaptureQueriesContext(connection) as queries:
        again = client.get(url, headers={header: value})
    assert again.status_code == 304, (url, header)
    assert again.content == b"" and again["ETag"] == first["ETag"]
    assert again["Cache-Control"] == "public, max-age=300"
    return len(queries)


@pytest.mark.parametrize("header", ["If-None-Match", "If-Modified-Since"])
def test_a_current_copy_of_the_feed_is_a_304_in_constant_queries(
    client: Client, editor: User, superuser: User, header: str
) -> None:
    record = Record(editor=editor, superuser=superuser)
    queries = ["", "?basis=illustrative", "?kind=figure_withdrawn"]
    record.add(2)
    small = {q: _not_modified_queries(client, FEED + q, header) for q in queries}
    record.add(6)
    assert {q: _not_modified_queries(client, FEED + q, header) for q in queries} == small


def test_an_edit_changes_the_feeds_etag_and_last_modified(client: Client, mixed: Mixed) -> None:
    first = client.get(FEED)
    assert first["ETag"] and first["Last-Modified"]
    versioning._move()  # what a committed edit does (in this test's transaction, the fixture's edits moved it)
    again = client.get(FEED, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    assert client.get(FEED + "?kind=rebaselined")["ETag"] != again["ETag"]


def test_a_bad_filter_is_a_400_whatever_the_validators(client: Client) -> None:
    response = client.get(FEED + "?kind=nonsense", headers={"If-None-Match": "*", "If-Modified-Since": http_date()})
    assert response.status_code == 400 and "ETag" not in response
