"""Validation rules with messages a person understands, shared by models, services, admin and API.

Each function returns the problems by field name (empty when all is well), so
that a form, a DRF serializer and an import report can each show them in place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from . import indicators

if TYPE_CHECKING:
    from .models import Target


def target_errors(
    *,
    baseline_value: float | None,
    baseline_date: dt.date | None,
    target_value: float | None,
    target_date: dt.date | None,
    trajectory: Sequence[tuple[dt.date, float]] = (),
    value_can_be_negative: bool = False,
) -> dict[str, list[str]]:
    """The problems with a target's values and planned curve, by field, in words an editor understands."""
    errors: dict[str, list[str]] = {}
    if None in (baseline_value, baseline_date, target_value, target_date):
        return errors  # the form already says which required field is missing
    assert baseline_value is not None and target_value is not None
    assert baseline_date is not None and target_date is not None
    if baseline_value == target_value:
        errors.setdefault("target_value", []).append(
            _(
                "The target value must differ from the baseline value (%(value)s): "
                "otherwise there is nothing to deliver."
            )
            % {"value": f"{baseline_value:g}"}
        )
    if target_date <= baseline_date:
        errors.setdefault("target_date", []).append(
            _("The deadline (%(deadline)s) must come after the baseline date (%(baseline)s).")
            % {"deadline": target_date.isoformat(), "baseline": baseline_date.isoformat()}
        )
    if not value_can_be_negative:
        for field, value in (("baseline_value", baseline_value), ("target_value", target_value)):
            if value < 0:
                errors.setdefault(field, []).append(_("This unit cannot be negative."))
    if errors:
        return errors
    try:
        indicators.validate_target_input(
            indicators.TargetInput(
                baseline_date=baseline_date,
                baseline_value=baseline_value,
                target_date=target_date,
                target_value=target_value,
                trajectory=tuple(indicators.Point(d, v) for d, v in trajectory),
            )
        )
    except indicators.InvalidTarget as exc:
        errors.setdefault("trajectory", []).extend(exc.messages)
    return errors


def measurement_errors(*, target: Target, date: dt.date | None, value: float | None) -> dict[str, list[str]]:
    """The problems with one reported figure for a target."""
    errors: dict[str, list[str]] = {}
    if date is not None and date < target.baseline_date:
        errors["date"] = [
            _("A figure cannot be dated before the target's baseline date (%(baseline)s).")
            % {"baseline": target.baseline_date.isoformat()}
        ]
    if value is not None and value < 0 and not target.value_can_be_negative:
        errors["value"] = [_("%(unit)s cannot be negative.") % {"unit": target.unit.capitalize() or _("This value")}]
    return errors


def milestone_errors(
    *,
    announced_on: dt.date | None,
    baseline_due_date: dt.date | None,
    completed_on: dt.date | None,
    cancelled: bool,
    cancelled_on: dt.date | None,
) -> dict[str, list[str]]:
    """The problems with a milestone's dates."""
    errors: dict[str, list[str]] = {}
    if announced_on and completed_on and completed_on < announced_on:
        errors["completed_on"] = [
            _("A milestone cannot be completed (%(completed)s) before it was announced (%(announced)s).")
            % {"completed": completed_on.isoformat(), "announced": announced_on.isoformat()}
        ]
    if cancelled and completed_on:
        errors.setdefault("cancelled", []).append(_("A completed milestone cannot also be cancelled."))
    if cancelled_on and not cancelled:
        errors.setdefault("cancelled_on", []).append(_("Tick 'cancelled' to give a cancellation date."))
    if announced_on and cancelled_on and cancelled_on < announced_on:
        errors.setdefault("cancelled_on", []).append(
            _("A milestone cannot be cancelled before it was announced (%(announced)s).")
            % {"announced": announced_on.isoformat()}
        )
    return errors
