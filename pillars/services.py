"""Every write to targets, measurements and milestones goes through here.

The admin, the API, the importers and the loader all call these functions, so
bad input gets the same clear message everywhere, each write is recorded in
the history with who and why, and each change schedules the recompute of the
indicators it touches once the transaction commits.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import time
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history, update_change_reason

from sources.models import Source

from . import indicators, selectors, validation
from .models import (
    Measurement,
    Milestone,
    MilestoneEvidence,
    MilestoneSnapshot,
    Rebaseline,
    RecomputeRun,
    RollupSnapshot,
    Target,
    TargetSnapshot,
    TrajectoryPoint,
)
from .validation import target_errors
from .versioning import bump_data_version

logger = logging.getLogger(__name__)

User = AbstractBaseUser | AnonymousUser | None


def _clean(instance: Any) -> dict[str, list[str]]:
    """Run the model's own validation (fields, constraints and `clean()`), returning the errors by field."""
    try:
        instance.full_clean(exclude=["hubs", "sources"])
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- Recompute scheduling ---------------------------------------------------------


class _Batch:
    """The ids one transaction touched, sent as one task when it commits."""

    def __init__(self) -> None:
        self.targets: set[int] = set()
        self.milestones: set[int] = set()

    def send(self) -> None:
        from .tasks import recompute_items

        if not self.targets and not self.milestones:
            return
        targets, milestones = sorted(self.targets), sorted(self.milestones)
        self.targets.clear()
        self.milestones.clear()
        try:
            recompute_items.delay(target_ids=targets, milestone_ids=milestones)
        except Exception:  # the broker is unreachable: keep the edit, the nightly run catches up
            logger.warning(
                "Could not enqueue the recompute of %d targets and %d milestones; the nightly run will catch up.",
                len(targets),
                len(milestones),
                exc_info=True,
            )


_local = threading.local()


def recompute_after_commit(*, target_ids: Iterable[int] = (), milestone_ids: Iterable[int] = ()) -> None:
    """Schedule the recompute of what an edit touched, once (and only if) the transaction commits.

    Everything touched in one transaction (an import of 500 rows, the loader)
    is sent as one task; a rolled-back transaction sends nothing. Enqueuing
    never makes the edit fail: with the broker down, the edit is kept and the
    nightly full recompute catches up.
    """
    connection = transaction.get_connection()
    batch: _Batch | None = getattr(_local, "batch", None)
    # A batch whose callback was dropped (its transaction or savepoint rolled
    # back) is abandoned together with the ids it held.
    if batch is None or not any(callback == batch.send for _, callback, _ in connection.run_on_commit):
        batch = _local.batch = _Batch()
        if connection.in_atomic_block:
            transaction.on_commit(batch.send)
    batch.targets.update(target_ids)
    batch.milestones.update(milestone_ids)
    if not connection.in_atomic_block:
        batch.send()


def _record_reason(instance: Any, reason: str) -> None:
    if reason:
        update_change_reason(instance, reason)


def _history_user(instance: Any, user: User) -> None:
    # django-simple-history reads `_history_user` when the request middleware is not there
    # (API token, import, shell).
    if user is not None and getattr(user, "is_authenticated", False):
        instance._history_user = user


def _is_person(user: User) -> bool:
    """An edit made by someone signed in (admin, API, import), as opposed to the loader or a script.

    The editorial rules (reasons, evidence, locked baselines, figures out of
    line) bind people; the loader writes the policy text itself, with its own
    checks, and a script's author has more rights than any superuser anyway.
    """
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _author(user: User) -> Any:
    """The user to record as author on a row (None for the loader and scripts)."""
    return user if _is_person(user) else None


def _merge(errors: dict[str, list[str]], more: dict[str, list[str]]) -> dict[str, list[str]]:
    for field, messages in more.items():
        errors.setdefault(field, []).extend(messages)
    return errors


