"""Admin columns and filters: the indicators each changelist shows beside its rows, who changed what."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from indicators import selectors as indicator_selectors
from indicators.choices import MilestoneStatus, TargetStatus

from ..models import Measurement, Milestone, Target

P = indicator_selectors.PREFIX  # the annotations' prefix: `ind_status`, `ind_slip_days`, ...


def current_as_of() -> dt.date:
    """The date of the indicators the public pages show today: the latest full recompute's.

    Before the first full run no snapshot is current: a date no snapshot has keeps the join empty.
    """
    return indicator_selectors.latest_full_run_date(on_or_before=timezone.localdate()) or dt.date.min


class ChangedFieldsHistory:
    """Adds "changed fields" to an item's history page, beside who, when and the reason."""

    history_list_display = ["changed_fields"]

    @admin.display(description=_("changed fields"))
    def changed_fields(self, record: Any) -> str:
        previous = record.prev_record
        if previous is None or record.history_type != "~":
            return ""
        delta = record.diff_against(previous, excluded_fields=["revision"])
        return ", ".join(str(record.instance_type._meta.get_field(c.field).verbose_name) for c in delta.changes)


class TargetStatusFilter(admin.SimpleListFilter):
    title = _("current status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return TargetStatus.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Target]) -> QuerySet[Target]:
        return queryset.filter(**{f"{P}status": self.value()}) if self.value() else queryset


class MilestoneStatusFilter(TargetStatusFilter):
    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return MilestoneStatus.choices


class TargetIndicatorColumns:
    """Read-only columns from the annotations of `_with_current_indicators` (empty on the add form)."""

    @admin.display(description=_("status"), ordering=f"{P}status")
    def current_status(self, obj: Target) -> str | None:
        status = getattr(obj, f"{P}status", None)
        return TargetStatus(status).label if status else None

    @admin.display(description=_("slip (days)"), ordering=f"{P}slip_days")
    def current_slip_days(self, obj: Target) -> int | None:
        return getattr(obj, f"{P}slip_days", None)

    @admin.display(description=_("forecast slip (days)"), ordering=f"{P}forecast_slip_days")
    def current_forecast_slip_days(self, obj: Target) -> int | None:
        return getattr(obj, f"{P}forecast_slip_days", None)

    @admin.display(description=_("stale"), boolean=True, ordering=f"{P}stale")
    def current_stale(self, obj: Target) -> bool | None:
        return getattr(obj, f"{P}stale", None)

    @admin.display(description=_("as of"), ordering=f"{P}as_of")
    def current_as_of(self, obj: Target) -> dt.date | None:
        return getattr(obj, f"{P}as_of", None)

    @admin.display(description=_("latest figure"))
    def current_value(self, obj: Target) -> float | None:
        return getattr(obj, f"{P}actual_value", None)

    @admin.display(description=_("schedule performance index"))
    def current_spi(self, obj: Target) -> str | None:
        spi = getattr(obj, f"{P}spi", None)
        return None if spi is None else f"{spi:.2f}"

    @admin.display(description=_("forecast completion"))
    def current_forecast_completion(self, obj: Target) -> dt.date | None:
        return getattr(obj, f"{P}forecast_completion", None)


class MilestoneIndicatorColumns:
    """Read-only columns from the annotations of `_with_current_indicators`."""

    @admin.display(description=_("status"), ordering=f"{P}status")
    def current_status(self, obj: Milestone) -> str | None:
        status = getattr(obj, f"{P}status", None)
        return MilestoneStatus(status).label if status else None

    @admin.display(description=_("slip (days)"), ordering=f"{P}slip_days")
    def current_slip_days(self, obj: Milestone) -> int | None:
        return getattr(obj, f"{P}slip_days", None)

    @admin.display(description=_("expected"), ordering=f"{P}expected_date")
    def current_expected_date(self, obj: Milestone) -> dt.date | None:
        return getattr(obj, f"{P}expected_date", None)

    @admin.display(description=_("as of"), ordering=f"{P}as_of")
    def current_as_of(self, obj: Milestone) -> dt.date | None:
        return getattr(obj, f"{P}as_of", None)


class IllustrativeColumn:
    @admin.display(description=_("kind of figure"), ordering="illustrative")
    def figure_kind(self, obj: Measurement) -> str:
        # Spelled out rather than a tick, so a made-up figure cannot be mistaken for a reported one.
        return str(_("ILLUSTRATIVE")) if obj.illustrative else str(_("reported"))
