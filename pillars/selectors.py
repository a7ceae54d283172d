"""Reads of the policy's commitments that pages, the API and the services share, in a constant number of queries.

The indicators of a list come from `indicators.selectors` (`target_list`,
`milestone_list`); what a page or an API row shows beside them (hubs,
sources, the planned curve, re-baselines, evidence) is prefetched here into
the typed lists the models declare (`Target.hub_list`, ...).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from hubs.models import Hub
from indicators import selectors as indicator_selectors
from indicators.compute import Basis
from sources.models import Source

from .models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Rebaseline, Target, TrajectoryPoint


def _relations(*, evidence: bool) -> list[Prefetch[Any]]:
    # Each in the order pages and the API show it: hubs as on the map (tier, name), sources by outlet.
    relations = [
        Prefetch("hubs", queryset=Hub.objects.order_by("tier", "name", "pk"), to_attr="hub_list"),
        Prefetch("sources", queryset=Source.objects.order_by("outlet", "title", "pk"), to_attr="source_list"),
        Prefetch(
            "rebaselines",
            queryset=Rebaseline.objects.select_related("source").order_by("created_at", "pk"),
            to_attr="rebaseline_list",
        ),
    ]
    if evidence:
        relations.append(
            Prefetch(
                "evidence",
                queryset=MilestoneEvidence.objects.select_related("source").order_by("date", "pk"),
                to_attr="evidence_list",
            )
        )
    return relations


def target_relations() -> list[Prefetch[Any]]:
    """What a target row shows of its relations: four queries for a whole page.

    New objects for every use: Django notes the instances it prefetched for in
    a Prefetch's queryset, so a shared one would keep the last page alive (and
    be written to by every thread).
    """
    return [
        *_relations(evidence=False),
        Prefetch("trajectory_points", queryset=TrajectoryPoint.objects.order_by("date"), to_attr="point_list"),
    ]


def milestone_relations() -> list[Prefetch[Any]]:
    """What a milestone row shows of its relations: four queries for a whole page (see `target_relations`)."""
    return _relations(evidence=True)


def prefetch_target_relations(targets: Sequence[Target]) -> None:
    """Give every target of a page `hub_list`, `source_list`, `point_list` and `rebaseline_list`."""
    prefetch_related_objects(list(targets), *target_relations())


def prefetch_milestone_relations(milestones: Sequence[Milestone]) -> None:
    """Give every milestone of a page `hub_list`, `source_list`, `evidence_list` and `rebaseline_list`."""
    prefetch_related_objects(list(milestones), *milestone_relations())


def mark_illustrative(targets: Sequence[Target]) -> None:
    """Flag every target whose shown figure (the measurement at its evaluation date) is illustrative: one query."""
    ids = [t.pk for t in targets]
    flagged: set[tuple[int, dt.date]] = set()
    if ids:
        flagged = set(Measurement.objects.filter(target_id__in=ids, illustrative=True).values_list("target_id", "date"))
    for target in targets:
        result = target.indicators
        target.illustrative = result is not None and (target.pk, result.evaluation_date) in flagged


def targets_with_indicators(
    queryset: QuerySet[Target], as_of: dt.date, basis: Basis = Basis.REPORTED, **filters: Any
) -> list[Target]:
    """Every target of `queryset` with `.indicators` and `.illustrative` as of a date (a constant number of queries)."""
    rows = indicator_selectors.target_list(queryset=queryset, as_of=as_of, basis=basis, **filters)[:]
    mark_illustrative(rows)
    return rows


def milestones_with_indicators(
    queryset: QuerySet[Milestone], as_of: dt.date, basis: Basis = Basis.REPORTED, **filters: Any
) -> list[Milestone]:
    """Every milestone of `queryset` with `.indicators` as of a date."""
    return indicator_selectors.milestone_list(queryset=queryset, as_of=as_of, basis=basis, **filters)[:]


def figures_on_basis(figures: QuerySet[Measurement], basis: Basis) -> QuerySet[Measurement]:
    """The figures a basis shows: the reported ones only, or every one (illustrative ones say so each)."""
    return figures if basis == Basis.ILLUSTRATIVE else figures.filter(illustrative=False)


def measurement_neighbours(
    *, target_id: int, date: dt.date, exclude_pk: int | None = None
) -> tuple[tuple[dt.date, float] | None, tuple[dt.date, float] | None]:
    """The target's figures just before and just after `date` (as (date, value)), ignoring one being edited."""
    figures = Measurement.objects.filter(target_id=target_id)
    if exclude_pk is not None:
        figures = figures.exclude(pk=exclude_pk)
    previous = figures.filter(date__lt=date).order_by("-date").values_list("date", "value").first()
    following = figures.filter(date__gt=date).order_by("date").values_list("date", "value").first()
    return previous, following


def summary(
    *, as_of: dt.date, basis: Basis, due_from: dt.date | None = None, due_to: dt.date | None = None
) -> dict[str, Any]:
    """`dashboard/summary` before it is represented: the policy-wide roll-up and one per pillar, in order.

    With `due_from`/`due_to`, only the items due in that window (inclusive) are rolled up.
    """
    window = (due_from or dt.date.min, due_to or dt.date.max) if due_from or due_to else None
    rollups = indicator_selectors.rollups_on(as_of=as_of, basis=basis, window=window)
    policy = Policy.objects.order_by("pk").first()
    return {
        "as_of": as_of,
        "due_from": due_from,
        "due_to": due_to,
        "policy": policy.name if policy else "",
        "rollup": rollups[("policy", "")],
        "pillars": [
            {"slug": p.slug, "number": p.number, "name": p.name, "rollup": rollups[("pillar", p.slug)]}
            for p in Pillar.objects.order_by("number")
        ],
    }
