"""Reads of the audit trail for editors: the site-wide recent changes (the public record is `changes`).

It reads django-simple-history's tables (who, when, why for every edit) in a
number of queries that does not grow with the number of rows shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, OuterRef, Subquery
from django.urls import NoReverseMatch, reverse

from core.models import PublicChange
from hubs.models import Hub
from incentives.models import Incentive

from .models import Measurement, Milestone, MilestoneEvidence, Rebaseline, Target, TrajectoryPoint

#: The models whose every edit is listed in the admin's recent changes.
AUDITED_MODELS: tuple[type[Model], ...] = (
    Target,
    Measurement,
    Milestone,
    MilestoneEvidence,
    TrajectoryPoint,
    Rebaseline,
    Incentive,
    Hub,
)
HISTORY_TYPES = {"+": "added", "~": "changed", "-": "deleted"}
# Bookkeeping columns of the historical tables, never "a changed field".
_SKIP = {
    "id",
    "revision",  # bookkeeping of `core.models.Revisioned`: it moves with every save
    "history_id",
    "history_date",
    "history_change_reason",
    "history_type",
    "history_user_id",
    "created_at",
    # The public record's classification of the row (`core.models.PublicChange`), not a field of the item.
    *(field.attname for field in PublicChange._meta.concrete_fields),
}


@dataclass(slots=True)
class ChangeEntry:
    """One line of the recent changes: one historical record."""

    when: dt.datetime
    model: str
    object_label: str
    object_id: int
    action: str
    user: str
    reason: str
    changed: list[str] = field(default_factory=list)
    change_url: str = ""
    history_url: str = ""


def _label(model: type[Model], row: Any, codes: dict[str, dict[int, str]]) -> str:
    if model is Target or model is Milestone:
        return f"{row.code}: {row.title}"
    if model is Measurement or model is TrajectoryPoint:
        return f"{codes['target'].get(row.target_id, row.target_id)} {row.date}: {row.value:,g}"
    if model is MilestoneEvidence:
        return f"{codes['milestone'].get(row.milestone_id, row.milestone_id)} {row.date}: {row.summary[:60]}"
    if model is Rebaseline:
        if row.target_id:
            return f"re-baseline of {codes['target'].get(row.target_id, row.target_id)}"
        return f"re-baseline of {codes['milestone'].get(row.milestone_id, row.milestone_id)}"
    return str(getattr(row, "name", row.id))


def _tracked_fields(history_model: type[Model]) -> list[str]:
    return [f.attname for f in history_model._meta.concrete_fields if f.attname not in _SKIP]


def _url(name: str, pk: int) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


def recent_changes(*, models: Sequence[type[Model]] = AUDITED_MODELS, limit: int = 100) -> list[ChangeEntry]:
    """The latest `limit` historical records across `models`, newest first, with what each changed.

    Per model: one query for its latest records (with the previous record's id
    found by a subquery on the history's (id, history_date) index), one for
    those previous records, and at most two for the codes the labels show.
    """
    candidates: list[tuple[type[Model], Any]] = []
    for model in models:
        history_model = model.history.model  # type: ignore[attr-defined]
        previous = (
            history_model.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date")
            .values("history_id")[:1]
        )
        rows = (
            history_model.objects.select_related("history_user")
            .annotate(previous_id=Subquery(previous))
            .order_by("-history_date")[:limit]
        )
        candidates += [(model, row) for row in rows]
    candidates.sort(key=lambda pair: pair[1].history_date, reverse=True)
    candidates = candidates[:limit]

    previous_rows: dict[type[Model], dict[int, Any]] = {}
    by_model: dict[type[Model], list[Any]] = defaultdict(list)
    for model, row in candidates:
        by_model[model].append(row)
    target_ids: set[int] = set()
    milestone_ids: set[int] = set()
    for model, rows in by_model.items():
        history_model = model.history.model  # type: ignore[attr-defined]
        wanted = [r.previous_id for r in rows if r.previous_id]
        previous_rows[model] = {p.history_id: p for p in history_model.objects.filter(history_id__in=wanted)}
        for row in rows:
            if getattr(row, "target_id", None):
                target_ids.add(row.target_id)
            if getattr(row, "milestone_id", None):
                milestone_ids.add(row.milestone_id)
    codes: dict[str, dict[int, str]] = {
        "target": dict(Target.objects.filter(pk__in=target_ids).values_list("pk", "code")) if target_ids else {},
        "milestone": (
            dict(Milestone.objects.filter(pk__in=milestone_ids).values_list("pk", "code")) if milestone_ids else {}
        ),
    }

    entries = []
    for model, row in candidates:
        history_model = model.history.model  # type: ignore[attr-defined]
        before = previous_rows[model].get(row.previous_id) if row.previous_id else None
        changed: list[str] = []
        if before is not None and row.history_type == "~":
            changed = [
                str(
                    history_model._meta.get_field(
                        name.removesuffix("_id") if name.endswith("_id") else name
                    ).verbose_name
                )
                for name in _tracked_fields(history_model)
                if getattr(row, name) != getattr(before, name)
                # The English column of a translated text (django-modeltranslation) changes with the text itself.
                and not (name.endswith("_en") and hasattr(history_model, name.removesuffix("_en") + "_ur"))
            ]
        user = row.history_user
        opts = model._meta
        entries.append(
            ChangeEntry(
                when=row.history_date,
                model=str(opts.verbose_name),
                object_label=_label(model, row, codes),
                object_id=row.id,
                action=HISTORY_TYPES.get(row.history_type, row.history_type),
                user=user.get_username() if user is not None else "",
                reason=row.history_change_reason or "",
                changed=changed,
                change_url=_url(f"admin:{opts.app_label}_{opts.model_name}_change", row.id)
                if row.history_type != "-"
                else "",
                history_url=_url(f"admin:{opts.app_label}_{opts.model_name}_history", row.id),
            )
        )
    return entries
