"""Admin for the policy's structure, its commitments and the stored indicators.

Editors keep targets, measurements and milestones current here. Every write to
those goes through `pillars.services` (`target_save`, `measurement_save`,
`measurement_delete`, `milestone_save`), so the admin gets the same validation,
history and recompute-after-commit as the API and the importers. The snapshot
tables are written only by the recompute, so their admins are read-only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import admin_views, selectors
from .admin_views import MeasurementForm, MeasurementInlineFormSet, MilestoneForm, MilestoneInlineForm
from .choices import MilestoneStatus, TargetStatus
from .models import (
    Measurement,
    Milestone,
    MilestoneEvidence,
    MilestoneSnapshot,
    Pillar,
    Policy,
    Rebaseline,
    RecomputeRun,
    Risk,
    RollupSnapshot,
    Target,
    TargetSnapshot,
    TrajectoryPoint,
)
from .services import (
    indicators_recompute_items,
    items_publish,
    measurement_delete,
    measurement_save,
    milestone_save,
    target_save,
)
from .validation import target_errors

# Addresses typed without a scheme are read as https (Django 6's default).
HTTPS_URLS = {models.URLField: {"assume_scheme": "https"}}
# Tabular inlines stay one line high per row.
COMPACT = {**HTTPS_URLS, models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 40})}}


# --- Formsets -----------------------------------------------------------------------


class TrajectoryInlineFormSet(BaseInlineFormSet):
    """A target's interim points, checked together with the target values posted on the same page."""

    def points(self) -> list[tuple[dt.date, float]]:
        """The planned curve as posted: every filled-in row that is not marked for deletion."""
        return [
            (form.cleaned_data["date"], form.cleaned_data["value"])
            for form in self.forms
            if form.cleaned_data.get("date") is not None
            and form.cleaned_data.get("value") is not None
            and not self._should_delete_form(form)
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


class PillarMilestoneFormSet(BaseInlineFormSet):
    """Milestones added under a pillar belong to the pillar's policy."""

    def save_new(self, form: forms.ModelForm, commit: bool = True) -> Milestone:
        form.instance.policy = self.instance.policy
        return super().save_new(form, commit=commit)


def _save_measurements(formset: BaseInlineFormSet, user: Any) -> None:
    """Write a measurement formset through the services (`formset.save(commit=False)` fills the change message).

    The forms have already compared every figure with its neighbours and asked
    for a confirmation and a note where one is out of line, so the figures are
    saved as confirmed, in date order.
    """
    changed = formset.save(commit=False)
    for measurement in formset.deleted_objects:
        measurement_delete(measurement=measurement, user=user)
    for measurement in sorted(changed, key=lambda m: m.date):
        measurement_save(measurement=measurement, user=user, confirmed=True)


class ChangedFieldsHistory:
    """Adds "changed fields" to an item's history page, beside who, when and the reason."""

    history_list_display = ["changed_fields"]

    @admin.display(description=_("changed fields"))
    def changed_fields(self, record: Any) -> str:
        previous = record.prev_record
        if previous is None or record.history_type != "~":
            return ""
        delta = record.diff_against(previous)
        return ", ".join(str(record.instance_type._meta.get_field(c.field).verbose_name) for c in delta.changes)


# --- Current indicators -----------------------------------------------------------------

TARGET_INDICATORS = (
    "status",
    "as_of",
    "actual_value",
    "slip_days",
    "spi",
    "forecast_completion",
    "forecast_slip_days",
    "stale",
)
MILESTONE_INDICATORS = ("status", "as_of", "expected_date", "slip_days")


def _with_current_indicators(queryset: QuerySet[Any], fields: tuple[str, ...]) -> QuerySet[Any]:
    """Join each item's snapshot of the latest full recompute (what the public pages show) as `now_<field>`.

    One LEFT JOIN on the (item, as_of) unique index, so a changelist reads the
    indicators of every row in the same query as the rows.
    """
    as_of = selectors.latest_full_run_date(on_or_before=timezone.localdate())
    # Before the first full run no snapshot is current: a date no snapshot has keeps the join empty.
    current = FilteredRelation("snapshots", condition=Q(snapshots__as_of=as_of or dt.date.min))
    return queryset.annotate(current_snapshot=current).annotate(
        **{f"now_{field}": F(f"current_snapshot__{field}") for field in fields}
    )


class TargetStatusFilter(admin.SimpleListFilter):
    title = _("current status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return TargetStatus.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Target]) -> QuerySet[Target]:
        return queryset.filter(now_status=self.value()) if self.value() else queryset


class MilestoneStatusFilter(TargetStatusFilter):
    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return MilestoneStatus.choices


class TargetIndicatorColumns:
    """Read-only columns from the annotations of `_with_current_indicators` (empty on the add form)."""

    @admin.display(description=_("status"), ordering="now_status")
    def current_status(self, obj: Target) -> str | None:
        status = getattr(obj, "now_status", None)
        return TargetStatus(status).label if status else None

    @admin.display(description=_("slip (days)"), ordering="now_slip_days")
    def current_slip_days(self, obj: Target) -> int | None:
        return getattr(obj, "now_slip_days", None)

    @admin.display(description=_("forecast slip (days)"), ordering="now_forecast_slip_days")
    def current_forecast_slip_days(self, obj: Target) -> int | None:
        return getattr(obj, "now_forecast_slip_days", None)

    @admin.display(description=_("stale"), boolean=True, ordering="now_stale")
    def current_stale(self, obj: Target) -> bool | None:
        return getattr(obj, "now_stale", None)

    @admin.display(description=_("as of"), ordering="now_as_of")
    def current_as_of(self, obj: Target) -> dt.date | None:
        return getattr(obj, "now_as_of", None)

    @admin.display(description=_("latest figure"))
    def current_value(self, obj: Target) -> float | None:
        return getattr(obj, "now_actual_value", None)

    @admin.display(description=_("schedule performance index"))
    def current_spi(self, obj: Target) -> str | None:
        spi = getattr(obj, "now_spi", None)
        return None if spi is None else f"{spi:.2f}"

    @admin.display(description=_("forecast completion"))
    def current_forecast_completion(self, obj: Target) -> dt.date | None:
        return getattr(obj, "now_forecast_completion", None)


class MilestoneIndicatorColumns:
    """Read-only columns from the annotations of `_with_current_indicators`."""

    @admin.display(description=_("status"), ordering="now_status")
    def current_status(self, obj: Milestone) -> str | None:
        status = getattr(obj, "now_status", None)
        return MilestoneStatus(status).label if status else None

    @admin.display(description=_("slip (days)"), ordering="now_slip_days")
    def current_slip_days(self, obj: Milestone) -> int | None:
        return getattr(obj, "now_slip_days", None)

    @admin.display(description=_("expected"), ordering="now_expected_date")
    def current_expected_date(self, obj: Milestone) -> dt.date | None:
        return getattr(obj, "now_expected_date", None)

    @admin.display(description=_("as of"), ordering="now_as_of")
    def current_as_of(self, obj: Milestone) -> dt.date | None:
        return getattr(obj, "now_as_of", None)


class IllustrativeColumn:
    @admin.display(description=_("kind of figure"), ordering="illustrative")
    def figure_kind(self, obj: Measurement) -> str:
        # Spelled out rather than a tick, so a made-up figure cannot be mistaken for a reported one.
        return str(_("ILLUSTRATIVE")) if obj.illustrative else str(_("reported"))


# --- Inlines ------------------------------------------------------------------------------


class TrajectoryPointInline(admin.TabularInline):
    """The planned curve; written by `target_save` with the target, never on its own."""

    model = TrajectoryPoint
    formset = TrajectoryInlineFormSet
    fields = ["date", "value"]
    ordering = ["date"]
    extra = 1


class MeasurementInline(IllustrativeColumn, admin.TabularInline):
    model = Measurement
    form = MeasurementForm
    formset = MeasurementInlineFormSet
    fields = ["date", "value", "illustrative", "figure_kind", "source_url", "note", "confirm", "entered_by"]
    readonly_fields = ["figure_kind", "entered_by"]
    ordering = ["-date"]
    formfield_overrides = COMPACT
    show_change_link = True
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measurement]:
        return super().get_queryset(request).select_related("entered_by")


class MilestoneInline(MilestoneIndicatorColumns, admin.TabularInline):
    """A pillar's milestones, compact; hubs, sources and evidence are edited on the milestone's own page."""

    model = Milestone
    form = MilestoneInlineForm
    formset = PillarMilestoneFormSet
    fields = [
        "code",
        "title",
        "announced_on",
        "baseline_due_date",
        "forecast_due_date",
        "completed_on",
        "cancelled",
        "current_status",
    ]
    readonly_fields = ["current_status"]
    show_change_link = True
    # There is no milestone delete service; a milestone is removed from its own page.
    can_delete = False
    extra = 0

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        return _with_current_indicators(super().get_queryset(request), MILESTONE_INDICATORS)


class MilestoneEvidenceInline(admin.TabularInline):
    model = MilestoneEvidence
    fields = ["date", "kind", "summary", "source", "document"]
    autocomplete_fields = ["source"]
    formfield_overrides = COMPACT
    ordering = ["date"]
    extra = 1


# --- Structure ----------------------------------------------------------------------------


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "approved_on", "binding", "primary_text_available"]
    search_fields = ["name", "slug", "country"]
    autocomplete_fields = ["sources"]


