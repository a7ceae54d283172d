"""`/pillars/`: the pillars ranked furthest behind first, sortable, with reporting coverage; the dashboard."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.test import Client

from indicators import services as indicator_services
from pillars.models import Pillar
from tests.factories import MeasurementFactory, MilestoneFactory, PillarFactory, PolicyFactory, TargetFactory
from tests.pillars.test_views import AS_OF, build_world, html, query_count

pytestmark = pytest.mark.django_db

COMPUTED = "2025-07-14"  # no stored run that day: the roll-ups are computed on the fly


@dataclass
class Pillars:
    behind: Pillar  # one target 90 days behind (the worked example): 0% on schedule, reported
    behind_too: Pillar  # the same: tied with `behind`
    ahead: Pillar  # one target on plan: 100% on schedule
    silent: Pillar  # a target nobody reports on: no data
    made_up: Pillar  # a target 90 days behind on a made-up figure only: no data on the reported basis
    empty: Pillar  # nothing at all


def _pillar(number: int) -> Pillar:
    pillar: Pillar = PillarFactory(
        policy=PolicyFactory(), number=number, slug=f"p{number}", name=f"Pillar name {number}"
    )
    return pillar


@pytest.fixture
def pillars() -> Pillars:
    made_up, silent, ahead, behind_too, behind, empty = (_pillar(n) for n in (1, 2, 3, 4, 5, 6))
    for pillar in (behind, behind_too):
        MeasurementFactory(target=TargetFactory(pillar=pillar, policy=pillar.policy), value=50_000.0)
    MeasurementFactory(target=TargetFactory(pillar=ahead, policy=ahead.policy), value=100_000.0)
    TargetFactory(pillar=silent, policy=silent.policy)
    MeasurementFactory(target=TargetFactory(pillar=made_up, policy=made_up.policy), value=50_000.0, illustrative=True)
    indicator_services.indicators_recompute(as_of=AS_OF)
    return Pillars(behind, behind_too, ahead, silent, made_up, empty)


def ranking_rows(text: str) -> list[tuple[str, str]]:
    """(slug, position) of every row, in the order shown ("" for a pillar that is not ranked)."""
    return re.findall(r'data-testid="ranking-row" data-slug="([^"]+)" data-position="([^"]*)"', text)


def behind_named(text: str) -> list[str]:
    return re.findall(r'data-testid="behind-pillar" data-slug="([^"]+)"', text)


@pytest.mark.parametrize("as_of", [AS_OF.isoformat(), COMPUTED])
def test_the_ranking_puts_the_furthest_behind_first_ties_shared_and_no_data_last(
    client: Client, pillars: Pillars, as_of: str
) -> None:
    text = html(client.get("/pillars/", {"as_of": as_of}))
    assert ranking_rows(text) == [
        ("p4", "1"),  # 0% on schedule, 90 days behind: tied with p5, listed by number
        ("p5", "1"),
        ("p3", "3"),  # 100% on schedule
        ("p1", ""),  # a made-up figure only: no data on the reported basis, not ranked
        ("p2", ""),  # nobody reports: not ranked
        ("p6", ""),  # nothing: not ranked
    ]
    assert text.count(">tied<") == 2
    assert behind_named(text) == ["p4", "p5"]
    assert "Furthest behind, 2 pillars tied:" in text
    assert "3 pillars have no item with data and are not ranked." in text
    rows = text.split('data-testid="ranking-row"')[1:]
    # The absence of reporting is itself shown: coverage beside the share, "no data" where nothing is measured.
    silent = next(row for row in rows if 'data-slug="p2"' in row)
    assert "no data" in silent and "0 of 1 target reported" in silent
    behind = next(row for row in rows if 'data-slug="p4"' in row)
    assert "0 of 1 item with data" in behind and "90 days" in behind and "1 of 1 target reported" in behind


def test_the_illustrative_basis_ranks_a_made_up_figure_but_the_reported_basis_never_does(
    client: Client, pillars: Pillars
) -> None:
    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat(), "basis": "illustrative"}))
    # p1's made-up figure is 90 days behind too, and nobody reported one (coverage 0): alone furthest behind.
    assert ranking_rows(text) == [("p1", "1"), ("p4", "2"), ("p5", "2"), ("p3", "4"), ("p2", ""), ("p6", "")]
    assert behind_named(text) == ["p1"]
    assert 'data-testid="basis-banner"' in text and 'data-testid="basis-mark"' in text
    made_up = next(row for row in text.split('data-testid="ranking-row"')[1:] if 'data-slug="p1"' in row)
    assert "0 of 1 target reported" in made_up  # coverage counts reported figures only, whatever the basis
    assert "/targets/?pillar=p1&amp;as_of=2025-07-15&amp;basis=illustrative" in made_up
    # And the reported basis is untouched by it.
    assert behind_named(html(client.get("/pillars/", {"as_of": AS_OF.isoformat()}))) == ["p4", "p5"]


def test_the_page_states_the_rule(client: Client, pillars: Pillars) -> None:
    text = html(client.get("/pillars/"))
    rule = text.split('data-testid="ranking-rule"')[1].split("</section>")[0]
    assert "the lowest share of its items with data that are on schedule" in rule
    assert "the largest median slip" in rule
    assert "the lowest reporting coverage" in rule
    assert "no data" in rule


def test_each_row_links_to_the_pillar_and_its_filtered_lists_on_the_same_date(client: Client, pillars: Pillars) -> None:
    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat()}))
    row = next(row for row in text.split('data-testid="ranking-row"')[1:] if 'data-slug="p3"' in row)
    assert 'href="/pillars/p3/?as_of=2025-07-15"' in row
    assert 'href="/targets/?pillar=p3&amp;as_of=2025-07-15"' in row
    assert 'href="/milestones/?pillar=p3&amp;as_of=2025-07-15"' in row
    # The filtered list is that pillar's.
    listed = html(client.get("/targets/?pillar=p3&as_of=2025-07-15"))
    assert listed.count('data-testid="target-row"') == 1


def _header(text: str, column: str) -> str:
    return re.search(rf'<th scope="col"[^>]*data-column="{column}">.*?</th>', text, re.S).group(0)  # type: ignore[union-attr]


def test_sorting_is_server_side_with_aria_sort_on_the_sorted_column(client: Client, pillars: Pillars) -> None:
    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat()}))
    assert 'aria-sort="ascending"' in _header(text, "rank")
    assert text.count("aria-sort=") == 1
    # Another column's link asks for its "furthest behind first" order; the sorted one's for the reverse.
    assert 'href="/pillars/?as_of=2025-07-15&amp;sort=-median_slip"' in _header(text, "median_slip")
    assert 'href="/pillars/?as_of=2025-07-15&amp;sort=-rank"' in _header(text, "rank")

    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat(), "sort": "-coverage"}))
    assert 'aria-sort="descending"' in _header(text, "coverage")
    assert "aria-sort" not in _header(text, "rank")
    assert 'href="/pillars/?as_of=2025-07-15&amp;sort=coverage"' in _header(text, "coverage")
    # Full coverage first (p3, then p4 and p5 in their ranking order), then none (p1, p2), then no target (p6).
    assert [slug for slug, _ in ranking_rows(text)] == ["p4", "p5", "p3", "p1", "p2", "p6"]
    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat(), "sort": "pillar"}))
    assert [slug for slug, _ in ranking_rows(text)] == ["p1", "p2", "p3", "p4", "p5", "p6"]
    # The positions stay those of the ranking whatever the order shown.
    assert dict(ranking_rows(text))["p3"] == "3"
    text = html(client.get("/pillars/", {"as_of": AS_OF.isoformat(), "sort": "-on_schedule"}))
    assert [slug for slug, _ in ranking_rows(text)][:3] == ["p3", "p4", "p5"]


@pytest.mark.parametrize("query", [{"sort": "worst"}, {"sort": "rank; drop"}, {"as_of": "soon"}, {"basis": "x"}])
def test_a_bad_parameter_is_the_friendly_400_page(client: Client, pillars: Pillars, query: dict[str, str]) -> None:
    for prefix in ("", "/ur"):
        response = client.get(f"{prefix}/pillars/", query)
        assert response.status_code == 400
        text = html(response)
        assert 'data-testid="problems"' in text and "<main" in text
    if "sort" in query:
        assert "Sort:" in html(client.get("/pillars/", query))


def test_the_page_answers_in_urdu_right_to_left(client: Client, pillars: Pillars) -> None:
    response = client.get("/ur/pillars/", {"as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    text = html(response)
    assert '<html lang="ur" dir="rtl">' in text
    assert behind_named(text) == ["p4", "p5"]
    assert 'href="/ur/pillars/p4/?as_of=2025-07-15"' in text


def test_the_page_honours_conditional_get(client: Client, pillars: Pillars) -> None:
    response = client.get("/pillars/")
    etag = response["ETag"]
    assert etag and "no-cache" in response["Cache-Control"]
    assert client.get("/pillars/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/pillars/?sort=pillar", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_dashboard_names_the_pillar_furthest_behind_and_links_the_ranking(client: Client, pillars: Pillars) -> None:
    text = html(client.get("/", {"as_of": AS_OF.isoformat()}))
    section = text.split('data-testid="behind"')[1].split("</section>")[0]
    assert behind_named(section) == ["p4", "p5"]
    assert "0% on schedule (0 of 1 item with data)" in section
    assert "median slip 90 days" in section
    assert 'href="/pillars/?as_of=2025-07-15"' in section
    # And the navigation and the sitemap know the page.
    assert 'href="/pillars/?as_of=2025-07-15"' in text.split('id="main-nav"')[1].split("</nav>")[0]
    sitemap = html(client.get("/sitemap-pages.xml"))
    assert "/pillars/</loc>" in sitemap and "/ur/pillars/</loc>" in sitemap


def test_the_dashboard_with_one_pillar_furthest_behind(client: Client) -> None:
    behind, ahead = _pillar(1), _pillar(2)
    MeasurementFactory(target=TargetFactory(pillar=behind, policy=behind.policy), value=50_000.0)
    MeasurementFactory(target=TargetFactory(pillar=ahead, policy=ahead.policy), value=100_000.0)
    text = html(client.get("/", {"as_of": COMPUTED}))
    section = text.split('data-testid="behind"')[1].split("</section>")[0]
    assert "Furthest behind:" in section and "tied" not in section
    assert behind_named(section) == ["p1"]
    assert "All 2 pillars ranked" in section


def test_with_no_data_no_pillar_is_named(client: Client) -> None:
    _pillar(1)
    TargetFactory(pillar=Pillar.objects.get(), policy=Pillar.objects.get().policy)
    for path in ("/", "/pillars/"):
        text = html(client.get(path))
        assert "No pillar has an item with data yet" in text
        assert behind_named(text) == []
    assert ranking_rows(html(client.get("/pillars/"))) == [("p1", "")]


def test_with_no_pillar_at_all_the_pages_still_answer(client: Client) -> None:
    assert "No pillars yet." in html(client.get("/pillars/"))
    assert "No pillar has an item with data yet" in html(client.get("/"))


def test_milestones_alone_give_a_pillar_data(client: Client) -> None:
    pillar = _pillar(1)
    MilestoneFactory(pillar=pillar, policy=pillar.policy, baseline_due_date=dt.date(2025, 6, 30))  # overdue
    text = html(client.get("/pillars/", {"as_of": COMPUTED}))
    assert ranking_rows(text) == [("p1", "1")]
    row = text.split('data-testid="ranking-row"')[1]
    assert "no targets" in row and "0 of 1 item with data" in row


@pytest.mark.parametrize(
    "query", [f"as_of={AS_OF.isoformat()}", f"as_of={COMPUTED}&sort=-median_slip", "basis=illustrative"]
)
def test_the_ranking_runs_the_same_queries_for_2_and_8_items(
    client: Client, django_assert_num_queries: object, query: str
) -> None:
    world = build_world(2)
    small = query_count(client, f"/pillars/?{query}")
    home = query_count(client, f"/?{query}")
    world.add(6)
    client.get(f"/pillars/?{query}")  # warm
    with django_assert_num_queries(small):  # type: ignore[operator]
        response = client.get(f"/pillars/?{query}")
    assert response.status_code == 200
    assert len(ranking_rows(html(response))) == 8
    with django_assert_num_queries(home):  # type: ignore[operator]
        client.get(f"/?{query}")
