"""What the pages show beside the indicators: roll-ups with their totals, the headline window."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from . import compute

TARGET_STATUS_ORDER = [s.value for s in compute.TargetStatus]
MILESTONE_STATUS_ORDER = [s.value for s in compute.MilestoneStatus]


def dashboard_window() -> tuple[dt.date, dt.date] | None:
    """The window of the headline (2025-2027): the first of the stored roll-up windows."""
    windows = settings.INDICATORS_ROLLUP_WINDOWS
    if not windows:
        return None
    start, end = windows[0]
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


@dataclass(frozen=True, slots=True)
class RollupView:
    """A roll-up with what the templates need beside it: totals and the stacked status bars."""

    rollup: compute.Rollup
    targets_total: int
    milestones_total: int
    considered: int
    on_schedule: int | None
    target_counts: list[tuple[str, int]]
    milestone_counts: list[tuple[str, int]]
    #: Targets with a reported figure on or before the as-of date, and those without (reporting coverage).
    targets_reported: int = 0
    targets_unreported: int = 0


def rollup_view(rollup: compute.Rollup | None) -> RollupView | None:
    if rollup is None:
        return None
    targets_total = sum(rollup.targets.values())
    milestones_total = sum(rollup.milestones.values())
    considered = (
        targets_total
        - rollup.targets.get(compute.TargetStatus.NO_DATA, 0)
        + milestones_total
        - rollup.milestones.get(compute.MilestoneStatus.CANCELLED, 0)
    )
    share = rollup.on_schedule_share
    coverage = rollup.reporting_coverage
    reported = round(coverage * targets_total) if coverage is not None else 0
    return RollupView(
        rollup=rollup,
        targets_total=targets_total,
        milestones_total=milestones_total,
        considered=considered,
        on_schedule=None if share is None else round(share * considered),
        # In the order of the status rules, whatever order the stored JSON has.
        target_counts=[(s, rollup.targets.get(s, 0)) for s in TARGET_STATUS_ORDER if rollup.targets.get(s)],
        milestone_counts=[(s, rollup.milestones.get(s, 0)) for s in MILESTONE_STATUS_ORDER if rollup.milestones.get(s)],
        targets_reported=reported,
        targets_unreported=targets_total - reported,
    )
