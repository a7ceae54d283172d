"""The public "what changed" feed: status changes, forecast moves and re-baselines, as Atom."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any
from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from indicators import services as indicator_services
from pillars import services
from tests.factories import EditorFactory, MilestoneFactory, SuperuserFactory, TargetFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
TODAY = dt.date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today() -> Any:
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


def entries(client: Client) -> list[dict[str, str]]:
    response = client.get("/feeds/changes.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    return [
        {
            "title": e.findtext(f"{ATOM}title") or "",
            "summary": e.findtext(f"{ATOM}summary") or "",
            "link": e.find(f"{ATOM}link").get("href", ""),  # type: ignore[union-attr]
            "id": e.findtext(f"{ATOM}id") or "",
        }
        for e in feed.findall(f"{ATOM}entry")
    ]


def test_the_feed_lists_a_status_change_between_two_full_recomputes(client: Client) -> None:
    milestone = MilestoneFactory(title="AI Council notified", code="ai-council", baseline_due_date=dt.date(2026, 1, 31))
    indicator_services.indicators_recompute(as_of=dt.date(2026, 1, 15))  # on track
    indicator_services.indicators_recompute(as_of=dt.date(2026, 2, 15))  # overdue

    (entry,) = entries(client)

    assert entry["title"] == "AI Council notified: on track → overdue"
    assert "As of 2026-02-15 the milestone “AI Council notified” (ai-council) is overdue" in entry["summary"]
    assert "it was on track as of 2026-01-15" in entry["summary"]
    assert entry["link"].endswith(f"/milestones/{milestone.pk}/")


def test_unchanged_statuses_are_not_news(client: Client) -> None:
    TargetFactory()
    MilestoneFactory(baseline_due_date=dt.date(2026, 1, 31))
    indicator_services.indicators_recompute(as_of=dt.date(2025, 3, 1))
    indicator_services.indicators_recompute(as_of=dt.date(2025, 3, 2))

    assert entries(client) == []


def test_the_feed_lists_a_forecast_move_with_its_reason_and_evidence(client: Client) -> None:
    milestone = MilestoneFactory(title="National AI Fund established", baseline_due_date=dt.date(2026, 1, 31))
    services.milestone_update(
        milestone=milestone,
        forecast_due_date=dt.date(2026, 9, 30),
        reason="Seed money not released",
        evidence_url="https://www.dawn.com/naif",
        user=EditorFactory(),
    )

    (entry,) = entries(client)

    assert entry["title"] == "National AI Fund established: forecast moved 242 days later, to 2026-09-30"
    assert "Reason: Seed money not released" in entry["summary"]
    assert "Evidence: https://www.dawn.com/naif" in entry["summary"]
    assert "(+242 days)" in entry["summary"]


def test_the_feed_lists_a_rebaseline(client: Client) -> None:
    target = TargetFactory(title="People trained", published_on=dt.date(2025, 1, 1))
    services.target_rebaseline(
        target=target,
        baseline_value=0,
        baseline_date=dt.date(2025, 1, 1),
        target_value=200_000,
        target_date=dt.date(2026, 12, 31),
        reason="Revised PC-1 approved by ECNEC.",
        user=SuperuserFactory(),
    )

    (entry,) = entries(client)

    assert entry["title"].startswith("People trained: re-baselined")
    assert "200,000 by 2025-12-31 → 200,000 by 2026-12-31" in entry["summary"]
    assert "Reason: Revised PC-1 approved by ECNEC." in entry["summary"]


def test_the_feed_reads_in_constant_queries(client: Client) -> None:
    editor = EditorFactory()

    def activity(n: int, offset: int) -> None:
        for i in range(n):
            milestone = MilestoneFactory(code=f"m-{offset + i}", baseline_due_date=dt.date(2026, 1, 31))
            services.milestone_update(
                milestone=milestone,
                forecast_due_date=dt.date(2026, 6, 1),
                reason="Delayed",
                evidence_url=f"https://x.example.org/{offset + i}",
                user=editor,
            )

    activity(2, 0)
    indicator_services.indicators_recompute(as_of=dt.date(2026, 1, 15))
    indicator_services.indicators_recompute(as_of=dt.date(2026, 2, 15))
    client.get("/feeds/changes.atom")
    with CaptureQueriesContext(connection) as few:
        client.get("/feeds/changes.atom")
    activity(10, 100)
    indicator_services.indicators_recompute(as_of=dt.date(2026, 2, 15))
    with CaptureQueriesContext(connection) as many:
        assert len(entries(client)) > 12
    assert len(many.captured_queries) == len(few.captured_queries)
