"""Reads of the public record of changes: one page of it, site-wide or for one item, in a constant number of queries.

The record is the audit trail django-simple-history keeps, each historical
record classified as it was written (`changes.record`), plus the re-baselines,
which are a record of their own. One UNION of the classified rows of each
table (type, id, moment) pages and counts them on the index of `change_kind`
and `history_date`; then one query per table present on the page fetches its
rows, and one more the targets its figures belong to.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, F, QuerySet, Value
from django.utils import timezone

from incentives.models import Incentive
from indicators.compute import Basis
from pillars.models import Measurement, Milestone, Pillar, Rebaseline, Target

from .choices import ChangeKind, ObjectType
from .classify import json_value
from .record import role_of

#: Which kinds each table can hold: a filter on kinds leaves the other tables out of the query.
KINDS: dict[ObjectType, frozenset[str]] = {
    ObjectType.MEASUREMENT: frozenset(
        {ChangeKind.FIGURE_ADDED, ChangeKind.FIGURE_REVISED, ChangeKind.FIGURE_WITHDRAWN, ChangeKind.FIGURE_DELETED}
    ),
    ObjectType.TARGET: frozenset({ChangeKind.DEFINITION_CHANGED}),
    ObjectType.MILESTONE: frozenset(
        {
            ChangeKind.FORECAST_MOVED,
            ChangeKind.COMPLETED,
            ChangeKind.CANCELLED,
            ChangeKind.REOPENED,
            ChangeKind.DEFINITION_CHANGED,
        }
    ),
    ObjectType.INCENTIVE: frozenset({ChangeKind.INCENTIVE_STATUS, ChangeKind.DEFINITION_CHANGED}),
    ObjectType.REBASELINE: frozenset({ChangeKind.REBASELINED}),
}


@dataclass(frozen=True, slots=True)
class ChangeFilter:
    """Which changes to list; every field is optional (the default lists everything on the reported basis)."""

    kinds: frozenset[str] = frozenset()
    pillar: Pillar | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    basis: Basis = Basis.REPORTED
    #: One item's changes (its page): a target's (its figures, its definition, its re-baselines), a milestone's
    #: or an incentive's.
    target_id: int | None = None
    milestone_id: int | None = None
    incentive_id: int | None = None


@dataclass(slots=True)
class Item:
    """What a change is about, as its page shows it: a target, a milestone or an incentive."""

    type: str
    id: int
    code: str
    title: str
    slug: str = ""


@dataclass(slots=True)
class Change:
    """One change to published data, with its earlier and its new value."""

    id: str
    at: dt.datetime
    kind: str
    object_type: str
    object_id: int
    field: str
    old: Any
    new: Any
    reason: str
    evidence: str
    role: str
    item: Item | None = None
    pillar: str | None = None
    illustrative: bool = False
    unit: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def object(self) -> dict[str, Any]:
        return {"type": self.object_type, "id": self.object_id}

    @property
    def figure(self) -> dict[str, Any] | None:
        """A figure's date and value as the record holds them (the value withdrawn, for a withdrawal)."""
        if self.object_type != ObjectType.MEASUREMENT:
            return None
        return {"date": self.extra.get("date"), "value": self.extra.get("value")}


def _moment(day: dt.date, *, end: bool = False) -> dt.datetime:
    """The first moment of a day (or of the next one) in the policy's time zone: ranges use the index."""
    if end:
        day = day + dt.timedelta(days=1)
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _dated(queryset: QuerySet[Any], column: str, wanted: ChangeFilter) -> QuerySet[Any]:
    if wanted.since is not None:
        queryset = queryset.filter(**{f"{column}__gte": _moment(wanted.since)})
    if wanted.until is not None:
        queryset = queryset.filter(**{f"{column}__lt": _moment(wanted.until, end=True)})
    return queryset


def _keys(queryset: QuerySet[Any], object_type: ObjectType, pk: str, moment: str) -> QuerySet[Any]:
    """The (type, id, moment) columns every part of the UNION selects, as annotations in the same order."""
    keys: QuerySet[Any] = (
        queryset.order_by()
        .annotate(
            t=Value(object_type.value, output_field=CharField()),
            hid=F(pk),
            at=F(moment),
        )
        .values_list("t", "hid", "at")
    )
    return keys


#: The classified histories: the table, and which item filter of `ChangeFilter` reads which of its columns.
_HISTORIES: tuple[tuple[ObjectType, Any, str, str], ...] = (
    (ObjectType.MEASUREMENT, Measurement, "target_id", "target_id"),
    (ObjectType.TARGET, Target, "target_id", "id"),
    (ObjectType.MILESTONE, Milestone, "milestone_id", "id"),
    (ObjectType.INCENTIVE, Incentive, "incentive_id", "id"),
)
_ITEMS = ("target_id", "milestone_id", "incentive_id")


