"""The editors' pages beyond Django's stock admin: changelist actions that need a reason, re-baselining,
imports and exports, and the site-wide list of recent changes. Every write goes through `pillars.services`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeAlias, TypeVar

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from .. import audit, imports, services
from ..models import Measurement, Milestone, Target
from .editor_forms import ImportForm, MilestoneActionForm, MilestoneRebaselineForm, TargetRebaselineForm, rule_errors

# What can be re-baselined: the view is checked once for targets and once for milestones.
_Rebaselined = TypeVar("_Rebaselined", Target, Milestone)

if TYPE_CHECKING:
    # The admins the import and export pages serve (ModelAdmin is generic only in django-stubs: annotations only).
    ImportExportAdmin: TypeAlias = admin.ModelAdmin[Measurement] | admin.ModelAdmin[Milestone]

# --- Milestones: changelist actions that need a reason -----------------------------------------------


MILESTONE_ACTIONS = {
    "mark_completed_today": (
        _("Mark the selected milestones completed today"),
        _("Mark completed today"),
    ),
    "cancel_milestones": (_("Cancel the selected milestones"), _("Cancel")),
    "move_forecast": (_("Move the forecast of the selected milestones"), _("Move forecast")),
}


def milestone_action(
    model_admin: admin.ModelAdmin[Milestone], request: HttpRequest, queryset: QuerySet[Milestone], action: str
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
        changes_by_action: dict[str, dict[str, Any]] = {
            "mark_completed_today": {"completed_on": today},
            "cancel_milestones": {"cancelled": True, "cancelled_on": today},
            "move_forecast": {"forecast_due_date": data.get("forecast_due_date")},
        }
        changes = changes_by_action[action]
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


# --- Re-baselining (superusers only) --------------------------------------------------------------------


def rebaseline_view(model_admin: admin.ModelAdmin[_Rebaselined], request: HttpRequest, object_id: str) -> HttpResponse:
    """Record a re-baseline of one published target or milestone; superusers only."""
    if not request.user.is_superuser:
        raise PermissionDenied
    model = model_admin.model
    item = get_object_or_404(model.objects.prefetch_related("rebaselines"), pk=object_id)
    is_target = model is Target
    form_class = TargetRebaselineForm if is_target else MilestoneRebaselineForm
    if isinstance(item, Target):  # i.e. `is_target`, written so that the checker narrows `item`
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
            if isinstance(item, Target):
                services.target_rebaseline(target=item, user=request.user, **data)
            else:
                services.milestone_rebaseline(milestone=item, user=request.user, **data)
        except ValidationError as exc:
            rule_errors(form, exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages})
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


def _kind(model: type[Any]) -> imports.ImportKind:
    return imports.ImportKind.MEASUREMENTS if model is Measurement else imports.ImportKind.MILESTONES


def import_view(model_admin: ImportExportAdmin, request: HttpRequest) -> HttpResponse:
    """Upload → dry run (what would change, or every bad line) → confirm → one atomic import."""
    if not (model_admin.has_add_permission(request) and model_admin.has_change_permission(request)):
        raise PermissionDenied
    user_id = request.user.pk
    assert user_id is not None  # `admin_view` lets only signed-in staff in
    kind = _kind(model_admin.model)
    report = None
    token = ""
    form = ImportForm()
    if request.method == "POST" and "confirm" in request.POST:
        token = request.POST.get("token", "")
        found = imports.staged(token=token, user_id=user_id, kind=kind)
        if found is None:
            messages.error(request, _("That upload has expired or is not yours; upload the file again."))
        else:
            name, data = found
            report = imports.import_file(kind=kind, name=name, data=data, user=request.user, dry_run=False)
            if report.written:
                imports.unstage(token=token)
                counts = report.counts
                model_admin.message_user(
                    request,
                    _("Imported %(name)s: %(add)d added, %(change)d changed, %(same)d unchanged.")
                    % {"name": name, "add": counts["add"], "change": counts["change"], "same": counts["unchanged"]},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse(f"admin:pillars_{model_admin.model._meta.model_name}_changelist"))
            if report.ok:
                imports.unstage(token=token)
                messages.info(request, _("Nothing to import: every line matches what is stored."))
            token = token if not report.ok else ""
    elif request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            name = get_valid_filename(upload.name)[:100] or "upload"
            if upload.size > settings.IMPORT_MAX_BYTES:
                data = b""
                report = imports.ImportReport(kind=kind, file_name=name, dry_run=True)
                report.file_problem = str(
                    _("The file is %(size)s MB; the most an import takes is %(max)s MB. Split it into smaller files.")
                    % {"size": f"{upload.size / 1_048_576:.1f}", "max": f"{settings.IMPORT_MAX_BYTES / 1_048_576:.0f}"}
                )
            else:
                data = upload.read()
                report = imports.import_file(kind=kind, name=name, data=data, user=request.user, dry_run=True)
            if report.ok and any(c.action != "unchanged" for c in report.changes):
                token = imports.stage(kind=kind, name=name, data=data, user_id=user_id)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import %(what)s") % {"what": model_admin.model._meta.verbose_name_plural},
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "token": token,
        "kind": kind.value,
        "columns": imports.COLUMNS[kind],
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


def template_view(model_admin: ImportExportAdmin, request: HttpRequest) -> HttpResponse:
    """An empty import file with the right columns (an XLSX one explains them on a second sheet)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    kind, fmt = _kind(model_admin.model), _format(request)
    content = imports.render_table(imports.template_rows(kind), fmt=fmt, kind=kind)
    return _download(content, name=f"{kind.value}-template", fmt=fmt)


def export_view(
    model_admin: ImportExportAdmin,
    request: HttpRequest,
    queryset: QuerySet[Measurement] | QuerySet[Milestone] | None = None,
) -> HttpResponse:
    """Every item (or the selected ones) in the import file's columns, with formulas neutralised."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    kind, fmt = _kind(model_admin.model), _format(request)
    content = imports.render_table(imports.export_rows(kind=kind, queryset=queryset), fmt=fmt, kind=kind)
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
