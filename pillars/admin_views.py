"""The editors' forms and pages beyond Django's stock admin: reasons and evidence, confirmations,
re-baselining, imports and exports, and the site-wide list of recent changes.

Every write still goes through `pillars.services`; the forms here only check
what a person typed, with the rules of `pillars.validation`, so that the
messages are the ones the API and the importers give too.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from . import audit, importers, selectors, services, validation
from .models import Measurement, Milestone, Target

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
                name=document.name, size=document.size, max_bytes=settings.EVIDENCE_MAX_BYTES
            )
            if problems:
                raise ValidationError(problems)
        return document


def _rule_errors(form: forms.BaseForm, errors: dict[str, list[str]]) -> None:
    """Put rule errors on the form's fields ("evidence" on the address field)."""
    for name, messages_ in errors.items():
        target = {"evidence": "evidence_url"}.get(name, name)
        if target not in form.fields:
            target = None  # type: ignore[assignment]
        for message in messages_:
            form.add_error(target, message)


def _milestone_rules(form: forms.ModelForm, data: dict[str, Any]) -> dict[str, list[str]]:
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


class MilestoneForm(forms.ModelForm):
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
        _rule_errors(self, _milestone_rules(self, data))
        return data


class MilestoneInlineForm(forms.ModelForm):
    """A milestone row under its pillar: changes that need a reason are sent to the milestone's own page."""

    class Meta:
        model = Milestone
        # The admin passes the fields of its fieldsets; these are the ones the rules read.
        fields = ["baseline_due_date", "forecast_due_date", "completed_on", "cancelled", "cancelled_on"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
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


MILESTONE_ACTIONS = {
    "mark_completed_today": (
        _("Mark the selected milestones completed today"),
        _("Mark completed today"),
    ),
    "cancel_milestones": (_("Cancel the selected milestones"), _("Cancel")),
    "move_forecast": (_("Move the forecast of the selected milestones"), _("Move forecast")),
}


def milestone_action(
    model_admin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Milestone], action: str
) -> HttpResponse | None:
    """Ask for the reason and the evidence (and a date), then change every selected milestone in one transaction.

    All or nothing: if one milestone refuses the change, none is changed and
    the page says which one and why.
    """
    today = timezone.localdate()
    milestones = list(queryset.order_by("code"))
    form = MilestoneActionForm(
        request.POST if "apply" in request.POST else None,
        request.FILES if "apply" in request.POST else None,
        needs_date=action == "move_forecast",
    )
    problems: list[str] = []
    if "apply" in request.POST and form.is_valid():
        data = form.cleaned_data
        changes: dict[str, Any] = {
            "mark_completed_today": {"completed_on": today},
            "cancel_milestones": {"cancelled": True, "cancelled_on": today},
            "move_forecast": {"forecast_due_date": data.get("forecast_due_date")},
        }[action]
        try:
            with transaction.atomic():
                for milestone in milestones:
                    try:
                        services.milestone_update(
                            milestone=milestone,
                            **changes,
                            reason=data["reason"],
                            evidence_url=data["evidence_url"],
                            evidence_document=data["evidence_document"],
                            user=request.user,
                            today=today,
                        )
                    except ValidationError as exc:
                        problems += [f"{milestone.code}: {m}" for m in exc.messages]
                if problems:
                    raise _Undo
        except _Undo:
            pass
        else:
            model_admin.message_user(
                request,
                _("%(count)d milestones changed; the indicators are recomputed now.") % {"count": len(milestones)},
                messages.SUCCESS,
            )
            return None
    title, button = MILESTONE_ACTIONS[action]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "button": button,
        "opts": model_admin.model._meta,
        "milestones": milestones,
        "form": form,
        "problems": problems,
        "action": action,
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "today": today,
    }
    return TemplateResponse(request, "admin/pillars/milestone/action_form.html", context)


class _Undo(Exception):
    pass


# --- Measurements: figures out of line ---------------------------------------------------------------


