"""Writes of measurements (the reported, or illustrative, figures of a target), one at a time or imported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from changes.record import bulk_attrs
from core.versioning import bump_data_version
from indicators.scheduling import recompute_after_commit

from .. import selectors, validation
from ..models import Measurement, Target
from .common import (
    User,
    author_of,
    claim_revision,
    clean_errors,
    history_reason,
    history_user,
    is_person,
    merge_errors,
    raise_errors,
    record_reason,
)


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


def _save_errors(*, measurement: Measurement, user: User = None, reason: str = "") -> dict[str, list[str]]:
    """What is wrong with saving this figure, by field (empty when nothing is); the neighbours are not compared.

    A withdrawn figure stays as it was; a person who revises a stored figure
    (its value or its date) must say why (the rules of `pillars.validation`,
    which the admin's forms show in place).
    """
    errors = clean_errors(measurement)
    unique_problem = errors.pop("__all__", None)
    stored = (
        Measurement.objects.filter(pk=measurement.pk).values("date", "value", "withdrawn_on").first()
        if measurement.pk is not None
        else None
    )
    if stored is not None:
        revised = (stored["value"], stored["date"]) != (measurement.value, measurement.date)
        merge_errors(errors, validation.withdrawn_errors(withdrawn_on=stored["withdrawn_on"]))
        merge_errors(errors, validation.revision_errors(revised=revised and is_person(user), reason=reason))
    if unique_problem:
        # The only table-wide rule: one figure per target and date.
        errors.setdefault("date", []).append(
            _("%(code)s already has a figure dated %(date)s; change that one instead.")
            % {"code": measurement.target.code, "date": measurement.date}
        )
    return errors


@transaction.atomic
def measurement_save(
    *, measurement: Measurement, user: User = None, reason: str = "", confirmed: bool = False
) -> Measurement:
    """Validate and save a figure; its target's indicators are recomputed after commit.

    Refused for what `measurement_errors` finds. A figure out of line with its
    neighbours (see `measurement_warnings`) is refused from a person unless
    `confirmed`, and then it needs a note. A revision keeps the earlier value
    in the public record of changes, with the reason.
    """
    errors = _save_errors(measurement=measurement, user=user, reason=reason)
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
    claim_revision(measurement)
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


def withdrawal_errors(*, measurement: Measurement, reason: str) -> dict[str, list[str]]:
    """Why this figure cannot be withdrawn now, by field (empty when it can)."""
    errors: dict[str, list[str]] = {}
    if not reason.strip():
        errors["withdrawal_reason"] = [str(validation.WITHDRAWAL_NEEDS_REASON)]
    if measurement.pk is None:
        errors["__all__"] = [_("Only a stored figure can be withdrawn.")]
    elif measurement.withdrawn_on is not None:
        errors["__all__"] = [
            _("This figure was already withdrawn on %(date)s.") % {"date": measurement.withdrawn_on.isoformat()}
        ]
    return errors


@transaction.atomic
def measurement_withdraw(
    *, measurement: Measurement, user: User = None, reason: str, today: dt.date | None = None
) -> Measurement:
    """Withdraw a figure found wrong: it stops counting from today and stays in the public record, with why.

    Figures are never deleted by a person: a withdrawn one is shown struck
    through with the reason, and replays of earlier dates still see it.
    """
    raise_errors(withdrawal_errors(measurement=measurement, reason=reason))
    measurement.withdrawn_on = today or timezone.localdate()
    measurement.withdrawal_reason = reason.strip()
    history_user(measurement, user)
    history_reason(measurement, measurement.withdrawal_reason)
    claim_revision(measurement)
    measurement.save(update_fields=["withdrawn_on", "withdrawal_reason", "revision"])
    recompute_after_commit(target_ids=[measurement.target_id])
    return measurement


@transaction.atomic
def measurement_delete(*, measurement: Measurement, user: User = None, reason: str = "") -> None:
    """Remove a figure from the database: only the loader and scripts may; a person withdraws it instead."""
    if is_person(user):
        raise ValidationError(_("A figure is never deleted: withdraw it, with the reason, and it stays in public."))
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
    #: Why a stored figure's value changes (required from a person); recorded in its history.
    reason: str = ""
    #: Not empty: withdraw the stored figure `pk` (as it is) for this reason.
    withdrawal_reason: str = ""


_UPDATED_FIELDS = ["value", "source_url", "note", "illustrative", "withdrawn_on", "withdrawal_reason", "revision"]


@transaction.atomic
def measurements_bulk_save(
    *, rows: Sequence[MeasurementWrite], user: User, reason: str, today: dt.date | None = None
) -> tuple[int, int]:
    """Write many figures at once (an import), with history and ONE recompute after commit.

    Each row is checked with the rules of `measurement_save` and
    `measurement_withdraw` (the importer has already checked the neighbours and
    the confirmations, which need the whole file). Any problem raises
    `ValidationError` naming the row, and nothing is written. `reason` is the
    history's reason for the rows that give none. Returns (created, updated),
    withdrawals counted as updates.
    """
    # Locked: an editor saving one of these figures meanwhile waits, then finds its revision moved.
    stored = {
        m.pk: m for m in Measurement.objects.select_for_update().filter(pk__in=[r.pk for r in rows if r.pk is not None])
    }
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        errors = validation.measurement_errors(target=row.target, date=row.date, value=row.value)
        existing = stored.get(row.pk) if row.pk is not None else None
        if row.pk is not None and existing is None:
            errors.setdefault("__all__", []).append(_("That figure is no longer stored."))
        elif existing is not None and existing.withdrawn_on is not None:
            merge_errors(errors, validation.withdrawn_errors(withdrawn_on=existing.withdrawn_on))
        elif existing is not None and row.withdrawal_reason.strip():
            if existing.value != row.value:
                errors.setdefault("value", []).append(_("A figure is withdrawn as it stands; leave its value."))
        elif existing is not None:
            revised = existing.value != row.value and is_person(user)
            merge_errors(errors, validation.revision_errors(revised=revised, reason=row.reason))
        if errors:
            problems += [f"{number}: {m}" for messages in errors.values() for m in messages]
    if problems:
        raise ValidationError(problems)
    author = author_of(user)
    day = today or timezone.localdate()
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
            continue
        measurement = stored[row.pk]
        if row.withdrawal_reason.strip():
            measurement.withdrawn_on, measurement.withdrawal_reason = day, row.withdrawal_reason.strip()
            history_reason(measurement, measurement.withdrawal_reason)
        else:
            measurement.value, measurement.source_url = row.value, row.source_url
            measurement.note, measurement.illustrative = row.note, row.illustrative
            history_reason(measurement, row.reason.strip() or reason)
        updates.append(measurement)
    if creates:
        bulk_create_with_history(
            creates,
            Measurement,
            batch_size=2_000,
            default_user=author,
            default_change_reason=reason,
            custom_historical_attrs=bulk_attrs(model=Measurement, history_type="+", user=author),
        )
    # Revisions and withdrawals one by one: each historical record is classified against the one before
    # it as simple-history writes it (`changes.record`), which its bulk update does not let us do.
    for measurement in updates:
        history_user(measurement, author)
        measurement.revision += 1
        measurement.save(update_fields=_UPDATED_FIELDS)
    if creates or updates:
        bump_data_version()  # bulk writes send no post_save
        recompute_after_commit(target_ids={row.target.pk for row in rows})
    return len(creates), len(updates)
