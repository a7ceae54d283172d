"""The admin of the policy structure, commitments and stored indicators, for a superuser and for an editor."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from indicators import scheduling
from indicators.models import MilestoneSnapshot, RecomputeRun, RollupSnapshot, TargetSnapshot
from pillars.models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target, TrajectoryPoint
from tests.factories import (
    EditorFactory,
    HubFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    RiskFactory,
    SuperuserFactory,
    TargetFactory,
    TrajectoryPointFactory,
    UserFactory,
    reported,
)

pytestmark = pytest.mark.django_db

# The date of the "latest full recompute" the tests set up; the admin shows the snapshots of that date.
AS_OF = dt.date(2025, 6, 1)


# --- Helpers ----------------------------------------------------------------------------


def url(model: type[Model], view: str, *args: Any) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response: Any) -> dict[str, Any]:
    """The POST data a browser would send back for an admin add or change page, as rendered."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms.append(inline.formset.management_form)
        forms.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in forms:
        for name, field in form.fields.items():
            value = field.prepare_value(form[name].value())
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif value is not None:
                data[form.add_prefix(name)] = value
    return data


def errors_of(response: Any) -> str:
    """Every error the re-rendered admin page shows (main form and inlines), as plain text for assertions."""
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    messages = [m for errors in form.errors.values() for m in errors]
    for inline in response.context["inline_admin_formsets"]:
        messages += inline.formset.non_form_errors()
        messages += [m for errors in inline.formset.errors for field in errors.values() for m in field]
    return " ".join(messages)


def _full_run() -> None:
    now = timezone.now()
    RecomputeRun.objects.get_or_create(
        as_of=AS_OF, scope=RecomputeRun.Scope.FULL, defaults={"started_at": now, "finished_at": now}
    )


def target_with_snapshot(**kwargs: Any) -> Target:
    target = TargetFactory(**kwargs)
    TargetSnapshot.objects.create(
        target=target,
        as_of=AS_OF,
        status="off_track",
        slip_days=42,
        stale=False,
        report_due_on=AS_OF,
        computed_at=timezone.now(),
    )
    _full_run()
    return target


def milestone_with_snapshot(**kwargs: Any) -> Milestone:
    milestone = MilestoneFactory(**kwargs)
    MilestoneSnapshot.objects.create(
        milestone=milestone, as_of=AS_OF, status="overdue", slip_days=17, computed_at=timezone.now()
    )
    _full_run()
    return milestone


_sequence = iter(range(10_000))


def _policy() -> Policy:
    n = next(_sequence)
    return PolicyFactory(slug=f"policy-{n}", name=f"Policy {n}")


def _rollup() -> RollupSnapshot:
    return RollupSnapshot.objects.create(
        as_of=AS_OF, scope="pillar", scope_key=f"pillar-{next(_sequence)}", computed_at=timezone.now()
    )


def _run() -> RecomputeRun:
    now = timezone.now()
    day = AS_OF - dt.timedelta(days=next(_sequence) + 1)
    return RecomputeRun.objects.create(as_of=day, scope="items", started_at=now, finished_at=now)


# model -> (builder of one object, what an editor gets on: changelist, add form, change form)
PAGES: dict[type[Model], tuple[Callable[[], Model], tuple[int, int, int]]] = {
    Policy: (_policy, (200, 403, 200)),
    Pillar: (PillarFactory, (200, 200, 200)),
    Risk: (RiskFactory, (200, 200, 200)),
    Target: (target_with_snapshot, (200, 200, 200)),
    Measurement: (lambda: MeasurementFactory(entered_by=UserFactory()), (200, 200, 200)),
    Milestone: (milestone_with_snapshot, (200, 200, 200)),
    MilestoneEvidence: (MilestoneEvidenceFactory, (200, 200, 200)),
    TargetSnapshot: (lambda: target_with_snapshot().snapshots.get(), (200, 403, 200)),
    MilestoneSnapshot: (lambda: milestone_with_snapshot().snapshots.get(), (200, 403, 200)),
    RollupSnapshot: (_rollup, (200, 403, 200)),
    RecomputeRun: (_run, (200, 403, 200)),
}
READ_ONLY = {TargetSnapshot, MilestoneSnapshot, RollupSnapshot, RecomputeRun}


def login(client: Client, factory: Any) -> User:
    user = factory()
    client.force_login(user)
    return user


@pytest.fixture
def superuser() -> User:
    return SuperuserFactory()


