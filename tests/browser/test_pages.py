"""Every public page in a real browser, in English and in Urdu: it loads, nothing fails, and it looks right.

Headless Debian Chromium against the live server, with the bundled data and
its illustrative figures. Each page must answer 200 with no console error, no
script error and no failed request to the portal; its `<html>` carries the
language and direction (Urdu right to left, in Noto Nastaliq Urdu, whose file
the browser really fetched); the charts and the map are drawn; the filters and
the language switch work as a reader would use them. A full-page screenshot of
every page in both languages lands in artifacts/screenshots/ for CI to keep.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import Count, Q

from tests.browser.conftest import LANGUAGES, Browsing, Site, django_orm, in_language

# Every test starts from the migrated database (serialized_rollback), loads the bundled data and flushes it after.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

URDU_FONT = "/static/fonts/noto-nastaliq-urdu-arabic-400-normal.woff2"
STYLESHEET = "/static/css/portal.css"


# What a reader would see as broken layout, measured in the rendered page (mirrored for right to left).
LAYOUT_PROBLEMS = """() => {
  const rtl = document.documentElement.dir === 'rtl';
  const edge = e => { const b = e.getBoundingClientRect(); return Math.round(rtl ? innerWidth - b.right : b.left); };
  const problems = [];
  const nav = document.querySelector('#main-nav li'), h1 = document.querySelector('main h1');
  if (nav && h1 && Math.abs(edge(nav) - edge(h1)) > 24) {
    problems.push(`the main navigation starts ${edge(nav)}px from the page's edge, the content ${edge(h1)}px`);
  }
  const wide = [...document.querySelectorAll('input[type=checkbox], input[type=radio]')]
    .filter(e => e.getBoundingClientRect().width > 32);
  if (wide.length) {
    const width = Math.round(wide[0].getBoundingClientRect().width);
    problems.push(`${wide.length} checkboxes stretched to ${width}px, squeezing their labels (${wide[0].name}, …)`);
  }
  const marks = [...document.querySelectorAll('a.mark')].filter(e => e.textContent.includes('+')
    && getComputedStyle(e).direction !== 'ltr' && getComputedStyle(e).unicodeBidi !== 'plaintext');
  if (marks.length) {
    problems.push('confidence marks laid out right to left: "[A+]" shows as "[+A]"');
  }
  if (document.documentElement.scrollWidth > innerWidth + 1) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px in a ${innerWidth}px window`);
  }
  return problems;
}"""


def path_of(page: Any) -> str:
    """The current address without the origin: `/ur/targets/?status=missed`."""
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


# --- Every page ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_loads_and_renders(browsing: Browsing, site: Site, language: str) -> None:
    page = browsing.page
    pages = [in_language(path, language) for path in site.pages()]
    assert len(pages) > 60
    layout: dict[str, list[str]] = {}
    for path in pages:
        browsing.visit(path)
        for problem in page.evaluate(LAYOUT_PROBLEMS):
            layout.setdefault(problem, []).append(path)
        html = page.locator("html")
        assert html.get_attribute("lang") == language, path
        assert html.get_attribute("dir") == ("rtl" if language == "ur" else "ltr"), path
        assert page.title().strip(), f"{path}: no <title>"
        assert page.locator("h1").count() == 1, f"{path}: not exactly one <h1>"
        # The stylesheet applied: the header is painted in the accent colour, not left transparent.
        header_background = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
        assert header_background not in ("rgba(0, 0, 0, 0)", "transparent"), f"{path}: stylesheet not applied"
        if language == "ur":
            family = page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
            assert "Nastaliq" in family or "Naskh" in family, f"{path}: body font is {family}"
            loaded = page.evaluate(
                "[...document.fonts].some(f => f.family.includes('Nastaliq') && f.status === 'loaded')"
            )
            assert loaded, f"{path}: the Nastaliq font face is not loaded"
        browsing.screenshot(site.name(path))
        browsing.assert_clean(path)
    assert STYLESHEET in browsing.watcher.fetched
    # The icon the pages link to exists (Chromium's own fetch of it is not waited for).
    for icon in set(page.locator('link[rel~="icon"]').evaluate_all("ls => ls.map(l => l.href)")):
        assert page.request.get(icon).status == 200, f"the icon {icon} is missing"
    assert not layout, "layout problems:\n" + "\n".join(
        f"  {problem} ({len(paths)} page(s), e.g. {paths[0]})" for problem, paths in layout.items()
    )
    if language == "ur":
        assert URDU_FONT in browsing.watcher.fetched, "the Urdu font file was never fetched"
    else:
        # English pages do not preload or need the Urdu font.
        assert URDU_FONT not in browsing.watcher.fetched


# --- Charts and the map ----------------------------------------------------------------------------------------


def _box(locator: Any) -> dict[str, float]:
    box = locator.bounding_box()
    assert box is not None, "not rendered"
    return box


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        outer["x"] <= inner["x"] <= outer["x"] + outer["width"]
        and outer["y"] <= inner["y"] <= outer["y"] + outer["height"]
    )


def check_target_chart(browsing: Browsing, path: str, figures: int) -> None:
    """The target's SVG chart: the planned curve, one mark per figure inside the plot, axes, and its data table."""
    page = browsing.page
    browsing.visit(path)
    svg = page.get_by_test_id("target-chart-svg")
    box = _box(svg)
    assert box["width"] > 300 and box["height"] > 150, f"{path}: chart is {box}"
    planned = svg.locator("path.line.planned")
    assert planned.count() == 1, path
    assert len(planned.get_attribute("d") or "") > 10, f"{path}: the planned curve has no geometry"
    assert _box(planned)["width"] > 50, f"{path}: the planned curve is not drawn across the chart"
    assert svg.locator(".pt.planned").count() >= 2, path
    points = svg.locator(".pt.measured, .pt.illustrative")
    assert points.count() == figures, f"{path}: {points.count()} marks for {figures} figures"
    for i in range(figures):
        assert _inside(_box(points.nth(i)), box), f"{path}: figure {i} is drawn outside the chart"
    assert svg.locator(".y-axis text").count() >= 2 and svg.locator(".x-axis text").count() >= 2, path
    table = page.get_by_test_id("target-chart-table")
    assert table.is_visible(), f"{path}: the chart's data table is hidden"
    assert table.locator("tbody tr").count() >= figures + 2, path


def check_milestone_charts(browsing: Browsing, language: str, milestones: int, naif: int) -> None:
    """The timeline of /milestones/ (one row per milestone) and the trend chart of one milestone."""
    page = browsing.page
    path = in_language("/milestones/", language)
    browsing.visit(path)
    timeline = page.get_by_test_id("milestone-timeline").locator("svg")
    assert _box(timeline)["width"] > 300, path
    assert timeline.locator("a.tl-row").count() == milestones, path
    assert timeline.locator("rect.tl-bar").count() == milestones, path
    assert page.get_by_test_id("milestone-row").count() == milestones, path

    path = in_language(f"/milestones/{naif}/", language)
    browsing.visit(path)
    trend = page.get_by_test_id("trend-chart-svg")
    assert _box(trend)["width"] > 300, path
    assert trend.locator("circle.pt").count() >= 1, path
    assert page.get_by_test_id("trend-chart-table").locator("tbody tr").count() >= 1, path


def check_hub_map(browsing: Browsing, language: str, hubs: list[str]) -> None:
    """The outline of Pakistan, one marker per hub inside it, and a marker that links to its hub."""
    page = browsing.page
    path = in_language("/hubs/", language)
    browsing.visit(path)
    svg = page.get_by_test_id("hub-map-svg")
    box = _box(svg)
    assert box["width"] > 200 and box["height"] > 200, f"{path}: map is {box}"
    outline = svg.locator("path.country")
    assert outline.count() == 1, path
    assert len(outline.get_attribute("d") or "") > 500, f"{path}: the outline of Pakistan is missing"
    outline_box = _box(outline)
    assert outline_box["width"] > box["width"] / 3, f"{path}: the outline is drawn too small"
    markers = page.get_by_test_id("hub-marker")
    assert sorted(markers.evaluate_all("ms => ms.map(m => m.dataset.hub)")) == sorted(hubs), path
    for i in range(markers.count()):
        shape = _box(markers.nth(i).locator("rect, circle, path").first)
        assert _inside(shape, outline_box), f"{path}: marker {i} is outside Pakistan"
    assert page.get_by_test_id("hub-list").locator("li").count() == len(hubs), path

    page.locator('[data-testid="hub-marker"][data-hub="lahore"]').click()
    page.wait_for_url(f"**{in_language('/hubs/lahore/', language)}")
    browsing.settle()
    assert page.get_by_test_id("hub-map-svg").locator("path.country").count() == 1
    browsing.assert_clean(f"{path}: click on a marker")


def test_charts_and_the_map_are_drawn(browsing: Browsing, site: Site) -> None:
    from pillars.models import Milestone, Target

    with django_orm():
        target = (
            Target.objects.annotate(
                n=Count("measurements"), reported=Count("measurements", filter=Q(measurements__illustrative=False))
            )
            .order_by("-n", "code")
            .first()
        )
        naif = Milestone.objects.get(code="naif-set-up").pk
    assert target is not None and target.n >= 2, "the bundled data has a target with several figures"
    for language in LANGUAGES:
        # Every figure on the illustrative basis; the reported ones only (made-up ones are not drawn) by default.
        check_target_chart(browsing, in_language(f"/targets/{target.pk}/?basis=illustrative", language), target.n)
        check_target_chart(browsing, in_language(f"/targets/{target.pk}/", language), target.reported)
        check_milestone_charts(browsing, language, len(site.milestones), naif)
        check_hub_map(browsing, language, site.hubs)


# --- Filters, search and the language switch ----------------------------------------------------------------


def _apply_filters(browsing: Browsing) -> None:
    page = browsing.page
    with page.expect_navigation():
        page.get_by_test_id("filters").locator('button[type="submit"]').click()
    browsing.settle()


def _statuses(page: Any, testid: str) -> list[str]:
    return page.get_by_test_id(testid).evaluate_all("rs => rs.map(r => r.dataset.status)")


def check_milestone_status_filter(browsing: Browsing, language: str) -> None:
    page = browsing.page
    path = in_language("/milestones/", language)
    browsing.visit(path)
    statuses = _statuses(page, "milestone-row")
    assert "overdue" in statuses and len(set(statuses)) > 1, statuses

    page.get_by_test_id("filters").locator('input[name="status"][value="overdue"]').check()
    _apply_filters(browsing)

    assert urlsplit(page.url).path == path
    assert parse_qs(urlsplit(page.url).query).get("status") == ["overdue"], page.url
    assert _statuses(page, "milestone-row") == ["overdue"] * statuses.count("overdue")
    # The form shows the choice it applied.
    assert page.get_by_test_id("filters").locator('input[name="status"][value="overdue"]').is_checked()
    browsing.assert_clean(f"{path}: status filter")


def check_target_filters(browsing: Browsing, language: str, targets: int) -> None:
    page = browsing.page
    # On the illustrative basis, where the demonstration gives targets behind schedule; the filters keep the basis.
    path = in_language("/targets/", language) + "?basis=illustrative"
    browsing.visit(path)
    statuses = _statuses(page, "target-row")
    assert len(statuses) == targets

    filters = page.get_by_test_id("filters")
    filters.locator('input[name="status"][value="off_track"]').check()
    filters.locator('input[name="status"][value="at_risk"]').check()
    filters.locator('select[name="ordering"]').select_option("-slip_days")
    _apply_filters(browsing)

    query = parse_qs(urlsplit(page.url).query)
    assert sorted(query["status"]) == ["at_risk", "off_track"] and query["ordering"] == ["-slip_days"], page.url
    assert query["basis"] == ["illustrative"], page.url
    after = _statuses(page, "target-row")
    assert sorted(after) == sorted(s for s in statuses if s in {"off_track", "at_risk"})
    assert 0 < len(after) < len(statuses)

    # "Clear" goes back to every target.
    with page.expect_navigation():
        filters.locator(".filter-actions a").click()
    browsing.settle()
    assert path_of(page) == path
    assert len(_statuses(page, "target-row")) == targets
    browsing.assert_clean(f"{path}: filters")


def check_incentive_hub_filter(browsing: Browsing, language: str, hub: str, expected: set[str], total: int) -> None:
    page = browsing.page
    path = in_language("/incentives/", language)
    browsing.visit(path)
    cards = page.get_by_test_id("incentive-card")
    assert cards.count() == total

    page.get_by_test_id("filters").locator(f'input[name="hub"][value="{hub}"]').check()
    _apply_filters(browsing)

    assert parse_qs(urlsplit(page.url).query).get("hub") == [hub], page.url
    assert set(cards.evaluate_all("cs => cs.map(c => c.id)")) == expected
    browsing.assert_clean(f"{path}: hub filter")


def test_filters_narrow_the_lists(browsing: Browsing, site: Site) -> None:
    from hubs.models import Hub
    from incentives.filtersets import applies_in
    from incentives.models import Incentive

    # A city filter gives the incentives placed there and the nationwide ones; in Multan, all but the regional
    # compute access (placed at the seven Centre of Excellence cities).
    with django_orm():
        multan = Hub.objects.get(slug="multan")
        in_multan = set(Incentive.objects.filter(applies_in(hubs=[multan])).values_list("slug", flat=True))
    assert 0 < len(in_multan) < len(site.incentives)
    for language in LANGUAGES:
        check_milestone_status_filter(browsing, language)
        check_target_filters(browsing, language, len(site.targets))
        check_incentive_hub_filter(browsing, language, "multan", in_multan, len(site.incentives))


def test_search_box_and_language_switch(browsing: Browsing, site: Site) -> None:
    page = browsing.page
    for language in LANGUAGES:
        browsing.visit(in_language("/", language))
        page.locator("#site-search-q").fill("National AI Fund")
        with page.expect_navigation():
            page.locator("#site-search-q").press("Enter")
        browsing.settle()
        assert urlsplit(page.url).path == in_language("/search/", language)
        assert parse_qs(urlsplit(page.url).query) == {"q": ["National AI Fund"]}
        # The milestone's title in the page's language (the Urdu one keeps the abbreviation).
        results = page.get_by_test_id("results-milestones").get_by_role("link", name=re.compile(r"\(NAIF\)"))
        assert results.count() >= 1, f"{language}: the search does not find the NAIF milestone"
        browsing.assert_clean(f"{language}: search")

    # From an English page to the same page in Urdu, and back.
    target = site.targets[0]
    browsing.visit(f"/targets/{target}/")
    english_title = page.locator("h1").inner_text()
    with page.expect_navigation():
        page.get_by_test_id("lang-ur").click()
    browsing.settle()
    assert path_of(page) == f"/ur/targets/{target}/"
    assert page.locator("html").get_attribute("lang") == "ur"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.get_by_test_id("lang-ur").get_attribute("aria-current") == "true"
    # The same target: its title in Urdu where the portal has translated it, else the English one; the page
    # around it is in Urdu.
    from pillars.models import Target

    with django_orm():
        titles = Target.objects.values("title_en", "title_ur").get(pk=target)
    assert english_title == titles["title_en"]
    assert page.locator("h1").inner_text() == (titles["title_ur"] or titles["title_en"])
    assert page.locator("#main-nav a").first.inner_text() != "Dashboard"
    with page.expect_navigation():
        page.get_by_test_id("lang-en").click()
    browsing.settle()
    assert path_of(page) == f"/targets/{target}/"
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert page.locator("#main-nav a").first.inner_text() == "Dashboard"

    # A filtered list keeps its filters in the other language.
    browsing.visit("/milestones/?status=overdue")
    with page.expect_navigation():
        page.get_by_test_id("lang-ur").click()
    browsing.settle()
    assert path_of(page) == "/ur/milestones/?status=overdue"
    assert set(_statuses(page, "milestone-row")) == {"overdue"}
    browsing.assert_clean("language switch")
