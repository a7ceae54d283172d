"""`changes.record`: every write through a service leaves its historical record classified.

Kind, field, earlier value and role land on the historical row as
simple-history writes it (the signal receiver), on bulk-created figures
(`bulk_attrs`), and the evidence given with a milestone's change on its record
(`record_evidence`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from changes.choices import Role
from changes.record import bulk_attrs, record_evidence, role_of
from core.records import record_save
from incentives.choices import IncentiveStatus
from pillars import services
from pillars.models import Measurement, Milestone, Target
from tests.factories import (
    EditorFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneFactory,
    SuperuserFactory,
    TargetFactory,
    UserFactory,
)
from tests.pillars.test_admin import errors_of, form_data

from .helpers import EVIDENCE

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
COLUMNS = ("history_type", "change_kind", "change_field", "change_old", "change_role", "change_evidence")


def latest(instance: Any) -> dict[str, Any]:
    """The public-record columns of `instance`'s latest historical record, and its reason."""
    record = instance.history.order_by("-history_date", "-history_id").first()
    row = {name: getattr(record, name) for name in COLUMNS}
    row["reason"] = record.history_change_reason
    return row


def public(instance: Any) -> list[tuple[str, str]]:
    """(kind, field) of every classified record of `instance`, oldest first."""
    return list(
        instance.history.exclude(change_kind="")
        .order_by("history_date", "history_id")
        .values_list("change_kind", "change_field")
    )


# --- Roles --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "role"),
    [
        (lambda: None, Role.DATA_LOAD),
        (AnonymousUser, Role.DATA_LOAD),
        (EditorFactory, Role.EDITOR),
        (SuperuserFactory, Role.ADMINISTRATOR),
        (lambda: UserFactory(is_staff=True), Role.STAFF),
        (lambda: UserFactory(), Role.STAFF),
    ],
    ids=["nobody", "anonymous", "editor", "superuser", "staff", "signed-in user"],
)
def test_the_role_readers_see(who: Any, role: Role) -> None:
    assert role_of(who()) == role


def test_a_superuser_in_the_editors_group_is_an_administrator() -> None:
    user = SuperuserFactory()
    user.groups.add(Group.objects.get(name="Editors"))
    assert role_of(user) == Role.ADMINISTRATOR


def test_another_group_is_not_the_editors() -> None:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.create(name="Reviewers"))
    assert role_of(user) == Role.STAFF


# --- Figures, one at a time ---------------------------------------------------------------------


def test_a_figure_entered_by_an_editor_is_added(editor: User) -> None:
    figure = services.measurement_create(
        target=TargetFactory(), date=dt.date(2025, 7, 1), value=50_000, source_url=EVIDENCE, user=editor
    )

    assert latest(figure) == {
        "history_type": "+",
        "change_kind": "figure_added",
        "change_field": "value",
        "change_old": None,
        "change_role": "editor",
        "change_evidence": "",
        "reason": None,
    }


def test_a_figure_loaded_without_a_user_is_the_data_loads() -> None:
    figure = services.measurement_create(target=TargetFactory(), date=dt.date(2025, 7, 1), value=1, source_url=EVIDENCE)
    assert (latest(figure)["change_kind"], latest(figure)["change_role"]) == ("figure_added", "data load")


@pytest.mark.parametrize(
    ("who", "role"), [(EditorFactory, "editor"), (SuperuserFactory, "administrator"), (lambda: None, "data load")]
)
def test_a_revision_keeps_the_old_value_the_role_and_the_reason(who: Any, role: str) -> None:
    figure = MeasurementFactory(value=50_000)
    figure.value = 55_000

    services.measurement_save(measurement=figure, user=who(), reason="PBS revised it.", confirmed=True)

    assert latest(figure) == {
        "history_type": "~",
        "change_kind": "figure_revised",
        "change_field": "value",
        "change_old": 50_000.0,
        "change_role": role,
        "change_evidence": "",
        "reason": "PBS revised it.",
    }


