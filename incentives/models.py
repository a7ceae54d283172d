from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import PublicChange, Revisioned
from sources.choices import Basis, Confidence

from .choices import IncentiveKind, IncentiveStatus


class Incentive(Revisioned):
    """Something the policy offers companies, researchers or students (a fund, a sandbox, a tax break)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=IncentiveKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=IncentiveStatus.choices, default=IncentiveStatus.ANNOUNCED
    )
    summary = models.TextField(_("what it offers"), blank=True)
    administered_by = models.CharField(_("administered by"), max_length=200, blank=True)
    eligibility = models.TextField(_("who can apply"), blank=True)
    planned_launch_on = models.DateField(_("planned launch"), null=True, blank=True)
    planned_launch_basis = models.CharField(
        _("planned launch is"), max_length=8, choices=Basis.choices, default=Basis.ASSUMED
    )
    launched_on = models.DateField(_("actual launch"), null=True, blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=16, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True, help_text=_("ISO code: PKR, USD."))
    budget_note = models.CharField(_("budget note"), max_length=300, blank=True)
    pillar = models.ForeignKey(
        "pillars.Pillar",
        on_delete=models.PROTECT,
        related_name="incentives",
        null=True,
        blank=True,
        verbose_name=_("pillar"),
    )
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    # The [!] mark: the sources conflict about a figure of this incentive (its budget, its reach).
    disputed = models.BooleanField(_("sources conflict"), default=False)
    dispute_note = models.TextField(_("what the sources disagree on"), blank=True)
    hubs = models.ManyToManyField("hubs.Hub", related_name="incentives", blank=True, verbose_name=_("hubs"))
    sources = models.ManyToManyField("sources.Source", related_name="incentives", blank=True, verbose_name=_("sources"))
    history = HistoricalRecords(bases=[PublicChange])

    class Meta:
        ordering = ["name"]
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="%(app_label)s_%(class)s_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
        ]

    def __str__(self) -> str:
        return self.name
