from __future__ import annotations

import datetime as dt

import pytest

from indicators import services as indicator_services
from tests.factories import (
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    PillarFactory,
    SourceFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

AS_OF = dt.date(2026, 3, 1)


def make_data(count: int = 2) -> None:
    """`count` targets and milestones with every kind of related row, and a stored recompute of AS_OF."""
    pillar = PillarFactory(name="Awareness", summary="=SUM(A1) looks like a formula", aliases=["Skills", "مہارت"])
    hub = HubFactory(name="Lahore", name_ur="لاہور")
    source = SourceFactory()
    for number in range(count):
        target = TargetFactory(pillar=pillar, policy=pillar.policy, title=f"تربیت {number}")
        target.hubs.add(hub)
        target.sources.add(source, SourceFactory())
        TrajectoryPointFactory(target=target)
        MeasurementFactory(target=target, date=dt.date(2025, 6, 1), value=40_000 + number)
        MeasurementFactory(target=target, date=dt.date(2025, 9, 1), value=90_000, illustrative=True)
        milestone = MilestoneFactory(pillar=pillar, policy=pillar.policy, target=target)
        milestone.sources.add(source)
        MilestoneEvidenceFactory(milestone=milestone, source=source)
    IncentiveFactory(pillar=pillar).hubs.add(hub)
    IncentiveFactory()
    indicator_services.indicators_recompute(as_of=AS_OF)


@pytest.fixture
def data(db):  # type: ignore[no-untyped-def]
    make_data()
