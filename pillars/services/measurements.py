"""Writes of measurements (the reported, or illustrative, figures of a target), one at a time or imported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.versioning import bump_data_version
from indicators.scheduling import recompute_after_commit

from .. import selectors, validation
from ..models import Measurement, Target
from .common import User, author_of, clean_errors, history_reason, history_user, is_person, raise_errors, record_reason


def measurement_warnings(*, measurement: Measurement) -> list[str]:
    """Why a figure looks out of line with the target's other figures (empty when plausible): two queries."""
    target = measurement.target
    previous, following = selectors.measurement_neighbours(
        target_id=target.pk, date=measurement.date, exclude_pk=measurement.pk
    )
    return validation.figure_warnings(
        target=target,
        value=measurement.value,
        previous=previous,
        following=following,
    )


@transaction.atomic
def measurement_save(
    *, measurement: Measurement, user: User = None, reason: str = "", confirmed: bool = False
) -> Measurement:
    """Validate and save a reported figure; its target's indicators are recomputed after commit.

    A figure out of line with its neighbours (see `measurement_warnings`) is
    refused from a person unless `confirmed`, and then it needs a note.
    """
    errors = clean_errors(measurement)
    if "__all__" in errors:
        # The only table-wide rule: one figure per target and date.
        errors.pop("__all__")
        errors.setdefault("date", []).append(
            _("%(code)s already has a figure dated %(date)s; change that one instead.")
            % {"code": measurement.target.code, "date": measurement.date}
        )
    if not errors and is_person(user):
        warnings = measurement_warnings(measurement=measurement)
        if warnings and not confirmed:
            errors["value"] = [*warnings, str(validation.CONFIRM_FIGURE)]
        elif warnings and not measurement.note.strip():
            errors["note"] = [str(validation.EXPLAIN_FIGURE)]
    raise_errors(errors)
    if measurement.pk is None and user is not None and getattr(user, "is_authenticated", False):
        measurement.entered_by = user
    history_user(measurement, user)
    measurement.save()
    record_reason(measurement, reason)
    recompute_after_commit(target_ids=[measurement.target_id])
    return measurement


def measurement_create(
    *,
    target: Target,
    date: dt.date,
    value: float,
    source_url: str = "",
    note: str = "",
    illustrative: bool = False,
    user: User = None,
    reason: str = "",
) -> Measurement:
    """Record a new figure for a target."""
    measurement = Measurement(
        target=target, date=date, value=value, source_url=source_url, note=note, illustrative=illustrative
    )
    return measurement_save(measurement=measurement, user=user, reason=reason)


@transaction.atomic
def measurement_delete(*, measurement: Measurement, user: User = None, reason: str = "") -> None:
    """Remove a mistaken figure; the target is recomputed after commit."""
    target_id = measurement.target_id
    history_user(measurement, user)
    history_reason(measurement, reason)
    measurement.delete()
    recompute_after_commit(target_ids=[target_id])


@dataclass(slots=True)
class MeasurementWrite:
    """One checked row of an import: a new figure, or new values for a stored one (`pk`)."""

    target: Target
    date: dt.date
    value: float
    source_url: str = ""
    note: str = ""
    illustrative: bool = False
    pk: int | None = None


@transaction.atomic
def measurements_bulk_save(*, rows: Sequence[MeasurementWrite], user: User, reason: str) -> tuple[int, int]:
    """Write many figures at once (an import), with history and ONE recompute after commit.

    Each row is checked with the rules of `measurement_save` (the importer has
    already checked the neighbours and the confirmations, which need the whole
    file). Any problem raises `ValidationError` naming the row, and nothing is
    written. Returns (created, updated).
    """
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        errors = validation.measurement_errors(target=row.target, date=row.date, value=row.value)
        if errors:
            problems += [f"{number}: {m}" for messages in errors.values() for m in messages]
    if problems:
        raise ValidationError(problems)
    author = author_of(user)
    stored = {m.pk: m for m in Measurement.objects.filter(pk__in=[r.pk for r in rows if r.pk is not None])}
    creates: list[Measurement] = []
    updates: list[Measurement] = []
    for row in rows:
        if row.pk is None:
            creates.append(
                Measurement(
                    target=row.target,
                    date=row.date,
                    value=row.value,
                    source_url=row.source_url,
                    note=row.note,
                    illustrative=row.illustrative,
                    entered_by=author,
                )
            )
        else:
            measurement = stored[row.pk]
            measurement.value, measurement.source_url = row.value, row.source_url
            measurement.note, measurement.illustrative = row.note, row.illustrative
            updates.append(measurement)
    if creates:
        bulk_create_with_history(
            creates, Measurement, batch_size=2_000, default_user=author, default_change_reason=reason
        )
    if updates:
        bulk_update_with_history(
            updates,
            Measurement,
            ["value", "source_url", "note", "illustrative"],
            batch_size=2_000,
            default_user=author,
            default_change_reason=reason,
        )
    if creates or updates:
        bump_data_version()  # bulk writes send no post_save
        recompute_after_commit(target_ids={row.target.pk for row in rows})
    return len(creates), len(updates)
