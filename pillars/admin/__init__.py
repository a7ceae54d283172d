"""Admin for the policy's structure and its commitments.

Editors keep targets, measurements and milestones current here. Every write
goes through a service (`pillars.services` for the commitments, with their
rules; `core.records` for the structure), so the admin gets the same
validation, history and recompute-after-commit as the API and the importers.
The editors' own forms and pages are in `forms` and `views`; the indicator
columns in `columns`; the stored indicators' admin is `indicators.admin`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import HistoryAdmin, NoRevertAdminMixin, ReadOnlyAdminMixin, ServiceAdminMixin, StaleCopyAdminMixin
from indicators import selectors as indicator_selectors
from indicators.services import indicators_recompute_items

from .. import services
from ..models import (
    Measurement,
    Milestone,
    MilestoneEvidence,
    Pillar,
    Policy,
    Rebaseline,
    Risk,
    Target,
    TrajectoryPoint,
)
from . import views
from .columns import (
    ChangedFieldsHistory,
    IllustrativeColumn,
    MilestoneIndicatorColumns,
    MilestoneStatusFilter,
    TargetIndicatorColumns,
    TargetStatusFilter,
    current_as_of,
)
from .editor_forms import (
    MeasurementForm,
    MeasurementInlineFormSet,
    MilestoneEvidenceForm,
    MilestoneForm,
    MilestoneInlineForm,
    PillarMilestoneFormSet,
    TrajectoryInlineFormSet,
)
from .fields import FigureField

if TYPE_CHECKING:
    from django.contrib.admin.options import InlineModelAdmin
    from django.utils.datastructures import _ListOrTuple

HTTPS_URLS: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.URLField: {"assume_scheme": "https"}}
# Figures typed as people write them, 160,000 or the Urdu pages' 1,60,000 (`core.numbers`), in a text box: a
# browser's number box refuses the comma before the form can read it.
FIGURES: dict[type[models.Field[Any, Any]], dict[str, Any]] = {models.FloatField: {"form_class": FigureField}}
# Tabular inlines stay one line high per row.


COMPACT = {**HTTPS_URLS, **FIGURES, models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 40})}}


def _save_measurements(formset: BaseInlineFormSet[Measurement, Target], user: services.User) -> None:
    """Write a measurement formset through the services (`formset.save(commit=False)` fills the change message).

    The forms have already compared every figure with its neighbours and asked
    for a confirmation and a note where one is out of line, so the figures are
    saved as confirmed, in date order.
    """
    changed = {id(m) for m in formset.save(commit=False)}
    forms_by_date = sorted((f for f in formset.forms if id(f.instance) in changed), key=lambda f: f.instance.date)
    for form in forms_by_date:
        services.measurement_save(
            measurement=form.instance, user=user, confirmed=True, reason=form.cleaned_data.get("reason", "")
        )


def _recompute_now(
    model_admin: admin.ModelAdmin[Any],
    request: HttpRequest,
    *,
    target_ids: Sequence[int] = (),
    milestone_ids: Sequence[int] = (),
) -> None:
    """The "recompute now" action of targets and milestones: today's indicators of the selected items."""
    result = indicators_recompute_items(as_of=timezone.localdate(), target_ids=target_ids, milestone_ids=milestone_ids)
    model_admin.message_user(
        request,
        _("Recomputed %(targets)d targets and %(milestones)d milestones as of %(date)s.")
        % {"targets": result.targets, "milestones": result.milestones, "date": result.as_of.isoformat()},
    )


# --- Inlines ------------------------------------------------------------------------------


class TrajectoryPointInline(admin.TabularInline[TrajectoryPoint, Target]):
    """The planned curve; written by `target_save` with the target, never on its own."""

    model = TrajectoryPoint
    formset = TrajectoryInlineFormSet
    formfield_overrides = FIGURES
    fields = ["date", "value"]
    ordering = ["date"]
    extra = 1


class MeasurementInline(IllustrativeColumn, admin.TabularInline[Measurement, Target]):
    model = Measurement
    form = MeasurementForm
    formset = MeasurementInlineFormSet
    fields = [
        "date",
        "value",
        "illustrative",
        "figure_kind",
        "source_url",
        "note",
        "reason",
        "confirm",
        "withdrawn_on",
        "entered_by",
    ]
    readonly_fields = ["figure_kind", "withdrawn_on", "entered_by"]
    ordering = ["-date"]
    formfield_overrides = COMPACT
    show_change_link = True  # a figure is withdrawn on its own page
    can_delete = False  # never deleted: withdrawn, and kept in public
    extra = 1

    def get_queryset(self, request: HttpRequest) -> QuerySet[Measurement]:
        return super().get_queryset(request).select_related("entered_by")