def _publish_system_creation(instance: Target | Milestone, user: User) -> None:
    """Items the loader or a script creates are the policy's own promises: published (locked) from the start.

    An editor's new item stays a draft, whose baseline can still be corrected, until it is published.
    """
    if instance.pk is None and instance.published_on is None and not _is_person(user):
        instance.published_on = timezone.localdate()


def _lock_errors(instance: Target | Milestone, fields: Sequence[str]) -> dict[str, list[str]]:
    """A published item's baseline fields, and its publication, cannot be changed by an edit (only re-baselined)."""
    if instance.pk is None:
        return {}
    stored = type(instance).objects.filter(pk=instance.pk).values(*fields, "published_on").first()
    if stored is None or stored["published_on"] is None:
        return {}
    changed = [field for field in fields if getattr(instance, field) != stored[field]]
    errors = validation.locked_baseline_errors(changed=changed, published_on=stored["published_on"])
    if instance.published_on != stored["published_on"]:
        errors["published_on"] = [_("A published item stays published; a superuser can re-baseline it.")]
    return errors


# --- Targets ------------------------------------------------------------------------


@transaction.atomic
def target_save(
    *,
    target: Target,
    trajectory: Sequence[tuple[dt.date, float]] | None = None,
    hubs: Iterable[Any] | None = None,
    sources: Iterable[Any] | None = None,
    user: User = None,
    reason: str = "",
) -> Target:
    """Validate and save a new or changed target; `trajectory` (interim points) replaces the stored one when given."""
    if trajectory is None:
        points = list(target.trajectory_points.values_list("date", "value")) if target.pk is not None else []
    else:
        points = [(d, float(v)) for d, v in trajectory]
    errors = _clean(target)
    if not errors:
        # The values are sound; now check the planned curve through them.
        errors = target_errors(
            baseline_value=target.baseline_value,
            baseline_date=target.baseline_date,
            target_value=target.target_value,
            target_date=target.target_date,
            trajectory=points,
            value_can_be_negative=target.value_can_be_negative,
        )
    if _is_person(user):
        _merge(errors, _lock_errors(target, validation.TARGET_LOCKED_FIELDS))
    _raise(errors)
    _publish_system_creation(target, user)

    _history_user(target, user)
    target.save()
    _record_reason(target, reason)
    if trajectory is not None:
        trajectory_replace(target=target, points=points, user=user)
    if hubs is not None:
        target.hubs.set(hubs)
    if sources is not None:
        target.sources.set(sources)
    recompute_after_commit(target_ids=[target.pk])
    return target


def trajectory_replace(*, target: Target, points: Sequence[tuple[dt.date, float]], user: User = None) -> None:
    """Replace a target's interim points (already validated by `target_save`)."""
    wanted = {d: float(v) for d, v in points}
    existing = {p.date: p for p in target.trajectory_points.all()}
    for day, point in existing.items():
        if day not in wanted:
            _history_user(point, user)
            point.delete()
    for day, value in sorted(wanted.items()):
        point = existing.get(day) or TrajectoryPoint(target=target, date=day)
        if point.pk is None or point.value != value:
            point.value = value
            _history_user(point, user)
            point.save()


# --- Measurements ---------------------------------------------------------------------


