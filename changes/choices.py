"""The kinds of change the public record lists (`/changes/`, `/api/v1/changes/`, the Atom feed)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ChangeKind(models.TextChoices):
    FIGURE_ADDED = "figure_added", _("new figure")
    FIGURE_REVISED = "figure_revised", _("figure revised")
    FIGURE_WITHDRAWN = "figure_withdrawn", _("figure withdrawn")
    FIGURE_DELETED = "figure_deleted", _("figure deleted")
    FORECAST_MOVED = "forecast_moved", _("forecast moved")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    REOPENED = "reopened", _("reopened")
    DEFINITION_CHANGED = "definition_changed", _("definition changed")
    REBASELINED = "rebaselined", _("re-baselined")
    INCENTIVE_STATUS = "incentive_status", _("incentive status changed")


class ObjectType(models.TextChoices):
    MEASUREMENT = "measurement", _("figure")
    TARGET = "target", _("target")
    MILESTONE = "milestone", _("milestone")
    INCENTIVE = "incentive", _("incentive")
    REBASELINE = "rebaseline", _("re-baseline")


class Role(models.TextChoices):
    EDITOR = "editor", _("editor")
    ADMINISTRATOR = "administrator", _("administrator")
    STAFF = "staff", _("staff")
    DATA_LOAD = "data load", _("data load")
