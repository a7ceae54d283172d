"""Editing in the admin: reasons and evidence, quick actions, locked baselines, figures out of line, audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from indicators import services as indicator_services
from pillars import services
from pillars.models import Measurement, Milestone, MilestoneEvidence, Target
from sources.models import Source
from tests.factories import (
    EditorFactory,
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneFactory,
    PillarFactory,
    TargetFactory,
    TrajectoryPointFactory,
)
from tests.pillars.test_admin import errors_of, form_data, url

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
EVIDENCE = "https://www.dawn.com/news/ai-fund-delayed"


@pytest.fixture(autouse=True)
def _today() -> Any:
    """Every rule that reads "today" reads this fixed date."""
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        yield


@pytest.fixture
def editor() -> User:
    return EditorFactory()


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


@pytest.fixture
def delay() -> Any:
    with mock.patch("indicators.tasks.recompute_items.delay") as delay:
        yield delay


def naif(**kwargs: Any) -> Milestone:
    """The National AI Fund: due 2026-01-31, published with the policy."""
    defaults = {
        "code": "naif-established",
        "title": "National AI Fund established",
        "announced_on": dt.date(2025, 7, 30),
        "baseline_due_date": dt.date(2026, 1, 31),
        "published_on": dt.date(2025, 7, 30),
    }
    return MilestoneFactory(**{**defaults, **kwargs})


def post_change(client: Client, milestone: Milestone, **changes: Any) -> Any:
    change_url = url(Milestone, "change", milestone.pk)
    data = form_data(client.get(change_url))
    data.update(changes)
    return client.post(change_url, data)


# --- Milestones: reason and evidence on the change form -------------------------------------------


def test_moving_the_forecast_later_without_a_reason_or_evidence_is_refused(editor_client: Client) -> None:
    milestone = naif()

    response = post_change(editor_client, milestone, forecast_due_date="2026-09-30")

    errors = errors_of(response)
    assert "Give a reason: the forecast moves later" in errors
    assert "Cite the evidence (a source address or an uploaded document): the forecast moves later" in errors
    milestone.refresh_from_db()
    assert milestone.forecast_due_date is None
    assert not MilestoneEvidence.objects.exists()


def test_the_change_form_has_stable_ids_for_the_reason_and_the_evidence(editor_client: Client) -> None:
    page = editor_client.get(url(Milestone, "change", naif().pk)).content.decode()

    for element_id in ('id="id_reason"', 'id="id_evidence_url"', 'id="id_evidence_document"'):
        assert element_id in page
    assert 'enctype="multipart/form-data"' in page


def test_a_later_forecast_with_a_cited_reason_is_saved_with_its_evidence_and_one_recompute(
    editor_client: Client, editor: User, delay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    milestone = naif()
    reason = "The Finance Division has not released the seed money; the ministry now expects September."

    with django_capture_on_commit_callbacks(execute=True):
        response = post_change(
            editor_client, milestone, forecast_due_date="2026-09-30", reason=reason, evidence_url=EVIDENCE
        )

    assert response.status_code == 302, errors_of(response)
    milestone.refresh_from_db()
    assert milestone.forecast_due_date == dt.date(2026, 9, 30)
    record = milestone.history.latest()
    assert (record.history_user, record.history_change_reason) == (editor, reason)
    evidence = milestone.evidence.get()
    assert (evidence.kind, evidence.summary, evidence.source.url, evidence.date) == (
        "forecast",
        reason,
        EVIDENCE,
        TODAY,
    )
    assert evidence.created_by == editor
    assert Source.objects.get(url=EVIDENCE).outlet == "dawn.com"
    assert milestone.sources.filter(url=EVIDENCE).exists()
    delay.assert_called_once_with(target_ids=[], milestone_ids=[milestone.pk], pending_ids=mock.ANY)


def test_an_uploaded_document_is_evidence_enough(editor_client: Client) -> None:
    milestone = naif()
    document = SimpleUploadedFile("notification.pdf", b"%PDF-1.4 notification", content_type="application/pdf")

    response = post_change(
        editor_client,
        milestone,
        forecast_due_date="2026-06-30",
        reason="Cabinet notification moves the fund to June.",
        evidence_document=document,
    )

    assert response.status_code == 302, errors_of(response)
    evidence = milestone.evidence.get()
    assert evidence.document.name.endswith(".pdf") and evidence.source is None


def test_an_evidence_document_of_the_wrong_kind_is_refused(editor_client: Client) -> None:
    milestone = naif()
    script = SimpleUploadedFile("evidence.html", b"<script>alert(1)</script>", content_type="text/html")

    response = post_change(
        editor_client, milestone, forecast_due_date="2026-06-30", reason="Delayed.", evidence_document=script
    )

    assert "Upload a document of one of these kinds" in errors_of(response)
    milestone.refresh_from_db()
    assert milestone.forecast_due_date is None


def test_a_completion_date_in_the_future_is_refused(editor_client: Client) -> None:
    milestone = naif()

    response = post_change(
        editor_client, milestone, completed_on="2026-03-10", reason="Launched.", evidence_url=EVIDENCE
    )

    assert "A milestone cannot be completed in the future (today is 2026-03-02)." in errors_of(response)
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_completing_needs_a_reason_and_evidence(editor_client: Client) -> None:
    milestone = naif()

    refused = post_change(editor_client, milestone, completed_on="2026-02-20")
    assert "the milestone is marked completed" in errors_of(refused)

    saved = post_change(
        editor_client, milestone, completed_on="2026-02-20", reason="Fund registered with SECP.", evidence_url=EVIDENCE
    )
    assert saved.status_code == 302, errors_of(saved)
    evidence = milestone.evidence.get()
    assert (evidence.kind, evidence.date) == ("completion", dt.date(2026, 2, 20))


def test_a_forecast_before_the_baseline_needs_a_reason_but_no_evidence(editor_client: Client) -> None:
    milestone = naif()

    refused = post_change(editor_client, milestone, forecast_due_date="2025-12-15")
    assert "the forecast comes before the baseline due date (2026-01-31)" in errors_of(refused)
    assert "Cite the evidence" not in errors_of(refused)

    saved = post_change(editor_client, milestone, forecast_due_date="2025-12-15", reason="Ahead of plan.")
    assert saved.status_code == 302, errors_of(saved)
    milestone.refresh_from_db()
    assert milestone.forecast_due_date == dt.date(2025, 12, 15)


def test_an_ordinary_edit_needs_no_reason(editor_client: Client) -> None:
    milestone = naif(forecast_due_date=dt.date(2026, 6, 30))

    response = post_change(editor_client, milestone, title="National AI Fund (NAIF) established")

    assert response.status_code == 302, errors_of(response)


def test_cancelling_needs_a_reason_and_evidence_and_records_the_date(editor_client: Client) -> None:
    milestone = naif()

    refused = post_change(editor_client, milestone, cancelled="on")
    assert "the milestone is cancelled" in errors_of(refused)
    saved = post_change(editor_client, milestone, cancelled="on", reason="Merged into Ignite.", evidence_url=EVIDENCE)

    assert saved.status_code == 302, errors_of(saved)
    milestone.refresh_from_db()
    assert (milestone.cancelled, milestone.cancelled_on) == (True, TODAY)
    assert milestone.evidence.get().kind == "cancellation"


def test_the_pillar_inline_sends_reasoned_changes_to_the_milestone_page(editor_client: Client) -> None:
    milestone = naif()
    change_url = url(type(milestone.pillar), "change", milestone.pillar_id)
    data = form_data(editor_client.get(change_url))
    data["milestones-0-forecast_due_date"] = "2026-12-31"

    response = editor_client.post(change_url, data)

    assert "Make this change on the milestone&#x27;s own page" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.forecast_due_date is None


# --- Milestones: the changelist's quick actions -------------------------------------------------------


def _action(client: Client, action: str, milestones: list[Milestone], **fields: Any) -> Any:
    data = {"action": action, "_selected_action": [m.pk for m in milestones], **fields}
    return client.post(url(Milestone, "changelist"), data)


def test_an_action_first_asks_for_the_reason_and_the_evidence(editor_client: Client) -> None:
    milestone = naif()

    page = _action(editor_client, "move_forecast", [milestone])

    assert page.status_code == 200
    content = page.content.decode()
    assert 'id="milestone-action-form"' in content and 'id="id_forecast_due_date"' in content
    assert milestone.code in content
    milestone.refresh_from_db()
    assert milestone.forecast_due_date is None


def test_moving_the_forecast_of_several_milestones_in_one_go(
    editor_client: Client, delay: Any, django_capture_on_commit_callbacks: Any
) -> None:
    first, second = naif(), naif(code="ai-council", title="AI Council notified")

    with django_capture_on_commit_callbacks(execute=True):
        response = _action(
            editor_client,
            "move_forecast",
            [first, second],
            apply="yes",
            forecast_due_date="2026-10-31",
            reason="The ministry's revised plan, 1 March.",
            evidence_url=EVIDENCE,
        )

    assert response.status_code == 302
    assert set(Milestone.objects.values_list("forecast_due_date", flat=True)) == {dt.date(2026, 10, 31)}
    assert MilestoneEvidence.objects.filter(kind="forecast").count() == 2
    delay.assert_called_once()
    assert sorted(delay.call_args.kwargs["milestone_ids"]) == sorted([first.pk, second.pk])


def test_an_action_without_a_reason_changes_nothing(editor_client: Client) -> None:
    milestone = naif()

    response = _action(editor_client, "mark_completed_today", [milestone], apply="yes")

    assert response.status_code == 200
    content = response.content.decode()
    assert "Nothing was changed" in content and "Give a reason" in content
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_one_refusal_in_an_action_changes_none_of_the_milestones(editor_client: Client) -> None:
    fine = naif()
    done = naif(code="done", title="Done", completed_on=dt.date(2026, 1, 5))

    response = _action(
        editor_client, "cancel_milestones", [fine, done], apply="yes", reason="Scrapped.", evidence_url=EVIDENCE
    )

    assert "done: A completed milestone cannot also be cancelled." in response.content.decode()
    assert not Milestone.objects.filter(cancelled=True).exists()
    assert not MilestoneEvidence.objects.exists()


def test_mark_completed_today(editor_client: Client) -> None:
    milestone = naif()

    response = _action(
        editor_client, "mark_completed_today", [milestone], apply="yes", reason="Launched.", evidence_url=EVIDENCE
    )

    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == TODAY


# --- Locked baselines -----------------------------------------------------------------------------------


def test_a_published_targets_baseline_is_read_only_for_an_editor(editor_client: Client) -> None:
    target = TargetFactory(published_on=dt.date(2025, 7, 30))
    change_url = url(Target, "change", target.pk)
    page = editor_client.get(change_url)
    form = page.context["adminform"].form
    assert not {"baseline_value", "baseline_date", "target_value", "target_date"} & set(form.fields)

    data = form_data(page)
    data.update({"baseline_value": "5", "target_value": "1", "title": "Renamed"})
    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    target.refresh_from_db()
    assert (target.baseline_value, target.target_value, target.title) == (0, 200_000, "Renamed")


def test_a_draft_targets_baseline_can_still_be_corrected(editor_client: Client) -> None:
    target = TargetFactory()
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["target_value"] = "250000"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    target.refresh_from_db()
    assert target.target_value == 250_000


def test_a_published_milestones_baseline_due_date_is_read_only(editor_client: Client) -> None:
    milestone = naif()
    response = post_change(editor_client, milestone, baseline_due_date="2026-12-31")

    assert response.status_code == 302, errors_of(response)
    milestone.refresh_from_db()
    assert milestone.baseline_due_date == dt.date(2026, 1, 31)


def test_the_services_refuse_a_changed_published_baseline_from_anyone(editor: User) -> None:
    target = TargetFactory(published_on=dt.date(2025, 7, 30))
    target.target_value = 150_000

    with pytest.raises(ValidationError) as refused:
        services.target_save(target=target, user=editor)

    assert "cannot be edited" in refused.value.message_dict["target_value"][0]


def test_the_api_refuses_a_changed_published_baseline(editor: User) -> None:
    milestone = naif()
    target = TargetFactory(published_on=dt.date(2025, 7, 30))
    api = APIClient()
    api.force_authenticate(editor)

    response = api.patch(f"/api/v1/targets/{target.pk}/", {"target_date": "2027-12-31"}, format="json")
    assert response.status_code == 400
    assert "superuser can re-baseline" in str(response.json())
    response = api.patch(f"/api/v1/milestones/{milestone.pk}/", {"baseline_due_date": "2027-01-31"}, format="json")
    assert response.status_code == 400
    target.refresh_from_db()
    assert target.target_date == dt.date(2025, 12, 31)


def test_publishing_locks_the_baseline(editor_client: Client) -> None:
    target = TargetFactory()

    editor_client.post(url(Target, "changelist"), {"action": "publish", "_selected_action": [target.pk]})

    target.refresh_from_db()
    assert target.published_on == TODAY
    assert target.history.latest().history_change_reason == "Baseline published (locked)"


def test_the_loader_and_scripts_are_not_bound_by_the_editorial_rules() -> None:
    milestone = naif()
    milestone.completed_on = dt.date(2026, 2, 1)

    services.milestone_save(milestone=milestone, reason="load_policy")  # no user: no reason or evidence needed

    milestone.refresh_from_db()
    assert milestone.completed_on == dt.date(2026, 2, 1)


# --- The API follows the same rules ---------------------------------------------------------------------


def test_the_api_asks_for_a_reason_and_evidence_and_records_them(editor: User) -> None:
    milestone = naif()
    api = APIClient()
    api.force_authenticate(editor)

    refused = api.patch(f"/api/v1/milestones/{milestone.pk}/", {"forecast_due_date": "2026-09-30"}, format="json")
    assert refused.status_code == 400
    assert set(refused.json()) >= {"reason", "evidence"}

    saved = api.patch(
        f"/api/v1/milestones/{milestone.pk}/",
        {"forecast_due_date": "2026-09-30", "reason": "Seed money not released.", "evidence_url": EVIDENCE},
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["forecast_due_date"] == "2026-09-30"
    assert [(e["kind"], e["summary"], e["source"]["url"]) for e in body["evidence"]] == [
        ("forecast", "Seed money not released.", EVIDENCE)
    ]


# --- Figures out of line ----------------------------------------------------------------------------------


def _add_figure(client: Client, target: Target, **fields: Any) -> Any:
    add_url = url(Measurement, "add")
    data = form_data(client.get(add_url))
    data.update({"target": target.pk, "source_url": "https://news.example.org/figures", **fields})
    return client.post(add_url, data)


def test_a_figure_lower_than_the_last_asks_for_confirmation_and_a_note(editor_client: Client) -> None:
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 6, 1), value=80_000)

    response = _add_figure(editor_client, target, date="2025-07-01", value="60000")

    errors = errors_of(response)
    assert "60,000 goes back from the previous figure (80,000 on 2025-06-01)" in errors
    assert 'type="checkbox" name="confirm"' in response.content.decode()
    assert Measurement.objects.count() == 1

    no_note = _add_figure(editor_client, target, date="2025-07-01", value="60000", confirm="on")
    assert "explain it in the note" in errors_of(no_note)
    assert Measurement.objects.count() == 1

    saved = _add_figure(
        editor_client, target, date="2025-07-01", value="60000", confirm="on", note="Audit removed duplicates."
    )
    assert saved.status_code == 302, errors_of(saved)
    assert Measurement.objects.count() == 2


def test_a_plausible_figure_asks_nothing(editor_client: Client) -> None:
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 6, 1), value=80_000)

    response = _add_figure(editor_client, target, date="2025-07-01", value="90000")

    assert response.status_code == 302, errors_of(response)
    assert 'name="confirm"' not in editor_client.get(url(Measurement, "add")).content.decode().replace(
        'type="hidden" name="confirm"', ""
    )


def test_a_figure_ten_times_too_big_asks_for_confirmation(editor_client: Client) -> None:
    target = TargetFactory()  # 0 → 200,000

    response = _add_figure(editor_client, target, date="2025-07-01", value="900000")

    assert "check the unit and the number of zeros" in errors_of(response)


def test_a_new_figure_needs_its_source(editor_client: Client) -> None:
    target = TargetFactory()

    response = _add_figure(editor_client, target, date="2025-07-01", value="90000", source_url="")

    assert "Cite the source of this figure" in errors_of(response)
    assert not Measurement.objects.exists()


def test_figures_posted_together_under_the_target_are_checked_against_each_other(editor_client: Client) -> None:
    target = TargetFactory()
    change_url = url(Target, "change", target.pk)
    page = editor_client.get(change_url)
    data = form_data(page)
    data.update(
        {
            "measurements-TOTAL_FORMS": "2",
            "measurements-0-date": "2025-05-01",
            "measurements-0-value": "50000",
            "measurements-0-source_url": "https://news.example.org/may",
            "measurements-1-date": "2025-06-01",
            "measurements-1-value": "40000",
            "measurements-1-source_url": "https://news.example.org/june",
        }
    )

    response = editor_client.post(change_url, data)

    assert "40,000 goes back from the previous figure (50,000 on 2025-05-01)" in errors_of(response)
    assert not Measurement.objects.exists()


def test_the_api_asks_for_confirm_and_a_note(editor: User) -> None:
    target = TargetFactory()
    MeasurementFactory(target=target, date=dt.date(2025, 6, 1), value=80_000)
    api = APIClient()
    api.force_authenticate(editor)
    figure = {"target": target.pk, "date": "2025-07-01", "value": 60_000, "source_url": "https://x.example.org/a"}

    refused = api.post("/api/v1/measurements/", figure, format="json")
    assert refused.status_code == 400 and "confirm" in str(refused.json()["value"])
    saved = api.post("/api/v1/measurements/", {**figure, "confirm": True, "note": "Revised down."}, format="json")
    assert saved.status_code == 201, saved.content


# --- Audit trail -----------------------------------------------------------------------------------------------


def test_an_items_history_page_shows_the_reason_and_the_changed_fields(editor_client: Client) -> None:
    milestone = naif()
    post_change(
        editor_client,
        milestone,
        forecast_due_date="2026-09-30",
        reason="Seed money not released.",
        evidence_url=EVIDENCE,
    )

    history = editor_client.get(url(Milestone, "history", milestone.pk)).content.decode()

    assert "Seed money not released." in history
    assert "forecast due date" in history


def _some_edits(editor: User, n: int) -> None:
    for i in range(n):
        target = TargetFactory(code=f"audit-{i}-{Target.objects.count()}")
        target.title = f"Renamed {i}"
        services.target_save(target=target, user=editor, reason=f"typo {i}")
        services.measurement_create(
            target=target,
            date=dt.date(2025, 3, 1),
            value=10.0,
            source_url="https://x.example.org/f",
            user=editor,
            reason="new figure",
        )
        point = TrajectoryPointFactory(target=target)
        point.value = 90_000
        point.save()
    HubFactory()
    IncentiveFactory()


def test_recent_changes_lists_who_what_when_why(editor_client: Client, editor: User) -> None:
    target = TargetFactory(code="p2-trained", title="Trained")
    target.title = "People trained"
    services.target_save(target=target, user=editor, reason="Title as in the policy text")

    page = editor_client.get("/admin/recent-changes/")

    assert page.status_code == 200
    entry = next(e for e in page.context["entries"] if e.reason == "Title as in the policy text")
    assert (entry.user, entry.model, entry.action) == (editor.username, "target", "changed")
    assert entry.changed == ["title"]
    assert entry.object_label == "p2-trained: People trained"
    assert 'id="recent-changes"' in page.content.decode()


def test_recent_changes_runs_the_same_number_of_queries_for_more_rows(editor_client: Client, editor: User) -> None:
    _some_edits(editor, 2)
    editor_client.get("/admin/recent-changes/")
    with CaptureQueriesContext(connection) as few:
        editor_client.get("/admin/recent-changes/")
    _some_edits(editor, 10)
    with CaptureQueriesContext(connection) as many:
        page = editor_client.get("/admin/recent-changes/")

    assert len(page.context["entries"]) > 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_admin_index_links_to_recent_changes_and_the_imports(editor_client: Client) -> None:
    index = editor_client.get("/admin/").content.decode()

    assert 'id="recent-changes-link"' in index
    assert "/admin/recent-changes/" in index
    assert "/admin/pillars/measurement/import/" in index


def test_recent_changes_needs_a_staff_login(client: Client) -> None:
    response = client.get("/admin/recent-changes/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_factories_leave_items_unpublished() -> None:
    # The locking tests rely on drafts being editable and published items not.
    assert TargetFactory().published_on is None and PillarFactory().pk
    assert timezone.localdate() == TODAY


def test_done_when_an_editor_moves_the_naif_forecast_and_readers_see_slip_reason_and_evidence(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    """The issue's acceptance: one form, one save; after the recompute the API shows the new slip and why."""
    milestone = naif()
    indicator_services.indicators_recompute(as_of=TODAY)  # the nightly run: NAIF overdue since 2026-01-31
    reason = "Finance Division has not released the seed money; the ministry now says September."

    with django_capture_on_commit_callbacks(execute=True):  # the recompute task runs eagerly, after commit
        response = post_change(
            editor_client, milestone, forecast_due_date="2026-09-30", reason=reason, evidence_url=EVIDENCE
        )
    assert response.status_code == 302, errors_of(response)

    body = APIClient().get(f"/api/v1/milestones/{milestone.pk}/").json()
    assert body["forecast_due_date"] == "2026-09-30"
    assert body["indicators"]["as_of"] == TODAY.isoformat()
    assert body["indicators"]["expected_date"] == "2026-09-30"
    assert body["indicators"]["slip_days"] == (dt.date(2026, 9, 30) - dt.date(2026, 1, 31)).days
    (evidence,) = body["evidence"]
    assert (evidence["kind"], evidence["summary"], evidence["source"]["url"]) == ("forecast", reason, EVIDENCE)
    history = APIClient().get(f"/api/v1/milestones/{milestone.pk}/history/").json()
    assert history["snapshots"][-1]["forecast_due_date"] == "2026-09-30"
