"""Admin of the stored indicators: read-only, since only the recompute writes them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import MilestoneSnapshot, RecomputeRun, RollupSnapshot, TargetSnapshot


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
