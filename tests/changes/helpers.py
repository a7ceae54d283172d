"""What the tests of the public record share: the three ways an editor changes a figure, a record of every kind
of change (at any size), and readers of the page, the API and the feed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.records import record_save
from incentives.choices import IncentiveStatus
from incentives.models import Incentive
from pillars import services
from pillars.models import Measurement, Milestone, Pillar, Policy, Rebaseline, Target
from tests.factories import (
    IncentiveFactory,
    MeasurementFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    TargetFactory,
)
from tests.pillars.test_admin import errors_of, form_data

#: The ways an editor revises or withdraws a figure.
WAYS = ("admin", "api", "import")
EVIDENCE = "https://www.dawn.com/news/ai-fund-delayed"
#: The "today" of the edits `build_mixed` makes (rules that compare with today read it).
TODAY = dt.date(2026, 3, 2)
ATOM = "{http://www.w3.org/2005/Atom}"
IMPORT_HEADER = [
    "target_code",
    "date",
    "value",
    "source_url",
    "note",
    "illustrative",
    "confirm",
    "reason",
    "withdraw",
    "withdrawal_reason",
]


# --- Editors' three ways in ---------------------------------------------------------------------


def _admin_post(measurement: Measurement, editor: User, **changes: str) -> None:
    client = Client()
    client.force_login(editor)
    change_url = reverse("admin:pillars_measurement_change", args=[measurement.pk])
    data = form_data(client.get(change_url))
    data.update(changes)
    response = client.post(change_url, data)
    assert response.status_code == 302, errors_of(response)


def _api_patch(measurement: Measurement, editor: User, payload: dict[str, Any]) -> None:
    client = APIClient()
    client.force_authenticate(editor)
    response = client.patch(f"/api/v1/measurements/{measurement.pk}/", payload, format="json")
    assert response.status_code == 200, response.content


def _import(editor: User, row: dict[str, str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=IMPORT_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    client = Client()
    client.force_login(editor)
    import_url = reverse("admin:pillars_measurement_import")
    file = SimpleUploadedFile("figures.csv", buffer.getvalue().encode("utf-8"))
    dry_run = client.post(import_url, {"file": file})
    report = dry_run.context["report"]
    assert report.ok, [(p.line, p.message) for p in report.problems] or report.file_problem
    response = client.post(import_url, {"token": dry_run.context["token"], "confirm": "yes"})
    assert response.status_code == 302, response.content.decode()[:2000]


def _import_row(measurement: Measurement, **values: str) -> dict[str, str]:
    return {
        "target_code": measurement.target.code,
        "date": measurement.date.isoformat(),
        "value": f"{measurement.value:g}",
        "source_url": measurement.source_url,
        "note": measurement.note,
        "illustrative": "yes" if measurement.illustrative else "",
        **values,
    }


def revise(way: str, measurement: Measurement, *, value: float, reason: str, editor: User) -> None:
    """An editor revises a figure's value, with the reason, through the admin, the API or an import."""
    if way == "admin":
        _admin_post(measurement, editor, value=f"{value:g}", reason=reason)
    elif way == "api":
        _api_patch(measurement, editor, {"value": value, "reason": reason})
    elif way == "import":
        _import(editor, _import_row(measurement, value=f"{value:g}", reason=reason))
    else:
        raise AssertionError(way)


def withdraw(way: str, measurement: Measurement, *, reason: str, editor: User) -> None:
    """An editor withdraws a figure, with the reason, through the admin, the API or an import."""
    if way == "admin":
        _admin_post(measurement, editor, withdraw="on", withdrawal_reason=reason)
    elif way == "api":
        _api_patch(measurement, editor, {"withdraw": True, "withdrawal_reason": reason})
    elif way == "import":
        _import(editor, _import_row(measurement, withdraw="yes", withdrawal_reason=reason))
    else:
        raise AssertionError(way)


# --- A record with every kind of change, of any size -------------------------------------------