@pytest.fixture
def editor() -> User:
    return EditorFactory()


@pytest.fixture
def admin_client(client: Client, superuser: User) -> Client:
    client.force_login(superuser)
    return client


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


# --- Every page answers ---------------------------------------------------------------------


@pytest.mark.parametrize("model", PAGES, ids=lambda m: m._meta.model_name)
def test_superuser_opens_every_page(admin_client: Client, model: type[Model]) -> None:
    build, _ = PAGES[model]
    obj = build()

    assert admin_client.get(url(model, "changelist")).status_code == 200
    assert admin_client.get(url(model, "add")).status_code == (403 if model in READ_ONLY else 200)
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", PAGES, ids=lambda m: m._meta.model_name)
def test_editor_opens_the_pages_the_group_allows(editor_client: Client, model: type[Model]) -> None:
    build, (changelist, add, change) = PAGES[model]
    obj = build()

    assert editor_client.get(url(model, "changelist")).status_code == changelist
    assert editor_client.get(url(model, "add")).status_code == add
    assert editor_client.get(url(model, "change", obj.pk)).status_code == change


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("who", [SuperuserFactory, EditorFactory], ids=["superuser", "editor"])
def test_stored_indicators_are_read_only_for_everyone(client: Client, who: Any, model: type[Model]) -> None:
    obj = PAGES[model][0]()
    login(client, who)

    page = client.get(url(model, "change", obj.pk))

    assert page.context["has_change_permission"] is False
    assert page.context["has_delete_permission"] is False
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_editor_cannot_delete_a_target_or_a_milestone(editor_client: Client) -> None:
    target, milestone = TargetFactory(), MilestoneFactory()

    assert editor_client.post(url(Target, "delete", target.pk), {"post": "yes"}).status_code == 403
    assert editor_client.post(url(Milestone, "delete", milestone.pk), {"post": "yes"}).status_code == 403
    assert Target.objects.filter(pk=target.pk).exists() and Milestone.objects.filter(pk=milestone.pk).exists()


def test_trajectory_points_are_edited_only_under_their_target(admin_client: Client) -> None:
    assert admin_client.get("/admin/pillars/trajectorypoint/").status_code == 404


def test_target_list_shows_the_current_status_and_slip(admin_client: Client) -> None:
    target_with_snapshot(code="p2-trained")

    page = admin_client.get(url(Target, "changelist"))

    row = page.content.decode()
    assert "p2-trained" in row
    assert "off track" in row
    assert "42" in row


def test_target_list_filters_on_the_current_status(admin_client: Client) -> None:
    target_with_snapshot(code="late-one")
    TargetFactory(code="not-computed")

    page = admin_client.get(url(Target, "changelist"), {"status": "off_track"})

    assert [t.code for t in page.context["cl"].result_list] == ["late-one"]


def test_milestone_list_shows_the_current_status(admin_client: Client) -> None:
    milestone_with_snapshot(code="ai-fund")

    page = admin_client.get(url(Milestone, "changelist"))

    assert "overdue" in page.content.decode()


def test_measurements_say_plainly_which_figures_are_illustrative(admin_client: Client) -> None:
    MeasurementFactory(illustrative=True)

    page = admin_client.get(url(Measurement, "changelist"))

    assert "ILLUSTRATIVE" in page.content.decode()


# --- User management stays out of reach --------------------------------------------------------


def test_editor_cannot_reach_user_management(editor_client: Client) -> None:
    assert editor_client.get("/admin/auth/user/").status_code == 403
    assert editor_client.get("/admin/auth/group/").status_code == 403
    assert editor_client.get("/admin/auth/user/add/").status_code == 403

    index = editor_client.get("/admin/")

    assert index.status_code == 200
    apps = {app["app_label"] for app in index.context["app_list"]}
    assert "auth" not in apps
    assert {"pillars", "hubs", "sources", "incentives"} <= apps
    assert "/admin/auth/" not in index.content.decode()


# --- Targets --------------------------------------------------------------------------------------


def test_target_history_shows_an_admin_edit_by_the_editor(editor_client: Client, editor: User) -> None:
    target = TargetFactory(title="Trained people")
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["title"] = "People trained in AI"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    history = editor_client.get(url(Target, "history", target.pk))
    assert history.status_code == 200
    assert editor.username in history.content.decode()
    assert "People trained in AI" in history.content.decode()
    assert target.history.latest().history_user == editor


