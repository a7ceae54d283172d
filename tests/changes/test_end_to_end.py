"""A revision and a withdrawal, made through the admin, the API or an import, reach every reader with the old value.

Each is then on the target page's "Changes", on `/changes/`, in `/api/v1/changes/`
and in the Atom feed, with the earlier value, the reason and the editor's
role; a withdrawn figure stays in the database and on the page, struck
through with its reason, and stops counting in the target's indicators.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from indicators import services as indicator_services
from indicators.models import TargetSnapshot
from pillars.models import Measurement, Target
from tests.factories import MeasurementFactory, TargetFactory

from .helpers import (
    WAYS,
    api_changes,
    change_id,
    change_rows,
    feed_entries,
    guid,
    html,
    revise,
    section,
    withdraw,
)

pytestmark = pytest.mark.django_db

SOURCE = "https://news.example.org/figures"
REVISION_REASON = "PBS revised its July count."
WITHDRAWAL_REASON = "The report counted enrolments, not graduates."


def trained_people() -> tuple[Target, Measurement, Measurement]:
    """A target with two figures: 20,000 on 1 Mar 2025 and 50,000 on 1 Jul 2025 (the one that changes)."""
    target = TargetFactory(title="People trained in AI", code="p2-trained")
    earlier = MeasurementFactory(target=target, date=dt.date(2025, 3, 1), value=20_000, source_url=SOURCE)
    figure = MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000, source_url=SOURCE)
    return target, earlier, figure


def actual_value(target: Target, as_of: dt.date) -> float | None:
    response = APIClient().get(f"/api/v1/targets/{target.pk}/", {"as_of": as_of.isoformat()})
    assert response.status_code == 200, response.content
    value: float | None = response.json()["indicators"]["actual_value"]
    return value


@pytest.mark.parametrize("way", WAYS)
def test_a_revision_reaches_every_reader_with_the_old_value(way: str, client: Client, editor: User) -> None:
    target, _earlier, figure = trained_people()

    revise(way, figure, value=55_000, reason=REVISION_REASON, editor=editor)

    figure.refresh_from_db()
    assert figure.value == 55_000
    # One public change for the revision, besides the figure's addition (the edit is recorded once).
    assert list(
        figure.history.exclude(change_kind="").order_by("history_id").values_list("change_kind", flat=True)
    ) == [
        "figure_added",
        "figure_revised",
    ]
    key = change_id(figure, "figure_revised")
    shown = "Figure for 1 Jul 2025 revised, value: <del>50,000</del> → 55,000."

    # The target page's "Changes".
    page = section(html(client.get(f"/targets/{target.pk}/")), "item-changes")
    kind, row = change_rows(page)[key]
    assert kind == "figure_revised"
    assert shown in row and REVISION_REASON in row and "<td>editor</td>" in row

    # /changes/, with the target it is about.
    kind, row = change_rows(html(client.get("/changes/")))[key]
    assert kind == "figure_revised"
    assert shown in row and REVISION_REASON in row and "People trained in AI" in row

    # The API: old and new values, reason, kind, role.
    [record] = [r for r in api_changes()["results"] if r["id"] == key]
    assert record == {
        "id": key,
        "at": record["at"],
        "kind": "figure_revised",
        "object": {"type": "measurement", "id": figure.pk},
        "field": "value",
        "old": 50_000.0,
        "new": 55_000.0,
        "reason": REVISION_REASON,
        "evidence": SOURCE,
        "role": "editor",
        "item": {"type": "target", "id": target.pk, "code": "p2-trained", "title": "People trained in AI"},
        "pillar": target.pillar.slug,
        "illustrative": False,
        "unit": "people",
        "figure": {"date": "2025-07-01", "value": 55_000.0},
    }

    # The feed: the old value and the reason.
    entry = feed_entries(client.get("/feeds/changes.atom"))[guid(key)]
    assert entry["title"] == "People trained in AI: figure revised"
    assert "value: [was: 50,000] → 55,000." in entry["summary"]
    assert f"Reason: {REVISION_REASON}" in entry["summary"]
    assert "By: editor." in entry["summary"]


@pytest.mark.parametrize("way", WAYS)
def test_a_withdrawal_reaches_every_reader_with_the_old_value(way: str, client: Client, editor: User) -> None:
    target, earlier, figure = trained_people()
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    assert actual_value(target, today) == 50_000

    withdraw(way, figure, reason=WITHDRAWAL_REASON, editor=editor)

    # Nothing is deleted: the figure is kept as it was, withdrawn from today.
    assert set(Measurement.objects.values_list("pk", flat=True)) == {earlier.pk, figure.pk}
    figure.refresh_from_db()
    assert (figure.value, figure.withdrawn_on, figure.withdrawal_reason) == (50_000, today, WITHDRAWAL_REASON)
    key = change_id(figure, "figure_withdrawn")
    shown = "Figure withdrawn: <del>50,000 people for 1 Jul 2025</del>; it no longer counts."

    text = html(client.get(f"/targets/{target.pk}/"))
    # Struck through in the figures table, with the reason.
    table = section(text, "measurement-table", "</table>")
    kept, struck = re.findall(r'<tr[^>]*data-testid="figure-row">.*?</tr>', table, re.S)
    assert "data-withdrawn" not in kept and "<del>" not in kept and "20,000" in kept
    assert 'data-withdrawn="true"' in struck
    assert "<del>50,000</del>" in struck and "<del>1 Jul 2025</del>" in struck
    assert WITHDRAWAL_REASON in struck.split('data-testid="withdrawn-note"')[1]
    assert text.count('data-withdrawn="true"') == 1
    # ... and in its "Changes".
    kind, row = change_rows(section(text, "item-changes"))[key]
    assert kind == "figure_withdrawn"
    assert shown in row and WITHDRAWAL_REASON in row and "<td>editor</td>" in row

    kind, row = change_rows(html(client.get("/changes/")))[key]
    assert kind == "figure_withdrawn"
    assert shown in row and WITHDRAWAL_REASON in row

    [record] = [r for r in api_changes()["results"] if r["id"] == key]
    assert {k: record[k] for k in ("kind", "object", "field", "old", "new", "reason", "role", "illustrative")} == {
        "kind": "figure_withdrawn",
        "object": {"type": "measurement", "id": figure.pk},
        "field": "withdrawn_on",
        "old": None,  # the figure was not withdrawn before
        "new": today.isoformat(),
        "reason": WITHDRAWAL_REASON,
        "role": "editor",
        "illustrative": False,
    }

    entry = feed_entries(client.get("/feeds/changes.atom"))[guid(key)]
    assert "[was: 50,000 people for 1 Jul 2025]" in entry["summary"]
    assert f"Reason: {WITHDRAWAL_REASON}" in entry["summary"]

    # It no longer counts from today; a replay of yesterday still sees it.
    assert actual_value(target, today) == 20_000
    assert actual_value(target, yesterday) == 50_000
    indicator_services.indicators_recompute(as_of=today)
    snapshot = TargetSnapshot.objects.get(target=target, as_of=today, basis="reported")
    assert snapshot.actual_value == 20_000


def test_the_api_record_of_a_withdrawal_carries_the_withdrawn_value(editor: User) -> None:
    _target, _earlier, figure = trained_people()
    withdraw("api", figure, reason=WITHDRAWAL_REASON, editor=editor)
    key = change_id(figure, "figure_withdrawn")
    [record] = [r for r in api_changes()["results"] if r["id"] == key]
    assert 50_000 in (record["old"], record["new"]) or "50000" in str(record)
