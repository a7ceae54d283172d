"""Admin of the stored indicators: read-only, since only the recompute writes them."""

from __future__ import annotations

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import MilestoneSnapshot, RecomputeRun, RollupSnapshot, TargetSnapshot


@admin.register(TargetSnapshot)
class TargetSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[TargetSnapshot]):
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
class MilestoneSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[MilestoneSnapshot]):
    list_display = ["milestone", "as_of", "status", "expected_date", "slip_days", "forecast_due_date", "computed_at"]
    list_filter = ["status", "milestone__pillar"]
    list_select_related = ["milestone"]
    search_fields = ["milestone__code", "milestone__title"]
    date_hierarchy = "as_of"


@admin.register(RollupSnapshot)
class RollupSnapshotAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[RollupSnapshot]):
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
class RecomputeRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[RecomputeRun]):
    list_display = ["as_of", "scope", "target_count", "milestone_count", "started_at", "finished_at"]
    list_filter = ["scope"]
    date_hierarchy = "as_of"