def measurement_warnings(*, measurement: Measurement) -> list[str]:
    """Why a figure looks out of line with the target's other figures (empty when plausible): two queries."""
    target = measurement.target
    previous, following = selectors.measurement_neighbours(
        target_id=target.pk, date=measurement.date, exclude_pk=measurement.pk
    )
    return validation.measurement_warnings(
        direction=target.direction,
        baseline_value=target.baseline_value,
        target_value=target.target_value,
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
    errors = _clean(measurement)
    if "__all__" in errors:
        # The only table-wide rule: one figure per target and date.
        errors.pop("__all__")
        errors.setdefault("date", []).append(
            _("%(code)s already has a figure dated %(date)s; change that one instead.")
            % {"code": measurement.target.code, "date": measurement.date}
        )
    if not errors and _is_person(user):
        warnings = measurement_warnings(measurement=measurement)
        if warnings and not confirmed:
            errors["value"] = [*warnings, str(validation.CONFIRM_FIGURE)]
        elif warnings and not measurement.note.strip():
            errors["note"] = [str(validation.EXPLAIN_FIGURE)]
    _raise(errors)
    if measurement.pk is None and user is not None and getattr(user, "is_authenticated", False):
        measurement.entered_by = user
    _history_user(measurement, user)
    measurement.save()
    _record_reason(measurement, reason)
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
    _history_user(measurement, user)
    if reason:
        measurement._change_reason = reason  # type: ignore[attr-defined]
    measurement.delete()
    recompute_after_commit(target_ids=[target_id])


# --- Milestones ------------------------------------------------------------------------


def _stored_state(milestone: Milestone) -> validation.MilestoneState:
    """The milestone's dates as stored (empty for a new one), to compare an edit with."""
    if milestone.pk is None:
        return validation.MilestoneState()
    row = (
        Milestone.objects.filter(pk=milestone.pk)
        .values("forecast_due_date", "completed_on", "cancelled", "cancelled_on")
        .first()
    )
    return validation.MilestoneState(**row) if row else validation.MilestoneState()


def _state(milestone: Milestone) -> validation.MilestoneState:
    return validation.MilestoneState(
        forecast_due_date=milestone.forecast_due_date,
        completed_on=milestone.completed_on,
        cancelled=milestone.cancelled,
        cancelled_on=milestone.cancelled_on,
    )


def evidence_problems(*, evidence_url: str = "", evidence_document: Any = None) -> dict[str, list[str]]:
    """The problems with the evidence an editor gives (an address, a document), by field."""
    errors: dict[str, list[str]] = {}
    if evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(evidence_url)
        except ValidationError:
            errors["evidence_url"] = [_("Enter the full address of the source, starting with https://.")]
        if len(evidence_url) > 500:
            errors.setdefault("evidence_url", []).append(_("The address is longer than 500 characters."))
    if evidence_document is not None:
        problems = validation.evidence_document_errors(
            name=evidence_document.name, size=evidence_document.size, max_bytes=settings.EVIDENCE_MAX_BYTES
        )
        if problems:
            errors["evidence_document"] = problems
    return errors


def source_for_url(*, url: str) -> Source:
    """The source at an address, created (titled by its address) when it is new."""
    host = urlsplit(url).hostname or ""
    source, _created = Source.objects.get_or_create(
        url=url, defaults={"title": url[:300], "outlet": host.removeprefix("www.")[:120]}
    )
    return source


@transaction.atomic
def milestone_save(
    *,
    milestone: Milestone,
    hubs: Iterable[Any] | None = None,
    sources: Iterable[Any] | None = None,
    user: User = None,
    reason: str = "",
    evidence_url: str = "",
    evidence_document: Any = None,
    today: dt.date | None = None,
) -> Milestone:
    """Validate and save a new or changed milestone; its indicators are recomputed after commit.

    From a person, a forecast moved later, a completion and a cancellation
    need a reason and evidence (`evidence_url` or `evidence_document`); a
    forecast before the baseline due date and a withdrawn completion or
    cancellation need a reason; a completion in the future is refused; a
    published baseline due date is locked. The evidence given is recorded as a
    `MilestoneEvidence` (summary: the reason) in the same transaction.
    """
    today = today or timezone.localdate()
    before = _stored_state(milestone)
    if _is_person(user) and milestone.cancelled and milestone.cancelled_on is None and not before.cancelled:
        milestone.cancelled_on = today
    errors = _clean(milestone)
    _merge(errors, evidence_problems(evidence_url=evidence_url, evidence_document=evidence_document))
    if _is_person(user):
        _merge(errors, _lock_errors(milestone, validation.MILESTONE_LOCKED_FIELDS))
        if milestone.baseline_due_date is not None:
            _merge(
                errors,
                validation.milestone_change_errors(
                    before=before,
                    after=_state(milestone),
                    baseline_due_date=milestone.baseline_due_date,
                    reason=reason,
                    has_evidence=bool(evidence_url or evidence_document),
                    today=today,
                ),
            )
    _raise(errors)
    _publish_system_creation(milestone, user)
    changes = validation.milestone_changes(
        before=before, after=_state(milestone), baseline_due_date=milestone.baseline_due_date
    )
    _history_user(milestone, user)
    milestone.save()
    _record_reason(milestone, reason)
    if hubs is not None:
        milestone.hubs.set(hubs)
    if sources is not None:
        milestone.sources.set(sources)
    if evidence_url or evidence_document:
        _evidence_record(
            milestone=milestone,
            changes=changes,
            today=today,
            summary=reason,
            evidence_url=evidence_url,
            evidence_document=evidence_document,
            user=user,
        )
    recompute_after_commit(milestone_ids=[milestone.pk])
    return milestone


def _evidence_record(
    *,
    milestone: Milestone,
    changes: Sequence[validation.MilestoneChange],
    today: dt.date,
    summary: str,
    evidence_url: str,
    evidence_document: Any,
    user: User,
) -> MilestoneEvidence:
    kind = validation.evidence_kind_for(changes)
    day = {"completion": milestone.completed_on, "cancellation": milestone.cancelled_on}.get(kind) or today
    source = source_for_url(url=evidence_url) if evidence_url else None
    evidence = MilestoneEvidence(
        milestone=milestone,
        date=day,
        kind=kind,
        summary=summary or _("Evidence added."),
        source=source,
        created_by=_author(user),
    )
    if evidence_document is not None:
        evidence.document = evidence_document
    _history_user(evidence, user)
    if summary:
        evidence._change_reason = summary  # type: ignore[attr-defined]
    evidence.save()
    if source is not None:
        milestone.sources.add(source)
    return evidence


class _Keep:
    """Marks an argument of `milestone_update` that leaves the stored value alone."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def milestone_update(
    *,
    milestone: Milestone,
    forecast_due_date: dt.date | None = KEEP,
    completed_on: dt.date | None = KEEP,
    cancelled: bool = KEEP,
    cancelled_on: dt.date | None = KEEP,
    reason: str,
    evidence_url: str = "",
    evidence_document: Any = None,
    user: User,
    today: dt.date | None = None,
) -> Milestone:
    """Set a milestone's forecast, completion or cancellation (arguments left out stay as they are).

    The rules and the evidence record are `milestone_save`'s: a reason and
    evidence when a forecast moves later, a milestone completes or is
    cancelled; no completion in the future.
    """
    if forecast_due_date is not KEEP:
        milestone.forecast_due_date = forecast_due_date
    if completed_on is not KEEP:
        milestone.completed_on = completed_on
    if cancelled is not KEEP:
        milestone.cancelled = cancelled
        if not cancelled:
            milestone.cancelled_on = None
    if cancelled_on is not KEEP:
        milestone.cancelled_on = cancelled_on
    return milestone_save(
        milestone=milestone,
        user=user,
        reason=reason,
        evidence_url=evidence_url,
        evidence_document=evidence_document,
        today=today,
    )


# --- Publication and re-baselining ------------------------------------------------------


@transaction.atomic
def items_publish(
    *,
    targets: Iterable[Target] = (),
    milestones: Iterable[Milestone] = (),
    user: User,
    today: dt.date | None = None,
) -> int:
    """Publish drafts: from today their baselines are locked. Already published items are left alone."""
    today = today or timezone.localdate()
    count = 0
    reason = _("Baseline published (locked)")
    for target in targets:
        if target.published_on is None:
            target.published_on = today
            target_save(target=target, user=user, reason=reason)
            count += 1
    for milestone in milestones:
        if milestone.published_on is None:
            milestone.published_on = today
            milestone_save(milestone=milestone, user=user, reason=reason, today=today)
            count += 1
    return count


def _rebaseline_checks(
    *, item: Target | Milestone, user: User, reason: str, decided_on: dt.date, today: dt.date, source_url: str
) -> dict[str, list[str]]:
    if not (_is_person(user) and getattr(user, "is_superuser", False)):
        raise PermissionDenied(_("Only a superuser can re-baseline."))
    errors = validation.rebaseline_reason_errors(reason)
    if item.published_on is None:
        errors.setdefault("__all__", []).append(
            _("This item is not published yet: its baseline can still be edited directly.")
        )
    if decided_on > today:
        errors["decided_on"] = [
            _("The decision cannot be dated in the future (today is %(today)s).") % {"today": today.isoformat()}
        ]
    source_problems = evidence_problems(evidence_url=source_url).get("evidence_url")
    if source_problems:
        errors["source_url"] = source_problems
    return errors


@transaction.atomic
def target_rebaseline(
    *,
    target: Target,
    baseline_value: float,
    baseline_date: dt.date,
    target_value: float,
    target_date: dt.date,
    reason: str,
    user: User,
    decided_on: dt.date | None = None,
    source_url: str = "",
    today: dt.date | None = None,
) -> Rebaseline:
    """Record a new baseline and deadline for a published target (superusers only; a reason is required).

    The target's own baseline fields keep the original promise, and its
    indicators are still computed against it; the new values become the
    target's `current_*` values, and the re-baseline is public.
    """
    today = today or timezone.localdate()
    decided_on = decided_on or today
    errors = _rebaseline_checks(
        item=target, user=user, reason=reason, decided_on=decided_on, today=today, source_url=source_url
    )
    _merge(
        errors,
        target_errors(
            baseline_value=baseline_value,
            baseline_date=baseline_date,
            target_value=target_value,
            target_date=target_date,
            value_can_be_negative=target.value_can_be_negative,
        ),
    )
    old = (
        target.current_baseline_value,
        target.current_baseline_date,
        target.current_target_value,
        target.current_target_date,
    )
    if (baseline_value, baseline_date, target_value, target_date) == old:
        errors.setdefault("__all__", []).append(_("Nothing changes: these are the baseline and deadline in force."))
    _raise(errors)
    rebaseline = Rebaseline(
        target=target,
        old_baseline_value=old[0],
        old_baseline_date=old[1],
        old_target_value=old[2],
        old_target_date=old[3],
        new_baseline_value=baseline_value,
        new_baseline_date=baseline_date,
        new_target_value=target_value,
        new_target_date=target_date,
        decided_on=decided_on,
        reason=reason.strip(),
        source=source_for_url(url=source_url) if source_url else None,
        created_by=_author(user),
    )
    return _rebaseline_record(rebaseline, user=user)


def _rebaseline_record(rebaseline: Rebaseline, *, user: User) -> Rebaseline:
    """Save a re-baseline with its author and reason in the history; the item's cached one is then out of date."""
    _history_user(rebaseline, user)
    rebaseline._change_reason = rebaseline.reason  # type: ignore[attr-defined]
    rebaseline.save()
    item = rebaseline.target or rebaseline.milestone
    if item is not None:
        item.__dict__.pop("latest_rebaseline", None)
    return rebaseline


@transaction.atomic
def milestone_rebaseline(
    *,
    milestone: Milestone,
    due_date: dt.date,
    reason: str,
    user: User,
    decided_on: dt.date | None = None,
    source_url: str = "",
    today: dt.date | None = None,
) -> Rebaseline:
    """Record a new baseline due date for a published milestone (superusers only; a reason is required)."""
    today = today or timezone.localdate()
    decided_on = decided_on or today
    errors = _rebaseline_checks(
        item=milestone, user=user, reason=reason, decided_on=decided_on, today=today, source_url=source_url
    )
    if due_date < milestone.announced_on:
        errors["due_date"] = [
            _("The due date cannot come before the milestone was announced (%(announced)s).")
            % {"announced": milestone.announced_on.isoformat()}
        ]
    old = milestone.current_baseline_due_date
    if due_date == old:
        errors.setdefault("due_date", []).append(_("Nothing changes: this is the due date in force."))
    _raise(errors)
    rebaseline = Rebaseline(
        milestone=milestone,
        old_due_date=old,
        new_due_date=due_date,
        decided_on=decided_on,
        reason=reason.strip(),
        source=source_for_url(url=source_url) if source_url else None,
        created_by=_author(user),
    )
    return _rebaseline_record(rebaseline, user=user)


# --- Imports ---------------------------------------------------------------------------


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
    author = _author(user)
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


# --- Indicators ------------------------------------------------------------------------

# COPY's column order: the target, then the indicators in the pure module's order, then the time.
_TARGET_SNAPSHOT_COLUMNS = ("target_id", *selectors.TARGET_INDICATOR_FIELDS, "computed_at")
_MILESTONE_SNAPSHOT_COLUMNS = (
    "milestone_id",
    "as_of",
    "status",
    "expected_date",
    "slip_days",
    "forecast_due_date",
    "computed_at",
)
# Advisory-lock namespace of the recompute, so that it cannot collide with another lock user.
_LOCK_NAMESPACE = 0x51_1D


@dataclass(frozen=True, slots=True)
class RecomputeResult:
    """What one recompute did, for the command's summary, the task's log and the tests."""

    as_of: dt.date
    targets: int
    milestones: int
    rollups: int
    invalid_targets: tuple[int, ...]
    target_statuses: dict[str, int]
    milestone_statuses: dict[str, int]
    seconds: float


def _lock_date(as_of: dt.date, *, shared: bool = False) -> None:
    """Hold a transaction-scoped PostgreSQL advisory lock on `as_of`: one run at a time per date.

    A chunk of a parallel full recompute holds it shared (chunks run side by
    side), everything else exclusive. Other databases serialise writers anyway.
    """
    if connection.vendor != "postgresql":
        return
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, %s)", [_LOCK_NAMESPACE, as_of.toordinal()])


