"""Writes of milestones: forecasts, completions and cancellations, with their reasons and evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from changes.record import record_evidence
from indicators.scheduling import recompute_after_commit

from .. import validation
from ..models import Milestone
from .common import (
    User,
    claim_revision,
    clean_errors,
    history_user,
    is_person,
    lock_errors,
    merge_errors,
    publish_system_creation,
    raise_errors,
    record_reason,
)
from .evidence import evidence_problems, evidence_record


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
    if is_person(user) and milestone.cancelled and milestone.cancelled_on is None and not before.cancelled:
        milestone.cancelled_on = today
    errors = clean_errors(milestone)
    merge_errors(errors, evidence_problems(evidence_url=evidence_url, evidence_document=evidence_document))
    if is_person(user):
        merge_errors(errors, lock_errors(milestone, validation.MILESTONE_LOCKED_FIELDS))
        if milestone.baseline_due_date is not None:
            merge_errors(
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
    raise_errors(errors)
    sources = None if sources is None else list(sources)  # read twice: the publication date, then the set
    publish_system_creation(milestone, user, sources)
    changes = validation.milestone_changes(
        before=before, after=_state(milestone), baseline_due_date=milestone.baseline_due_date
    )
    history_user(milestone, user)
    claim_revision(milestone)
    milestone.save()
    record_reason(milestone, reason)
    if hubs is not None:
        milestone.hubs.set(hubs)
    if sources is not None:
        milestone.sources.set(sources)
    if evidence_url or evidence_document:
        evidence = evidence_record(
            milestone=milestone,
            changes=changes,
            today=today,
            summary=reason,
            evidence_url=evidence_url,
            evidence_document=evidence_document,
            user=user,
        )
        # The public record of the change shows what it rests on.
        record_evidence(milestone, evidence.source.url if evidence.source else evidence.document.url)
    recompute_after_commit(milestone_ids=[milestone.pk])
    return milestone


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
