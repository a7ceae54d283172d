"""'Which incentives can a startup in Lahore apply for?' on a phone: 390 CSS pixels, in English and in Urdu.

From the pages alone: the directory links "Can I apply?"; the reader picks an
organisation type and a city and the same page answers: the incentives that
list startups and apply in Lahore, the nationwide ones labelled, each with how
to apply and its dates and derived status ("not published" where no source
gives them). Nothing scrolls sideways, and axe finds no serious violation.
"""

from __future__ import annotations

import pytest

from tests.browser.conftest import LANGUAGES, Browsing, Site, in_language
from tests.browser.test_accessibility import WIDEST, axe, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}

# How far the page sticks out of the window, which boxes scroll sideways, and cards reaching past the window.
OVERFLOW = """() => ({
  page: document.documentElement.scrollWidth,
  boxes: [...document.querySelectorAll('main *')]
    .filter(e => e.scrollWidth > e.clientWidth + 1 && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX))
    .map(e => e.tagName.toLowerCase() + '.' + e.className),
  outside: [...document.querySelectorAll('main .card, main form, main select, main button')]
    .map(e => [e.tagName.toLowerCase() + '.' + e.className, e.getBoundingClientRect()])
    .filter(([, b]) => b.left < -1 || b.right > window.innerWidth + 1)
    .map(([name, b]) => `${name} ${Math.round(b.left)}..${Math.round(b.right)}`),
})"""

# Startups, in Lahore, in the bundled data: four nationwide schemes and the compute access placed in Lahore.
NATIONWIDE_FOR_STARTUPS = {"ai-venture-fund", "naif-grants", "pc1-startup-grants", "startup-fiscal-support"}


def _fits(browsing: Browsing, path: str) -> list[str]:
    found = browsing.page.evaluate(OVERFLOW)
    problems = []
    if found["page"] > PHONE["width"] + 1:
        problems.append(f"{path}: {found['page']}px wide; widest: {browsing.page.evaluate(WIDEST)}")
    if found["boxes"]:
        problems.append(f"{path}: boxes that scroll sideways: {found['boxes']}")
    if found["outside"]:
        problems.append(f"{path}: outside the window: {found['outside']}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_phone_reader_finds_what_a_startup_in_lahore_can_apply_for(
    browsing: Browsing, site: Site, language: str
) -> None:
    page = browsing.page
    page.set_viewport_size(PHONE)
    problems: list[str] = []

    directory = in_language("/incentives/", language)
    browsing.visit(directory)
    problems += _fits(browsing, directory)
    page.locator('[data-testid="finder-link"]').click()
    page.wait_for_load_state("load")
    finder = in_language("/incentives/can-i-apply/", language)
    assert page.url.endswith(finder), page.url
    assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ur" else "ltr")
    problems += _fits(browsing, finder)

    # Two questions, answered on the same page.
    page.select_option("#id_who", "startup")
    page.select_option("#id_hub", "lahore")
    page.locator('[data-testid="finder-submit"]').click()
    page.wait_for_load_state("load")
    browsing.settle()
    browsing.assert_clean(finder + " (answered)")
    assert "who=startup" in page.url and "hub=lahore" in page.url
    answered = finder + "?who=startup&hub=lahore"
    problems += _fits(browsing, answered)

    listed = page.locator('[data-testid="answer-listed"] [data-testid="finder-card"]')
    slugs = {listed.nth(n).get_attribute("data-slug") for n in range(listed.count())}
    assert slugs == NATIONWIDE_FOR_STARTUPS | {"compute-data-access"}, slugs
    for n in range(listed.count()):
        card = listed.nth(n)
        slug = card.get_attribute("data-slug")
        assert card.is_visible()
        # Nationwide ones are labelled so; every card says how to apply, the dates and whether it is open.
        assert card.locator('[data-testid="nationwide"]').count() == (1 if slug in NATIONWIDE_FOR_STARTUPS else 0)
        for fact in ("how", "dates", "application"):
            box = card.locator(f'[data-testid="{fact}"]').bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (slug, fact, box)
        assert card.locator('[data-testid="application"] [data-application]').get_attribute("data-application") == (
            "unknown"
        )
    assert page.locator('[data-testid="answer-unpublished"] [data-testid="finder-card"]').count() >= 1
    assert page.locator('[data-testid="answer-rule"]').is_visible()
    browsing.screenshot(f"{answered}&width=390")

    # The same answer in the directory: its filters keep the nationwide incentives, and say so.
    page.locator('[data-testid="answer-directory-link"]').click()
    page.wait_for_load_state("load")
    browsing.settle()
    assert page.locator('[data-testid="nationwide-note"]').is_visible()
    assert page.locator('[data-testid="incentive-card"]').count() == len(slugs)
    problems += _fits(browsing, directory + "?who=startup&hub=lahore")

    violations = serious_violations(browsing, axe(), directory + "?who=startup&hub=lahore")
    browsing.visit(answered)
    violations += serious_violations(browsing, axe(), answered)
    assert not problems, "\n".join(problems)
    assert not violations, "\n".join(violations)
