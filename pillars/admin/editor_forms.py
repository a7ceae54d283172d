"""The editors' forms beyond Django's stock admin: reasons and evidence, confirmations, re-baselining, imports.

The forms only check what a person typed, with the rules of `pillars.validation`
and the services' own checks, so that the messages are the ones the API and
the importers give too; every write then goes through `pillars.services`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .. import selectors, services, validation
from ..models import Measurement, Milestone, MilestoneEvidence, Pillar, Target, TrajectoryPoint
from ..validation import target_errors
from .fields import FigureField

# --- Milestones: reasons and evidence --------------------------------------------------------------


class EvidenceFields(forms.Form):
    """The reason and the evidence an edit may need; the same fields on the change form and the action page."""

    reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60, "id": "id_reason"}),
        help_text=_(
            "Required when the forecast moves later or before the baseline, and on completion or cancellation. "
            "Shown to readers and kept in the history."
        ),
    )
    evidence_url = forms.URLField(
        label=_("Evidence address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60, "id": "id_evidence_url"}),
        help_text=_("Where it is said: a press report, a notification, a minister's statement."),
    )
    evidence_document = forms.FileField(
        label=_("or evidence document"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"id": "id_evidence_document"}),
        help_text=_("A PDF, a picture or an office document, up to %(mb)s MB.")
        % {"mb": settings.EVIDENCE_MAX_BYTES // 1_048_576},
    )

    def clean_evidence_document(self) -> Any:
        document = self.cleaned_data.get("evidence_document")
        if document:
            problems = validation.evidence_document_errors(
                name=document.name,
                size=document.size,
                max_bytes=settings.EVIDENCE_MAX_BYTES,
                head=services.document_head(document),
            )
            if problems:
                raise ValidationError(problems)
        return document


def rule_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Put rule errors on the form's fields ("evidence" on the address field)."""
    for name, messages_ in errors.items():
        target: str | None = {"evidence": "evidence_url"}.get(name, name)
        if target not in form.fields:
            target = None
        for message in messages_:
            form.add_error(target, message)


def _milestone_rules(form: forms.ModelForm[Milestone], data: dict[str, Any]) -> dict[str, list[str]]:
    """The editing rules for what a milestone form posted: reasons, evidence, no future completion, locked baseline."""
    instance = form.instance
    baseline = data.get("baseline_due_date", instance.baseline_due_date)
    if baseline is None or any(name in form.errors for name in ("forecast_due_date", "completed_on")):
        return {}
    # `instance` still holds the stored values here: the form copies the posted ones after clean().
    before = (
        validation.MilestoneState(
            forecast_due_date=instance.forecast_due_date,
            completed_on=instance.completed_on,
            cancelled=instance.cancelled,
            cancelled_on=instance.cancelled_on,
        )
        if instance.pk is not None
        else validation.MilestoneState()
    )

    def posted(name: str) -> Any:
        return data[name] if name in data else getattr(instance, name)

    after = validation.MilestoneState(
        forecast_due_date=posted("forecast_due_date"),
        completed_on=posted("completed_on"),
        cancelled=bool(posted("cancelled")),
        cancelled_on=posted("cancelled_on"),
    )
    errors = validation.milestone_change_errors(
        before=before,
        after=after,
        baseline_due_date=baseline,
        reason=data.get("reason") or "",
        has_evidence=bool(data.get("evidence_url") or data.get("evidence_document")),
        today=timezone.localdate(),
    )
    if instance.pk is not None and instance.published_on is not None and baseline != instance.baseline_due_date:
        errors.update(
            validation.locked_baseline_errors(changed=["baseline_due_date"], published_on=instance.published_on)
        )
    return errors


