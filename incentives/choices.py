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


class IncentiveScope(models.TextChoices):
    """Where an incentive applies: the whole country, or only the provinces and hubs it names."""

    NATIONWIDE = "nationwide", _("nationwide")
    REGIONAL = "regional", _("named provinces and hubs only")


class Applicant(models.TextChoices):
    """Who may apply: the organisation types the finder asks about (an incentive lists any number of them)."""

    STARTUP = "startup", _("startups")
    SME = "sme", _("small and medium enterprises")
    INDUSTRY = "industry", _("established companies and industry")
    UNIVERSITY = "university", _("universities and researchers")
    STUDENT = "student", _("students")
    FREELANCER = "freelancer", _("freelancers")
    WOMEN_LED = "women_led", _("women-led firms")


class Province(models.TextChoices):
    """Provinces and territories, written as the hubs write theirs (`Hub.province`)."""

    ISLAMABAD = "Islamabad Capital Territory", _("Islamabad Capital Territory")
    PUNJAB = "Punjab", _("Punjab")
    SINDH = "Sindh", _("Sindh")
    KHYBER_PAKHTUNKHWA = "Khyber Pakhtunkhwa", _("Khyber Pakhtunkhwa")
    BALOCHISTAN = "Balochistan", _("Balochistan")
    GILGIT_BALTISTAN = "Gilgit-Baltistan", _("Gilgit-Baltistan")
    AZAD_KASHMIR = "Azad Jammu and Kashmir", _("Azad Jammu and Kashmir")


class ApplicationStatus(models.TextChoices):
    """Whether applications are open on a date, derived from the dates (`incentives.rules`); never stored."""

    NOT_YET_OPEN = "not_yet_open", _("not yet open")
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed")
    UNKNOWN = "unknown", _("dates not published")
