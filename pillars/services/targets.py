"""Writes of targets and their planned curve."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction

from indicators.scheduling import recompute_after_commit

from .. import validation
from ..models import Target, TrajectoryPoint
from ..validation import target_errors
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
    errors = clean_errors(target)
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
    if is_person(user):
        merge_errors(errors, lock_errors(target, validation.TARGET_LOCKED_FIELDS))
    raise_errors(errors)
    sources = None if sources is None else list(sources)  # read twice: the publication date, then the set
    publish_system_creation(target, user, sources)

    history_user(target, user)
    claim_revision(target)
    target.save()
    record_reason(target, reason)
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
            history_user(point, user)
            point.delete()
    for day, value in sorted(wanted.items()):
        point = existing.get(day) or TrajectoryPoint(target=target, date=day)
        if point.pk is None or point.value != value:
            point.value = value
            history_user(point, user)
            point.save()