def _lock_chunk(as_of: dt.date, start: int) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # The 64-bit key form: a different key space from the two-integer date locks.
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [(as_of.toordinal() << 32) + (start & 0xFFFFFFFF)])


def _copy_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write rows with PostgreSQL's COPY, the fastest bulk insert there is."""
    buffer = io.StringIO()
    write = buffer.write
    for row in rows:
        write("\t".join(_copy_value(value) for value in row))
        write("\n")
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def _copy_value(value: Any) -> str:
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _target_rows(
    results: dict[int, indicators.TargetIndicators], computed_at: dt.datetime
) -> Iterable[tuple[Any, ...]]:
    for pk, r in results.items():
        yield (
            pk,
            r.as_of,
            r.status.value,
            r.progress,
            r.planned_progress,
            r.actual_value,
            r.evaluation_date,
            r.earned_schedule,
            r.slip_days,
            r.spi,
            r.forecast_completion,
            r.forecast_slip_days,
            r.required_rate,
            r.required_rate_per_year,
            r.staleness_days,
            r.stale,
            computed_at,
        )


def _milestone_rows(
    results: dict[int, indicators.MilestoneIndicators],
    forecasts: dict[int, dt.date | None],
    computed_at: dt.datetime,
) -> Iterable[tuple[Any, ...]]:
    for pk, r in results.items():
        yield (pk, r.as_of, r.status.value, r.expected_date, r.slip_days, forecasts.get(pk), computed_at)


