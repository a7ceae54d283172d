"""WCAG 2.1 AA in a real browser: axe-core on every page in both languages, the keyboard, landmarks, skip link.

axe-core comes bundled inside axe-playwright-python (`axe.min.js` in the
package) and is injected from there: nothing is fetched from a CDN. A serious
or critical violation on any page fails the test, which lists every one with
its rule, its help text and the elements it found.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import LANGUAGES, Browsing, Site, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow]
# Every test with pages starts from the migrated database, loads the bundled data and flushes it after.
with_data = pytest.mark.django_db(transaction=True, serialized_rollback=True)

# The rules of WCAG 2.0 and 2.1, levels A and AA, plus axe's best practices (landmarks, headings, regions).
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
    "resultTypes": ["violations"],
}
FAILING_IMPACTS = {"serious", "critical"}
# Enough Tab presses to get from the top of any page through the header.
MAX_TABS = 40


def axe() -> Any:
    from axe_playwright_python.sync_playwright import Axe

    return Axe()


def test_axe_is_the_bundled_copy() -> None:
    """The script injected is the package's own file, not a download."""
    from axe_playwright_python import base

    script = Path(base.AXE_FILE_PATH)
    assert script.is_file() and script.parent == Path(base.__file__).parent
    assert base.AXE_SCRIPT.startswith("/*! axe v4.")
    assert axe().axe_script == base.AXE_SCRIPT


def serious_violations(browsing: Browsing, checker: Any, path: str) -> list[str]:
    results = checker.run(browsing.page, options=AXE_OPTIONS)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        shown = "; ".join(targets[:5]) + (f"; … ({len(targets)} in all)" if len(targets) > 5 else "")
        found.append(f"{path}: [{violation['impact']}] {violation['id']}: {violation['help']}: {shown}")
    return found


@with_data
@pytest.mark.parametrize("language", LANGUAGES)
def test_axe_finds_no_serious_or_critical_violation_on_any_page(browsing: Browsing, site: Site, language: str) -> None:
    checker = axe()
    problems: list[str] = []
    for path in (in_language(p, language) for p in site.pages()):
        browsing.visit(path)
        problems += serious_violations(browsing, checker, path)
    browsing.assert_clean("axe run")
    assert not problems, f"{len(problems)} serious or critical violations:\n" + "\n".join(problems)


# --- Landmarks, skip link, keyboard ------------------------------------------------------------------------


# The accessible name of each element: its aria-label, or the text of the elements aria-labelledby names.
NAME_OF_EACH = """es => es.map(e => e.getAttribute('aria-label') || (e.getAttribute('aria-labelledby') || '')
  .split(/\\s+/).filter(Boolean).map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim())"""
LANDMARK_PAGES = [
    "/",
    "/pillars/",
    "/targets/",
    "/milestones/",
    "/incentives/",
    "/hubs/",
    "/methodology/",
    "/search/?q=AI",
]


