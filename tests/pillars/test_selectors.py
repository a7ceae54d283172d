"""The relations a list page shows, prefetched into typed lists: in the order pages show them, in four queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hubs.choices import HubTier
from pillars import selectors
from pillars.models import Milestone, Rebaseline, Target
from tests.factories import (
    HubFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    SourceFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

pytestmark = pytest.mark.django_db


def _target_with_everything(n: int) -> Target:
    target = TargetFactory(code=f"t-{n}")
    # Hubs show by tier, then name: Chitral, Mardan (auxiliary), Bannu (primary), neither the order of
    # creation nor its reverse. Sources show by outlet, then title: the reverse of their creation.
    target.hubs.add(
        HubFactory(name=f"Mardan {n}", tier=HubTier.AUXILIARY),
        HubFactory(name=f"Bannu {n}", tier=HubTier.PRIMARY),
        HubFactory(name=f"Chitral {n}", tier=HubTier.AUXILIARY),
    )
    shared = SourceFactory(url="https://shared.example.org/", outlet="B Outlet", title="Shared")
    target.sources.add(shared, SourceFactory(outlet="A Outlet", title=f"Own {n}"))
    for month in (9, 3, 6):
        TrajectoryPointFactory(target=target, date=dt.date(2025, month, 1), value=month * 10_000.0)
    for days, source in ((20, shared), (10, None)):
        Rebaseline.objects.create(
            target=target,
            decided_on=dt.date(2025, 7, days),
            reason=f"Moved {days}",
            new_target_date=dt.date(2026, 6, days),
            source=source,
        )
    return target


def _milestone_with_everything(n: int) -> Milestone:
    milestone = MilestoneFactory(code=f"m-{n}")
    milestone.hubs.add(
        HubFactory(name=f"Quetta {n}", tier=HubTier.AUXILIARY), HubFactory(name=f"Gilgit {n}", tier=HubTier.AUXILIARY)
    )
    milestone.sources.add(SourceFactory(outlet="Z Outlet"), SourceFactory(outlet="C Outlet"))
    MilestoneEvidenceFactory(milestone=milestone, date=dt.date(2026, 2, 1))
    MilestoneEvidenceFactory(milestone=milestone, date=dt.date(2025, 12, 6), source=None)
    Rebaseline.objects.create(
        milestone=milestone, decided_on=dt.date(2026, 2, 1), reason="Late", new_due_date=dt.date(2026, 9, 30)
    )
    return milestone


def _reads(source: Any) -> tuple[str, str] | None:
    return None if source is None else (source.url, source.title)


def test_target_relations_are_prefetched_in_their_own_order() -> None:
    targets = [_target_with_everything(n) for n in range(3)]
    TargetFactory(code="t-bare")
    page = list(Target.objects.order_by("code"))
    selectors.prefetch_target_relations(page)

    for target in page:
        assert target.hub_list == list(target.hubs.all())
        assert target.source_list == list(target.sources.all())
        assert [(p.date, p.value) for p in target.point_list] == [
            (p.date, p.value) for p in target.trajectory_points.all()
        ]
        expected = list(Rebaseline.objects.filter(target=target).order_by("created_at", "pk"))
        assert target.rebaseline_list == expected
        with CaptureQueriesContext(connection) as queries:
            read = [_reads(r.source) for r in target.rebaseline_list]
            latest = target.latest_rebaseline
            planned = target.planned_points
        assert not queries.captured_queries, "the re-baselines' sources and the latest one are already there"
        assert read == [_reads(r.source) for r in expected]
        assert latest == (expected[-1] if expected else None)
        assert [p.date for p in planned] == sorted(p.date for p in planned)
    bare = page[-1]
    assert bare.code == "t-bare" and (bare.hub_list, bare.source_list, bare.point_list) == ([], [], [])
    assert [t.code for t in page[:3]] == [t.code for t in targets]
    assert [h.name for h in page[0].hub_list] == ["Chitral 0", "Mardan 0", "Bannu 0"]


def test_milestone_relations_are_prefetched_in_their_own_order() -> None:
    for n in range(2):
        _milestone_with_everything(n)
    page = list(Milestone.objects.order_by("code"))
    selectors.prefetch_milestone_relations(page)

    for milestone in page:
        assert milestone.hub_list == list(milestone.hubs.all())
        assert milestone.source_list == list(milestone.sources.all())
        expected = list(milestone.evidence.order_by("date", "pk"))
        assert milestone.evidence_list == expected
        assert [e.date for e in milestone.evidence_list] == [dt.date(2025, 12, 6), dt.date(2026, 2, 1)]
        with CaptureQueriesContext(connection) as queries:
            read = [_reads(e.source) for e in milestone.evidence_list]
            due = milestone.current_baseline_due_date
        assert not queries.captured_queries
        assert read == [_reads(e.source) for e in expected] and read[0] is None
        assert due == dt.date(2026, 9, 30)


@pytest.mark.parametrize(
    ("attach", "make"),
    [
        (selectors.prefetch_target_relations, _target_with_everything),
        (selectors.prefetch_milestone_relations, _milestone_with_everything),
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_page(attach: Any, make: Any) -> None:
    counts = []
    for size in (2, 12):
        items = [make(1000 * size + n) for n in range(size)]
        with CaptureQueriesContext(connection) as queries:
            attach(items)
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1] == 4, counts


def test_an_empty_page_reads_nothing() -> None:
    with CaptureQueriesContext(connection) as queries:
        selectors.prefetch_target_relations([])
        selectors.prefetch_milestone_relations([])
    assert not queries.captured_queries