def _write_snapshots(
    *,
    as_of: dt.date,
    targets: dict[int, indicators.TargetIndicators],
    milestones: dict[int, indicators.MilestoneIndicators],
    forecasts: dict[int, dt.date | None],
    target_ids: Collection[int] | None,
    milestone_ids: Collection[int] | None,
    id_range: tuple[int, int] | None,
    computed_at: dt.datetime,
) -> None:
    """Replace the snapshots of `as_of` for the items recomputed: one DELETE and one bulk insert per table."""
    old_targets = TargetSnapshot.objects.filter(as_of=as_of)
    old_milestones = MilestoneSnapshot.objects.filter(as_of=as_of)
    if target_ids is not None:
        old_targets = old_targets.filter(target_id__in=list(target_ids))
    if milestone_ids is not None:
        old_milestones = old_milestones.filter(milestone_id__in=list(milestone_ids))
    if id_range is not None:
        old_targets = old_targets.filter(target_id__gte=id_range[0], target_id__lt=id_range[1])
        old_milestones = old_milestones.filter(milestone_id__gte=id_range[0], milestone_id__lt=id_range[1])
    if target_ids is None or target_ids:
        old_targets._raw_delete(old_targets.db)  # no signals nor cascades hang off snapshots
    if milestone_ids is None or milestone_ids:
        old_milestones._raw_delete(old_milestones.db)

    target_rows = _target_rows(targets, computed_at)
    milestone_rows = _milestone_rows(milestones, forecasts, computed_at)
    if connection.vendor == "postgresql":
        if targets:
            _copy_rows(TargetSnapshot._meta.db_table, _TARGET_SNAPSHOT_COLUMNS, target_rows)
        if milestones:
            _copy_rows(MilestoneSnapshot._meta.db_table, _MILESTONE_SNAPSHOT_COLUMNS, milestone_rows)
    else:
        TargetSnapshot.objects.bulk_create(
            (TargetSnapshot(**dict(zip(_TARGET_SNAPSHOT_COLUMNS, row, strict=True))) for row in target_rows),
            batch_size=2_000,
        )
        MilestoneSnapshot.objects.bulk_create(
            (MilestoneSnapshot(**dict(zip(_MILESTONE_SNAPSHOT_COLUMNS, row, strict=True))) for row in milestone_rows),
            batch_size=2_000,
        )