def test_a_figure_moved_to_another_date_keeps_the_old_date(editor: User) -> None:
    figure = MeasurementFactory(date=dt.date(2025, 7, 1))
    figure.date = dt.date(2025, 6, 30)

    services.measurement_save(measurement=figure, user=editor, reason="Dated by its report.", confirmed=True)

    assert (latest(figure)["change_field"], latest(figure)["change_old"]) == ("date", "2025-07-01")


def test_a_new_source_is_a_revision(editor: User) -> None:
    figure = MeasurementFactory(source_url="https://news.example.org/figures")
    figure.source_url = "https://www.pbs.gov.pk/ai"

    services.measurement_save(measurement=figure, user=editor, confirmed=True)

    assert latest(figure)["change_kind"] == "figure_revised"
    assert (latest(figure)["change_field"], latest(figure)["change_old"]) == (
        "source_url",
        "https://news.example.org/figures",
    )


def test_a_note_edited_is_recorded_but_is_no_public_change(editor: User) -> None:
    figure = MeasurementFactory()
    figure.note = "From the ministry's press release."

    services.measurement_save(measurement=figure, user=editor, confirmed=True)

    assert figure.history.count() == 2  # the audit trail keeps it ...
    row = latest(figure)
    assert (row["change_kind"], row["change_field"], row["change_role"]) == ("", "", "")  # ... readers do not see it
    assert public(figure) == [("figure_added", "value")]


def test_a_withdrawal_is_recorded_with_its_reason(editor: User) -> None:
    figure = MeasurementFactory(value=2_450)

    services.measurement_withdraw(measurement=figure, user=editor, reason="Enrolments, not graduates.", today=TODAY)

    assert latest(figure) == {
        "history_type": "~",
        "change_kind": "figure_withdrawn",
        "change_field": "withdrawn_on",
        "change_old": None,
        "change_role": "editor",
        "change_evidence": "",
        "reason": "Enrolments, not graduates.",
    }
    assert figure.history.latest().withdrawn_on == TODAY
    assert Measurement.objects.filter(pk=figure.pk).exists()


def test_a_deletion_by_the_loader_keeps_the_deleted_value() -> None:
    figure = MeasurementFactory(value=2_450)
    pk = figure.pk

    services.measurement_delete(measurement=figure, reason="Reloaded from the policy file.")

    record = Measurement.history.filter(id=pk).latest()
    assert (record.history_type, record.change_kind, record.change_old, record.change_role) == (
        "-",
        "figure_deleted",
        2_450.0,
        "data load",
    )
    assert record.history_change_reason == "Reloaded from the policy file."


def test_each_change_of_a_figure_is_compared_with_the_one_before_it(editor: User) -> None:
    figure = MeasurementFactory(value=10)
    for value, reason in [(20, "First correction."), (30, "Second correction.")]:
        figure.value = value
        services.measurement_save(measurement=figure, user=editor, reason=reason, confirmed=True)

    olds = figure.history.filter(change_kind="figure_revised").order_by("history_id").values_list("change_old", "value")
    assert list(olds) == [(10.0, 20.0), (20.0, 30.0)]


# --- Figures in bulk (imports) ------------------------------------------------------------------


def test_a_bulk_save_classifies_additions_revisions_and_withdrawals(editor: User) -> None:
    target = TargetFactory()
    revised = MeasurementFactory(target=target, date=dt.date(2025, 3, 1), value=20_000)
    withdrawn = MeasurementFactory(target=target, date=dt.date(2025, 5, 1), value=40_000)
    rows = [
        services.MeasurementWrite(target=target, date=dt.date(2025, 7, 1), value=50_000, source_url=EVIDENCE),
        services.MeasurementWrite(
            target=target, date=revised.date, value=21_000, source_url=revised.source_url, pk=revised.pk, reason="PBS."
        ),
        services.MeasurementWrite(
            target=target, date=withdrawn.date, value=40_000, pk=withdrawn.pk, withdrawal_reason="Double counted."
        ),
    ]

    assert services.measurements_bulk_save(rows=rows, user=editor, reason="import figures.csv", today=TODAY) == (1, 2)

    added = Measurement.objects.get(date=dt.date(2025, 7, 1))
    assert latest(added) == {
        "history_type": "+",
        "change_kind": "figure_added",
        "change_field": "value",
        "change_old": None,
        "change_role": "editor",
        "change_evidence": "",
        "reason": "import figures.csv",
    }
    row = latest(revised)
    assert (row["change_kind"], row["change_old"], row["change_role"], row["reason"]) == (
        "figure_revised",
        20_000.0,
        "editor",
        "PBS.",
    )
    row = latest(withdrawn)
    assert (row["change_kind"], row["change_field"], row["change_role"], row["reason"]) == (
        "figure_withdrawn",
        "withdrawn_on",
        "editor",
        "Double counted.",
    )