def _parts(wanted: ChangeFilter) -> list[QuerySet[Any]]:
    kinds = set(wanted.kinds)
    parts: list[QuerySet[Any]] = []

    def included(object_type: ObjectType) -> frozenset[str] | None:
        chosen = KINDS[object_type] & kinds if kinds else KINDS[object_type]
        return chosen or None

    for object_type, model, item, column in _HISTORIES:
        chosen = included(object_type)
        if chosen is None or any(getattr(wanted, other) is not None for other in _ITEMS if other != item):
            continue  # this table holds none of the kinds asked for, or none of the item's changes
        rows = _dated(model.history.filter(change_kind__in=sorted(chosen)), "history_date", wanted)
        if getattr(wanted, item) is not None:
            rows = rows.filter(**{column: getattr(wanted, item)})
        if model is Measurement:
            if wanted.basis == Basis.REPORTED:
                rows = rows.filter(illustrative=False)
            if wanted.pillar is not None:
                rows = rows.filter(target_id__in=Target.objects.filter(pillar=wanted.pillar).values("pk"))
        elif wanted.pillar is not None:
            rows = rows.filter(pillar_id=wanted.pillar.pk)
        parts.append(_keys(rows, object_type, "history_id", "history_date"))

    if included(ObjectType.REBASELINE) is not None and wanted.incentive_id is None:
        rebaselines = _dated(Rebaseline.objects.all(), "created_at", wanted)
        if wanted.target_id is not None:
            rebaselines = rebaselines.filter(target_id=wanted.target_id)
        if wanted.milestone_id is not None:
            rebaselines = rebaselines.filter(milestone_id=wanted.milestone_id)
        if wanted.pillar is not None:
            rebaselines = rebaselines.filter(target__pillar=wanted.pillar) | rebaselines.filter(
                milestone__pillar=wanted.pillar
            )
        parts.append(_keys(rebaselines, ObjectType.REBASELINE, "pk", "created_at"))
    return parts


def change_keys(wanted: ChangeFilter) -> QuerySet[Any]:
    """The (type, id, moment) of every change `wanted` asks for, newest first: page it, count it (one query each)."""
    parts = _parts(wanted)
    if not parts:
        nothing: QuerySet[Any] = Measurement.history.none()
        return _keys(nothing, ObjectType.MEASUREMENT, "history_id", "history_date")
    first, *rest = parts
    union = first.union(*rest, all=True) if rest else first
    ordered: QuerySet[Any] = union.order_by("-at", "-hid")
    return ordered


def changes_for(keys: Sequence[tuple[str, int, dt.datetime]]) -> list[Change]:
    """The changes behind a page of keys, in the keys' order: one query per table present, and two more at most."""
    wanted: dict[str, list[int]] = defaultdict(list)
    for object_type, pk, _at in keys:
        wanted[object_type].append(pk)
    found: dict[tuple[str, int], Change] = {}
    figure_targets: dict[int, list[Change]] = defaultdict(list)

    if ids := wanted.get(ObjectType.MEASUREMENT):
        for row in Measurement.history.filter(history_id__in=ids).select_related(None):
            change = _history_change(row, ObjectType.MEASUREMENT)
            change.illustrative = bool(row.illustrative)
            change.evidence = change.evidence or row.source_url or ""
            change.extra = {"value": row.value, "date": row.date.isoformat()}
            figure_targets[row.target_id].append(change)
            found[(ObjectType.MEASUREMENT, row.history_id)] = change
    if figure_targets:
        for target in Target.objects.filter(pk__in=figure_targets).select_related("pillar"):
            for change in figure_targets[target.pk]:
                change.item = Item(ObjectType.TARGET, target.pk, target.code, target.title)
                change.pillar = target.pillar.slug if target.pillar else None
                change.unit = target.unit
    if ids := wanted.get(ObjectType.TARGET):
        pillars = dict(Pillar.objects.values_list("pk", "slug"))
        for row in Target.history.filter(history_id__in=ids):
            change = _history_change(row, ObjectType.TARGET)
            change.item = Item(ObjectType.TARGET, row.id, row.code, row.title)
            change.pillar = pillars.get(row.pillar_id)
            change.unit = row.unit
            found[(ObjectType.TARGET, row.history_id)] = change
    if ids := wanted.get(ObjectType.MILESTONE):
        for row in Milestone.history.filter(history_id__in=ids).select_related("pillar"):
            change = _history_change(row, ObjectType.MILESTONE)
            change.item = Item(ObjectType.MILESTONE, row.id, row.code, row.title)
            change.pillar = row.pillar.slug if row.pillar_id else None
            if change.kind == ChangeKind.FORECAST_MOVED:
                change.extra = {"baseline_due_date": row.baseline_due_date.isoformat()}
            found[(ObjectType.MILESTONE, row.history_id)] = change
    if ids := wanted.get(ObjectType.INCENTIVE):
        for row in Incentive.history.filter(history_id__in=ids).select_related("pillar"):
            change = _history_change(row, ObjectType.INCENTIVE)
            change.item = Item(ObjectType.INCENTIVE, row.id, row.slug, row.name, slug=row.slug)
            change.pillar = row.pillar.slug if row.pillar_id else None
            found[(ObjectType.INCENTIVE, row.history_id)] = change
    if ids := wanted.get(ObjectType.REBASELINE):
        rebaselines = (
            Rebaseline.objects.filter(pk__in=ids)
            .select_related("target__pillar", "milestone__pillar", "source", "created_by")
            .prefetch_related("created_by__groups")
        )
        for rebaseline in rebaselines:
            found[(ObjectType.REBASELINE, rebaseline.pk)] = _rebaseline_change(rebaseline)
    return [found[(t, pk)] for t, pk, _at in keys if (t, pk) in found]