@admin.register(Pillar)
class PillarAdmin(SimpleHistoryAdmin):
    list_display = ["number", "name", "policy", "lead_body", "confidence"]
    list_display_links = ["number", "name"]
    list_filter = ["policy", "confidence"]
    list_select_related = ["policy"]
    search_fields = ["name", "slug", "summary", "lead_body"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["policy", "sources"]
    inlines = [MilestoneInline]

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not Milestone:
            super().save_formset(request, form, formset, change)
            return
        for milestone in formset.save(commit=False):
            milestone_save(milestone=milestone, user=request.user)


@admin.register(Risk)
class RiskAdmin(admin.ModelAdmin):
    list_display = ["title", "policy", "position", "confidence"]
    list_filter = ["confidence"]
    list_select_related = ["policy"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["policy", "sources"]


# --- Commitments ----------------------------------------------------------------------------


@admin.register(Target)
class TargetAdmin(ChangedFieldsHistory, TargetIndicatorColumns, SimpleHistoryAdmin):
    """A target, its planned curve and (once it exists) its figures, saved by `target_save` in one go."""

    list_display = [
        "code",
        "title",
        "pillar",
        "target_value",
        "target_date",
        "current_status",
        "current_slip_days",
        "current_stale",
        "current_as_of",
    ]
    list_filter = [TargetStatusFilter, "kind", "pillar", "confidence", "disputed"]
    list_select_related = ["pillar"]
    search_fields = ["code", "title", "description", "responsible_body"]
    autocomplete_fields = ["policy", "pillar", "hubs", "sources"]
    date_hierarchy = "target_date"
    readonly_fields = [
        "current_status",
        "current_as_of",
        "current_value",
        "current_slip_days",
        "current_spi",
        "current_forecast_completion",
        "current_forecast_slip_days",
        "current_stale",
    ]
    fieldsets = [
        (None, {"fields": ["policy", "pillar", "kind", "code", "title", "description", "responsible_body"]}),
        (
            _("Commitment"),
            {
                "fields": [
                    "unit",
                    "value_can_be_negative",
                    ("baseline_value", "baseline_date", "baseline_basis"),
                    ("target_value", "target_date", "deadline_basis"),
                    "basis_note",
                    "rate_per_year",
                    "reporting_interval_days",
                    "published_on",
                ]
            },
        ),
        (_("Sources"), {"fields": ["confidence", "disputed", "hubs", "sources"]}),
        (_("Current indicators"), {"fields": readonly_fields}),
    ]
    inlines = [TrajectoryPointInline, MeasurementInline]
    actions = ["recompute_now", "publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Target]:
        return _with_current_indicators(super().get_queryset(request), TARGET_INDICATORS)

    def get_readonly_fields(self, request: HttpRequest, obj: Target | None = None) -> list[str]:
        # A published baseline is the public promise: only the re-baseline page (superusers) moves it.
        locked = ["baseline_value", "baseline_date", "target_value", "target_date"]
        return [*self.readonly_fields, "published_on", *(locked if obj is not None and obj.published_on else [])]

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rebaseline/",
                view(lambda request, object_id: admin_views.rebaseline_view(self, request, object_id)),
                name="pillars_target_rebaseline",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Publish the selected targets (locks their baselines)"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        count = items_publish(targets=queryset, user=request.user)
        self.message_user(request, _("%(count)d targets published; their baselines are locked.") % {"count": count})

    @admin.action(description=_("Recompute the indicators of the selected targets now"), permissions=["change"])
    def recompute_now(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        result = indicators_recompute_items(
            as_of=timezone.localdate(), target_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            _("Recomputed %(count)d targets as of %(date)s.")
            % {"count": result.targets, "date": result.as_of.isoformat()},
        )

    def get_inlines(self, request: HttpRequest, obj: Target | None) -> list[type[admin.options.InlineModelAdmin]]:
        # Figures are checked against the saved target's baseline: record them once the target exists.
        return self.inlines if obj is not None else [TrajectoryPointInline]

    def save_model(self, request: HttpRequest, obj: Target, form: forms.ModelForm, change: bool) -> None:
        """Deferred to `save_related`, where `target_save` writes the target with its curve and links."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        trajectory = None
        for formset in formsets:
            if isinstance(formset, TrajectoryInlineFormSet):
                trajectory = formset.points()
                formset.save(commit=False)  # writes nothing; lists the changes for the admin log
        target_save(
            target=form.instance,
            trajectory=trajectory,
            hubs=form.cleaned_data.get("hubs"),
            sources=form.cleaned_data.get("sources"),
            user=request.user,
        )
        for formset in formsets:
            if not isinstance(formset, TrajectoryInlineFormSet):
                self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is Measurement:
            _save_measurements(formset, request.user)
        else:
            super().save_formset(request, form, formset, change)


@admin.register(Measurement)
class MeasurementAdmin(ChangedFieldsHistory, IllustrativeColumn, SimpleHistoryAdmin):
    list_display = ["target", "date", "value", "figure_kind", "entered_by", "created_at"]
    list_filter = ["illustrative", "target__pillar", "date"]
    list_select_related = ["target", "entered_by"]
    search_fields = ["target__code", "target__title", "note", "source_url"]
    autocomplete_fields = ["target"]
    date_hierarchy = "date"
    formfield_overrides = HTTPS_URLS
    form = MeasurementForm
    fields = ["target", "date", "value", "illustrative", "source_url", "note", "confirm", "entered_by", "created_at"]
    # `measurement_save` records who entered a new figure.
    readonly_fields = ["entered_by", "created_at"]
    actions = ["export_csv", "export_xlsx"]

    def get_urls(self) -> list[Any]:
        return _import_export_urls(self) + super().get_urls()

    @admin.action(description=_("Export the selected figures as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> Any:
        request.GET = request.GET.copy()
        request.GET["format"] = "csv"
        return admin_views.export_view(self, request, queryset)

    @admin.action(description=_("Export the selected figures as Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> Any:
        request.GET = request.GET.copy()
        request.GET["format"] = "xlsx"
        return admin_views.export_view(self, request, queryset)

    def get_readonly_fields(self, request: HttpRequest, obj: Measurement | None = None) -> list[str]:
        # Moving a figure to another target would leave the first one's indicators stale: delete and re-enter it.
        return [*self.readonly_fields, "target"] if obj is not None else list(self.readonly_fields)

    def save_model(self, request: HttpRequest, obj: Measurement, form: forms.ModelForm, change: bool) -> None:
        # The form compared the figure with its neighbours and asked for a confirmation and a note if needed.
        measurement_save(measurement=obj, user=request.user, confirmed=True)

    def delete_model(self, request: HttpRequest, obj: Measurement) -> None:
        measurement_delete(measurement=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> None:
        # One transaction, so the recompute of every touched target is sent once.
        for measurement in queryset:
            measurement_delete(measurement=measurement, user=request.user)


@admin.register(Milestone)
class MilestoneAdmin(ChangedFieldsHistory, MilestoneIndicatorColumns, SimpleHistoryAdmin):
    """A milestone with its evidence; the milestone itself is saved by `milestone_save`.

    Moving a forecast later, completing and cancelling need a reason and evidence,
    asked for on the change form and on the pages of the changelist's actions.
    """

    form = MilestoneForm

    list_display = [
        "code",
        "title",
        "pillar",
        "baseline_due_date",
        "forecast_due_date",
        "completed_on",
        "current_status",
        "current_slip_days",
        "current_as_of",
    ]
    list_filter = [MilestoneStatusFilter, "pillar", "due_basis", "cancelled", "confidence"]
    list_select_related = ["pillar"]
    search_fields = ["code", "title", "description", "responsible_body"]
    autocomplete_fields = ["policy", "pillar", "target", "hubs", "sources"]
    date_hierarchy = "baseline_due_date"
    readonly_fields = ["current_status", "current_as_of", "current_expected_date", "current_slip_days"]
    fieldsets = [
        (None, {"fields": ["policy", "pillar", "target", "code", "title", "description", "responsible_body"]}),
        (
            _("Dates"),
            {
                "fields": [
                    "announced_on",
                    ("baseline_due_date", "due_basis"),
                    "basis_note",
                    "forecast_due_date",
                    "completed_on",
                    ("cancelled", "cancelled_on"),
                    "published_on",
                ]
            },
        ),
        (
            _("Why (needed when the forecast moves later, on completion and on cancellation)"),
            {"fields": ["reason", "evidence_url", "evidence_document"]},
        ),
        (_("Sources"), {"fields": ["confidence", "hubs", "sources"]}),
        (_("Current indicators"), {"fields": readonly_fields}),
    ]
    inlines = [MilestoneEvidenceInline]
    actions = [
        "mark_completed_today",
        "move_forecast",
        "cancel_milestones",
        "publish",
        "export_csv",
        "export_xlsx",
        "recompute_now",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Milestone]:
        return _with_current_indicators(super().get_queryset(request), MILESTONE_INDICATORS)

    def get_readonly_fields(self, request: HttpRequest, obj: Milestone | None = None) -> list[str]:
        locked = ["baseline_due_date"] if obj is not None and obj.published_on else []
        return [*self.readonly_fields, "published_on", *locked]

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rebaseline/",
                view(lambda request, object_id: admin_views.rebaseline_view(self, request, object_id)),
                name="pillars_milestone_rebaseline",
            ),
            *_import_export_urls(self),
            *super().get_urls(),
        ]

    @admin.action(description=admin_views.MILESTONE_ACTIONS["mark_completed_today"][0], permissions=["change"])
    def mark_completed_today(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> Any:
        return admin_views.milestone_action(self, request, queryset, "mark_completed_today")

    @admin.action(description=admin_views.MILESTONE_ACTIONS["move_forecast"][0], permissions=["change"])
    def move_forecast(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> Any:
        return admin_views.milestone_action(self, request, queryset, "move_forecast")

    @admin.action(description=admin_views.MILESTONE_ACTIONS["cancel_milestones"][0], permissions=["change"])
    def cancel_milestones(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> Any:
        return admin_views.milestone_action(self, request, queryset, "cancel_milestones")

    @admin.action(
        description=_("Publish the selected milestones (locks their baseline due dates)"), permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> None:
        count = items_publish(milestones=queryset, user=request.user)
        self.message_user(request, _("%(count)d milestones published; their baselines are locked.") % {"count": count})

    @admin.action(description=_("Export the selected milestones as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> Any:
        request.GET = request.GET.copy()
        request.GET["format"] = "csv"
        return admin_views.export_view(self, request, queryset)

    @admin.action(description=_("Export the selected milestones as Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> Any:
        request.GET = request.GET.copy()
        request.GET["format"] = "xlsx"
        return admin_views.export_view(self, request, queryset)

    @admin.action(description=_("Recompute the indicators of the selected milestones now"), permissions=["change"])
    def recompute_now(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> None:
        result = indicators_recompute_items(
            as_of=timezone.localdate(), milestone_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request,
            _("Recomputed %(count)d milestones as of %(date)s.")
            % {"count": result.milestones, "date": result.as_of.isoformat()},
        )

    def save_model(self, request: HttpRequest, obj: Milestone, form: forms.ModelForm, change: bool) -> None:
        """Deferred to `save_related`, where `milestone_save` writes the milestone with its links."""

    def save_related(self, request: HttpRequest, form: forms.ModelForm, formsets: list[Any], change: bool) -> None:
        milestone_save(
            milestone=form.instance,
            hubs=form.cleaned_data.get("hubs"),
            sources=form.cleaned_data.get("sources"),
            user=request.user,
            reason=form.cleaned_data.get("reason") or "",
            evidence_url=form.cleaned_data.get("evidence_url") or "",
            evidence_document=form.cleaned_data.get("evidence_document") or None,
        )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: forms.ModelForm, formset: Any, change: bool) -> None:
        if formset.model is not MilestoneEvidence:
            super().save_formset(request, form, formset, change)
            return
        evidence_items = formset.save(commit=False)
        for evidence in formset.deleted_objects:
            evidence.delete()
        for evidence in evidence_items:
            if evidence.pk is None:
                evidence.created_by = request.user
            evidence.save()


def _import_export_urls(model_admin: admin.ModelAdmin) -> list[Any]:
    """Import (with its dry run), the empty template and the full export, under the model's admin."""
    view = model_admin.admin_site.admin_view
    name = f"pillars_{model_admin.model._meta.model_name}"
    return [
        path("import/", view(lambda r: admin_views.import_view(model_admin, r)), name=f"{name}_import"),
        path("import/template/", view(lambda r: admin_views.template_view(model_admin, r)), name=f"{name}_template"),
        path("export/", view(lambda r: admin_views.export_view(model_admin, r)), name=f"{name}_export"),
    ]


@admin.register(Rebaseline)
class RebaselineAdmin(admin.ModelAdmin):
    """Every re-baseline ever recorded: read-only here, recorded from a target's or milestone's page."""

    list_display = ["decided_on", "item", "what", "reason", "created_by", "created_at"]
    list_select_related = ["target", "milestone", "created_by"]
    list_filter = ["decided_on"]
    search_fields = ["reason", "target__code", "milestone__code"]

    @admin.display(description=_("item"))
    def item(self, obj: Rebaseline) -> str:
        return str(obj.target or obj.milestone)

    @admin.display(description=_("change"))
    def what(self, obj: Rebaseline) -> str:
        if obj.target_id:
            return (
                f"{obj.old_baseline_value:g} ({obj.old_baseline_date}) → {obj.new_baseline_value:g} "
                f"({obj.new_baseline_date}); {obj.old_target_value:g} ({obj.old_target_date}) → "
                f"{obj.new_target_value:g} ({obj.new_target_date})"
            )
        return f"{obj.old_due_date} → {obj.new_due_date}"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(MilestoneEvidence)
class MilestoneEvidenceAdmin(SimpleHistoryAdmin):
    list_display = ["milestone", "date", "kind", "short_summary", "source"]
    list_filter = ["kind", "milestone__pillar", "date"]
    list_select_related = ["milestone", "source"]
    search_fields = ["summary", "milestone__code", "milestone__title"]
    autocomplete_fields = ["milestone", "source"]
    date_hierarchy = "date"
    fields = ["milestone", "date", "kind", "summary", "source", "document", "created_by", "created_at"]
    readonly_fields = ["created_by", "created_at"]

    @admin.display(description=_("what it says"))
    def short_summary(self, obj: MilestoneEvidence) -> str:
        return obj.summary if len(obj.summary) <= 80 else f"{obj.summary[:79]}…"

    def save_model(self, request: HttpRequest, obj: MilestoneEvidence, form: forms.ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


# --- Stored indicators (read-only) ----------------------------------------------------------


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the recompute: anyone with the view permission may look, nobody may add, edit or delete."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TargetSnapshot)
class TargetSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "target",
        "as_of",
        "status",
        "actual_value",
        "progress",
        "planned_progress",
        "slip_days",
        "spi",
        "forecast_completion",
        "forecast_slip_days",
        "stale",
        "computed_at",
    ]
    list_filter = ["status", "stale", "target__pillar"]
    list_select_related = ["target"]
    search_fields = ["target__code", "target__title"]
    date_hierarchy = "as_of"


@admin.register(MilestoneSnapshot)
class MilestoneSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["milestone", "as_of", "status", "expected_date", "slip_days", "forecast_due_date", "computed_at"]
    list_filter = ["status", "milestone__pillar"]
    list_select_related = ["milestone"]
    search_fields = ["milestone__code", "milestone__title"]
    date_hierarchy = "as_of"


@admin.register(RollupSnapshot)
class RollupSnapshotAdmin(ReadOnlyAdmin):
    list_display = [
        "as_of",
        "scope",
        "scope_key",
        "window",
        "median_slip_days",
        "max_slip_days",
        "on_schedule_share",
        "computed_at",
    ]
    list_filter = ["scope", "window"]
    search_fields = ["scope_key"]
    date_hierarchy = "as_of"


@admin.register(RecomputeRun)
class RecomputeRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "scope", "target_count", "milestone_count", "started_at", "finished_at"]
    list_filter = ["scope"]
    date_hierarchy = "as_of"
