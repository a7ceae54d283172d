"""Coded fields of the policy's commitments (the statuses of the indicators are in `indicators.choices`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetKind(models.TextChoices):
    """What a numeric target is: only the policy's commitments (and outcomes it states) get schedule indicators."""

    COMMITMENT = "commitment", _("delivery commitment")
    OUTCOME = "outcome", _("expected outcome (policy-wide)")
    # An expert's or a seminar's figure, not the policy's promise: shown, never measured for slip.
    PROJECTION = "projection", _("expert projection (not a commitment)")


class EvidenceKind(models.TextChoices):
    REPORT = "report", _("status report")
    FORECAST = "forecast", _("forecast changed")
    COMPLETION = "completion", _("completion")
    CANCELLATION = "cancellation", _("cancellation")