class MilestoneInline(MilestoneIndicatorColumns, admin.TabularInline[Milestone, Pillar]):
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
        return indicator_selectors.with_milestone_indicators(super().get_queryset(request), as_of=current_as_of())


class MilestoneEvidenceInline(admin.TabularInline[MilestoneEvidence, Milestone]):
    """A milestone's evidence; its documents are checked as the services check them (`MilestoneEvidenceForm`)."""

    model = MilestoneEvidence
    form = MilestoneEvidenceForm
    fields = ["date", "kind", "summary", "source", "document"]
    autocomplete_fields = ["source"]
    formfield_overrides = COMPACT
    ordering = ["date"]
    extra = 1


# --- Structure ----------------------------------------------------------------------------


@admin.register(Policy)
class PolicyAdmin(ServiceAdminMixin, admin.ModelAdmin[Policy]):
    list_display = ["name", "country", "approved_on", "binding", "primary_text_available"]
    search_fields = ["name", "slug", "country"]
    autocomplete_fields = ["sources"]


@admin.register(Pillar)
class PillarAdmin(ServiceAdminMixin, HistoryAdmin[Pillar]):
    list_display = ["number", "name", "policy", "lead_body", "confidence"]
    list_display_links = ["number", "name"]
    list_filter = ["policy", "confidence"]
    list_select_related = ["policy"]
    search_fields = ["name", "slug", "summary", "lead_body"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["policy", "sources"]
    inlines = [MilestoneInline]

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm[Pillar], formset: BaseInlineFormSet[Any, Pillar], change: bool
    ) -> None:
        if formset.model is not Milestone:
            super().save_formset(request, form, formset, change)
            return
        for milestone in formset.save(commit=False):
            services.milestone_save(milestone=milestone, user=request.user)


@admin.register(Risk)
class RiskAdmin(ServiceAdminMixin, admin.ModelAdmin[Risk]):
    list_display = ["title", "policy", "position", "confidence"]
    list_filter = ["confidence"]
    list_select_related = ["policy"]
    search_fields = ["title", "slug", "description"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["policy", "sources"]


# --- Commitments ----------------------------------------------------------------------------


@admin.register(Target)
class TargetAdmin(
    StaleCopyAdminMixin, NoRevertAdminMixin, ChangedFieldsHistory, TargetIndicatorColumns, HistoryAdmin[Target]
):
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
    formfield_overrides = FIGURES
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
        (_("Current indicators"), {"fields": [*readonly_fields]}),
    ]
    inlines = [TrajectoryPointInline, MeasurementInline]
    actions = ["recompute_now", "publish"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Target]:
        return indicator_selectors.with_target_indicators(super().get_queryset(request), as_of=current_as_of())

    def get_readonly_fields(self, request: HttpRequest, obj: Target | None = None) -> list[str]:
        # A published baseline is the public promise: only the re-baseline page (superusers) moves it.
        locked = ["baseline_value", "baseline_date", "target_value", "target_date"]
        return [*self.readonly_fields, "published_on", *(locked if obj is not None and obj.published_on else [])]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rebaseline/",
                view(lambda request, object_id: views.rebaseline_view(self, request, object_id)),
                name="pillars_target_rebaseline",
            ),
            *super().get_urls(),
        ]

    @admin.action(description=_("Publish the selected targets (locks their baselines)"), permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        count = services.items_publish(targets=queryset, user=request.user)
        self.message_user(request, _("%(count)d targets published; their baselines are locked.") % {"count": count})

    @admin.action(description=_("Recompute the indicators of the selected targets now"), permissions=["change"])
    def recompute_now(self, request: HttpRequest, queryset: QuerySet[Target]) -> None:
        _recompute_now(self, request, target_ids=list(queryset.values_list("pk", flat=True)))

    def get_inlines(
        self, request: HttpRequest, obj: Target | None
    ) -> _ListOrTuple[type[InlineModelAdmin[Any, Target]]]:
        # Figures are checked against the saved target's baseline: record them once the target exists.
        return self.inlines if obj is not None else [TrajectoryPointInline]

    def save_model(self, request: HttpRequest, obj: Target, form: forms.ModelForm[Target], change: bool) -> None:
        """Deferred to `save_related`, where `target_save` writes the target with its curve and links."""

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Target],
        formsets: list[BaseInlineFormSet[Any, Target]],
        change: bool,
    ) -> None:
        trajectory = None
        for formset in formsets:
            if isinstance(formset, TrajectoryInlineFormSet):
                trajectory = formset.points()
                formset.save(commit=False)  # writes nothing; lists the changes for the admin log
        services.target_save(
            target=form.instance,
            trajectory=trajectory,
            hubs=form.cleaned_data.get("hubs"),
            sources=form.cleaned_data.get("sources"),
            user=request.user,
        )
        for formset in formsets:
            if not isinstance(formset, TrajectoryInlineFormSet):
                self.save_formset(request, form, formset, change=change)

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm[Target], formset: BaseInlineFormSet[Any, Target], change: bool
    ) -> None:
        if formset.model is Measurement:
            _save_measurements(formset, request.user)
        else:
            super().save_formset(request, form, formset, change)


