from django.db import models
from django.utils.translation import gettext_lazy as _


class IncentiveKind(models.TextChoices):
    GRANT = "grant", _("grants and R&D funding")
    VENTURE = "venture", _("venture and innovation funds")
    FISCAL = "fiscal", _("tax breaks and subsidies")
    REGULATORY = "regulatory", _("regulatory sandbox and approvals")
    PROCUREMENT = "procurement", _("public procurement preference")
    IP = "ip", _("intellectual property and licensing")
    INFRASTRUCTURE = "infrastructure", _("compute, labs and data access")
    TALENT = "talent", _("scholarships, loans and internships")
    EXPORT = "export", _("export support")


class IncentiveStatus(models.TextChoices):
    ANNOUNCED = "announced", _("announced, not launched")
    SETTING_UP = "setting_up", _("being set up")
    OPEN = "open", _("open for applications")
    CLOSED = "closed", _("closed")
    # Named only by a single, non-official source (the seed article).
    UNCONFIRMED = "unconfirmed", _("not found in the policy reporting")
