"""Reads of the audit trail: the site-wide recent changes, and the public "what changed" feed.

Both read django-simple-history's tables (who, when, why for every edit), the
re-baselines and the stored snapshots, in a number of queries that does not
grow with the number of rows shown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db.models import F, Model, OuterRef, Q, Subquery
from django.urls import NoReverseMatch, reverse

from hubs.models import Hub
from incentives.models import Incentive
from indicators.choices import MilestoneStatus, TargetStatus
from indicators.models import MilestoneSnapshot, RecomputeRun, TargetSnapshot

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
_SKIP = {"id", "history_id", "history_date", "history_change_reason", "history_type", "history_user_id", "created_at"}


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


# --- The public feed -----------------------------------------------------------------------------------


@dataclass(slots=True)
class FeedEntry:
    """One public item of the "what changed" feed."""

    kind: str  # "status", "forecast" or "rebaseline"
    key: str  # stable, for the Atom id
    when: dt.datetime | dt.date
    title: str
    description: str
    item: Target | Milestone | None = None
    item_kind: str = ""  # "target" or "milestone"
    item_id: int = 0


def _status_label(kind: str, value: str | None) -> str:
    if not value:
        return "-"
    choices = TargetStatus if kind == "target" else MilestoneStatus
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def feed_entries(*, limit: int = 100, runs: int = 15) -> list[FeedEntry]:
    """Status changes between consecutive full recomputes, forecast moves and re-baselines, newest first.

    Status changes compare the snapshots of the last `runs` full recomputes,
    each with the one before it (one query per pair and kind, through the
    (item, as_of) unique index). Forecast moves are the milestone history
    records whose forecast differs from the record before (one query), with
    the reason and the evidence recorded with them (one query). Re-baselines
    are read as they are (one query).
    """
    entries: list[FeedEntry] = []
    dates = list(
        RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .distinct()[:runs]
    )
    for later, earlier in pairwise(dates):
        for kind, snapshot_model, key in (
            ("target", TargetSnapshot, "target"),
            ("milestone", MilestoneSnapshot, "milestone"),
        ):
            before = snapshot_model.objects.filter(**{key: OuterRef(key), "as_of": earlier}).values("status")[:1]
            rows = (
                snapshot_model.objects.filter(as_of=later)
                .annotate(before=Subquery(before))
                .filter(before__isnull=False)
                .exclude(status=F("before"))
                .select_related(key)
                .order_by(f"{key}__code")
            )
            for row in rows:
                item = getattr(row, key)
                old, new = _status_label(kind, row.before), _status_label(kind, row.status)
                entries.append(
                    FeedEntry(
                        kind="status",
                        key=f"status/{kind}/{item.pk}/{later.isoformat()}",
                        when=later,
                        title=f"{item.title}: {old} → {new}",
                        description=(
                            f"As of {later.isoformat()} the {kind} “{item.title}” ({item.code}) is {new}; "
                            f"it was {old} as of {earlier.isoformat()}."
                            + (f" Slip: {row.slip_days} days." if row.slip_days is not None else "")
                        ),
                        item=item,
                        item_kind=kind,
                        item_id=item.pk,
                    )
                )

    history = Milestone.history.model
    previous_forecast = (
        history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date")
        .values("forecast_due_date")[:1]
    )
    moves = list(
        history.objects.filter(history_type="~")
        .annotate(previous_forecast=Subquery(previous_forecast))
        .filter(
            Q(previous_forecast__isnull=True, forecast_due_date__isnull=False)
            | Q(previous_forecast__isnull=False, forecast_due_date__isnull=True)
            | Q(forecast_due_date__lt=F("previous_forecast"))
            | Q(forecast_due_date__gt=F("previous_forecast"))
        )
        .order_by("-history_date")[:limit]
    )
    evidence: dict[int, list[MilestoneEvidence]] = defaultdict(list)
    for cited in (
        MilestoneEvidence.objects.filter(milestone_id__in={m.id for m in moves})
        .select_related("source")
        .order_by("created_at")
    ):
        evidence[cited.milestone_id].append(cited)
    for move in moves:
        old_date = move.previous_forecast or move.baseline_due_date
        new_date = move.forecast_due_date or move.baseline_due_date
        if old_date == new_date:
            continue
        days = (new_date - old_date).days
        direction = "later" if days > 0 else "earlier"
        near = _evidence_near(evidence.get(move.id, []), move.history_date)
        parts = [
            f"The forecast of “{move.title}” ({move.code}) moved from {old_date.isoformat()} to "
            f"{new_date.isoformat()}: {abs(days)} days {direction}. Baseline due date: "
            f"{move.baseline_due_date.isoformat()} ({(new_date - move.baseline_due_date).days:+d} days)."
        ]
        if move.history_change_reason:
            parts.append(f"Reason: {move.history_change_reason}")
        if near is not None:
            if near.source is not None:
                parts.append(f"Evidence: {near.source.url}")
            elif near.document:
                parts.append(f"Evidence: document {(near.document.name or '').rsplit('/', 1)[-1]}")
        entries.append(
            FeedEntry(
                kind="forecast",
                key=f"forecast/{move.id}/{move.history_id}",
                when=move.history_date,
                title=f"{move.title}: forecast moved {abs(days)} days {direction}, to {new_date.isoformat()}",
                description=" ".join(parts),
                item_kind="milestone",
                item_id=move.id,
            )
        )

    for rebaseline in Rebaseline.objects.select_related("target", "milestone", "source").order_by("-created_at")[
        :limit
    ]:
        subject: Target | Milestone
        if rebaseline.target is not None:
            subject = rebaseline.target
            what = (
                f"baseline {rebaseline.old_baseline_value:,g} on {rebaseline.old_baseline_date} → "
                f"{rebaseline.new_baseline_value:,g} on {rebaseline.new_baseline_date}; target "
                f"{rebaseline.old_target_value:,g} by {rebaseline.old_target_date} → "
                f"{rebaseline.new_target_value:,g} by {rebaseline.new_target_date}"
            )
            kind = "target"
        else:
            assert rebaseline.milestone is not None
            subject = rebaseline.milestone
            what = f"due date {rebaseline.old_due_date} → {rebaseline.new_due_date}"
            kind = "milestone"
        description = (
            f"“{subject.title}” ({subject.code}) was re-baselined on {rebaseline.decided_on}: {what}. "
            f"Reason: {rebaseline.reason}"
        )
        if rebaseline.source is not None:
            description += f" Source: {rebaseline.source.url}"
        entries.append(
            FeedEntry(
                kind="rebaseline",
                key=f"rebaseline/{rebaseline.pk}",
                when=rebaseline.created_at,
                title=f"{subject.title}: re-baselined ({what})",
                description=description,
                item=subject,
                item_kind=kind,
                item_id=subject.pk,
            )
        )

    def moment(entry: FeedEntry) -> dt.datetime:
        if isinstance(entry.when, dt.datetime):
            return entry.when
        return dt.datetime.combine(entry.when, dt.time.max, tzinfo=dt.UTC)

    entries.sort(key=moment, reverse=True)
    return entries[:limit]


def _evidence_near(items: list[MilestoneEvidence], when: dt.datetime) -> MilestoneEvidence | None:
    """The evidence recorded with an edit: the same transaction, so within seconds of the history record."""
    near = [e for e in items if abs((e.created_at - when).total_seconds()) < 60]
    return min(near, key=lambda e: abs((e.created_at - when).total_seconds())) if near else None