@admin.register(Measurement)
class MeasurementAdmin(
    StaleCopyAdminMixin, NoRevertAdminMixin, ChangedFieldsHistory, IllustrativeColumn, HistoryAdmin[Measurement]
):
    list_display = ["target", "date", "value", "figure_kind", "withdrawn_on", "entered_by", "created_at"]
    list_filter = ["illustrative", ("withdrawn_on", admin.EmptyFieldListFilter), "target__pillar", "date"]
    list_select_related = ["target", "entered_by"]
    search_fields = ["target__code", "target__title", "note", "source_url"]
    autocomplete_fields = ["target"]
    date_hierarchy = "date"
    formfield_overrides = {**HTTPS_URLS, **FIGURES}
    form = MeasurementForm
    EDITABLE: ClassVar[list[str]] = [
        "target",
        "date",
        "value",
        "illustrative",
        "source_url",
        "note",
        "reason",
        "confirm",
        "withdraw",
        "withdrawal_reason",
        "withdrawn_on",
        "entered_by",
        "created_at",
    ]
    fields = list(EDITABLE)
    # `measurement_save` records who entered a new figure.
    readonly_fields = ["withdrawn_on", "entered_by", "created_at"]
    actions = ["export_csv", "export_xlsx"]

    def get_urls(self) -> list[URLPattern]:
        return _import_export_urls(self) + super().get_urls()

    @admin.action(description=_("Export the selected figures as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> HttpResponse:
        return _export(self, request, queryset, fmt="csv")

    @admin.action(description=_("Export the selected figures as Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Measurement]) -> HttpResponse:
        return _export(self, request, queryset, fmt="xlsx")

    def get_readonly_fields(self, request: HttpRequest, obj: Measurement | None = None) -> list[str]:
        if obj is not None and obj.withdrawn_on is not None:
            return [name for name in self.EDITABLE if name not in ("confirm", "reason", "withdraw")]
        # Moving a figure to another target would leave the first one's indicators stale: withdraw and re-enter it.
        return [*self.readonly_fields, "target"] if obj is not None else list(self.readonly_fields)

    def get_fields(self, request: HttpRequest, obj: Measurement | None = None) -> list[str]:  # type: ignore[override]
        fields = list(self.EDITABLE)
        if obj is None:  # a new figure has nothing to revise or withdraw
            return [f for f in fields if f not in ("reason", "withdraw", "withdrawal_reason", "withdrawn_on")]
        if obj.withdrawn_on is not None:
            return [f for f in fields if f not in ("confirm", "reason", "withdraw")]
        return fields

    def has_delete_permission(self, request: HttpRequest, obj: Measurement | None = None) -> bool:
        return False  # a figure is withdrawn, and kept in public, never deleted by a person

    def has_change_permission(self, request: HttpRequest, obj: Measurement | None = None) -> bool:
        # A withdrawn figure stays as it was: its page is read-only for everyone.
        return (obj is None or obj.withdrawn_on is None) and super().has_change_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Measurement, form: forms.ModelForm[Measurement], change: bool
    ) -> None:
        data = form.cleaned_data
        if data.get("withdraw"):
            services.measurement_withdraw(measurement=obj, user=request.user, reason=data["withdrawal_reason"])
            return
        # The form compared the figure with its neighbours and asked for a confirmation and a note if needed.
        services.measurement_save(measurement=obj, user=request.user, confirmed=True, reason=data.get("reason", ""))


@admin.register(Milestone)
class MilestoneAdmin(
    StaleCopyAdminMixin, NoRevertAdminMixin, ChangedFieldsHistory, MilestoneIndicatorColumns, HistoryAdmin[Milestone]
):
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
        (_("Current indicators"), {"fields": [*readonly_fields]}),
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
        return indicator_selectors.with_milestone_indicators(super().get_queryset(request), as_of=current_as_of())

    def get_readonly_fields(self, request: HttpRequest, obj: Milestone | None = None) -> list[str]:
        locked = ["baseline_due_date"] if obj is not None and obj.published_on else []
        return [*self.readonly_fields, "published_on", *locked]

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/rebaseline/",
                view(lambda request, object_id: views.rebaseline_view(self, request, object_id)),
                name="pillars_milestone_rebaseline",
            ),
            *_import_export_urls(self),
            *super().get_urls(),
        ]

    @admin.action(description=views.MILESTONE_ACTIONS["mark_completed_today"][0], permissions=["change"])
    def mark_completed_today(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> HttpResponse | None:
        return views.milestone_action(self, request, queryset, "mark_completed_today")

    @admin.action(description=views.MILESTONE_ACTIONS["move_forecast"][0], permissions=["change"])
    def move_forecast(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> HttpResponse | None:
        return views.milestone_action(self, request, queryset, "move_forecast")

    @admin.action(description=views.MILESTONE_ACTIONS["cancel_milestones"][0], permissions=["change"])
    def cancel_milestones(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> HttpResponse | None:
        return views.milestone_action(self, request, queryset, "cancel_milestones")

    @admin.action(
        description=_("Publish the selected milestones (locks their baseline due dates)"), permissions=["change"]
    )
    def publish(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> None:
        count = services.items_publish(milestones=queryset, user=request.user)
        self.message_user(request, _("%(count)d milestones published; their baselines are locked.") % {"count": count})

    @admin.action(description=_("Export the selected milestones as CSV"), permissions=["view"])
    def export_csv(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> HttpResponse:
        return _export(self, request, queryset, fmt="csv")

    @admin.action(description=_("Export the selected milestones as Excel"), permissions=["view"])
    def export_xlsx(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> HttpResponse:
        return _export(self, request, queryset, fmt="xlsx")

    @admin.action(description=_("Recompute the indicators of the selected milestones now"), permissions=["change"])
    def recompute_now(self, request: HttpRequest, queryset: QuerySet[Milestone]) -> None:
        _recompute_now(self, request, milestone_ids=list(queryset.values_list("pk", flat=True)))

    def save_model(self, request: HttpRequest, obj: Milestone, form: forms.ModelForm[Milestone], change: bool) -> None:
        """Deferred to `save_related`, where `milestone_save` writes the milestone with its links."""

    def save_related(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Milestone],
        formsets: list[BaseInlineFormSet[Any, Milestone]],
        change: bool,
    ) -> None:
        services.milestone_save(
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

    def save_formset(
        self,
        request: HttpRequest,
        form: forms.ModelForm[Milestone],
        formset: BaseInlineFormSet[Any, Milestone],
        change: bool,
    ) -> None:
        if formset.model is not MilestoneEvidence:
            super().save_formset(request, form, formset, change)
            return
        changed = formset.save(commit=False)  # writes nothing; lists the changes for the admin log
        for evidence in formset.deleted_objects:
            services.evidence_delete(evidence=evidence, user=request.user)
        for evidence in changed:
            services.evidence_save(evidence=evidence, user=request.user)


def _import_export_urls(model_admin: views.ImportExportAdmin) -> list[URLPattern]:
    """Import (with its dry run), the empty template and the full export, under the model's admin."""
    view = model_admin.admin_site.admin_view
    name = f"pillars_{model_admin.model._meta.model_name}"
    return [
        path("import/", view(lambda r: views.import_view(model_admin, r)), name=f"{name}_import"),
        path("import/template/", view(lambda r: views.template_view(model_admin, r)), name=f"{name}_template"),
        path("export/", view(lambda r: views.export_view(model_admin, r)), name=f"{name}_export"),
    ]


def _export(
    model_admin: views.ImportExportAdmin,
    request: HttpRequest,
    queryset: QuerySet[Measurement] | QuerySet[Milestone],
    *,
    fmt: str,
) -> HttpResponse:
    """The changelist's export actions: the selected items, in the format the action names."""
    query = request.GET.copy()
    query["format"] = fmt
    request.GET = query  # type: ignore[assignment]  # the stubs type GET as immutable; Django lets a view replace it
    return views.export_view(model_admin, request, queryset)


@admin.register(Rebaseline)
class RebaselineAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Rebaseline]):
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


@admin.register(MilestoneEvidence)
class MilestoneEvidenceAdmin(HistoryAdmin[MilestoneEvidence]):
    """Evidence entered on its own page: checked by its form as the services check it, saved by `evidence_save`."""

    form = MilestoneEvidenceForm
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

    def save_model(
        self, request: HttpRequest, obj: MilestoneEvidence, form: forms.ModelForm[MilestoneEvidence], change: bool
    ) -> None:
        services.evidence_save(evidence=obj, user=request.user)

    def delete_model(self, request: HttpRequest, obj: MilestoneEvidence) -> None:
        services.evidence_delete(evidence=obj, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[MilestoneEvidence]) -> None:
        with transaction.atomic():
            for evidence in queryset:
                services.evidence_delete(evidence=evidence, user=request.user)