@dataclass
class Record:
    """`add(n)` adds, n times, one change of each kind (8 changes each time), newest last."""

    editor: User
    superuser: User
    policy: Policy = field(default_factory=PolicyFactory)
    pillars: list[Pillar] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    figures: list[Measurement] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)
    incentives: list[Incentive] = field(default_factory=list)

    def add(self, count: int) -> None:
        today = timezone.localdate()
        for _ in range(count):
            pillar = PillarFactory(policy=self.policy)
            self.pillars.append(pillar)
            target = TargetFactory(policy=self.policy, pillar=pillar, published_on=dt.date(2025, 1, 1))
            self.targets.append(target)
            # A figure added, revised and withdrawn (3 changes).
            figure = services.measurement_create(
                target=target,
                date=dt.date(2025, 7, 1),
                value=50_000,
                source_url="https://news.example.org/figures",
                user=self.editor,
            )
            figure.value = 55_000
            services.measurement_save(measurement=figure, user=self.editor, reason="PBS revised it.", confirmed=True)
            services.measurement_withdraw(measurement=figure, user=self.editor, reason="Counted enrolments.")
            self.figures.append(figure)
            # The target's title changed (a definition), and its deadline re-baselined.
            target.title = f"{target.title} (renamed)"
            services.target_save(target=target, user=self.editor, reason="Clearer wording.")
            services.target_rebaseline(
                target=target,
                baseline_value=0.0,
                baseline_date=target.baseline_date,
                target_value=200_000.0,
                target_date=dt.date(2026, 12, 31),
                reason="The budget came a year late.",
                user=self.superuser,
                today=today,
            )
            # A milestone's forecast moved later, then it was completed.
            milestone = MilestoneFactory(policy=self.policy, pillar=pillar, announced_on=dt.date(2025, 1, 1))
            self.milestones.append(milestone)
            services.milestone_update(
                milestone=milestone,
                forecast_due_date=dt.date(2026, 6, 30),
                reason="The fund is delayed.",
                evidence_url=EVIDENCE,
                user=self.editor,
                today=today,
            )
            services.milestone_update(
                milestone=milestone,
                completed_on=dt.date(2025, 12, 1),
                reason="The fund was set up.",
                evidence_url=f"{EVIDENCE}-set-up",
                user=self.editor,
                today=today,
            )
            # An incentive opened.
            incentive = IncentiveFactory(pillar=pillar, status=IncentiveStatus.ANNOUNCED)
            incentive.status = IncentiveStatus.OPEN
            record_save(instance=incentive, user=self.editor, reason="Applications opened.")
            self.incentives.append(incentive)


@dataclass
class Mixed:
    """What `build_mixed` made."""

    first: Pillar
    second: Pillar
    target: Target
    figure: Measurement
    made_up: Measurement
    milestone: Milestone
    incentive: Incentive
    other_target: Target
    other_milestone: Milestone
    other_incentive: Incentive
    target_rebaseline: Rebaseline
    milestone_rebaseline: Rebaseline


def build_mixed(editor: User, superuser: User) -> Mixed:
    """Two pillars; in the first a change of nearly every kind (and an illustrative figure's), in the second three."""
    policy = PolicyFactory()
    first, second = PillarFactory(policy=policy), PillarFactory(policy=policy)
    target = TargetFactory(policy=policy, pillar=first, code="t1", published_on=dt.date(2025, 1, 1))
    figure = MeasurementFactory(target=target, date=dt.date(2025, 7, 1), value=50_000)
    figure.value = 55_000
    services.measurement_save(measurement=figure, user=editor, reason="PBS revised it.", confirmed=True)
    made_up = MeasurementFactory(target=target, date=dt.date(2025, 9, 1), value=80_000, illustrative=True)
    services.measurement_withdraw(measurement=made_up, user=editor, reason="Demo over.", today=TODAY)
    target.title = "Renamed target"
    services.target_save(target=target, user=editor, reason="Clearer.")
    target_rebaseline = services.target_rebaseline(
        target=target,
        baseline_value=0.0,
        baseline_date=target.baseline_date,
        target_value=200_000.0,
        target_date=dt.date(2026, 12, 31),
        reason="The budget came a year late.",
        user=superuser,
        source_url="https://www.finance.gov.pk/budget",
        decided_on=TODAY,
        today=TODAY,
    )
    milestone = MilestoneFactory(policy=policy, pillar=first, code="m1", published_on=dt.date(2025, 7, 30))
    services.milestone_update(
        milestone=milestone,
        forecast_due_date=dt.date(2026, 6, 30),
        reason="The fund is delayed.",
        evidence_url=EVIDENCE,
        user=editor,
        today=TODAY,
    )
    milestone_rebaseline = services.milestone_rebaseline(
        milestone=milestone,
        due_date=dt.date(2026, 9, 30),
        reason="Waiting for the law.",
        user=superuser,
        decided_on=TODAY,
        today=TODAY,
    )
    incentive = IncentiveFactory(pillar=first, slug="ignite", status=IncentiveStatus.ANNOUNCED)
    incentive.status = IncentiveStatus.OPEN
    record_save(instance=incentive, user=editor, reason="Applications opened.")

    other_target = TargetFactory(policy=policy, pillar=second, code="t2")
    MeasurementFactory(target=other_target, date=dt.date(2025, 7, 1), value=10)
    other_milestone = MilestoneFactory(policy=policy, pillar=second, code="m2")
    services.milestone_update(
        milestone=other_milestone,
        completed_on=dt.date(2026, 2, 1),
        reason="Done.",
        evidence_url=f"{EVIDENCE}-done",
        user=editor,
        today=TODAY,
    )
    other_incentive = IncentiveFactory(pillar=second, slug="seed", name="Seed fund")
    other_incentive.name = "Seed fund for AI"
    record_save(instance=other_incentive, user=editor)
    return Mixed(
        first,
        second,
        target,
        figure,
        made_up,
        milestone,
        incentive,
        other_target,
        other_milestone,
        other_incentive,
        target_rebaseline,
        milestone_rebaseline,
    )


