"""The pillar ranking on a phone: at 390 CSS pixels, in English and in Urdu (right to left), nothing scrolls sideways.

A reader with only a phone answers "which pillar is furthest behind?" from the
pages alone: the dashboard names it and links the ranking; the ranking's table
shows every column inside the window (no scrolling box either), sorts by a
column when its header is followed, and axe finds no serious violation.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import LANGUAGES, Browsing, Site, in_language
from tests.browser.test_accessibility import WIDEST, axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}

# How far anything sticks out of the window, and whether any box (the table's included) scrolls sideways.
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth,
  boxes: [...document.querySelectorAll('main *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => e.tagName.toLowerCase() + '.' + e.className),
  table: (() => { const t = document.querySelector('[data-testid=ranking-table]');
      if (!t) return null; const b = t.getBoundingClientRect(); return [Math.round(b.left), Math.round(b.right)]; })(),
})"""


def _fits(browsing: Browsing, path: str) -> list[str]:
    found = browsing.page.evaluate(OVERFLOW)
    problems = []
    if found["page"] > PHONE["width"] + 1:
        problems.append(f"{path}: {found['page']}px wide; widest: {browsing.page.evaluate(WIDEST)}")
    if found["boxes"]:
        problems.append(f"{path}: boxes that scroll sideways: {found['boxes']}")
    if found["table"] is not None:
        left, right = found["table"]
        if left < 0 or right > PHONE["width"]:
            problems.append(f"{path}: the ranking table spans {left}..{right}px of a {PHONE['width']}px window")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_phone_reader_finds_the_pillar_furthest_behind(browsing: Browsing, site: Site, language: str) -> None:
    page = browsing.page
    page.set_viewport_size(PHONE)
    problems: list[str] = []

    # The dashboard names it, and links the ranking.
    home = in_language("/", language)
    browsing.visit(home)
    problems += _fits(browsing, home)
    named = page.locator('[data-testid="behind"] [data-testid="behind-pillar"]')
    assert named.count() >= 1, "the dashboard names no pillar furthest behind"
    slug = named.first.get_attribute("data-slug")
    assert named.first.is_visible()
    page.locator('[data-testid="ranking-link"]').click()
    page.wait_for_load_state("load")
    assert page.url.endswith(in_language("/pillars/", language)), page.url
    browsing.settle()
    browsing.assert_clean(home + " -> ranking")

    # The ranking says the same, its first row is that pillar, and every column is inside the window.
    ranking = in_language("/pillars/", language)
    problems += _fits(browsing, ranking)
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ur" else "ltr")
    first = page.locator('[data-testid="ranking-row"]').first
    assert first.get_attribute("data-position") == "1"
    assert first.get_attribute("data-slug") == slug
    assert page.locator('[data-testid="ranking-rule"]').is_visible()
    for cell in ("rank", "on-schedule", "median-slip", "coverage"):
        box = first.locator(f'[data-testid="{cell}"]').bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (ranking, cell, box)
    browsing.screenshot(f"{ranking}?width=390")

    # Sorting by a column is a link: the header then carries aria-sort, and the order follows the column.
    page.locator('th[data-column="coverage"] a').click()
    page.wait_for_load_state("load")
    browsing.settle()
    assert "sort=coverage" in page.url
    assert page.locator('th[data-column="coverage"]').get_attribute("aria-sort") == "ascending"
    assert page.locator('th[data-column="rank"]').get_attribute("aria-sort") is None
    problems += _fits(browsing, ranking + "?sort=coverage")
    browsing.assert_clean(ranking + "?sort=coverage")

    # Illustrative basis: labelled, and it still fits.
    illustrative = ranking + "?basis=illustrative"
    browsing.visit(illustrative)
    problems += _fits(browsing, illustrative)
    assert page.locator('[data-testid="basis-banner"]').is_visible()
    violations = serious_violations(browsing, axe(), ranking)
    browsing.visit(ranking)
    violations += serious_violations(browsing, axe(), ranking)
    assert not problems, "\n".join(problems)
    assert not violations, "\n".join(violations)