def test_backwards_trajectory_is_refused_with_the_message_and_nothing_changes(editor_client: Client) -> None:
    target = TargetFactory(title="Before")
    TrajectoryPointFactory(target=target, date=dt.date(2025, 4, 1), value=100_000)
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["title"] = "After"
    data["trajectory_points-1-date"] = "2025-08-01"
    data["trajectory_points-1-value"] = "50000"

    response = editor_client.post(change_url, data)

    assert "The planned values must rise (or stay level)" in errors_of(response)
    assert "50,000 on 2025-08-01 is lower than the interim value 100,000 on 2025-04-01" in response.content.decode()
    target.refresh_from_db()
    assert target.title == "Before"
    assert list(target.trajectory_points.values_list("date", "value")) == [(dt.date(2025, 4, 1), 100_000)]


def test_new_target_values_are_checked_against_the_posted_trajectory(editor_client: Client) -> None:
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 7, 1), value=100_000)
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["target_value"] = "50000"  # the stored interim point now overshoots the target

    response = editor_client.post(change_url, data)

    assert "the target value 50,000 on 2025-12-31 is lower than the interim value 100,000" in errors_of(response)
    target.refresh_from_db()
    assert target.target_value == 200_000


def test_valid_target_change_saves_the_new_trajectory_point(editor_client: Client, editor: User) -> None:
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 4, 1), value=50_000)
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["trajectory_points-1-date"] = "2025-09-01"
    data["trajectory_points-1-value"] = "150000"
    data["target_value"] = "250000"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    target.refresh_from_db()
    assert target.target_value == 250_000
    assert list(target.trajectory_points.values_list("date", "value")) == [
        (dt.date(2025, 4, 1), 50_000),
        (dt.date(2025, 9, 1), 150_000),
    ]
    point = target.trajectory_points.get(date=dt.date(2025, 9, 1))
    assert point.history.latest().history_user == editor


def test_deleting_a_trajectory_point_in_the_inline_removes_it(editor_client: Client) -> None:
    target = TargetFactory()
    TrajectoryPointFactory(target=target, date=dt.date(2025, 4, 1), value=50_000)
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["trajectory_points-0-DELETE"] = "on"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    assert not TrajectoryPoint.objects.filter(target=target).exists()


def test_adding_a_target_with_its_trajectory(editor_client: Client) -> None:
    pillar = PillarFactory()
    add_url = url(Target, "add")
    data = form_data(editor_client.get(add_url))
    data.update(
        {
            "policy": pillar.policy_id,
            "pillar": pillar.pk,
            "code": "p2-scholarships",
            "title": "Scholarships",
            "unit": "scholarships",
            "baseline_value": "0",
            "baseline_date": "2025-07-30",
            "target_value": "3000",
            "target_date": "2030-07-30",
            "trajectory_points-0-date": "2027-07-30",
            "trajectory_points-0-value": "1000",
        }
    )

    response = editor_client.post(add_url, data)

    assert response.status_code == 302, errors_of(response)
    target = Target.objects.get(code="p2-scholarships")
    assert list(target.trajectory_points.values_list("value", flat=True)) == [1000]


