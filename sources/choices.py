from django.db import models
from django.utils.translation import gettext_lazy as _


class Confidence(models.TextChoices):
    """How sure we are of a figure, as marked in shared/docs/policy-facts.md."""

    A_PLUS = "A+", _("A+: several outlets agree")
    A = "A", _("A: one source read")
    A1 = "A1", _("A1: a single or weak source")
    B = "B", _("B: general knowledge, unverified")


class Basis(models.TextChoices):
    """Whether a date or value is stated by a source or is our assumption."""

    STATED = "stated", _("stated by a source")
    ASSUMED = "assumed", _("assumed (no source states it)")
