"""The Content-Security-Policy in a real browser: public pages, the admin, Swagger UI, ReDoc and the browsable API.

Every page is loaded by Chromium under the policy the live server sends (the test settings serve the same one as
production, base.py) and must come with the header, render what it is for, and trip no `securitypolicyviolation`
event and no console error (a refused script, style, image or worker shows as both).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Browsing, Site, django_orm

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Starts from the migrated database (the Editors group comes from a migration).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's
# Every violation the page's policy reports, kept on the window from before the page's first script runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


def assert_no_violation(browsing: Browsing, where: str) -> None:
    """The page reported no violation of its policy, and nothing else went wrong on it."""
    violations = browsing.page.evaluate("window.__cspViolations")
    assert not violations, f"{where}:\n  " + "\n  ".join(violations)
    browsing.assert_clean(where)


def assert_policy(response: Any, where: str) -> None:
    """The response carries the strict policy."""
    assert response is not None, where
    policy = response.headers.get("content-security-policy", "")
    assert "default-src 'self'" in policy, f"{where}: no Content-Security-Policy header ({policy!r})"
    assert "script-src 'self'" in policy, f"{where}: {policy}"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, f"{where}: {policy}"


def visit(browsing: Browsing, path: str, ready: str) -> None:
    """Load `path`, wait until `ready` (a selector) shows, and check the policy and the page."""
    response = browsing.page.goto(browsing.url(path), wait_until="load")
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    browsing.page.locator(ready).first.wait_for(state="visible")
    browsing.page.wait_for_load_state("networkidle")
    assert_policy(response, path)
    assert_no_violation(browsing, path)


def test_pages_admin_and_api_docs_work_under_the_policy(browsing: Browsing, site: Site) -> None:
    from tests.factories import EditorFactory

    with django_orm():
        editor = EditorFactory(username="csp-editor")
    page = browsing.page
    page.add_init_script(RECORD_VIOLATIONS)
    milestone = site.milestones[0]

    # Public pages: the dashboard, a target with its chart, the hubs with their map, in both languages.
    for path in ["/", f"/targets/{site.targets[0]}/", "/hubs/", "/ur/", "/ur/hubs/"]:
        visit(browsing, path, "main h1")

    # Swagger UI: the operations are listed, and one runs from the page (its request is the portal's own).
    visit(browsing, "/api/docs/", ".opblock")
    page.locator(".opblock-summary").first.click()
    page.locator("button.try-out__btn").first.click()
    page.locator("button.execute").first.click()
    page.locator(".live-responses-table tr.response .response-col_status").first.wait_for(state="visible")
    assert (
        page.locator(".live-responses-table tr.response .response-col_status")
        .first.inner_text()
        .strip()
        .startswith("200")
    )
    assert_no_violation(browsing, "Swagger UI's try-out")

    # ReDoc: the reference is rendered with its styles, and its search (a worker) finds the milestones.
    visit(browsing, "/api/redoc/", "[data-section-id^='tag/']")
    # Styled: ReDoc's own rules apply (its <style> elements were allowed by the nonce).
    assert page.locator(".menu-content").first.evaluate("e => getComputedStyle(e).position") != "static"
    page.locator("input[placeholder='Search...']").fill("milestone")
    page.locator("[data-role='search:results'] li, [role='search'] li").first.wait_for(state="visible")
    assert_no_violation(browsing, "ReDoc's search")

    # The browsable API, and again: revalidated with its ETag, the page keeps its body and takes the new header.
    visit(browsing, "/api/v1/targets/", ".response-info")
    page.reload(wait_until="load")
    page.locator(".response-info").first.wait_for(state="visible")
    assert_no_violation(browsing, "/api/v1/targets/, reloaded")

    # The admin, signed in as an editor: the index, a list, a change form with its calendar, the history.
    visit(browsing, "/admin/login/?next=/admin/", "#id_username")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation() as navigation:
        page.locator('input[type="submit"]').click()
    page.wait_for_load_state("networkidle")
    assert_policy(navigation.value, "/admin/ after sign-in")
    assert_no_violation(browsing, "/admin/ after sign-in")
    assert page.locator("#editors-tools").is_visible()
    for path, ready in [
        ("/admin/pillars/milestone/", "#result_list"),
        (f"/admin/pillars/milestone/{milestone}/change/", "#id_forecast_due_date"),
    ]:
        visit(browsing, path, ready)
    page.locator(".datetimeshortcuts a[id^='calendarlink']").first.click()
    page.locator(".calendarbox").first.wait_for(state="visible")
    assert_no_violation(browsing, "the change form's calendar")
    for path, ready in [
        (f"/admin/pillars/milestone/{milestone}/history/", "#content"),
        ("/admin/recent-changes/", "#content"),
        ("/admin/pillars/measurement/import/", "#content"),
    ]:
        visit(browsing, path, ready)