def _compute(
    inputs: selectors.RecomputeInputs, as_of: dt.date
) -> tuple[dict[int, indicators.TargetIndicators], dict[int, indicators.MilestoneIndicators], list[int]]:
    computed = selectors.compute_indicators(inputs, as_of=as_of)
    for pk in computed.invalid:
        # Data that slipped past validation (edited in the database directly)
        # must not stop the other targets from being recomputed.
        logger.error("Target %s has an invalid definition; no indicators for %s.", pk, as_of)
    return computed.targets, computed.milestones, computed.invalid


def indicators_recompute(
    *,
    as_of: dt.date,
    target_ids: Collection[int] | None = None,
    milestone_ids: Collection[int] | None = None,
    id_range: tuple[int, int] | None = None,
    rollups: bool = True,
) -> RecomputeResult:
    """Recompute and store the indicators of `as_of`, in one transaction.

    With no ids, every target and milestone (a full run, recorded as such);
    with `target_ids`/`milestone_ids`, only those (after an edit); with
    `id_range` (start inclusive, end exclusive), one chunk of a parallel full
    run, which leaves the roll-ups to `indicators_rollup` once every chunk is
    done. Re-running a date replaces its snapshots, never duplicates them.
    """
    started = time.perf_counter()
    computed_at = timezone.now()
    full = target_ids is None and milestone_ids is None and id_range is None
    with transaction.atomic():
        if id_range is None:
            _lock_date(as_of)
        else:
            _lock_date(as_of, shared=True)
            _lock_chunk(as_of, id_range[0])
        inputs = selectors.recompute_inputs(
            as_of=as_of, target_ids=target_ids, milestone_ids=milestone_ids, id_range=id_range
        )
        targets, milestones, invalid = _compute(inputs, as_of)
        _write_snapshots(
            as_of=as_of,
            targets=targets,
            milestones=milestones,
            forecasts=inputs.forecasts,
            target_ids=target_ids,
            milestone_ids=milestone_ids,
            id_range=id_range,
            computed_at=computed_at,
        )
        rollup_count = 0
        if rollups and id_range is None:
            # A full run already holds every item's indicators; a partial run reads the others back.
            rollup_count = indicators_rollup(
                as_of=as_of, targets=targets if full else None, milestones=milestones if full else None
            )
        if id_range is None:
            RecomputeRun.objects.create(
                as_of=as_of,
                scope=RecomputeRun.Scope.FULL if full else RecomputeRun.Scope.ITEMS,
                target_count=len(targets),
                milestone_count=len(milestones),
                started_at=computed_at,
                finished_at=timezone.now(),
            )
    return RecomputeResult(
        as_of=as_of,
        targets=len(targets),
        milestones=len(milestones),
        rollups=rollup_count,
        invalid_targets=tuple(invalid),
        target_statuses=dict(Counter(r.status.value for r in targets.values())),
        milestone_statuses=dict(Counter(r.status.value for r in milestones.values())),
        seconds=time.perf_counter() - started,
    )


