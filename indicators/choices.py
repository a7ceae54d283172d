"""The model choices of the indicators, derived from the pure module's statuses (defined once, there).

`compute.TargetStatus` and `compute.MilestoneStatus` are the statuses; the
`TextChoices` here add only their labels in the reader's language, for forms,
filters, the admin and the schema. A status without a label stops the import
of this module, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import cast

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import compute


def _choices(name: str, statuses: type[StrEnum], labels: Mapping[StrEnum, Promise]) -> type[models.TextChoices]:
    """`TextChoices` with the members of `statuses`, in their order, labelled by `labels`."""
    if set(labels) != set(statuses):
        raise ImproperlyConfigured(
            f"{name}: every status needs exactly one label ({sorted(labels)} vs {list(statuses)})"
        )
    members = [(status.name, (status.value, labels[status])) for status in statuses]
    return cast(type[models.TextChoices], models.TextChoices(name, members))  # type: ignore[call-overload]


TargetStatus = _choices(
    "TargetStatus",
    compute.TargetStatus,
    {
        compute.TargetStatus.ACHIEVED: _("achieved"),
        compute.TargetStatus.NO_DATA: _("no data"),
        compute.TargetStatus.MISSED: _("missed"),
        compute.TargetStatus.ON_TRACK: _("on track"),
        compute.TargetStatus.AT_RISK: _("at risk"),
        compute.TargetStatus.OFF_TRACK: _("off track"),
    },
)
TargetStatus.__doc__ = "Status of a target as of a date (shared/docs/indicators.md, first rule that matches wins)."

MilestoneStatus = _choices(
    "MilestoneStatus",
    compute.MilestoneStatus,
    {
        compute.MilestoneStatus.CANCELLED: _("cancelled"),
        compute.MilestoneStatus.COMPLETED: _("completed"),
        compute.MilestoneStatus.OVERDUE: _("overdue"),
        compute.MilestoneStatus.AT_RISK: _("at risk"),
        compute.MilestoneStatus.ON_TRACK: _("on track"),
    },
)
MilestoneStatus.__doc__ = "Status of a milestone as of a date (shared/docs/indicators.md)."


Basis = _choices(
    "Basis",
    compute.Basis,
    {
        compute.Basis.REPORTED: _("reported figures only"),
        compute.Basis.ILLUSTRATIVE: _("illustrative: made-up figures included"),
    },
)
Basis.__doc__ = "What a number rests on (shared/docs/indicators.md): reported figures only, or every figure."


class RollupScope(models.TextChoices):
    """What a roll-up covers."""

    POLICY = "policy", _("whole policy")
    PILLAR = "pillar", _("pillar")
    HUB = "hub", _("hub")
