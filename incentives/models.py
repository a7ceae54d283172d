from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.fields import URIField
from core.models import PublicChange, Revisioned
from sources.choices import Basis, Confidence

from . import rules
from .choices import Applicant, IncentiveKind, IncentiveScope, IncentiveStatus, Province


def _choice_list(value: Any, choices: type[models.TextChoices], what: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationError(_("Give a list of %(what)s.") % {"what": what}, code="invalid")
    unknown = [v for v in value if v not in choices.values]
    if unknown:
        raise ValidationError(
            _("Not one of the choices: %(values)s.") % {"values": ", ".join(unknown)}, code="unknown_choice"
        )
    if len(set(value)) != len(value):
        raise ValidationError(_("A choice is given twice."), code="duplicate")


def validate_applicants(value: Any) -> None:
    """A list of `Applicant` values, each once."""
    _choice_list(value, Applicant, "organisation types")


def validate_provinces(value: Any) -> None:
    """A list of `Province` values, each once."""
    _choice_list(value, Province, "provinces")


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
    # Where it applies. Regional by default: an incentive is said to be nationwide only when an editor says so.
    scope = models.CharField(
        _("where it applies"),
        max_length=12,
        choices=IncentiveScope.choices,
        default=IncentiveScope.REGIONAL,
        help_text=_("Nationwide, or only in the provinces and hubs named here."),
    )
    provinces = models.JSONField(
        _("provinces"),
        default=list,
        blank=True,
        validators=[validate_provinces],
        help_text=_("A regional incentive applies in every hub of these provinces, and in the hubs named."),
    )
    # A list of Applicant values: a JSON list rather than an ArrayField (PostgreSQL only; local runs use SQLite).
    applicants = models.JSONField(
        _("organisation types that may apply"),
        default=list,
        blank=True,
        validators=[validate_applicants],
        help_text=_("Empty when who may apply is not published."),
    )
    apply_to = models.CharField(
        _("apply to"), max_length=200, blank=True, help_text=_("The body that receives applications.")
    )
    apply_url = URIField(
        _("where to apply (web address)"),
        max_length=500,
        blank=True,
        help_text=_("The application form or the call's page; empty when not published."),
    )
    apply_address = models.TextField(
        _("where to apply (address)"), blank=True, help_text=_("Postal or office address; empty when not published.")
    )
    announced_on = models.DateField(_("announced"), null=True, blank=True, help_text=_("Empty when not published."))
    opens_on = models.DateField(_("applications open"), null=True, blank=True, help_text=_("Empty when not published."))
    closes_on = models.DateField(
        _("applications close"), null=True, blank=True, help_text=_("Empty when not published.")
    )
    sources = models.ManyToManyField("sources.Source", related_name="incentives", blank=True, verbose_name=_("sources"))
    history = HistoricalRecords(bases=[PublicChange])

    class Meta:
        ordering = ["name_en"]  # the English name in every language: the Urdu column may be empty
        verbose_name = _("incentive")
        verbose_name_plural = _("incentives")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(budget_amount__gte=0),
                name="%(app_label)s_%(class)s_budget_not_negative",
                violation_error_message=_("A budget cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(opens_on__isnull=True) | Q(closes_on__isnull=True) | Q(closes_on__gte=models.F("opens_on")),
                name="%(app_label)s_%(class)s_closes_after_opening",
                violation_error_message=_("Applications cannot close before they open."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def nationwide(self) -> bool:
        return self.scope == IncentiveScope.NATIONWIDE

    @property
    def applicant_labels(self) -> list[str]:
        """Who may apply, in the reader's language (empty: not published)."""
        return [str(Applicant(a).label) for a in self.applicants if a in Applicant.values]

    @property
    def province_labels(self) -> list[str]:
        return [str(Province(p).label) for p in self.provinces if p in Province.values]

    def application_on(self, as_of: dt.date) -> rules.Application:
        """Whether applications are open on `as_of` (derived from the dates, never stored)."""
        return rules.application_status(self.opens_on, self.closes_on, as_of)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            errors["closes_on"] = _("Applications cannot close before they open.")
        if self.announced_on and self.opens_on and self.opens_on < self.announced_on:
            errors["opens_on"] = _("Applications cannot open before the incentive is announced.")
        if self.scope == IncentiveScope.NATIONWIDE and self.provinces:
            errors["provinces"] = _("A nationwide incentive names no provinces: clear them, or make it regional.")
        if errors:
            raise ValidationError(errors)