class MilestoneForm(forms.ModelForm[Milestone]):
    """The milestone change form with the reason and the evidence that some changes need (checked in `clean`)."""

    reason = EvidenceFields.base_fields["reason"]
    evidence_url = EvidenceFields.base_fields["evidence_url"]
    evidence_document = EvidenceFields.base_fields["evidence_document"]
    clean_evidence_document = EvidenceFields.clean_evidence_document

    class Meta:
        model = Milestone
        # The admin passes the fields of its fieldsets; these are the ones the rules read.
        fields = ["baseline_due_date", "forecast_due_date", "completed_on", "cancelled", "cancelled_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data (the stubs allow None)
        rule_errors(self, _milestone_rules(self, data))
        return data


class MilestoneInlineForm(forms.ModelForm[Milestone]):
    """A milestone row under its pillar: changes that need a reason are sent to the milestone's own page."""

    class Meta:
        model = Milestone
        # The admin passes the fields of its fieldsets; these are the ones the rules read.
        fields = ["baseline_due_date", "forecast_due_date", "completed_on", "cancelled", "cancelled_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data (the stubs allow None)
        errors = _milestone_rules(self, data)
        hint = _("Make this change on the milestone's own page, where the reason and the evidence are asked for.")
        for field, messages_ in errors.items():
            for message in messages_:
                target = field if field in ("completed_on", "baseline_due_date", "forecast_due_date") else None
                self.add_error(target, message if target else f"{message} {hint}")
        return data


class MilestoneActionForm(EvidenceFields):
    """The page a changelist action shows before it changes the selected milestones."""

    forecast_due_date = forms.DateField(
        label=_("New forecast due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "id": "id_forecast_due_date"}),
    )

    def __init__(self, *args: Any, needs_date: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["forecast_due_date"].required = needs_date
        if not needs_date:
            del self.fields["forecast_due_date"]


class MilestoneEvidenceForm(forms.ModelForm[MilestoneEvidence]):
    """A piece of evidence entered on its own page or inline: its document is checked as the services check it."""

    class Meta:
        model = MilestoneEvidence
        fields = ["milestone", "date", "kind", "summary", "source", "document"]

    def clean_document(self) -> Any:
        document = self.cleaned_data.get("document")
        if isinstance(document, UploadedFile):  # a new upload, not the stored file
            problems = services.evidence_problems(evidence_document=document).get("evidence_document")
            if problems:
                raise ValidationError(problems)
        return document


# --- Measurements: figures out of line ---------------------------------------------------------------


class MeasurementForm(forms.ModelForm[Measurement]):
    """A figure; one out of line with the target's others needs "I confirm this figure" and a note.

    The checkbox stays hidden until there is something to confirm. A stored
    figure whose value or date changes needs the reason (readers see the
    earlier value with it); a figure found wrong is withdrawn, with its reason,
    never deleted; a withdrawn figure stays as it was.
    """

    confirm = forms.BooleanField(label=_("I confirm this figure"), required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why it changes"),
        required=False,
        max_length=2000,
        help_text=_("Required when you change a stored figure's value or date: readers see the earlier value."),
    )
    withdraw = forms.BooleanField(
        label=_("Withdraw this figure"),
        required=False,
        help_text=_("It stops counting from today and stays in public, struck through, with the reason below."),
    )

    class Meta:
        model = Measurement
        fields = ["target", "date", "value", "illustrative", "source_url", "note", "withdrawal_reason"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None or self.instance.withdrawn_on is not None or "withdrawal_reason" not in self.fields:
            self.fields.pop("withdraw")  # nothing to withdraw (new, already withdrawn, or a row of the inline)

    def _revision_errors(self, data: dict[str, Any]) -> dict[str, list[str]]:
        if self.instance.pk is None:
            return {}
        if self.instance.withdrawn_on is not None:
            changed = set(self.changed_data) - {"withdraw", "reason", "confirm"}
            return validation.withdrawn_errors(withdrawn_on=self.instance.withdrawn_on) if changed else {}
        errors: dict[str, list[str]] = {}
        if data.get("withdraw"):
            if set(self.changed_data) - {"withdraw", "withdrawal_reason", "reason"}:
                errors["withdraw"] = [str(_("A figure is withdrawn as it stands: undo the other changes first."))]
            if not (data.get("withdrawal_reason") or "").strip():
                errors["withdrawal_reason"] = [str(validation.WITHDRAWAL_NEEDS_REASON)]
            return errors
        revised = bool({"date", "value"} & set(self.changed_data))
        return {**errors, **validation.revision_errors(revised=revised, reason=data.get("reason") or "")}

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        assert data is not None  # ModelForm.clean returns cleaned_data (the stubs allow None)
        target = data.get("target") or (self.instance.target if self.instance.target_id else None)
        day, value = data.get("date"), data.get("value")
        for field, messages in self._revision_errors(data).items():
            self.add_error(field if field in self.fields else None, messages)
        if target is None or day is None or value is None or self.errors or data.get("withdraw"):
            return data
        if self.instance.pk is None and not data.get("source_url") and not data.get("illustrative"):
            self.add_error("source_url", _("Cite the source of this figure (its address)."))
        previous, following = selectors.measurement_neighbours(
            target_id=target.pk, date=day, exclude_pk=self.instance.pk
        )
        warnings = validation.figure_warnings(
            target=target,
            value=value,
            previous=previous,
            following=following,
        )
        if warnings:
            self.warnings = warnings
            self.fields["confirm"].widget = forms.CheckboxInput(attrs={"class": "confirm-figure"})
            if not data.get("confirm"):
                self.add_error(
                    "value",
                    [*warnings, _("If it is right, tick “I confirm this figure” and explain it in the note.")],
                )
            elif not (data.get("note") or "").strip():
                self.add_error("note", validation.EXPLAIN_FIGURE)
        return data


class MeasurementInlineFormSet(BaseInlineFormSet[Measurement, Target]):
    """A target's figures: each posted figure is also checked against the others posted with it."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        target = self.instance
        if target.pk is None or target.baseline_value is None or target.target_value is None:
            return
        kept = [
            f
            for f in self.forms
            if f.cleaned_data and not self._should_delete_form(f)  # type: ignore[attr-defined]  # Django's, private
        ]
        changed = [f for f in kept if f.has_changed()]
        if len(changed) < 2:
            return  # one new or changed figure: its own form compared it with the stored ones
        posted_pks = {f.instance.pk for f in self.forms if f.instance.pk is not None}
        series = {
            day: value
            for pk, day, value in Measurement.objects.filter(target=target).values_list("pk", "date", "value")
            if pk not in posted_pks
        }
        series.update({f.cleaned_data["date"]: f.cleaned_data["value"] for f in kept})
        days = sorted(series.items())
        for form in changed:
            if getattr(form, "warnings", None):
                continue  # already reported (or confirmed) by the form itself
            day = form.cleaned_data["date"]
            position = [d for d, _v in days].index(day)
            warnings = validation.figure_warnings(
                target=target,
                value=form.cleaned_data["value"],
                previous=days[position - 1] if position > 0 else None,
                following=days[position + 1] if position + 1 < len(days) else None,
            )
            if warnings and not form.cleaned_data.get("confirm"):
                form.warnings = warnings  # type: ignore[attr-defined]  # a MeasurementForm, typed ModelForm
                form.fields["confirm"].widget = forms.CheckboxInput(attrs={"class": "confirm-figure"})
                form.add_error(
                    "value", [*warnings, _("If it is right, tick “I confirm this figure” and explain it in the note.")]
                )


# --- Targets: the planned curve; pillars: their milestones ---------------------------------------------


class TrajectoryInlineFormSet(BaseInlineFormSet[TrajectoryPoint, Target]):
    """A target's interim points, checked together with the target values posted on the same page."""

    def points(self) -> list[tuple[dt.date, float]]:
        """The planned curve as posted: every filled-in row that is not marked for deletion."""
        return [
            (form.cleaned_data["date"], form.cleaned_data["value"])
            for form in self.forms
            if form.cleaned_data.get("date") is not None
            and form.cleaned_data.get("value") is not None
            and not self._should_delete_form(form)  # type: ignore[attr-defined]  # Django's, private
        ]

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        # `self.instance` already holds the values posted in the target form.
        target = self.instance
        errors = target_errors(
            baseline_value=target.baseline_value,
            baseline_date=target.baseline_date,
            target_value=target.target_value,
            target_date=target.target_date,
            trajectory=self.points(),
            value_can_be_negative=target.value_can_be_negative,
        )
        # Problems with the target's own values are shown on the target form
        # (Target.clean); only the curve's problems belong here.
        if errors.get("trajectory"):
            raise ValidationError(errors["trajectory"])


class PillarMilestoneFormSet(BaseInlineFormSet[Milestone, Pillar]):
    """Milestones added under a pillar belong to the pillar's policy."""

    def save_new(self, form: forms.ModelForm[Milestone], commit: bool = True) -> Milestone:
        form.instance.policy = self.instance.policy
        return super().save_new(form, commit=commit)


# --- Re-baselining (superusers only) --------------------------------------------------------------------


class RebaselineFields(forms.Form):
    decided_on = forms.DateField(
        label=_("Decided on"),
        widget=forms.DateInput(attrs={"type": "date", "id": "id_decided_on"}),
        help_text=_("When the new baseline was decided or announced."),
    )
    reason = forms.CharField(
        label=_("Why the baseline moves"),
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "id": "id_reason"}),
        help_text=_("Public: readers see it beside both baselines."),
    )
    source_url = forms.URLField(
        label=_("Source of the decision"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"size": 60, "id": "id_source_url"}),
    )


class TargetRebaselineForm(RebaselineFields):
    baseline_value = FigureField(label=_("New baseline value"))
    baseline_date = forms.DateField(label=_("New baseline date"), widget=forms.DateInput(attrs={"type": "date"}))
    target_value = FigureField(label=_("New target value"))
    target_date = forms.DateField(label=_("New deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    field_order = [
        "baseline_value",
        "baseline_date",
        "target_value",
        "target_date",
        "decided_on",
        "reason",
        "source_url",
    ]


class MilestoneRebaselineForm(RebaselineFields):
    due_date = forms.DateField(label=_("New baseline due date"), widget=forms.DateInput(attrs={"type": "date"}))
    field_order = ["due_date", "decided_on", "reason", "source_url"]


# --- Imports ---------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "id": "id_import_file"}),
    )