def _new_value(row: Any, name: str, kind: str) -> Any:
    if kind == ChangeKind.FIGURE_DELETED:
        return None
    return json_value(getattr(row, name, None))


def _history_change(row: Any, object_type: ObjectType) -> Change:
    return Change(
        id=f"{object_type.value}-{row.history_id}",
        at=row.history_date,
        kind=row.change_kind,
        object_type=object_type.value,
        object_id=row.id,
        field=row.change_field,
        old=row.change_old,
        new=_new_value(row, row.change_field, row.change_kind),
        reason=row.history_change_reason or "",
        evidence=row.change_evidence,
        role=row.change_role,
    )


def _rebaseline_change(rebaseline: Rebaseline) -> Change:
    subject: Target | Milestone
    if rebaseline.target is not None:
        subject = rebaseline.target
        old: Any = {
            "baseline_value": rebaseline.old_baseline_value,
            "baseline_date": json_value(rebaseline.old_baseline_date),
            "target_value": rebaseline.old_target_value,
            "target_date": json_value(rebaseline.old_target_date),
        }
        new: Any = {
            "baseline_value": rebaseline.new_baseline_value,
            "baseline_date": json_value(rebaseline.new_baseline_date),
            "target_value": rebaseline.new_target_value,
            "target_date": json_value(rebaseline.new_target_date),
        }
        name, item_type, unit = "baseline", ObjectType.TARGET, rebaseline.target.unit
    else:
        assert rebaseline.milestone is not None  # one or the other (a check constraint)
        subject = rebaseline.milestone
        old, new = json_value(rebaseline.old_due_date), json_value(rebaseline.new_due_date)
        name, item_type, unit = "due_date", ObjectType.MILESTONE, ""
    pillar = subject.pillar
    return Change(
        id=f"rebaseline-{rebaseline.pk}",
        at=rebaseline.created_at,
        kind=ChangeKind.REBASELINED,
        object_type=ObjectType.REBASELINE.value,
        object_id=rebaseline.pk,
        field=name,
        old=old,
        new=new,
        reason=rebaseline.reason,
        evidence=rebaseline.source.url if rebaseline.source else "",
        role=role_of(rebaseline.created_by).value,
        item=Item(item_type, subject.pk, subject.code, subject.title),
        pillar=pillar.slug if pillar else None,
        unit=unit,
    )


def change_page(wanted: ChangeFilter, *, offset: int = 0, limit: int = 50) -> list[Change]:
    """A slice of the changes `wanted` asks for, newest first (the feed)."""
    return changes_for(list(change_keys(wanted)[offset : offset + limit]))


def item_changes(wanted: ChangeFilter, *, limit: int = 20) -> tuple[list[Change], int]:
    """An item page's "Changes": its latest `limit` changes, and how many there are in all."""
    keys = change_keys(wanted)
    return changes_for(list(keys[:limit])), keys.count()


__all__ = [
    "KINDS",
    "Change",
    "ChangeFilter",
    "Item",
    "change_keys",
    "change_page",
    "changes_for",
    "item_changes",
]
