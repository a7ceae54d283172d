from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetStatus(models.TextChoices):
    """Status of a target as of a date (shared/docs/indicators.md, first rule that matches wins)."""

    ACHIEVED = "achieved", _("achieved")
    NO_DATA = "no_data", _("no data")
    MISSED = "missed", _("missed")
    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    OFF_TRACK = "off_track", _("off track")


class MilestoneStatus(models.TextChoices):
    """Status of a milestone as of a date (shared/docs/indicators.md)."""

    CANCELLED = "cancelled", _("cancelled")
    COMPLETED = "completed", _("completed")
    OVERDUE = "overdue", _("overdue")
    AT_RISK = "at_risk", _("at risk")
    ON_TRACK = "on_track", _("on track")


class TargetKind(models.TextChoices):
    COMMITMENT = "commitment", _("delivery commitment")
    OUTCOME = "outcome", _("expected outcome (policy-wide)")


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("status report")
    FORECAST = "forecast", _("forecast changed")
    COMPLETION = "completion", _("completion")
    CANCELLATION = "cancellation", _("cancellation")


class RollupScope(models.TextChoices):
    POLICY = "policy", _("whole policy")
    PILLAR = "pillar", _("pillar")
    HUB = "hub", _("hub")
