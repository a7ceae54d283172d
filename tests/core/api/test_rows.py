"""Fast rows equal DRF's own representation, for every serializer that uses them and for every kind of field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from core.api.renderers import JSONRenderer
from core.api.rows import FastRepresentationMixin, RepresentedRows, represent
from hubs.api.serializers import HubSerializer
from incentives.api.serializers import IncentiveSerializer
from indicators import compute
from indicators import selectors as indicator_selectors
from indicators.models import MilestoneSnapshot, TargetSnapshot
from indicators.services import indicators_recompute
from pillars import selectors
from pillars.api import serializers as pillar_serializers
from pillars.models import Milestone, MilestoneEvidence, Pillar, Rebaseline, Target, TrajectoryPoint
from sources.models import Source
from tests.factories import (
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    SourceFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

AS_OF = dt.date(2025, 7, 15)


def _fast_serializers() -> set[type[Any]]:
    """Every serializer class of the project that represents its rows through `FastRepresentationMixin`."""
    found: set[type[Any]] = set()
    todo = list(FastRepresentationMixin.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return {cls for cls in found if cls.__module__.split(".")[0] != "tests"}


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """Items with every kind of value the serializers meet: nulls, relations, re-baselines, evidence, documents."""
    hub = HubFactory(name="Karachi", name_ur="کراچی")
    source = SourceFactory(published_on=dt.date(2025, 8, 1), disputed=True, confidence="A1")
    behind = TargetFactory(code="t-behind", rate_per_year=200_000.0, disputed=True)
    behind.hubs.add(hub)
    behind.sources.add(source, SourceFactory(outlet="", published_on=None))
    TrajectoryPointFactory(target=behind, date=dt.date(2025, 6, 30), value=80_000.0)
    MeasurementFactory(target=behind)
    Rebaseline.objects.create(
        target=behind,
        decided_on=dt.date(2025, 7, 10),
        reason="Budget approved a year late.",
        new_baseline_value=0.0,
        new_baseline_date=behind.baseline_date,
        new_target_value=200_000.0,
        new_target_date=dt.date(2026, 6, 30),
        source=source,
    )
    TargetFactory(code="t-nodata", pillar=None)
    milestone = MilestoneFactory(code="m-overdue", forecast_due_date=dt.date(2025, 9, 1), target=behind)
    milestone.hubs.add(hub)
    MilestoneEvidenceFactory(milestone=milestone, document=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"))
    MilestoneEvidenceFactory(milestone=milestone, source=None, kind="forecast")
    Rebaseline.objects.create(
        milestone=milestone, decided_on=dt.date(2025, 7, 1), reason="Notified late.", new_due_date=dt.date(2025, 12, 31)
    )
    MilestoneFactory(code="m-cancelled", cancelled=True, pillar=None)
    IncentiveFactory(pillar=behind.pillar, budget_amount=Decimal("1250000.50"), budget_currency="PKR").hubs.add(hub)
    IncentiveFactory(budget_amount=None)
    indicators_recompute(as_of=AS_OF)
    return {"target": behind, "milestone": milestone}


def _targets() -> list[Target]:
    rows = indicator_selectors.target_list(queryset=Target.objects.select_related("pillar"), as_of=AS_OF)[:]
    selectors.prefetch_target_relations(rows)
    return rows


def _milestones() -> list[Milestone]:
    rows = indicator_selectors.milestone_list(queryset=Milestone.objects.select_related("pillar"), as_of=AS_OF)[:]
    selectors.prefetch_milestone_relations(rows)
    return rows


def _rollups() -> dict[tuple[str, str], compute.Rollup]:
    return indicator_selectors.rollups_on(as_of=AS_OF)


def _computed_indicators() -> list[Any]:
    target = compute.TargetInput(
        baseline_date=dt.date(2025, 1, 1),
        baseline_value=0,
        target_date=dt.date(2025, 12, 31),
        target_value=200_000,
        measurements=(compute.Point(dt.date(2025, 7, 1), 50_000),),
    )
    return [
        compute.compute_target(target, AS_OF),
        compute.compute_target(dataclasses.replace(target, measurements=()), AS_OF),
        compute.compute_milestone(compute.MilestoneInput(baseline_due_date=dt.date(2025, 3, 1)), AS_OF),
        compute.compute_milestone(compute.MilestoneInput(dt.date(2025, 9, 1), cancelled=True), AS_OF),
    ]


# For every serializer using the mixin: the rows it meets, and the context it is given.
Samples = Callable[[], tuple[list[Any], dict[str, Any]]]
SAMPLES: dict[str, Samples] = {
    "SourceSerializer": lambda: (list(Source.objects.all()), {}),
    "PointSerializer": lambda: (
        [
            *TrajectoryPoint.objects.all(),
            compute.Point(dt.date(2025, 1, 1), 5),
            {"date": dt.date(2025, 1, 2), "value": 7},
        ],
        {},
    ),
    "PillarSerializer": lambda: (list(Pillar.objects.prefetch_related("sources")), {"rollups": _rollups()}),
    "TargetRebaselineSerializer": lambda: (list(Rebaseline.objects.filter(target__isnull=False)), {}),
    "MilestoneRebaselineSerializer": lambda: (list(Rebaseline.objects.filter(milestone__isnull=False)), {}),
    "TargetSerializer": lambda: (_targets(), {}),
    "EvidenceSerializer": lambda: (
        list(MilestoneEvidence.objects.select_related("source")),
        {"request": APIRequestFactory().get("/api/v1/milestones/")},
    ),
    "MilestoneSerializer": lambda: (_milestones(), {"request": APIRequestFactory().get("/api/v1/milestones/")}),
    "TargetIndicatorsSerializer": lambda: (
        [t.indicators for t in _targets()]
        + [r for r in _computed_indicators() if isinstance(r, compute.TargetIndicators)],
        {},
    ),
    "MilestoneIndicatorsSerializer": lambda: (
        [m.indicators for m in _milestones()]
        + [r for r in _computed_indicators() if isinstance(r, compute.MilestoneIndicators)],
        {},
    ),
    "RollupSerializer": lambda: (
        [
            *_rollups().values(),
            compute.Rollup(AS_OF, {"on_track": 0}, {"overdue": 0}, None, None, None),
            compute.Rollup(AS_OF, {"off_track": 3}, {}, 15, 40, 1),  # ints where floats are declared
        ],
        {},
    ),
    "TargetSnapshotSerializer": lambda: (list(TargetSnapshot.objects.all()), {}),
    "MilestoneSnapshotSerializer": lambda: (list(MilestoneSnapshot.objects.all()), {}),
    "HubSerializer": lambda: (
        list(HubSerializer.Meta.model.objects.prefetch_related("sources")),
        {"rollups": _rollups()},
    ),
    "IncentiveSerializer": lambda: (
        list(IncentiveSerializer.Meta.model.objects.select_related("pillar").prefetch_related("hubs", "sources")),
        {},
    ),
}


def test_every_serializer_using_fast_rows_is_checked_here() -> None:
    assert {cls.__name__ for cls in _fast_serializers()} == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_fast_rows_equal_drfs_representation(world: dict[str, Any], name: str) -> None:
    [cls] = [c for c in _fast_serializers() if c.__name__ == name]
    rows, context = SAMPLES[name]()
    assert rows, f"no sample rows for {name}"
    serializer = cls(context=context)
    for row in rows:
        fast, declared = serializer.to_representation(row), serializer.declared_representation(row)
        assert fast == declared, row
        assert JSONRenderer().render(fast) == JSONRenderer().render(declared), row  # 15.0, not 15


def test_the_samples_hold_what_can_go_wrong(world: dict[str, Any]) -> None:
    """The comparisons above prove something only if the rows hold nulls, relations, re-baselines and documents."""
    targets = {t["code"]: t for t in represent(pillar_serializers.TargetSerializer, _targets(), {})}
    behind, nodata = targets["t-behind"], targets["t-nodata"]
    assert behind["rebaselines"] and behind["hubs"] and len(behind["sources"]) == 2 and behind["trajectory"]
    assert behind["current_baseline_indicators"] != behind["indicators"]
    assert nodata["pillar"] is None and nodata["indicators"]["status"] == "no_data"
    request = APIRequestFactory().get("/api/v1/milestones/")
    milestones = represent(pillar_serializers.MilestoneSerializer, _milestones(), {"request": request})
    evidence = [e for m in milestones for e in m["evidence"]]
    assert any((e["document"] or "").startswith("http://testserver/") for e in evidence)
    assert any(e["source"] is None for e in evidence)
    assert any(m["rebaselines"] and m["target"] for m in milestones)


# --- Each kind of field, against DRF, on the values that make converters differ -------------------------


class Everything(FastRepresentationMixin, serializers.Serializer[Any]):
    text = serializers.CharField()
    slug = serializers.SlugField()
    number = serializers.IntegerField()
    share = serializers.FloatField()
    flag = serializers.BooleanField()
    day = serializers.DateField()
    choice = serializers.ChoiceField(choices=[("a", "A"), (1, "one")])
    counts = serializers.DictField(child=serializers.IntegerField())
    anything = serializers.ReadOnlyField()
    stamp = serializers.DateTimeField()
    renamed = serializers.CharField(source="text")
    nested_value = serializers.IntegerField(source="inner.value")
    optional = serializers.CharField(required=False)
    fallback = serializers.CharField(default="fallback")
    method = serializers.SerializerMethodField()

    def get_method(self, obj: Any) -> str:
        return f"method of {obj['text']}"


VALUES: list[dict[str, Any]] = [
    {
        "text": 12,
        "slug": "a-slug",
        "number": "7",
        "share": 3,
        "flag": 1,
        "day": dt.date(2025, 7, 15),
        "choice": 1,
        "counts": {"on_track": 2.0, "other": None},
        "anything": [1, "two"],
        "stamp": dt.datetime(2025, 7, 15, 12, 30, tzinfo=dt.UTC),
        "inner": {"value": 5.0},
    },
    {
        "text": "",
        "slug": None,
        "number": None,
        "share": Decimal("2.5"),
        "flag": "false",
        "day": "2025-07-15",
        "choice": "unknown",
        "counts": {},
        "anything": None,
        "stamp": None,
        "inner": {"value": None},
        "optional": "given",
        "fallback": "given",
    },
    {
        "text": "x",
        "slug": "s",
        "number": 0,
        "share": 0.0,
        "flag": False,
        "day": None,
        "choice": "",
        "counts": {"a": 0},
        "anything": 0,
        "stamp": None,
        "inner": {"value": 0},
    },
]


@pytest.mark.parametrize("value", VALUES)
def test_each_kind_of_field_equals_drf(value: dict[str, Any], settings: Any) -> None:
    serializer = Everything()
    assert serializer.to_representation(value) == serializer.declared_representation(value)


def test_a_missing_required_attribute_fails_as_drf_fails() -> None:
    serializer = Everything()
    row = dict(VALUES[0])
    del row["number"]
    with pytest.raises(KeyError) as fast:
        serializer.to_representation(row)
    with pytest.raises(KeyError) as declared:
        serializer.declared_representation(row)
    assert str(fast.value) == str(declared.value)


def test_represented_rows_page_like_a_list_and_hold_only_rows() -> None:
    rows = RepresentedRows(list(range(10)), lambda items: [{"n": n} for n in items])
    assert (rows.count(), len(rows)) == (10, 10)
    assert rows[2:4] == [{"n": 2}, {"n": 3}]
    assert represent(Everything, [], {}) == []
