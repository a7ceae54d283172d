from django.db import models
from django.utils.translation import gettext_lazy as _


class HubTier(models.TextChoices):
    PRIMARY = "primary", _("primary Centre of Excellence")
    AUXILIARY = "auxiliary", _("auxiliary (regional) centre")
    OTHER = "other", _("named in the policy, no centre")


class HubStatus(models.TextChoices):
    PLANNED = "planned", _("planned, not launched")
    LAUNCHED = "launched", _("launched")
    UNCONFIRMED = "unconfirmed", _("named by one source only")