KINDS_PER_ADD = {
    "figure_added": 1,
    "figure_revised": 1,
    "figure_withdrawn": 1,
    "definition_changed": 1,
    "rebaselined": 1,
    "forecast_moved": 1,
    "completed": 1,
    "incentive_status": 1,
}


def query_count(client: Client | APIClient, url: str, **extra: Any) -> int:
    """The queries of the second request of `url` (the first warms what is not per request)."""
    first = client.get(url, **extra)
    assert first.status_code == 200, (url, first.status_code)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


# --- Reading what readers see -------------------------------------------------------------------


def html(response: Any) -> str:
    content: bytes = response.content
    return content.decode("utf-8")


def section(text: str, testid: str, end: str = "</section>") -> str:
    """The part of a page from the element with `data-testid` to the next `end`."""
    marker = f'data-testid="{testid}"'
    assert marker in text, testid
    return text.split(marker, 1)[1].split(end, 1)[0]


CHANGE_ROW = re.compile(r'<tr data-testid="change-row" data-kind="([a-z_]+)" id="([a-z]+-\d+)">(.*?)</tr>', re.S)


def change_rows(text: str) -> dict[str, tuple[str, str]]:
    """The change rows of a page, by change id: (kind, the row's HTML), in the page's order."""
    return {change_id: (kind, row) for kind, change_id, row in CHANGE_ROW.findall(text)}


def kinds_listed(text: str) -> list[str]:
    return [kind for kind, _id, _row in CHANGE_ROW.findall(text)]


class _HTMLReader(HTMLParser):
    """The elements and the text of a piece of HTML, as a browser (or a feed reader) parses it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def html_read(source: str) -> tuple[list[str], str]:
    """The elements `source` holds when parsed as HTML, and the text a reader shows."""
    reader = _HTMLReader()
    reader.feed(source)
    reader.close()
    return reader.elements, "".join(reader.text)


def atom_text(element: ET.Element | None) -> str:
    """An Atom text construct as a reader shows it: text as it is, `type="html"` parsed as HTML."""
    if element is None:
        return ""
    source = element.text or ""
    if element.get("type", "text") == "text":
        return source
    assert element.get("type") == "html", element.get("type")
    return html_read(source)[1]


def feed_entries(response: Any) -> dict[str, dict[str, Any]]:
    """The entries of the Atom feed, by id (guid): title, summary (as a reader shows them), link and categories."""
    assert response.status_code == 200, response.status_code
    root = ET.fromstring(response.content)
    entries = {}
    for entry in root.iter(f"{ATOM}entry"):
        link = entry.find(f"{ATOM}link")
        entries[entry.findtext(f"{ATOM}id", "")] = {
            "title": atom_text(entry.find(f"{ATOM}title")),
            "summary": atom_text(entry.find(f"{ATOM}summary")),
            "link": link.get("href") if link is not None else None,
            "categories": [c.get("term") for c in entry.iter(f"{ATOM}category")],
            "published": entry.findtext(f"{ATOM}published", ""),
        }
    return entries


def guid(change_id: str) -> str:
    return f"tag:ai-policy-tracker,2025:change/{change_id}"


def change_id(instance: Any, kind: str) -> str:
    """The public id of `instance`'s (only) historical record of `kind`: `measurement-12`."""
    record = instance.history.get(change_kind=kind)
    return f"{instance._meta.model_name}-{record.history_id}"


def api_changes(query: str = "", client: APIClient | None = None) -> dict[str, Any]:
    response = (client or APIClient()).get(f"/api/v1/changes/{query}", HTTP_ACCEPT="application/json")
    assert response.status_code == 200, response.content
    data: dict[str, Any] = response.json()
    return data


__all__ = [
    "EVIDENCE",
    "KINDS_PER_ADD",
    "TODAY",
    "WAYS",
    "Mixed",
    "Record",
    "api_changes",
    "build_mixed",
    "change_id",
    "change_rows",
    "feed_entries",
    "guid",
    "html",
    "kinds_listed",
    "query_count",
    "revise",
    "section",
    "withdraw",
]