def check_landmarks(browsing: Browsing, path: str) -> None:
    """One main, a banner, a footer, a search, every navigation named, and the skip link pointing at main."""
    page = browsing.page
    browsing.visit(path)
    assert page.get_by_role("main").count() == 1, path
    assert page.locator("main#main").count() == 1, path
    assert page.get_by_role("banner").count() == 1, path
    assert page.get_by_role("contentinfo").count() == 1, path
    assert page.get_by_role("search").count() >= 1, path
    labels = page.get_by_role("navigation").evaluate_all(NAME_OF_EACH)
    assert len(labels) >= 2 and all(labels), f"{path}: every <nav> needs a name: {labels}"
    assert len(set(labels)) == len(labels), f"{path}: two <nav> share a name: {labels}"
    skip = page.locator("a.skip-link")
    assert skip.count() == 1 and skip.get_attribute("href") == "#main", path


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
          const e = document.activeElement;
          const style = getComputedStyle(e);
          const box = e.getBoundingClientRect();
          return {
            tag: e.tagName.toLowerCase(), id: e.id, cls: e.className && e.className.baseVal === undefined
              ? e.className : '', href: e.getAttribute('href'), text: (e.innerText || '').trim(),
            testid: e.dataset ? e.dataset.testid || '' : '',
            nav: (e.closest('nav') || {}).id || '',
            outline: style.outlineStyle, shadow: style.boxShadow,
            visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight,
          };
        }"""
    )


def check_skip_link(browsing: Browsing, path: str) -> None:
    """The first Tab stop is the visible skip link; Enter on it moves the focus to <main>."""
    page = browsing.page
    browsing.visit(path)
    page.keyboard.press("Tab")
    first = _focused(page)
    assert "skip-link" in first["cls"] and first["href"] == "#main", f"{path}: first Tab stop is {first}"
    assert first["visible"], f"{path}: the skip link stays off screen when focused"
    assert first["outline"] != "none" or first["shadow"] != "none", f"{path}: no focus indicator"
    page.keyboard.press("Enter")
    # Following an in-page link is a same-document navigation that lands after the key press returns: wait
    # for it (up to 5 s) rather than reading the address at once.
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    moved = "location.hash === '#main' && document.activeElement && document.activeElement.id === 'main'"
    with contextlib.suppress(PlaywrightTimeoutError):  # the assertions below then say what is wrong
        page.wait_for_function(moved, timeout=5000)
    assert page.evaluate("location.hash") == "#main", f"{path}: Enter on the skip link did not go to #main"
    assert page.evaluate("document.activeElement.id") == "main", f"{path}: focus did not move to <main>"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate("document.getElementById('main').contains(document.activeElement)")
    assert inside, f"{path}: Tab after the skip link left <main>: {_focused(page)}"
    browsing.assert_clean(f"{path}: skip link")


def check_tab_order(browsing: Browsing, language: str) -> None:
    """Tab from the top reaches the language switch and every navigation link, in order, each visibly focused."""
    page = browsing.page
    browsing.visit(in_language("/targets/", language))
    nav_links = page.locator("#main-nav a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    language_links = page.locator("#language-switch a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert len(nav_links) == 8 and len(language_links) == 2

    wanted = {("language-switch", href) for href in language_links} | {("main-nav", href) for href in nav_links}
    reached: list[tuple[str, str | None]] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        focused = _focused(page)
        assert focused["tag"] != "body", "focus fell off the page"
        assert focused["visible"], f"a focused element is not visible: {focused}"
        assert focused["outline"] != "none" or focused["shadow"] != "none", f"no focus indicator: {focused}"
        reached.append((focused["nav"], focused["href"]))
        if wanted <= set(reached):
            break
    missing = wanted - set(reached)
    assert not missing, f"not reachable with Tab from the top: {missing} (reached {reached})"
    # In the order of the markup: the language switch, then the main navigation, each in its own order.
    order = [stop for stop in reached if stop in wanted]
    assert order == [("language-switch", href) for href in language_links] + [("main-nav", href) for href in nav_links]

    # Enter on a focused navigation link follows it.
    milestones = in_language("/milestones/", language)
    page.locator(f'#main-nav a[href="{milestones}"]').focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == milestones
    browsing.assert_clean(f"{language}: keyboard navigation")


def check_keyboard_filters(browsing: Browsing, language: str) -> None:
    """The milestone filters with the keyboard alone: Space ticks a status, Tab to the button, Enter applies."""
    page = browsing.page
    browsing.visit(in_language("/milestones/", language))
    checkbox = page.get_by_test_id("filters").locator('input[name="status"][value="overdue"]')
    checkbox.focus()
    page.keyboard.press("Space")
    assert checkbox.is_checked()
    # Tab on through the form to its submit button, then press Enter.
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type === 'submit' && !!document.activeElement.closest('.filters')"):
            break
    else:
        pytest.fail("the filters' submit button is not reachable with Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    browsing.settle()
    assert "status=overdue" in page.url
    statuses = page.get_by_test_id("milestone-row").evaluate_all("rs => rs.map(r => r.dataset.status)")
    assert statuses and set(statuses) == {"overdue"}
    browsing.assert_clean(f"{language}: keyboard filters")


@with_data
def test_landmarks_skip_link_and_keyboard(browsing: Browsing, site: Site) -> None:
    details = [
        f"/pillars/{site.pillars[0]}/",
        f"/targets/{site.targets[0]}/",
        f"/milestones/{site.milestones[0]}/",
        f"/incentives/{site.incentives[0]}/",
        f"/hubs/{site.hubs[0]}/",
    ]
    for language in LANGUAGES:
        for path in LANDMARK_PAGES + details:
            check_landmarks(browsing, in_language(path, language))
        for path in ["/", "/targets/", details[1]]:
            check_skip_link(browsing, in_language(path, language))
        check_tab_order(browsing, language)
        check_keyboard_filters(browsing, language)


# --- Reflow (WCAG 1.4.10) --------------------------------------------------------------------------------------


@with_data
def test_pages_reflow_in_a_320_pixel_window(browsing: Browsing, site: Site) -> None:
    """At 320 CSS pixels (a phone, or 1280 at 400% zoom) no page scrolls sideways; wide tables scroll in their box."""
    page = browsing.page
    page.set_viewport_size({"width": 320, "height": 640})
    problems = []
    details = [f"/targets/{site.targets[0]}/", f"/milestones/{site.milestones[0]}/", f"/hubs/{site.hubs[0]}/"]
    for language in LANGUAGES:
        for path in (in_language(p, language) for p in LANDMARK_PAGES + details):
            browsing.visit(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 321:
                widest = page.evaluate(WIDEST)
                problems.append(f"{path}: {width}px wide; widest: {widest}")
            browsing.screenshot(f"{site.name(path)}?width=320")
    assert not problems, "pages that scroll sideways at 320px:\n" + "\n".join(problems)


# The elements that stick out furthest past the window's edge (ignoring those inside scrolling boxes).
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => { for (let p = e.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return false; }
    return true; })
  .map(e => { const b = e.getBoundingClientRect();
    const name = e.tagName.toLowerCase() + (typeof e.className === 'string' && e.className
      ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
    return [Math.round(Math.max(b.right - innerWidth, -b.left)), name]; })
  .filter(([over]) => over > 1).sort((a, b) => b[0] - a[0]).slice(0, 3)"""