def test_a_bulk_save_by_a_script_is_the_data_loads() -> None:
    target = TargetFactory()
    rows = [services.MeasurementWrite(target=target, date=dt.date(2025, 7, 1), value=1, source_url=EVIDENCE)]
    services.measurements_bulk_save(rows=rows, user=None, reason="load")
    assert latest(target.measurements.get())["change_role"] == "data load"


def test_an_imported_file_adds_figures_as_the_editors(editor: User) -> None:
    TargetFactory(code="p2-trained")
    client = Client()
    client.force_login(editor)
    content = (
        "target_code,date,value,source_url,note,illustrative,confirm\n"
        f"p2-trained,2025-03-01,20000,{EVIDENCE},,,\n"
        f"p2-trained,2025-06-01,45000,{EVIDENCE},,,\n"
    )
    import_url = reverse("admin:pillars_measurement_import")
    dry_run = client.post(import_url, {"file": SimpleUploadedFile("figures.csv", content.encode())})
    assert dry_run.context["report"].ok
    assert client.post(import_url, {"token": dry_run.context["token"], "confirm": "yes"}).status_code == 302

    records = Measurement.history.order_by("date").values_list(
        "date", "history_type", "change_kind", "change_field", "change_old", "change_role", "history_change_reason"
    )
    assert list(records) == [
        (dt.date(2025, 3, 1), "+", "figure_added", "value", None, "editor", "import figures.csv"),
        (dt.date(2025, 6, 1), "+", "figure_added", "value", None, "editor", "import figures.csv"),
    ]


def test_bulk_attrs_are_those_of_an_addition_only(editor: User) -> None:
    assert bulk_attrs(model=Measurement, history_type="+", user=editor) == {
        "change_kind": "figure_added",
        "change_field": "value",
        "change_old": None,
        "change_role": "editor",
    }
    assert bulk_attrs(model=Measurement, history_type="+", user=None)["change_role"] == "data load"
    assert bulk_attrs(model=Milestone, history_type="+", user=editor) == {}  # a new milestone is no change
    assert bulk_attrs(model=Measurement, history_type="~", user=editor) == {}  # nothing to compare with


# --- Milestones ---------------------------------------------------------------------------------


def milestone() -> Milestone:
    return MilestoneFactory(announced_on=dt.date(2025, 7, 30), baseline_due_date=dt.date(2026, 1, 31))


def test_a_forecast_moved_later_carries_its_evidence(editor: User) -> None:
    item = milestone()

    services.milestone_update(
        milestone=item,
        forecast_due_date=dt.date(2026, 6, 30),
        reason="The fund is delayed.",
        evidence_url=EVIDENCE,
        user=editor,
        today=TODAY,
    )

    assert latest(item) == {
        "history_type": "~",
        "change_kind": "forecast_moved",
        "change_field": "forecast_due_date",
        "change_old": None,
        "change_role": "editor",
        "change_evidence": EVIDENCE,
        "reason": "The fund is delayed.",
    }


def test_a_completion_and_its_withdrawal(editor: User) -> None:
    item = milestone()
    services.milestone_update(
        milestone=item,
        completed_on=dt.date(2026, 2, 20),
        reason="The fund was set up.",
        evidence_url=f"{EVIDENCE}-set-up",
        user=editor,
        today=TODAY,
    )
    row = latest(item)
    assert (row["change_kind"], row["change_old"], row["change_evidence"]) == (
        "completed",
        None,
        f"{EVIDENCE}-set-up",
    )

    services.milestone_update(
        milestone=item, completed_on=None, reason="Not set up after all.", user=editor, today=TODAY
    )

    row = latest(item)
    assert (row["change_kind"], row["change_field"], row["change_old"], row["change_evidence"]) == (
        "reopened",
        "completed_on",
        "2026-02-20",
        "",  # no evidence given with it: none is borrowed from the completion
    )