def indicators_recompute_items(
    *, as_of: dt.date, target_ids: Collection[int] = (), milestone_ids: Collection[int] = ()
) -> RecomputeResult:
    """Recompute what one edit touched.

    The roll-ups need every item's indicators for the date, so when no full run
    exists for it yet (the first edit of the day, before the nightly run), this
    does the full run instead.
    """
    if not selectors.full_run_exists(as_of=as_of):
        return indicators_recompute(as_of=as_of)
    return indicators_recompute(as_of=as_of, target_ids=list(target_ids), milestone_ids=list(milestone_ids))


def indicators_rollup(
    *,
    as_of: dt.date,
    targets: dict[int, indicators.TargetIndicators] | None = None,
    milestones: dict[int, indicators.MilestoneIndicators] | None = None,
    record_full_run: bool = False,
) -> int:
    """Compute and store the roll-ups of `as_of` for the policy, each pillar and each hub, per window.

    Reads the stored snapshots of `as_of` for whatever is not passed in. With
    `record_full_run` (the last step of a parallel full run), records the run.
    """
    started = timezone.now()
    with transaction.atomic():
        _lock_date(as_of)
        if targets is None:
            targets = selectors.target_indicators_on(as_of=as_of)
        if milestones is None:
            milestones = selectors.milestone_indicators_on(as_of=as_of)
        rollups = selectors.compute_rollups(as_of=as_of, targets=targets, milestones=milestones)
        rows = [
            RollupSnapshot(
                as_of=as_of,
                scope=scope_name,
                scope_key=scope_key,
                window=key,
                targets=rollup.targets,
                milestones=rollup.milestones,
                median_slip_days=rollup.median_slip_days,
                max_slip_days=rollup.max_slip_days,
                on_schedule_share=rollup.on_schedule_share,
                computed_at=started,
            )
            for (scope_name, scope_key, key), rollup in rollups.items()
        ]
        stale = RollupSnapshot.objects.filter(as_of=as_of)
        stale._raw_delete(stale.db)
        RollupSnapshot.objects.bulk_create(rows, batch_size=1_000)
        if record_full_run:
            RecomputeRun.objects.create(
                as_of=as_of,
                scope=RecomputeRun.Scope.FULL,
                target_count=len(targets),
                milestone_count=len(milestones),
                started_at=started,
                finished_at=timezone.now(),
            )
    return len(rows)
