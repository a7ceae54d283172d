from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import Revisioned
from sources.choices import Basis, Confidence

from .choices import HubStatus, HubTier


class Hub(Revisioned):
    """A city where the policy places a Centre of Excellence or other AI hub."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    name = models.CharField(_("city"), max_length=100)
    # name_en and name_ur (the API's "name_ur") are django-modeltranslation's columns (hubs/translation.py).
    province = models.CharField(_("province or territory"), max_length=100)
    latitude = models.FloatField(_("latitude"), help_text=_("Decimal degrees, -90 to 90."))
    longitude = models.FloatField(_("longitude"), help_text=_("Decimal degrees, -180 to 180."))
    tier = models.CharField(_("tier"), max_length=12, choices=HubTier.choices, default=HubTier.AUXILIARY)
    role = models.TextField(_("role"), blank=True, help_text=_("What the sources say is planned there."))
    status = models.CharField(_("status"), max_length=12, choices=HubStatus.choices, default=HubStatus.PLANNED)
    planned_launch_on = models.DateField(_("planned launch"), null=True, blank=True)
    planned_launch_basis = models.CharField(
        _("planned launch is"), max_length=8, choices=Basis.choices, default=Basis.ASSUMED
    )
    launched_on = models.DateField(_("actual launch"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    # Coordinates are approximate city centres ([B] in policy-facts.md).
    coordinates_confidence = models.CharField(
        _("coordinates confidence"), max_length=2, choices=Confidence.choices, default=Confidence.B
    )
    sources = models.ManyToManyField("sources.Source", related_name="hubs", blank=True, verbose_name=_("sources"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["tier", "name_en"]  # the English name in every language: the Urdu column may be empty
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90), name="%(app_label)s_%(class)s_latitude_range"
            ),
            models.CheckConstraint(
                condition=Q(longitude__gte=-180, longitude__lte=180), name="%(app_label)s_%(class)s_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def localized_name(self) -> str:
        """The city's name in the reader's language, when the data has it (Urdu), else its English name."""
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.latitude is not None and not -90 <= self.latitude <= 90:
            errors["latitude"] = _(
                "Latitude must be between -90 and 90 degrees (Pakistan lies between about 23 and 37)."
            )
        if self.longitude is not None and not -180 <= self.longitude <= 180:
            errors["longitude"] = _(
                "Longitude must be between -180 and 180 degrees (Pakistan lies between about 60 and 78)."
            )
        if errors:
            raise ValidationError(errors)
