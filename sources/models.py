from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import URIField
from core.models import Revisioned

from .choices import Confidence


class Source(Revisioned):
    """A published document that supports a figure, a date or an event.

    Sources are first-class: every pillar, target, milestone, incentive and hub
    cites at least one, and the portal shows each with its confidence mark.
    """

    url = URIField(_("address"), max_length=500, unique=True)
    title = models.CharField(_("title"), max_length=300)
    outlet = models.CharField(_("outlet"), max_length=120, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    confidence = models.CharField(_("confidence"), max_length=2, choices=Confidence.choices, default=Confidence.A)
    # The "[!]" mark: this source disagrees with another on a figure we use.
    disputed = models.BooleanField(
        _("conflicts with another source"),
        default=False,
        help_text=_("The [!] mark: this source disagrees with another one on a figure."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["outlet", "title"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return f"{self.outlet}: {self.title}" if self.outlet else self.title

    @property
    def confidence_mark(self) -> str:
        """The mark as readers know it, e.g. "[A+]" or "[A1] [!]"."""
        mark = f"[{self.confidence}]"
        return f"{mark} [!]" if self.disputed else mark
