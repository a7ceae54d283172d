"""An editor's change, end to end in the real browser: from /admin/ to the public milestone page.

The editor signs in, opens the National AI Fund milestone, records a later
forecast date with a reason and an evidence address, and saves. The save
commits, the recompute runs (eagerly, in the live server's thread) and the
public page then shows the new forecast and slip, the reason and the evidence,
in English and in Urdu. Every admin and public page is watched like the others:
no console error, no failed request.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone, translation

from tests.browser.conftest import Browsing, Site, django_orm, in_language

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    # Starts from the migrated database (the Editors group comes from a migration).
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "a-long-test-password"  # tests.factories.UserFactory's
REASON = "The ministry told the Senate committee that the fund's board is still being appointed."
EVIDENCE_URL = "https://news.example.org/2026/naif-board-delayed"


def test_editor_moves_a_forecast_and_the_public_page_shows_the_slip(browsing: Browsing, site: Site) -> None:
    from core.templatetags.portal import day, late
    from indicators.models import MilestoneSnapshot
    from pillars.models import Milestone
    from tests.factories import EditorFactory, reported

    with django_orm():
        editor = EditorFactory(username="editor")
        milestone = Milestone.objects.get(code="naif-set-up")
    assert milestone.forecast_due_date is None and milestone.completed_on is None
    today = timezone.localdate()
    # Later than the baseline due date and than today: the expected date is then the forecast itself.
    forecast = max(today, milestone.baseline_due_date) + dt.timedelta(days=120)
    slip = (forecast - milestone.baseline_due_date).days
    with translation.override("en"):
        forecast_text, slip_text = day(forecast), late(slip)
    public = f"/milestones/{milestone.pk}/"
    page = browsing.page

    # Before: no forecast, another slip, no such evidence.
    browsing.visit(public)
    assert slip_text not in page.get_by_test_id("explanation").inner_text()
    assert page.locator(f'a[href="{EVIDENCE_URL}"]').count() == 0

    # The editor signs in.
    browsing.visit("/admin/login/?next=/admin/")
    page.locator("#id_username").fill(editor.username)
    page.locator("#id_password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator('input[type="submit"]').click()
    browsing.settle()
    assert urlsplit(page.url).path == "/admin/", "the sign-in did not succeed"
    browsing.assert_clean("/admin/ after sign-in")

    # Finds the milestone in the list and opens it.
    browsing.visit("/admin/pillars/milestone/")
    page.locator("#searchbar").fill("National AI Fund")
    with page.expect_navigation():
        page.locator("#searchbar").press("Enter")
    browsing.settle()
    with page.expect_navigation():
        page.locator("#result_list").get_by_role("link", name="naif-set-up", exact=True).click()
    browsing.settle()
    assert urlsplit(page.url).path == f"/admin/pillars/milestone/{milestone.pk}/change/"
    browsing.assert_clean("milestone change form")

    # Records the later forecast with its reason and evidence, and saves.
    page.locator("#id_forecast_due_date").fill(forecast.isoformat())
    page.locator("#id_reason").fill(REASON)
    page.locator("#id_evidence_url").fill(EVIDENCE_URL)
    with page.expect_navigation():
        page.locator('input[name="_save"]').click()
    browsing.settle()
    errors = page.locator(".errornote, .errorlist").all_inner_texts()
    assert not errors, f"the admin refused the change: {errors}"
    assert urlsplit(page.url).path == "/admin/pillars/milestone/"
    assert page.locator(".messagelist .success").count() == 1
    browsing.assert_clean("milestone saved")

    # Saved by the editor, and recomputed once the save committed.
    with django_orm():
        milestone.refresh_from_db()
        snapshot = reported(MilestoneSnapshot).get(milestone=milestone, as_of=today)
    assert milestone.forecast_due_date == forecast
    assert (snapshot.forecast_due_date, snapshot.expected_date, snapshot.slip_days) == (forecast, forecast, slip)

    # The public page shows the new forecast, the slip, the reason and the evidence.
    browsing.visit(public)
    facts = page.locator(".facts").first.inner_text()
    assert forecast_text in facts, f"the editors' forecast {forecast_text} is not shown: {facts}"
    explanation = page.get_by_test_id("explanation").inner_text()
    assert slip_text in explanation, f"the slip ({slip_text}) is not explained: {explanation}"
    evidence = page.get_by_test_id("evidence")
    assert REASON in evidence.inner_text()
    link = evidence.locator(f'a[href="{EVIDENCE_URL}"]')
    assert link.count() == 1 and link.is_visible()
    trend_rows = page.get_by_test_id("trend-chart-table").locator("tbody tr")
    assert forecast_text in trend_rows.last.inner_text(), "today's report in the trend table lacks the forecast"
    browsing.screenshot("/milestones/naif-set-up-after-edit/")
    browsing.assert_clean(public)

    # And so does the Urdu page.
    browsing.visit(in_language(public, "ur"))
    assert page.get_by_test_id("evidence").locator(f'a[href="{EVIDENCE_URL}"]').count() == 1
    assert REASON in page.get_by_test_id("evidence").inner_text()
    with translation.override("ur"):
        urdu_forecast = day(forecast)
    assert urdu_forecast in page.locator(".facts").first.inner_text()
    browsing.screenshot("/ur/milestones/naif-set-up-after-edit/")
    browsing.assert_clean(in_language(public, "ur"))