def test_a_cancellation_and_its_withdrawal(editor: User) -> None:
    item = milestone()
    services.milestone_update(
        milestone=item,
        cancelled=True,
        reason="Dropped by the cabinet.",
        evidence_url=EVIDENCE,
        user=editor,
        today=TODAY,
    )
    row = latest(item)
    assert (row["change_kind"], row["change_field"], row["change_old"], row["change_evidence"]) == (
        "cancelled",
        "cancelled",
        False,
        EVIDENCE,
    )

    services.milestone_update(milestone=item, cancelled=False, reason="Restored.", user=editor, today=TODAY)

    assert (latest(item)["change_kind"], latest(item)["change_old"]) == ("reopened", True)
    assert public(item) == [("cancelled", "cancelled"), ("reopened", "cancelled")]


def test_the_evidence_given_on_the_admins_change_form_is_the_records(editor: User) -> None:
    item = milestone()
    client = Client()
    client.force_login(editor)
    change_url = reverse("admin:pillars_milestone_change", args=[item.pk])
    data = form_data(client.get(change_url))
    data.update(forecast_due_date="2026-06-30", reason="The fund is delayed.", evidence_url=EVIDENCE)

    response = client.post(change_url, data)

    assert response.status_code == 302, errors_of(response)
    assert public(item) == [("forecast_moved", "forecast_due_date")]
    record = item.history.get(change_kind="forecast_moved")
    assert (record.change_evidence, record.change_role, record.history_change_reason) == (
        EVIDENCE,
        "editor",
        "The fund is delayed.",
    )


def test_an_evidence_document_is_the_records_evidence(editor: User) -> None:
    item = milestone()
    document = SimpleUploadedFile("notification.pdf", b"%PDF-1.4 notification", content_type="application/pdf")

    services.milestone_update(
        milestone=item,
        forecast_due_date=dt.date(2026, 6, 30),
        reason="Cabinet notification.",
        evidence_document=document,
        user=editor,
        today=TODAY,
    )

    evidence = latest(item)["change_evidence"]
    assert evidence == item.evidence.get().document.url
    assert evidence.endswith(".pdf")


def test_record_evidence_needs_evidence_and_keeps_500_characters(editor: User) -> None:
    item = milestone()
    record_evidence(item, "")
    assert latest(item)["change_evidence"] == ""
    record_evidence(item, "https://example.org/" + "x" * 600)
    assert len(latest(item)["change_evidence"]) == 500


# --- Targets and incentives ---------------------------------------------------------------------


def test_a_target_renamed_is_a_definition_change(editor: User) -> None:
    target = TargetFactory(title="People trained")
    target.title = "People trained in AI"

    services.target_save(target=target, user=editor, reason="Clearer.")

    row = latest(target)
    assert (row["change_kind"], row["change_field"], row["change_old"], row["change_role"]) == (
        "definition_changed",
        "title",
        "People trained",
        "editor",
    )


def test_a_target_saved_unchanged_is_no_public_change(editor: User) -> None:
    target = TargetFactory()
    services.target_save(target=target, user=editor)
    assert Target.history.filter(id=target.pk).count() == 2
    assert public(target) == []


def test_an_incentive_status_is_recorded_with_the_old_status(editor: User) -> None:
    incentive = IncentiveFactory(status=IncentiveStatus.ANNOUNCED)
    incentive.status = IncentiveStatus.OPEN

    record_save(instance=incentive, user=editor, reason="Applications opened.")

    row = latest(incentive)
    assert (row["change_kind"], row["change_field"], row["change_old"], row["change_role"], row["reason"]) == (
        "incentive_status",
        "status",
        "announced",
        "editor",
        "Applications opened.",
    )
