"""The basis switch in a real browser: reported figures by default, the demonstration on request, always said.

In English and in Urdu: the switch is on every page, the reported basis is
the default and shows no banner; choosing the illustrative basis puts a banner
on the page (in the page's language) and a label beside the numbers, and keeps
the choice on every link followed; the banner's own link goes back. On a
phone the switch and the banner fit the screen.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.conftest import LANGUAGES, Browsing, Site, in_language

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ENGLISH_BANNER = "ILLUSTRATIVE: the numbers on this page include figures made up to demonstrate the portal."


def _basis(url: str) -> list[str]:
    return parse_qs(urlsplit(url).query).get("basis", [])


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_basis_switch_and_its_banner(browsing: Browsing, site: Site, language: str) -> None:
    page = browsing.page
    browsing.visit(in_language("/", language))
    switch = page.get_by_test_id("basis-switch")
    assert switch.is_visible()
    assert page.get_by_test_id("basis-reported").get_attribute("aria-current") == "true"
    assert page.get_by_test_id("basis-banner").count() == 0
    assert page.get_by_test_id("basis-mark").count() == 0  # no number rests on a made-up figure
    reported_share = page.get_by_test_id("headline").get_by_test_id("on-schedule-share").inner_text()

    with page.expect_navigation():
        page.get_by_test_id("basis-illustrative").click()
    browsing.settle()
    assert _basis(page.url) == ["illustrative"]
    banner = page.get_by_test_id("basis-banner")
    assert banner.is_visible()
    text = banner.inner_text()
    if language == "en":
        assert ENGLISH_BANNER in text
    else:
        assert ENGLISH_BANNER not in text and "ILLUSTRATIVE" not in text, "the banner is not translated"
    assert page.get_by_test_id("basis-illustrative").get_attribute("aria-current") == "true"
    # A label beside the numbers computed on this basis, and the demonstration's numbers differ.
    assert page.get_by_test_id("headline").get_by_test_id("basis-mark").count() >= 1
    shown_share = page.get_by_test_id("headline").get_by_test_id("on-schedule-share").inner_text()
    assert shown_share != reported_share
    browsing.assert_clean(f"{language}: the dashboard on the illustrative basis")

    # The choice follows the reader: the main navigation's target list keeps it, and says so.
    with page.expect_navigation():
        page.locator("#main-nav a[href*='/targets/']").first.click()
    browsing.settle()
    assert urlsplit(page.url).path == in_language("/targets/", language)
    assert _basis(page.url) == ["illustrative"]
    assert page.get_by_test_id("basis-banner").is_visible()
    # Every target with indicators (not the expert projections, which have none) carries the label.
    rows = page.locator('[data-testid="target-row"]:not([data-status=""])')
    marked_rows = rows.filter(has=page.get_by_test_id("basis-mark"))
    assert marked_rows.count() == rows.count() > 0

    # Back to the reported figures from the banner's own link.
    with page.expect_navigation():
        page.get_by_test_id("basis-banner").get_by_role("link").click()
    browsing.settle()
    assert _basis(page.url) == []
    assert urlsplit(page.url).path == in_language("/targets/", language)
    assert page.get_by_test_id("basis-banner").count() == 0
    assert page.get_by_test_id("basis-mark").count() == 0
    browsing.assert_clean(f"{language}: back on the reported basis")


def test_a_target_with_only_made_up_figures_on_each_basis(browsing: Browsing, site: Site) -> None:
    from pillars.models import Target
    from tests.browser.conftest import django_orm

    with django_orm():
        target = Target.objects.filter(measurements__illustrative=True).exclude(measurements__illustrative=False)
        pk = target.values_list("pk", flat=True).first()
    assert pk is not None, "the bundled data has no target with only illustrative figures"
    page = browsing.page
    browsing.visit(f"/targets/{pk}/")
    assert page.get_by_test_id("target-status").locator('[data-status="no_data"]').count() == 1
    assert page.get_by_test_id("target-chart-svg").locator(".pt.illustrative").count() == 0
    hidden = page.get_by_test_id("illustrative-hidden")
    assert hidden.is_visible()
    with page.expect_navigation():
        hidden.get_by_role("link").click()
    browsing.settle()
    assert _basis(page.url) == ["illustrative"]
    assert page.get_by_test_id("basis-banner").is_visible()
    assert page.get_by_test_id("target-status").locator('[data-status="no_data"]').count() == 0
    assert page.get_by_test_id("target-chart-svg").locator(".pt.illustrative").count() >= 1
    assert page.get_by_test_id("illustrative-table").is_visible()
    browsing.assert_clean("a target on both bases")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_switch_and_the_banner_fit_a_phone(browsing: Browsing, site: Site, language: str) -> None:
    page = browsing.page
    page.set_viewport_size({"width": 360, "height": 740})
    browsing.visit(in_language("/?basis=illustrative", language))
    for testid in ("basis-switch", "basis-banner"):
        box = page.get_by_test_id(testid).bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 361, f"{testid}: {box}"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 361, f"the page scrolls sideways on a phone: {width}px"
    browsing.screenshot(f"{language}-phone-illustrative-home")
    browsing.assert_clean(f"{language}: the dashboard on a phone")
