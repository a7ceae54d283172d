"""`/changes/` (and `/ur/changes/`), and the "Changes" of the target, milestone and incentive pages.

Every change in words with its earlier value struck through; the filters of
the query string; the friendly 400 for a bad one; paging; the record as it
stood on an as-of date; the same number of queries at two sizes.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

import pytest
from django.contrib.auth.models import User
from django.test import Client

from pillars import services
from pillars.models import Measurement, Rebaseline
from tests.factories import MeasurementFactory, MilestoneFactory, TargetFactory

from .helpers import (
    EVIDENCE,
    KINDS_PER_ADD,
    TODAY,
    Mixed,
    Record,
    change_id,
    change_rows,
    html,
    kinds_listed,
    query_count,
    section,
)

pytestmark = pytest.mark.django_db

KARACHI = zoneinfo.ZoneInfo("Asia/Karachi")


def count_of(text: str) -> str:
    return section(text, "result-count", "</p>").lstrip(">")


def rows_on(client: Client, query: str = "") -> list[str]:
    response = client.get(f"/changes/{query}")
    assert response.status_code == 200, (query, response.status_code)
    return kinds_listed(html(response))


# --- What the page says -------------------------------------------------------------------------


def test_every_change_is_listed_with_its_count(client: Client, mixed: Mixed) -> None:
    text = html(client.get("/changes/"))
    assert count_of(text) == "10 changes"
    assert sorted(kinds_listed(text)) == sorted(
        [
            "figure_added",
            "figure_added",
            "figure_revised",
            "definition_changed",
            "definition_changed",
            "rebaselined",
            "rebaselined",
            "forecast_moved",
            "completed",
            "incentive_status",
        ]
    )
    assert 'href="/feeds/changes.atom"' in text and 'href="/api/v1/changes/"' in text
    # The filters, with every kind of change offered.
    form = section(text, "filters", "</form>")
    for kind in KINDS_PER_ADD:
        assert f'value="{kind}"' in form


def test_each_kind_of_change_in_words_with_the_earlier_value_struck_through(client: Client, mixed: Mixed) -> None:
    rows = change_rows(html(client.get("/changes/?basis=illustrative")))
    milestone_due = "31 Jan 2026"
    expected = {
        change_id(mixed.figure, "figure_added"): "New figure: 50,000 people for 1 Jul 2025.",
        change_id(mixed.figure, "figure_revised"): "Figure for 1 Jul 2025 revised, value: <del>50,000</del> → 55,000.",
        change_id(mixed.made_up, "figure_withdrawn"): (
            "Figure withdrawn: <del>80,000 people for 1 Sep 2025</del>; it no longer counts."
        ),
        change_id(mixed.target, "definition_changed"): (
            f"title: <del>{mixed.target.history.earliest().title}</del> → Renamed target."
        ),
        change_id(mixed.milestone, "forecast_moved"): f"Forecast moved: <del>{milestone_due}</del> → 30 Jun 2026.",
        change_id(mixed.other_milestone, "completed"): "Completed on 1 Feb 2026.",
        change_id(mixed.incentive, "incentive_status"): (
            "status: <del>announced, not launched</del> → open for applications."
        ),
        change_id(mixed.other_incentive, "definition_changed"): "name: <del>Seed fund</del> → Seed fund for AI.",
        f"rebaseline-{mixed.target_rebaseline.pk}": (
            "Re-baselined: <del>0 on 1 Jan 2025 to 200,000 by 31 Dec 2025</del> → 0 on 1 Jan 2025 to 200,000 by "
            "31 Dec 2026."
        ),
        f"rebaseline-{mixed.milestone_rebaseline.pk}": (
            f"Re-baselined, due date: <del>{milestone_due}</del> → 30 Sep 2026."
        ),
    }
    for key, words in expected.items():
        assert words in rows[key][1], (key, rows[key][1])
    # Who, as a role; the evidence, linked.
    assert "<td>administrator</td>" in rows[f"rebaseline-{mixed.target_rebaseline.pk}"][1]
    assert 'href="https://www.finance.gov.pk/budget"' in rows[f"rebaseline-{mixed.target_rebaseline.pk}"][1]
    forecast = rows[change_id(mixed.milestone, "forecast_moved")][1]
    assert "<td>editor</td>" in forecast and "The fund is delayed." in forecast
    assert 'href="https://www.dawn.com/news/ai-fund-delayed"' in forecast
    # What each is about, linked to its page.
    assert (
        f'href="/targets/{mixed.target.pk}/?basis=illustrative"' in rows[change_id(mixed.figure, "figure_revised")][1]
    )
    assert f'href="/milestones/{mixed.milestone.pk}/?basis=illustrative"' in forecast
    assert 'href="/incentives/ignite/?basis=illustrative"' in rows[change_id(mixed.incentive, "incentive_status")][1]
    # An illustrative figure's change says so.
    assert 'class="tag illustrative"' in rows[change_id(mixed.made_up, "figure_withdrawn")][1]
    assert 'class="tag illustrative"' not in rows[change_id(mixed.figure, "figure_revised")][1]


def test_a_cancellation_and_a_reopening_in_words(client: Client, editor: User) -> None:

    milestone = MilestoneFactory(title="AI Council notified")
    services.milestone_update(
        milestone=milestone, cancelled=True, reason="Dropped.", evidence_url=EVIDENCE, user=editor, today=TODAY
    )
    services.milestone_update(milestone=milestone, cancelled=False, reason="Restored.", user=editor, today=TODAY)

    rows = change_rows(html(client.get("/changes/")))
    assert "Cancelled." in rows[change_id(milestone, "cancelled")][1]
    assert "Reopened: <del>cancelled</del>." in rows[change_id(milestone, "reopened")][1]
    assert list(rows) == [change_id(milestone, "reopened"), change_id(milestone, "cancelled")]  # newest first


def test_an_empty_record_says_so(client: Client) -> None:
    text = html(client.get("/changes/"))
    assert count_of(text) == "0 changes"
    assert 'data-testid="no-changes"' in text


def test_the_urdu_page(client: Client, mixed: Mixed) -> None:
    response = client.get("/ur/changes/")
    assert response.status_code == 200
    text = html(response)
    assert '<html lang="ur" dir="rtl">' in text
    assert len(kinds_listed(text)) == 10
    # The data stays English, marked as such; the links stay in Urdu.
    row = change_rows(text)[change_id(mixed.figure, "figure_revised")][1]
    assert f'href="/ur/targets/{mixed.target.pk}/"' in row and 'lang="en"' in row


# --- Filters ------------------------------------------------------------------------------------


def test_kinds_several_at_once(client: Client, mixed: Mixed) -> None:
    assert rows_on(client, "?kind=figure_revised") == ["figure_revised"]
    assert sorted(rows_on(client, "?kind=rebaselined&kind=completed")) == ["completed", "rebaselined", "rebaselined"]
    text = html(client.get("/changes/?kind=rebaselined&kind=completed"))
    assert count_of(text) == "3 changes"
    assert re.search(r'<input type="checkbox" name="kind" value="rebaselined"[^>]*checked', text)
    assert not re.search(r'<input type="checkbox" name="kind" value="figure_added"[^>]*checked', text)


def test_pillar(client: Client, mixed: Mixed) -> None:
    assert sorted(rows_on(client, f"?pillar={mixed.second.slug}")) == [
        "completed",
        "definition_changed",
        "figure_added",
    ]
    assert len(rows_on(client, f"?pillar={mixed.first.slug}")) == 7


def test_since_and_until(client: Client, mixed: Mixed) -> None:
    mixed.figure.history.filter(change_kind="figure_revised").update(
        history_date=dt.datetime(2025, 7, 1, 0, 30, tzinfo=KARACHI)
    )
    Rebaseline.objects.filter(pk=mixed.milestone_rebaseline.pk).update(
        created_at=dt.datetime(2025, 7, 2, 23, 0, tzinfo=KARACHI)
    )
    assert rows_on(client, "?since=2025-07-01&until=2025-07-01") == ["figure_revised"]
    assert rows_on(client, "?since=2025-06-01&until=2025-07-02") == ["rebaselined", "figure_revised"]
    assert len(rows_on(client, "?since=2025-07-03")) == 8
    text = html(client.get("/changes/?since=2025-06-01&until=2025-07-02"))
    assert 'name="since" value="2025-06-01"' in text and 'name="until" value="2025-07-02"' in text


def test_one_item(client: Client, mixed: Mixed) -> None:
    assert sorted(rows_on(client, f"?target={mixed.target.pk}")) == [
        "definition_changed",
        "figure_added",
        "figure_revised",
        "rebaselined",
    ]
    assert sorted(rows_on(client, f"?milestone={mixed.milestone.pk}")) == ["forecast_moved", "rebaselined"]
    assert rows_on(client, f"?incentive={mixed.incentive.pk}") == ["incentive_status"]
    assert rows_on(client, "?target=987654") == []


def test_changes_to_illustrative_figures_only_on_the_illustrative_basis(client: Client, mixed: Mixed) -> None:
    withdrawn = change_id(mixed.made_up, "figure_withdrawn")
    reported = html(client.get("/changes/"))
    assert withdrawn not in change_rows(reported)
    assert 'data-testid="basis-banner"' not in reported
    illustrative = html(client.get("/changes/?basis=illustrative"))
    assert count_of(illustrative) == "12 changes"
    assert withdrawn in change_rows(illustrative)
    assert 'data-testid="basis-banner"' in illustrative
    assert '<input type="hidden" name="basis" value="illustrative">' in section(illustrative, "filters", "</form>")


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("kind=nonsense", "nonsense"),
        ("kind=figure_added&kind=other", "other"),
        ("pillar=no-such-pillar", "Pillar"),
        ("since=2025-13-01", "From"),
        ("until=yesterday", "To"),
        ("since=2025-07-02&until=2025-07-01", "comes before"),
        ("target=abc", "Target"),
        ("target=0", "Target"),
        ("milestone=" + "9" * 30, "Milestone"),
        ("incentive=-1", "Incentive"),
        ("as_of=2025-02-30", "not a date"),
        ("basis=made-up", "not a basis"),
    ],
)
def test_a_bad_filter_gets_the_friendly_400_page(client: Client, query: str, words: str) -> None:
    for prefix in ("", "/ur"):
        response = client.get(f"{prefix}/changes/?{query}")
        assert response.status_code == 400, (prefix, query)
        text = html(response)
        assert 'data-testid="error-title"' in text
        problems = section(text, "problems", "</ul>")
        if not prefix:
            assert words in problems, problems


# --- Paging -------------------------------------------------------------------------------------


def test_fifty_changes_a_page(client: Client, editor: User) -> None:
    target = TargetFactory()
    for day in range(55):
        MeasurementFactory(target=target, date=dt.date(2025, 1, 2) + dt.timedelta(days=day), value=100 * day)
    first = html(client.get("/changes/"))
    second = html(client.get("/changes/?page=2"))
    assert count_of(first) == count_of(second) == "55 changes"
    first_rows, second_rows = change_rows(first), change_rows(second)
    assert (len(first_rows), len(second_rows)) == (50, 5)
    assert not set(first_rows) & set(second_rows)
    # Newest first: the oldest five figures are on the second page.
    oldest = Measurement.history.order_by("history_id")[:5]
    assert set(second_rows) == {f"measurement-{r.history_id}" for r in oldest}
    assert '<a href="?page=2" rel="next">' in first and "Page 1 of 2" in first
    assert '<a href="?page=1" rel="prev">' in second and "Page 2 of 2" in second
    # Filters stay in the links.
    filtered = html(client.get(f"/changes/?kind=figure_added&target={target.pk}"))
    assert '<a href="?kind=figure_added&amp;target=' in filtered and "page=2" in filtered
    assert client.get("/changes/?page=99").status_code == 200
    assert client.get("/changes/?page=abc").status_code == 200


# --- The record as it stood on a date -----------------------------------------------------------


def test_on_an_as_of_date_later_changes_are_not_listed(client: Client, editor: User) -> None:
    target = TargetFactory()
    figure = MeasurementFactory(target=target, value=50_000)
    figure.value = 55_000
    services.measurement_save(measurement=figure, user=editor, reason="PBS revised it.", confirmed=True)
    added, revised = change_id(figure, "figure_added"), change_id(figure, "figure_revised")
    figure.history.filter(change_kind="figure_added").update(history_date=dt.datetime(2025, 7, 1, 9, tzinfo=KARACHI))
    figure.history.filter(change_kind="figure_revised").update(history_date=dt.datetime(2025, 8, 1, 9, tzinfo=KARACHI))

    assert list(change_rows(html(client.get("/changes/")))) == [revised, added]
    text = html(client.get("/changes/?as_of=2025-07-15"))
    assert list(change_rows(text)) == [added]
    assert count_of(text) == "1 change"
    assert 'data-testid="as-of-banner"' in text
    # The day of the change counts (inclusive), the day before does not.
    assert list(change_rows(html(client.get("/changes/?as_of=2025-08-01")))) == [revised, added]
    assert list(change_rows(html(client.get("/changes/?as_of=2025-06-30")))) == []
    # An earlier "To" is kept; a later one is the as-of date.
    assert list(change_rows(html(client.get("/changes/?as_of=2025-08-01&until=2025-07-01")))) == [added]
    assert list(change_rows(html(client.get("/changes/?as_of=2025-07-15&until=2025-12-31")))) == [added]
    # The target page's "Changes" replays the same way, and so do the API and the feed.
    page = section(html(client.get(f"/targets/{target.pk}/?as_of=2025-07-15")), "item-changes")
    assert list(change_rows(page)) == [added]
    records = client.get("/api/v1/changes/?as_of=2025-07-15").json()["results"]
    assert [r["id"] for r in records] == [added]
    feed = client.get("/feeds/changes.atom?as_of=2025-07-15").content.decode()
    assert f"change/{added}<" in feed and f"change/{revised}<" not in feed


# --- Item pages ---------------------------------------------------------------------------------


def test_the_target_page_lists_its_changes_only(client: Client, mixed: Mixed) -> None:
    page = section(html(client.get(f"/targets/{mixed.target.pk}/")), "item-changes")
    assert sorted(kinds_listed(page)) == ["definition_changed", "figure_added", "figure_revised", "rebaselined"]
    assert '<th scope="col">About</th>' not in page  # the page is what they are about
    page = section(html(client.get(f"/targets/{mixed.target.pk}/?basis=illustrative")), "item-changes")
    assert len(kinds_listed(page)) == 6  # and the made-up figure's addition and withdrawal
    other = section(html(client.get(f"/targets/{mixed.other_target.pk}/")), "item-changes")
    assert kinds_listed(other) == ["figure_added"]


def test_the_milestone_page_lists_its_changes(client: Client, mixed: Mixed) -> None:
    page = section(html(client.get(f"/milestones/{mixed.milestone.pk}/")), "item-changes")
    rows = change_rows(page)
    assert [kind for kind, _row in rows.values()] == ["rebaselined", "forecast_moved"]
    forecast = rows[change_id(mixed.milestone, "forecast_moved")][1]
    assert "Forecast moved: <del>31 Jan 2026</del> → 30 Jun 2026." in forecast
    assert "The fund is delayed." in forecast and 'href="https://www.dawn.com/news/ai-fund-delayed"' in forecast
    other = section(html(client.get(f"/milestones/{mixed.other_milestone.pk}/")), "item-changes")
    assert kinds_listed(other) == ["completed"]


def test_the_incentive_page_lists_its_changes(client: Client, mixed: Mixed) -> None:
    page = section(html(client.get("/incentives/ignite/")), "item-changes")
    [(kind, row)] = change_rows(page).values()
    assert kind == "incentive_status"
    assert "status: <del>announced, not launched</del> → open for applications." in row
    assert "Applications opened." in row
    assert kinds_listed(section(html(client.get("/incentives/seed/")), "item-changes")) == ["definition_changed"]


def test_an_item_page_shows_the_latest_twenty_and_links_to_all(client: Client, editor: User) -> None:
    figure = MeasurementFactory(value=0)
    for value in range(1, 25):
        figure.value = value
        services.measurement_save(measurement=figure, user=editor, reason=f"Correction {value}.", confirmed=True)

    page = section(html(client.get(f"/targets/{figure.target_id}/")), "item-changes")

    assert len(change_rows(page)) == 20
    assert "Correction 24." in page and "Correction 4." not in page
    assert f'href="/changes/?target={figure.target_id}">All 25 changes</a>' in page
    everything = html(client.get(f"/changes/?target={figure.target_id}"))
    assert count_of(everything) == "25 changes"


def test_an_item_without_changes(client: Client) -> None:
    target = TargetFactory()
    page = section(html(client.get(f"/targets/{target.pk}/")), "item-changes")
    assert 'data-testid="no-changes"' in page


# --- Dates --------------------------------------------------------------------------------------


def test_a_change_is_dated_in_the_policys_time_zone(client: Client) -> None:
    figure = MeasurementFactory()
    figure.history.update(history_date=dt.datetime(2025, 7, 1, 0, 30, tzinfo=KARACHI))  # 30 Jun, 19:30 UTC
    text = html(client.get("/changes/?since=2025-07-01&until=2025-07-01"))
    [(_kind, row)] = change_rows(text).values()
    assert '<time datetime="2025-07-01T00:30:00+05:00">1 Jul 2025</time>' in row


# --- Queries ------------------------------------------------------------------------------------


URLS = [
    "/changes/",
    "/changes/?basis=illustrative",
    "/changes/?kind=figure_revised&kind=rebaselined&kind=forecast_moved",
    "/changes/?since=2025-01-01&until=2100-01-01",
    "/ur/changes/",
]


def test_the_page_runs_the_same_queries_for_2_and_8_of_every_kind(
    client: Client, editor: User, superuser: User
) -> None:
    record = Record(editor=editor, superuser=superuser)
    record.add(2)
    small = {url: query_count(client, url) for url in URLS}
    small["pillar"] = query_count(client, f"/changes/?pillar={record.pillars[0].slug}")
    assert len(kinds_listed(html(client.get("/changes/")))) == 2 * len(KINDS_PER_ADD)

    record.add(6)
    large = {url: query_count(client, url) for url in URLS}
    large["pillar"] = query_count(client, f"/changes/?pillar={record.pillars[0].slug}")
    text = html(client.get("/changes/"))
    assert count_of(text) == f"{8 * len(KINDS_PER_ADD)} changes"
    assert set(kinds_listed(text)) == set(KINDS_PER_ADD)  # every table on the page

    assert large == small


def test_item_pages_run_the_same_queries_for_2_and_8_changes(client: Client, editor: User, superuser: User) -> None:
    record = Record(editor=editor, superuser=superuser)
    record.add(1)

    def counts() -> dict[str, int]:
        target, milestone, incentive = record.targets[0], record.milestones[0], record.incentives[0]
        return {
            "target": query_count(client, f"/targets/{target.pk}/"),
            "milestone": query_count(client, f"/milestones/{milestone.pk}/"),
            "incentive": query_count(client, f"/incentives/{incentive.slug}/"),
        }

    small = counts()
    figure, milestone = record.figures[0], record.milestones[0]
    for n in range(6):
        extra = MeasurementFactory(target=record.targets[0], date=dt.date(2025, 2, 1) + dt.timedelta(days=n))
        extra.value = 1_000.0 + n
        services.measurement_save(measurement=extra, user=editor, reason="Corrected.", confirmed=True)
        milestone.title = f"Renamed {n}"
        services.milestone_save(milestone=milestone, user=editor, reason="Wording.")
    assert figure.target.measurements.count() == 7
    assert counts() == small
