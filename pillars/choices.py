"""Coded fields of the policy's commitments (the statuses of the indicators are in `indicators.choices`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    COMMITMENT = "commitment", _("delivery commitment")
    OUTCOME = "outcome", _("expected outcome (policy-wide)")


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("status report")
    FORECAST = "forecast", _("forecast changed")
    COMPLETION = "completion", _("completion")
    CANCELLATION = "cancellation", _("cancellation")