# --- Language of parts (WCAG 3.1.2) ---------------------------------------------------------------------------

# Text in Latin script (the data is in English) inside an Urdu page: each passage of four or more words
# must sit in an element marked lang="en" (else screen readers speak it with Urdu rules) and be laid out
# left to right (direction: ltr, or unicode-bidi: plaintext), else the browser moves its punctuation to
# the wrong end: "the Centres of Excellence." shows as ".the Centres of Excellence".
ENGLISH_PASSAGES = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim().replace(/\\s+/g, ' ');
    const parent = node.parentElement;
    if (!parent || parent.closest('svg, script, style') || !parent.getClientRects().length) continue;
    if (/[\\u0600-\\u06FF]/.test(text) || (text.match(/[A-Za-z]{2,}/g) || []).length < 4) continue;
    const lang = (parent.closest('[lang]') || document.documentElement).getAttribute('lang');
    const style = getComputedStyle(parent);
    const ltr = style.direction === 'ltr' || style.unicodeBidi === 'plaintext';
    if (lang !== 'en' || !ltr) {
      found.push({text: text.slice(0, 50), tag: parent.tagName.toLowerCase(), lang: lang, ltr: ltr});
    }
  }
  return found;
}"""


@with_data
def test_english_data_on_urdu_pages_is_marked_as_english(browsing: Browsing, site: Site) -> None:
    unmarked: dict[str, set[str]] = {}
    right_to_left: dict[str, set[str]] = {}
    for path in site.pages():
        path = in_language(path, "ur")
        browsing.visit(path)
        for passage in browsing.page.evaluate(ENGLISH_PASSAGES):
            where = f"<{passage['tag']}> {passage['text']!r}"
            if passage["lang"] != "en":
                unmarked.setdefault(where, set()).add(path)
            else:
                right_to_left.setdefault(where, set()).add(path)
    browsing.assert_clean("language of parts")

    def listing(found: dict[str, set[str]]) -> str:
        return "\n".join(f"  {where} on {len(paths)} page(s), e.g. {min(paths)}" for where, paths in found.items())

    assert not unmarked and not right_to_left, (
        f"{len(unmarked)} English passages without lang=en:\n{listing(unmarked)}\n"
        f"{len(right_to_left)} English passages with lang=en but laid out right to left:\n{listing(right_to_left)}"
    )
