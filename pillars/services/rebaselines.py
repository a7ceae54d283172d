"""Publication (locking a baseline) and re-baselining (moving a published goalpost, in public)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import validation
from ..models import Milestone, Rebaseline, Target
from ..validation import target_errors
from .common import User, author_of, history_reason, history_user, is_person, merge_errors, raise_errors
from .evidence import evidence_problems, source_for_url
from .milestones import milestone_save
from .targets import target_save


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
    if not (is_person(user) and getattr(user, "is_superuser", False)):
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
    merge_errors(
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
    raise_errors(errors)
    return _rebaseline_record(
        user=user,
        decided_on=decided_on,
        reason=reason,
        source_url=source_url,
        target=target,
        old_baseline_value=old[0],
        old_baseline_date=old[1],
        old_target_value=old[2],
        old_target_date=old[3],
        new_baseline_value=baseline_value,
        new_baseline_date=baseline_date,
        new_target_value=target_value,
        new_target_date=target_date,
    )


def _rebaseline_record(*, user: User, decided_on: dt.date, reason: str, source_url: str, **change: Any) -> Rebaseline:
    """Record a re-baseline (`change`: the item and its old and new values) with its source, author and reason.

    The reason is also the history's; the item's cached re-baseline in force is then out of date.
    """
    rebaseline = Rebaseline(
        decided_on=decided_on,
        reason=reason.strip(),
        source=source_for_url(url=source_url) if source_url else None,
        created_by=author_of(user),
        **change,
    )
    history_user(rebaseline, user)
    history_reason(rebaseline, rebaseline.reason)
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
    raise_errors(errors)
    return _rebaseline_record(
        user=user,
        decided_on=decided_on,
        reason=reason,
        source_url=source_url,
        milestone=milestone,
        old_due_date=old,
        new_due_date=due_date,
    )
