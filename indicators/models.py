"""The stored indicators: one snapshot per item and date, roll-ups, and the record of each recompute.

Written only by `indicators.services` (the recompute), read by
`indicators.selectors`. The columns of the two snapshot tables are the
fields of the pure module's results (`compute.TARGET_INDICATOR_FIELDS`,
`compute.MILESTONE_INDICATOR_FIELDS`); `indicators.checks` refuses to start
the portal if a field is missing here, so adding an indicator cannot forget
the table.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from . import compute
from .choices import Basis, MilestoneStatus, RollupScope, TargetStatus


class RecomputeRun(models.Model):
    """One run of `indicators_recompute`: which date, what it covered, how long it took.

    The latest finished full run tells every list which snapshots are current.
    """

    class Scope(models.TextChoices):
        FULL = "full", _("everything")
        ITEMS = "items", _("the items one edit touched")

    as_of = models.DateField()
    scope = models.CharField(max_length=8, choices=Scope.choices)
    target_count = models.PositiveIntegerField(default=0)
    milestone_count = models.PositiveIntegerField(default=0)
    # Whether the run stored the illustrative basis too: only when an illustrative figure stood on `as_of`
    # (otherwise both bases give the same numbers, and reads of the illustrative one use the reported rows).
    illustrative = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()

    class Meta:
        ordering = ["-finished_at"]
        # Serves "the latest full run on or before a date".
        indexes = [models.Index(fields=["scope", "as_of"], name="indicators_run_scope_asof")]

    def __str__(self) -> str:
        return f"{self.scope} recompute as of {self.as_of}"


class PendingRecompute(models.Model):
    """A recompute that a committed edit asked for and no worker has done yet: the transactional outbox.

    The services write these rows in the edit's own transaction
    (`indicators.scheduling`), so an edit and the record that its indicators
    must follow commit together. The task sent after commit, and the periodic
    drain when that task never reached a broker, do the recomputes and delete
    the rows (`indicators.services.indicators_drain_pending`).
    """

    class Kind(models.TextChoices):
        TARGET = "target", _("a target")
        MILESTONE = "milestone", _("a milestone")
        FULL = "full", _("everything")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    #: The target or milestone (none for a full recompute).
    item_id = models.BigIntegerField(null=True, blank=True)
    #: The date whose indicators must follow: the day of the edit (and, once that has passed, today too).
    as_of = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("pending recompute")
        verbose_name_plural = _("pending recomputes")

    def __str__(self) -> str:
        return f"{self.kind} {self.item_id or ''} as of {self.as_of}".replace("  ", " ")


class TargetSnapshot(models.Model):
    """A target's indicators as of one date on one basis, written by `indicators_recompute`.

    One row per (target, as_of, basis): recomputing a date replaces its rows.
    """

    target = models.ForeignKey("pillars.Target", on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField()
    basis = models.CharField(max_length=12, choices=Basis.choices, default=compute.Basis.REPORTED)
    status = models.CharField(max_length=10, choices=TargetStatus.choices)
    progress = models.FloatField(null=True)
    planned_progress = models.FloatField(null=True)
    actual_value = models.FloatField(null=True)
    evaluation_date = models.DateField(null=True)
    earned_schedule = models.DateField(null=True)
    slip_days = models.IntegerField(null=True)
    spi = models.FloatField(null=True)
    forecast_completion = models.DateField(null=True)
    forecast_slip_days = models.IntegerField(null=True)
    required_rate = models.FloatField(null=True)
    required_rate_per_year = models.FloatField(null=True)
    staleness_days = models.IntegerField(null=True)
    stale = models.BooleanField(default=False)
    # Reporting: always on the reported basis, whatever the row's.
    last_reported_on = models.DateField(null=True)
    report_due_on = models.DateField()
    reporting_overdue_days = models.IntegerField(default=0)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["target", "as_of", "basis"]
        constraints = [
            # Also the index behind "history of one target" and as-of replay.
            models.UniqueConstraint(fields=["target", "as_of", "basis"], name="%(app_label)s_%(class)s_one_per_date"),
        ]
        # Serves recompute's "delete this date's rows" and roll-ups of one date.
        indexes = [models.Index(fields=["as_of", "status"], name="indicators_tsnap_asof_status")]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.as_of} ({self.basis}): {self.status}"


class MilestoneSnapshot(models.Model):
    """A milestone's indicators as of one date; with the forecast of that date, it gives the trend analysis.

    A milestone has no figures, so its indicators are the same on both bases; a
    row is kept for each, so that every read names its basis the same way.
    """

    milestone = models.ForeignKey("pillars.Milestone", on_delete=models.CASCADE, related_name="snapshots")
    as_of = models.DateField()
    basis = models.CharField(max_length=12, choices=Basis.choices, default=compute.Basis.REPORTED)
    status = models.CharField(max_length=10, choices=MilestoneStatus.choices)
    expected_date = models.DateField(null=True)
    slip_days = models.IntegerField(null=True)
    # What editors forecast on that date: the y-axis of the milestone trend analysis.
    forecast_due_date = models.DateField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["milestone", "as_of", "basis"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "as_of", "basis"], name="%(app_label)s_%(class)s_one_per_date"
            ),
        ]
        indexes = [models.Index(fields=["as_of", "status"], name="indicators_msnap_asof_status")]

    def __str__(self) -> str:
        return f"{self.milestone_id} @ {self.as_of} ({self.basis}): {self.status}"


class RollupSnapshot(models.Model):
    """Roll-up of a pillar, a hub or the policy as of one date on one basis, for all items or those due in a window."""

    as_of = models.DateField()
    basis = models.CharField(max_length=12, choices=Basis.choices, default=compute.Basis.REPORTED)
    scope = models.CharField(max_length=8, choices=RollupScope.choices)
    # The pillar's or hub's slug; empty for the whole policy.
    scope_key = models.CharField(max_length=80, blank=True)
    # "all", or "YYYY-MM-DD..YYYY-MM-DD" for items due in that window.
    window = models.CharField(max_length=24, default="all")
    targets = models.JSONField(default=dict)
    milestones = models.JSONField(default=dict)
    median_slip_days = models.FloatField(null=True)
    max_slip_days = models.IntegerField(null=True)
    on_schedule_share = models.FloatField(null=True)
    reporting_coverage = models.FloatField(null=True)
    targets_reporting_overdue = models.IntegerField(default=0)
    median_reporting_overdue_days = models.FloatField(null=True)
    max_reporting_overdue_days = models.IntegerField(null=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["as_of", "basis", "scope", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "basis", "scope", "scope_key", "window"],
                name="%(app_label)s_%(class)s_one_per_scope_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope}:{self.scope_key or '-'} @ {self.as_of} ({self.basis}, {self.window})"