def test_an_admin_edit_recomputes_the_indicators_after_commit(
    editor_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    target = TargetFactory()
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["title"] = "Changed"

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    # One recompute callback (the other one only renews the API's ETag token).
    assert len([c for c in callbacks if getattr(c, "work", None) is scheduling._send]) == 1
    assert reported(TargetSnapshot).filter(target=target, as_of=timezone.localdate()).exists()


def test_recompute_action(admin_client: Client) -> None:
    target = TargetFactory()

    response = admin_client.post(
        url(Target, "changelist"), {"action": "recompute_now", "_selected_action": [target.pk]}
    )

    assert response.status_code == 302
    assert reported(TargetSnapshot).filter(target=target, as_of=timezone.localdate()).exists()


# --- Measurements ----------------------------------------------------------------------------------


def test_measurement_before_the_baseline_is_refused_and_nothing_is_written(editor_client: Client) -> None:
    target = TargetFactory(baseline_date=dt.date(2025, 1, 1))
    add_url = url(Measurement, "add")
    data = form_data(editor_client.get(add_url))
    data.update({"target": target.pk, "date": "2024-12-01", "value": "1000"})

    response = editor_client.post(add_url, data)

    assert "cannot be dated before the target&#x27;s baseline date (2025-01-01)" in response.content.decode()
    assert "before the target's baseline date (2025-01-01)" in errors_of(response)
    assert not Measurement.objects.exists()


def test_adding_a_measurement_records_the_editor(editor_client: Client, editor: User) -> None:
    target = TargetFactory()
    add_url = url(Measurement, "add")
    data = form_data(editor_client.get(add_url))
    data.update(
        {
            "target": target.pk,
            "date": "2025-07-01",
            "value": "60000",
            "source_url": "https://news.example.org/figures",
            "entered_by": UserFactory().pk,
        }
    )

    response = editor_client.post(add_url, data)

    assert response.status_code == 302, errors_of(response)
    measurement = Measurement.objects.get()
    assert measurement.entered_by == editor  # the posted value is ignored: the field is read-only
    assert measurement.history.latest().history_user == editor


def test_changing_a_measurement_keeps_who_entered_it(editor_client: Client) -> None:
    first = UserFactory()
    measurement = MeasurementFactory(entered_by=first, value=10)
    change_url = url(Measurement, "change", measurement.pk)
    data = form_data(editor_client.get(change_url))
    data["value"] = "20"
    data["reason"] = "The ministry corrected its count."

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    measurement.refresh_from_db()
    assert (measurement.value, measurement.entered_by) == (20, first)
    assert measurement.history.latest().history_change_reason == "The ministry corrected its count."


def test_revising_a_figure_needs_the_reason_and_changes_nothing_without(editor_client: Client) -> None:
    measurement = MeasurementFactory(value=10)
    change_url = url(Measurement, "change", measurement.pk)
    data = form_data(editor_client.get(change_url))
    data["value"] = "20"

    response = editor_client.post(change_url, data)

    assert response.status_code == 200
    assert "Say why this published figure changes" in errors_of(response)
    measurement.refresh_from_db()
    assert measurement.value == 10


def test_revising_a_figure_in_the_target_inline_needs_the_reason(editor_client: Client) -> None:
    measurement = MeasurementFactory(value=10)
    change_url = url(Target, "change", measurement.target_id)
    data = form_data(editor_client.get(change_url))
    data["measurements-0-value"] = "12"

    assert "Say why this published figure changes" in errors_of(editor_client.post(change_url, data))
    data["measurements-0-reason"] = "Typo in the first entry."
    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    measurement.refresh_from_db()
    assert measurement.value == 12
    assert measurement.history.latest().history_change_reason == "Typo in the first entry."


def test_measurement_inline_under_the_target(editor_client: Client, editor: User) -> None:
    target = TargetFactory()
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["measurements-0-date"] = "2025-05-01"
    data["measurements-0-value"] = "40000"
    data["measurements-0-source_url"] = "https://news.example.org/figures"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    measurement = target.measurements.get()
    assert (measurement.value, measurement.entered_by) == (40_000, editor)


def test_measurement_inline_refuses_a_figure_before_the_baseline(editor_client: Client) -> None:
    target = TargetFactory(baseline_date=dt.date(2025, 1, 1))
    change_url = url(Target, "change", target.pk)
    data = form_data(editor_client.get(change_url))
    data["measurements-0-date"] = "2024-05-01"
    data["measurements-0-value"] = "40000"

    response = editor_client.post(change_url, data)

    assert "before the target's baseline date (2025-01-01)" in errors_of(response)
    assert not target.measurements.exists()


def test_the_target_inline_offers_no_delete(editor_client: Client) -> None:
    measurement = MeasurementFactory()
    change_url = url(Target, "change", measurement.target_id)
    data = form_data(editor_client.get(change_url))
    assert "measurements-0-DELETE" not in data
    data["measurements-0-DELETE"] = "on"  # posted anyway

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_editor_finds_a_target_with_the_autocomplete(editor_client: Client) -> None:
    target_with_snapshot(code="p2-trained", title="People trained")
    TargetFactory(code="p4-startups", title="Startups")

    response = editor_client.get(
        "/admin/autocomplete/",
        {"term": "trained", "app_label": "pillars", "model_name": "measurement", "field_name": "target"},
    )

    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["p2-trained: People trained"]


@pytest.mark.parametrize("who", [EditorFactory, SuperuserFactory], ids=["editor", "superuser"])
def test_nobody_deletes_a_figure_through_the_admin(who: Any, client: Client) -> None:
    client.force_login(who())
    measurement = MeasurementFactory()

    response = client.post(url(Measurement, "delete", measurement.pk), {"post": "yes"})

    assert response.status_code == 403
    assert Measurement.objects.filter(pk=measurement.pk).exists()


def test_withdrawing_a_figure_through_the_admin(editor_client: Client, editor: User) -> None:
    measurement = MeasurementFactory(value=2_450)
    change_url = url(Measurement, "change", measurement.pk)
    data = form_data(editor_client.get(change_url))
    data["withdraw"] = "on"

    assert "Say why this figure is withdrawn" in errors_of(editor_client.post(change_url, data))
    data["value"] = "1800"
    data["withdrawal_reason"] = "The ministry's report counted enrolments, not graduates."
    assert "withdrawn as it stands" in errors_of(editor_client.post(change_url, data))
    measurement.refresh_from_db()
    assert measurement.withdrawn_on is None
    data["value"] = form_data(editor_client.get(change_url))["value"]
    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    measurement.refresh_from_db()
    assert measurement.withdrawn_on == timezone.localdate()
    assert measurement.value == 2_450
    record = measurement.history.latest()
    assert (record.history_user, record.history_change_reason) == (
        editor,
        "The ministry's report counted enrolments, not graduates.",
    )
    # From now on it is kept as it was: the page shows it, read-only.
    page = editor_client.get(change_url)
    assert page.status_code == 200
    assert "Withdraw this figure" not in page.content.decode()
    assert editor_client.post(change_url, data).status_code == 403
    measurement.refresh_from_db()
    assert measurement.value == 2_450


# --- Milestones ---------------------------------------------------------------------------------------


def test_milestone_completed_before_it_was_announced_is_refused(editor_client: Client) -> None:
    pillar = PillarFactory()
    add_url = url(Milestone, "add")
    data = form_data(editor_client.get(add_url))
    data.update(
        {
            "policy": pillar.policy_id,
            "pillar": pillar.pk,
            "code": "ai-fund",
            "title": "National AI Fund set up",
            "announced_on": "2025-07-30",
            "baseline_due_date": "2026-01-31",
            "completed_on": "2025-06-01",
        }
    )

    response = editor_client.post(add_url, data)

    assert "cannot be completed (2025-06-01) before it was announced (2025-07-30)" in errors_of(response)
    assert not Milestone.objects.exists()


def test_milestone_change_with_evidence(editor_client: Client, editor: User) -> None:
    milestone = MilestoneFactory()
    change_url = url(Milestone, "change", milestone.pk)
    data = form_data(editor_client.get(change_url))
    data["forecast_due_date"] = "2026-06-30"
    data["evidence-0-date"] = "2025-12-06"
    data["evidence-0-summary"] = "The ministry says the fund is delayed."
    # A forecast moved later needs a reason and evidence (tests/pillars/test_editing.py has the rules).
    data["reason"] = "The ministry says the fund is delayed."
    data["evidence_url"] = "https://news.example.org/fund-delayed"

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    milestone.refresh_from_db()
    assert milestone.forecast_due_date == dt.date(2026, 6, 30)
    assert milestone.history.latest().history_user == editor
    assert {(e.kind, e.created_by) for e in milestone.evidence.all()} == {("report", editor), ("forecast", editor)}


def test_milestone_added_under_its_pillar_gets_the_pillars_policy(editor_client: Client) -> None:
    pillar = PillarFactory()
    change_url = url(Pillar, "change", pillar.pk)
    response = editor_client.get(change_url)
    data = form_data(response)
    data.update(
        {
            "milestones-TOTAL_FORMS": "1",
            "milestones-0-code": "ai-council",
            "milestones-0-title": "AI Council notified",
            "milestones-0-announced_on": "2025-07-30",
            "milestones-0-baseline_due_date": "2025-10-31",
        }
    )

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    milestone = Milestone.objects.get(code="ai-council")
    assert (milestone.pillar, milestone.policy) == (pillar, pillar.policy)


def test_milestone_inline_refuses_completion_before_announcement(editor_client: Client) -> None:
    milestone = MilestoneFactory()
    change_url = url(Pillar, "change", milestone.pillar_id)
    data = form_data(editor_client.get(change_url))
    data["milestones-0-completed_on"] = "2025-01-01"

    response = editor_client.post(change_url, data)

    assert "cannot be completed (2025-01-01) before it was announced" in errors_of(response)
    milestone.refresh_from_db()
    assert milestone.completed_on is None


# --- No N+1 on changelists ---------------------------------------------------------------------------


def _changelist_queries(client: Client, model: type[Model]) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", PAGES, ids=lambda m: m._meta.model_name)
@pytest.mark.parametrize("who", [SuperuserFactory, EditorFactory], ids=["superuser", "editor"])
def test_changelist_runs_the_same_queries_for_2_and_20_rows(client: Client, who: Any, model: type[Model]) -> None:
    build, _ = PAGES[model]
    login(client, who)
    for _ in range(2):
        build()
    with_two = _changelist_queries(client, model)
    for _ in range(18):
        build()

    assert _changelist_queries(client, model) == with_two
    assert model.objects.count() >= 20


# --- Evidence entered on its own page or inline: the services' rules, through the services -------------

PAYLOAD = b"MZ\x90\x00" + b"\x00" * 98  # 102 bytes, as an editor's upload of payload.exe


def _evidence_data(milestone: Milestone, document: Any) -> dict[str, Any]:
    return {
        "milestone": str(milestone.pk),
        "date": "2026-02-06",
        "kind": "report",
        "summary": "The council's nominations were sent.",
        "document": document,
    }


@pytest.mark.parametrize("name", ["payload.exe", "notes.html", "evidence.pdf.exe"])
def test_the_evidence_page_refuses_a_document_the_services_refuse(editor_client: Client, name: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pillars import services

    milestone = MilestoneFactory()
    upload = SimpleUploadedFile(name, PAYLOAD)
    refused_by_service = services.evidence_problems(evidence_document=SimpleUploadedFile(name, PAYLOAD))

    response = editor_client.post(url(MilestoneEvidence, "add"), _evidence_data(milestone, upload))

    assert refused_by_service["evidence_document"]
    assert errors_of(response) == " ".join(refused_by_service["evidence_document"])
    assert not MilestoneEvidence.objects.exists()


def test_the_evidence_inline_refuses_a_document_the_services_refuse(editor_client: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    milestone = MilestoneFactory()
    change_url = url(Milestone, "change", milestone.pk)
    data = form_data(editor_client.get(change_url))
    data["evidence-0-date"] = "2025-12-06"
    data["evidence-0-summary"] = "An audit found it had not started."
    data["evidence-0-document"] = SimpleUploadedFile("payload.exe", PAYLOAD)

    response = editor_client.post(change_url, data)

    assert "Upload a document of one of these kinds" in errors_of(response)
    assert not MilestoneEvidence.objects.exists()


def test_evidence_entered_on_its_page_is_saved_by_the_service(editor_client: Client, editor: User) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    milestone = MilestoneFactory()
    upload = SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit")

    response = editor_client.post(url(MilestoneEvidence, "add"), _evidence_data(milestone, upload))

    assert response.status_code == 302, errors_of(response)
    evidence = MilestoneEvidence.objects.get()
    assert evidence.created_by == editor and evidence.document.name.endswith(".pdf")
    assert evidence.history.latest().history_user == editor
    editor_client.post(url(MilestoneEvidence, "delete", evidence.pk), {"post": "yes"})
    assert not MilestoneEvidence.objects.exists()
    assert evidence.history.latest().history_type == "-" and evidence.history.latest().history_user == editor


def _stored_files(settings: Any) -> list[str]:
    from pathlib import Path

    root = Path(settings.MEDIA_ROOT)
    return [str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _post_evidence_page(client: Client, milestone: Milestone, upload: Any) -> Any:
    return client.post(url(MilestoneEvidence, "add"), _evidence_data(milestone, upload))


def _post_evidence_change(client: Client, milestone: Milestone, upload: Any) -> Any:
    evidence = MilestoneEvidenceFactory(milestone=milestone)
    return client.post(url(MilestoneEvidence, "change", evidence.pk), _evidence_data(milestone, upload))


def _post_evidence_revert(client: Client, milestone: Milestone, upload: Any) -> Any:
    """django-simple-history's "revert to this version" page is a form of its own, with the admin's form."""
    evidence = MilestoneEvidenceFactory(milestone=milestone)
    version = evidence.history.earliest()
    revert_url = reverse("admin:pillars_milestoneevidence_simple_history", args=[evidence.pk, version.history_id])
    return client.post(revert_url, _evidence_data(milestone, upload))


def _post_inline(client: Client, milestone: Milestone, upload: Any, *, existing: bool = False) -> Any:
    if existing:
        MilestoneEvidenceFactory(milestone=milestone)
    change_url = url(Milestone, "change", milestone.pk)
    data = form_data(client.get(change_url))
    row = "evidence-0" if existing else f"evidence-{int(existing)}"
    data[f"{row}-date"] = "2025-12-06"
    data[f"{row}-summary"] = "An audit found it had not started."
    data[f"{row}-document"] = upload
    return client.post(change_url, data)


def _post_milestone_form(client: Client, milestone: Milestone, upload: Any) -> Any:
    """The change form's own "or evidence document" (recorded as evidence whenever one is given)."""
    change_url = url(Milestone, "change", milestone.pk)
    data = form_data(client.get(change_url))
    data.update(reason="The audit report.", evidence_document=upload)
    return client.post(change_url, data)


def _post_milestone_add(client: Client, milestone: Milestone, upload: Any) -> Any:
    data = form_data(client.get(url(Milestone, "add")))
    data.update(
        policy=str(milestone.policy_id),
        pillar=str(milestone.pillar_id),
        code="new-milestone",
        title="A new milestone",
        announced_on="2025-07-30",
        baseline_due_date="2026-06-30",
        due_basis=Milestone._meta.get_field("due_basis").get_default() or "stated",
        reason="Announced in the budget.",
        evidence_document=upload,
    )
    return client.post(url(Milestone, "add"), data)


def _post_action(client: Client, milestone: Milestone, upload: Any, action: str = "move_forecast") -> Any:
    data = {
        "action": action,
        "_selected_action": [milestone.pk],
        "apply": "yes",
        "forecast_due_date": "2026-09-30",
        "reason": "The ministry's revised plan.",
        "evidence_document": upload,
    }
    return client.post(url(Milestone, "changelist"), data)


EVIDENCE_PATHS = {
    "evidence page, add": _post_evidence_page,
    "evidence page, change": _post_evidence_change,
    "evidence page, revert to a version": _post_evidence_revert,
    "milestone page, new evidence row": _post_inline,
    "milestone page, evidence row replaced": lambda c, m, u: _post_inline(c, m, u, existing=True),
    "milestone page, evidence document": _post_milestone_form,
    "milestone add page, evidence document": _post_milestone_add,
    "action: move the forecast": _post_action,
    "action: mark completed today": lambda c, m, u: _post_action(c, m, u, "mark_completed_today"),
    "action: cancel": lambda c, m, u: _post_action(c, m, u, "cancel_milestones"),
}


@pytest.mark.parametrize("path", EVIDENCE_PATHS)
@pytest.mark.parametrize("document", ["payload.exe", "payload.pdf", "too-big.pdf"])
def test_no_admin_path_stores_an_evidence_document_the_services_refuse(
    editor_client: Client, settings: Any, path: str, document: str
) -> None:
    """payload.exe (a type the rules refuse), the same program renamed payload.pdf (its content is no PDF) and a
    PDF over the size limit: refused, nothing stored anywhere."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from pillars import services

    settings.EVIDENCE_MAX_BYTES = 1_000
    content = PAYLOAD if document.startswith("payload") else b"%PDF-1.4 " + b"x" * 2_000
    milestone = MilestoneFactory()
    expected = services.evidence_problems(evidence_document=SimpleUploadedFile(document, content))["evidence_document"]

    response = EVIDENCE_PATHS[path](editor_client, milestone, SimpleUploadedFile(document, content))

    assert response.status_code == 200, "the upload was accepted"
    page = response.content.decode()
    assert all(str(message).replace("“", "&ldquo;") in page or str(message) in page for message in expected), expected
    assert _stored_files(settings) == []
    assert not MilestoneEvidence.objects.exclude(document="").exists()
    assert MilestoneEvidence.objects.count() <= 1  # the row the change and revert pages start from
    assert MilestoneEvidence.history.filter(history_type="+").count() == MilestoneEvidence.objects.count()
    assert not Milestone.objects.filter(code="new-milestone").exists()
    milestone.refresh_from_db()
    assert milestone.forecast_due_date is None and milestone.completed_on is None and not milestone.cancelled


def test_the_same_admin_paths_store_an_evidence_document_the_services_accept(
    editor_client: Client, settings: Any
) -> None:
    """The other side of the test above: a PDF within the limit is stored, through the services, on each path."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    for path, post in EVIDENCE_PATHS.items():
        milestone = MilestoneFactory()
        response = post(editor_client, milestone, SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"))
        assert response.status_code == 302, (path, errors_of(response) if response.context else response)
    assert MilestoneEvidence.objects.exclude(document="").count() == len(EVIDENCE_PATHS)
    assert len(_stored_files(settings)) == len(EVIDENCE_PATHS)


def test_the_structure_and_plain_records_are_saved_through_a_service(
    editor_client: Client, editor: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pillars, hubs, incentives and sources are written by `core.records.record_save`, never by the admin itself."""
    from core import admin as core_admin
    from core import records

    saved: list[Any] = []
    real = records.record_save

    def spy(**kwargs: Any) -> Any:
        saved.append(kwargs["instance"])
        return real(**kwargs)

    monkeypatch.setattr(core_admin.ServiceAdminMixin, "save_service", staticmethod(spy))
    hub = HubFactory()
    change_url = url(type(hub), "change", hub.pk)
    data = form_data(editor_client.get(change_url))
    data["role"] = "A Centre of Excellence."

    response = editor_client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    assert saved == [hub]
    hub.refresh_from_db()
    assert hub.role == "A Centre of Excellence." and hub.history.latest().history_user == editor


# --- Two editors, one milestone: the second save from a stale page is refused (issue 11, 3) ---------------


def test_a_save_from_a_page_opened_before_someone_elses_save_is_refused_with_both_versions(
    client: Client, editor: User
) -> None:
    milestone = MilestoneFactory(title="Set up the AI Council", description="As the policy says.")
    change_url = url(Milestone, "change", milestone.pk)
    other = Client()
    other.force_login(EditorFactory())
    mine = form_data(client_for(editor).get(change_url))  # I open the page ...
    theirs = form_data(other.get(change_url))  # ... and so does a colleague, who saves first
    theirs["title"] = "Set up the National AI Council"
    assert other.post(change_url, theirs).status_code == 302

    mine["description"] = "Notified on 6 February 2026."
    me = client_for(editor)
    response = me.post(change_url, mine)

    assert response.status_code == 200
    message = errors_of(response)
    assert "changed by someone else since you opened it" in message
    assert "saved “Set up the National AI Council”, yours “Set up the AI Council”" in message
    milestone.refresh_from_db()
    assert (milestone.title, milestone.description) == ("Set up the National AI Council", "As the policy says.")
    # Saving again, having seen theirs, keeps my version on purpose.
    again = form_data(response)
    assert me.post(change_url, again).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.title, milestone.description) == ("Set up the AI Council", "Notified on 6 February 2026.")


def test_a_save_from_a_fresh_page_is_not_refused(editor_client: Client) -> None:
    milestone = MilestoneFactory(title="Before")
    change_url = url(Milestone, "change", milestone.pk)
    for title in ("First", "Second"):
        data = form_data(editor_client.get(change_url))
        data["title"] = title
        assert editor_client.post(change_url, data).status_code == 302, errors_of(editor_client.post(change_url, data))
    milestone.refresh_from_db()
    assert (milestone.title, milestone.revision) == ("Second", 3)


def test_two_stale_saves_of_a_plain_record_are_refused_too(admin_client: Client) -> None:
    from hubs.models import Hub

    hub = HubFactory(name="Lahore")
    change_url = url(Hub, "change", hub.pk)
    first, second = form_data(admin_client.get(change_url)), form_data(admin_client.get(change_url))
    first["name"] = "Lahore (Punjab)"
    assert admin_client.post(change_url, first).status_code == 302
    second["role"] = "A Centre of Excellence"
    response = admin_client.post(change_url, second)
    assert "changed by someone else since you opened it" in errors_of(response)


def client_for(user: User) -> Client:
    signed_in = Client()
    signed_in.force_login(user)
    return signed_in


@pytest.mark.parametrize("kind", ["milestone", "hub"])
def test_an_earlier_version_is_shown_but_not_saved_back_by_a_revert(admin_client: Client, kind: str) -> None:
    """The revert form said "changed successfully" and saved nothing (its save was left to the services)."""
    from hubs.models import Hub

    model, field = (Milestone, "title") if kind == "milestone" else (Hub, "name")
    record = MilestoneFactory(title="Old") if kind == "milestone" else HubFactory(name="Old")
    setattr(record, field, "New")
    record.save()
    version = record.history.order_by("history_id").first()
    revert_url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history",
                         args=[record.pk, version.history_id])  # fmt: skip

    page = admin_client.get(revert_url)
    assert page.status_code == 200 and "Old" in page.content.decode()  # shown, to copy from
    assert 'name="_save"' not in page.content.decode()  # no button to restore it

    response = admin_client.post(revert_url, {field: "Old"})

    assert response.status_code == 403
    record.refresh_from_db()
    assert getattr(record, field) == "New"