class MeasurementForm(forms.ModelForm):
    """A figure; one out of line with the target's others needs "I confirm this figure" and a note.

    The checkbox stays hidden until there is something to confirm.
    """

    confirm = forms.BooleanField(label=_("I confirm this figure"), required=False, widget=forms.HiddenInput)

    class Meta:
        model = Measurement
        fields = ["target", "date", "value", "illustrative", "source_url", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        target = data.get("target") or (self.instance.target if self.instance.target_id else None)
        day, value = data.get("date"), data.get("value")
        if target is None or day is None or value is None or self.errors:
            return data
        if self.instance.pk is None and not data.get("source_url") and not data.get("illustrative"):
            self.add_error("source_url", _("Cite the source of this figure (its address)."))
        previous, following = selectors.measurement_neighbours(
            target_id=target.pk, date=day, exclude_pk=self.instance.pk
        )
        warnings = validation.measurement_warnings(
            direction=target.direction,
            baseline_value=target.baseline_value,
            target_value=target.target_value,
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


class MeasurementInlineFormSet(BaseInlineFormSet):
    """A target's figures: each posted figure is also checked against the others posted with it."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        target = self.instance
        if target.pk is None or target.baseline_value is None or target.target_value is None:
            return
        kept = [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]
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
            warnings = validation.measurement_warnings(
                direction=target.direction,
                baseline_value=target.baseline_value,
                target_value=target.target_value,
                value=form.cleaned_data["value"],
                previous=days[position - 1] if position > 0 else None,
                following=days[position + 1] if position + 1 < len(days) else None,
            )
            if warnings and not form.cleaned_data.get("confirm"):
                form.warnings = warnings  # type: ignore[attr-defined]
                form.fields["confirm"].widget = forms.CheckboxInput(attrs={"class": "confirm-figure"})
                form.add_error(
                    "value", [*warnings, _("If it is right, tick “I confirm this figure” and explain it in the note.")]
                )


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
    baseline_value = forms.FloatField(label=_("New baseline value"))
    baseline_date = forms.DateField(label=_("New baseline date"), widget=forms.DateInput(attrs={"type": "date"}))
    target_value = forms.FloatField(label=_("New target value"))
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


def rebaseline_view(model_admin: admin.ModelAdmin, request: HttpRequest, object_id: str) -> HttpResponse:
    """Record a re-baseline of one published target or milestone; superusers only."""
    if not request.user.is_superuser:
        raise PermissionDenied
    model = model_admin.model
    item = get_object_or_404(model.objects.prefetch_related("rebaselines"), pk=object_id)
    is_target = model is Target
    form_class = TargetRebaselineForm if is_target else MilestoneRebaselineForm
    if is_target:
        initial: dict[str, Any] = {
            "baseline_value": item.current_baseline_value,
            "baseline_date": item.current_baseline_date,
            "target_value": item.current_target_value,
            "target_date": item.current_target_date,
        }
    else:
        initial = {"due_date": item.current_baseline_due_date}
    initial["decided_on"] = timezone.localdate()
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if is_target:
                services.target_rebaseline(target=item, user=request.user, **data)
            else:
                services.milestone_rebaseline(milestone=item, user=request.user, **data)
        except ValidationError as exc:
            _rule_errors(form, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
        else:
            model_admin.message_user(request, _("Re-baseline recorded; both baselines are now public."))
            return HttpResponseRedirect(reverse(f"admin:pillars_{model._meta.model_name}_change", args=[item.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Re-baseline %(item)s") % {"item": item},
        "opts": model._meta,
        "original": item,
        "form": form,
        "rebaselines": list(item.rebaselines.all()),
        "is_target": is_target,
    }
    return TemplateResponse(request, "admin/pillars/rebaseline_form.html", context)


# --- Imports and exports --------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx", "id": "id_import_file"}),
    )


def _kind(model: type[Any]) -> importers.ImportKind:
    return importers.ImportKind.MEASUREMENTS if model is Measurement else importers.ImportKind.MILESTONES


def import_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """Upload → dry run (what would change, or every bad line) → confirm → one atomic import."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    kind = _kind(model_admin.model)
    report = None
    token = ""
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        found = importers.staged(token=token, user_id=request.user.pk, kind=kind)
        if found is None:
            messages.error(request, _("That upload has expired or is not yours; upload the file again."))
        else:
            name, data = found
            report = importers.import_file(kind=kind, name=name, data=data, user=request.user, dry_run=False)
            if report.written:
                importers.unstage(token=token)
                counts = report.counts
                model_admin.message_user(
                    request,
                    _("Imported %(name)s: %(add)d added, %(change)d changed, %(same)d unchanged.")
                    % {"name": name, "add": counts["add"], "change": counts["change"], "same": counts["unchanged"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse(f"admin:pillars_{model_admin.model._meta.model_name}_changelist"))
            if report.ok:
                importers.unstage(token=token)
                messages.info(request, _("Nothing to import: every line matches what is stored."))
            token = token if not report.ok else ""
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = get_valid_filename(upload.name)[:100] or "upload"
            if upload.size > settings.IMPORT_MAX_BYTES:
                data = b""
                report = importers.ImportReport(kind=kind, file_name=name, dry_run=True)
                report.file_problem = str(
                    _("The file is %(size)s MB; the most an import takes is %(max)s MB. Split it into smaller files.")
                    % {"size": f"{upload.size / 1_048_576:.1f}", "max": f"{settings.IMPORT_MAX_BYTES / 1_048_576:.0f}"}
                )
            else:
                data = upload.read()
                report = importers.import_file(kind=kind, name=name, data=data, user=request.user, dry_run=True)
            if report.ok and any(c.action != "unchanged" for c in report.changes):
                token = importers.stage(kind=kind, name=name, data=data, user_id=request.user.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import %(what)s") % {"what": model_admin.model._meta.verbose_name_plural},
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "token": token,
        "kind": kind.value,
        "columns": importers.COLUMNS[kind],
        "max_rows": settings.IMPORT_MAX_ROWS,
        "max_mb": settings.IMPORT_MAX_BYTES // 1_048_576,
    }
    return TemplateResponse(request, "admin/pillars/import.html", context)


def _download(content: bytes, *, name: str, fmt: str) -> HttpResponse:
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _format(request: HttpRequest) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise PermissionDenied
    return fmt


def template_view(model_admin: admin.ModelAdmin, request: HttpRequest) -> HttpResponse:
    """An empty import file with the right columns (an XLSX one explains them on a second sheet)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    kind, fmt = _kind(model_admin.model), _format(request)
    content = importers.render_table(importers.template_rows(kind), fmt=fmt, kind=kind)
    return _download(content, name=f"{kind.value}-template", fmt=fmt)


def export_view(model_admin: admin.ModelAdmin, request: HttpRequest, queryset: Any = None) -> HttpResponse:
    """Every item (or the selected ones) in the import file's columns, with formulas neutralised."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    kind, fmt = _kind(model_admin.model), _format(request)
    content = importers.render_table(importers.export_rows(kind=kind, queryset=queryset), fmt=fmt, kind=kind)
    return _download(content, name=f"{kind.value}-{timezone.localdate().isoformat()}", fmt=fmt)


# --- Recent changes ------------------------------------------------------------------------------------


def recent_changes_view(request: HttpRequest) -> HttpResponse:
    """Who changed what, when and why, across the editable models: the latest records first."""
    try:
        limit = max(1, min(int(request.GET.get("limit", 100)), 500))
    except ValueError:
        limit = 100
    model_name = request.GET.get("model", "")
    visible = [
        m for m in audit.AUDITED_MODELS if request.user.has_perm(f"{m._meta.app_label}.view_{m._meta.model_name}")
    ]
    chosen = [m for m in visible if m._meta.model_name == model_name] or visible
    entries = audit.recent_changes(models=chosen, limit=limit)
    context = {
        **admin.site.each_context(request),
        "title": _("Recent changes"),
        "entries": entries,
        "models": [(m._meta.model_name, m._meta.verbose_name_plural) for m in visible],
        "model_name": model_name,
        "limit": limit,
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)


__all__ = [
    "ImportForm",
    "MeasurementForm",
    "MilestoneActionForm",
    "MilestoneForm",
    "dt",
]
