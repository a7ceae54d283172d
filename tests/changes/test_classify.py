"""`changes.classify`: which public change a historical record is, from it and the record before it (pure)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from changes.choices import ChangeKind
from changes.classify import COLUMNS, TRACKED, Classified, classify, json_value

FIGURE = {
    "value": 50_000.0,
    "date": dt.date(2025, 7, 1),
    "source_url": "https://news.example.org/figures",
    "illustrative": False,
    "withdrawn_on": None,
}
MILESTONE = {
    "forecast_due_date": None,
    "baseline_due_date": dt.date(2026, 1, 31),
    "title": "National AI Fund set up",
    "completed_on": None,
    "cancelled": False,
}
TARGET = {
    "baseline_value": 0.0,
    "baseline_date": dt.date(2025, 1, 1),
    "target_value": 200_000.0,
    "target_date": dt.date(2025, 12, 31),
    "unit": "people",
    "kind": "commitment",
    "reporting_interval_days": 90,
    "title": "People trained in AI",
}
INCENTIVE = {"status": "announced", "name": "Ignite grants"}
BEFORE = {
    "pillars.measurement": FIGURE,
    "pillars.milestone": MILESTONE,
    "pillars.target": TARGET,
    "incentives.incentive": INCENTIVE,
}


def edited(model: str, **changes: Any) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """A "~" record of `model` changing `changes` from the standard record before it."""
    before = BEFORE[model]
    return (model, "~", before, {**before, **changes})


# (model, history_type, before, after) -> the public change.
CHANGES: dict[str, tuple[tuple[str, str, Any, dict[str, Any]], Classified]] = {
    # Figures.
    "figure added": (("pillars.measurement", "+", None, FIGURE), Classified(ChangeKind.FIGURE_ADDED, "value", None)),
    "figure added, whatever came before": (
        ("pillars.measurement", "+", FIGURE, FIGURE),
        Classified(ChangeKind.FIGURE_ADDED, "value", None),
    ),
    "figure deleted: the old value is the last one": (
        ("pillars.measurement", "-", FIGURE, {**FIGURE, "value": 2_450.0}),
        Classified(ChangeKind.FIGURE_DELETED, "value", 2_450.0),
    ),
    "figure deleted, no record before": (
        ("pillars.measurement", "-", None, {**FIGURE, "value": Decimal("12.5")}),
        Classified(ChangeKind.FIGURE_DELETED, "value", 12.5),
    ),
    "value revised": (
        edited("pillars.measurement", value=55_000.0),
        Classified(ChangeKind.FIGURE_REVISED, "value", 50_000.0),
    ),
    "date revised (old date as ISO text)": (
        edited("pillars.measurement", date=dt.date(2025, 7, 2)),
        Classified(ChangeKind.FIGURE_REVISED, "date", "2025-07-01"),
    ),
    "source revised": (
        edited("pillars.measurement", source_url="https://www.pbs.gov.pk/ai"),
        Classified(ChangeKind.FIGURE_REVISED, "source_url", "https://news.example.org/figures"),
    ),
    "figure no longer illustrative": (
        ("pillars.measurement", "~", {**FIGURE, "illustrative": True}, FIGURE),
        Classified(ChangeKind.FIGURE_REVISED, "illustrative", True),
    ),
    "value and date revised: the value comes first": (
        edited("pillars.measurement", value=1.0, date=dt.date(2025, 8, 1)),
        Classified(ChangeKind.FIGURE_REVISED, "value", 50_000.0),
    ),
    "figure withdrawn": (
        edited("pillars.measurement", withdrawn_on=dt.date(2026, 3, 2)),
        Classified(ChangeKind.FIGURE_WITHDRAWN, "withdrawn_on", None),
    ),
    "figure withdrawn while its source changes: the withdrawal is the change": (
        edited("pillars.measurement", withdrawn_on=dt.date(2026, 3, 2), source_url=""),
        Classified(ChangeKind.FIGURE_WITHDRAWN, "withdrawn_on", None),
    ),
    # Milestones.
    "first forecast": (
        edited("pillars.milestone", forecast_due_date=dt.date(2026, 6, 30)),
        Classified(ChangeKind.FORECAST_MOVED, "forecast_due_date", None),
    ),
    "forecast moved again": (
        (
            "pillars.milestone",
            "~",
            {**MILESTONE, "forecast_due_date": dt.date(2026, 6, 30)},
            {**MILESTONE, "forecast_due_date": dt.date(2026, 9, 30)},
        ),
        Classified(ChangeKind.FORECAST_MOVED, "forecast_due_date", "2026-06-30"),
    ),
    "completed": (
        edited("pillars.milestone", completed_on=dt.date(2026, 1, 15)),
        Classified(ChangeKind.COMPLETED, "completed_on", None),
    ),
    "completion date corrected": (
        (
            "pillars.milestone",
            "~",
            {**MILESTONE, "completed_on": dt.date(2026, 1, 15)},
            {**MILESTONE, "completed_on": dt.date(2026, 1, 10)},
        ),
        Classified(ChangeKind.COMPLETED, "completed_on", "2026-01-15"),
    ),
    "completion withdrawn": (
        ("pillars.milestone", "~", {**MILESTONE, "completed_on": dt.date(2026, 1, 15)}, MILESTONE),
        Classified(ChangeKind.REOPENED, "completed_on", "2026-01-15"),
    ),
    "cancelled": (
        edited("pillars.milestone", cancelled=True),
        Classified(ChangeKind.CANCELLED, "cancelled", False),
    ),
    "cancellation withdrawn": (
        ("pillars.milestone", "~", {**MILESTONE, "cancelled": True}, MILESTONE),
        Classified(ChangeKind.REOPENED, "cancelled", True),
    ),
    "cancelled while the forecast moves: the cancellation is the change": (
        edited("pillars.milestone", cancelled=True, forecast_due_date=dt.date(2027, 1, 1)),
        Classified(ChangeKind.CANCELLED, "cancelled", False),
    ),
    "completed while the forecast moves: the completion is the change": (
        edited("pillars.milestone", completed_on=dt.date(2026, 1, 15), forecast_due_date=dt.date(2026, 1, 15)),
        Classified(ChangeKind.COMPLETED, "completed_on", None),
    ),
    "milestone's baseline due date": (
        edited("pillars.milestone", baseline_due_date=dt.date(2026, 3, 31)),
        Classified(ChangeKind.DEFINITION_CHANGED, "baseline_due_date", "2026-01-31"),
    ),
    "milestone renamed": (
        edited("pillars.milestone", title="National AI Fund established"),
        Classified(ChangeKind.DEFINITION_CHANGED, "title", "National AI Fund set up"),
    ),
    # Targets: every tracked field is a definition.
    **{
        f"target's {name}": (
            edited("pillars.target", **{name: new}),
            Classified(ChangeKind.DEFINITION_CHANGED, name, old),
        )
        for name, new, old in [
            ("baseline_value", 10.0, 0.0),
            ("baseline_date", dt.date(2025, 2, 1), "2025-01-01"),
            ("target_value", 250_000.0, 200_000.0),
            ("target_date", dt.date(2026, 12, 31), "2025-12-31"),
            ("unit", "graduates", "people"),
            ("kind", "outcome", "commitment"),
            ("reporting_interval_days", 30, 90),
            ("title", "Graduates in AI", "People trained in AI"),
        ]
    },
    "target's value as a decimal: the old value is a JSON number": (
        (
            "pillars.target",
            "~",
            {**TARGET, "target_value": Decimal("200000.5")},
            {**TARGET, "target_value": Decimal("300000")},
        ),
        Classified(ChangeKind.DEFINITION_CHANGED, "target_value", 200_000.5),
    ),
    "target's deadline and title: the first tracked field wins": (
        edited("pillars.target", title="Renamed", target_date=dt.date(2026, 12, 31)),
        Classified(ChangeKind.DEFINITION_CHANGED, "target_date", "2025-12-31"),
    ),
    # Incentives.
    "incentive opened": (
        edited("incentives.incentive", status="open"),
        Classified(ChangeKind.INCENTIVE_STATUS, "status", "announced"),
    ),
    "incentive renamed": (
        edited("incentives.incentive", name="Ignite AI grants"),
        Classified(ChangeKind.DEFINITION_CHANGED, "name", "Ignite grants"),
    ),
    "incentive's status before its name": (
        edited("incentives.incentive", name="Ignite AI grants", status="closed"),
        Classified(ChangeKind.INCENTIVE_STATUS, "status", "announced"),
    ),
}


@pytest.mark.parametrize(("record", "expected"), CHANGES.values(), ids=CHANGES.keys())
def test_each_public_change(record: tuple[str, str, Any, dict[str, Any]], expected: Classified) -> None:
    assert classify(*record) == expected


NOT_PUBLIC: dict[str, tuple[str, str, Any, dict[str, Any]]] = {
    # A figure's note, or who entered it, is not among the columns compared: the record is the same.
    "figure saved unchanged (note edited)": ("pillars.measurement", "~", FIGURE, dict(FIGURE)),
    "an edit with no record before it (history written before tracking)": (
        "pillars.measurement",
        "~",
        None,
        {**FIGURE, "value": 1.0},
    ),
    "an edit of a milestone with no record before it": ("pillars.milestone", "~", None, MILESTONE),
    "an already withdrawn figure saved again": (
        "pillars.measurement",
        "~",
        {**FIGURE, "withdrawn_on": dt.date(2026, 3, 2)},
        {**FIGURE, "withdrawn_on": dt.date(2026, 3, 2)},
    ),
    "a new milestone (its creation is no change to published data)": ("pillars.milestone", "+", None, MILESTONE),
    "a new target": ("pillars.target", "+", None, TARGET),
    "a new incentive": ("incentives.incentive", "+", None, INCENTIVE),
    "a deleted milestone": ("pillars.milestone", "-", MILESTONE, MILESTONE),
    "a deleted target": ("pillars.target", "-", TARGET, TARGET),
    "a milestone saved unchanged": ("pillars.milestone", "~", MILESTONE, dict(MILESTONE)),
    "a target saved unchanged": ("pillars.target", "~", TARGET, dict(TARGET)),
    "an incentive saved unchanged": ("incentives.incentive", "~", INCENTIVE, dict(INCENTIVE)),
    "a milestone's cancellation date alone (not a column compared)": (
        "pillars.milestone",
        "~",
        MILESTONE,
        {**MILESTONE, "cancelled_on": dt.date(2026, 1, 1)},
    ),
    "an unknown model": ("hubs.hub", "~", {"name": "Lahore"}, {"name": "Karachi"}),
    "an unknown model, added": ("sources.source", "+", None, {"url": "https://example.org"}),
    "a re-baseline's own history (the re-baseline is its own record)": ("pillars.rebaseline", "+", None, {}),
    "the model's name, not its label": ("Measurement", "+", None, FIGURE),
}


@pytest.mark.parametrize("record", NOT_PUBLIC.values(), ids=NOT_PUBLIC.keys())
def test_records_that_are_no_public_change(record: tuple[str, str, Any, dict[str, Any]]) -> None:
    assert classify(*record) is None


def test_every_kind_but_the_re_baseline_comes_from_classify() -> None:
    """Re-baselines are a record of their own (`changes.selectors`); every other kind is some record's."""
    produced = {expected.kind for _record, expected in CHANGES.values()}
    assert produced == set(ChangeKind) - {ChangeKind.REBASELINED}


def test_the_columns_read_include_every_tracked_field() -> None:
    assert set(COLUMNS) == set(TRACKED)
    for model, fields in TRACKED.items():
        assert {name for name, _kind in fields} <= set(COLUMNS[model]), model
    assert "withdrawn_on" in COLUMNS["pillars.measurement"]
    assert {"completed_on", "cancelled"} <= set(COLUMNS["pillars.milestone"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (dt.date(2025, 7, 1), "2025-07-01"),
        (Decimal("12.50"), 12.5),
        (12, 12),
        (1.5, 1.5),
        (True, True),
        ("text", "text"),
        (None, None),
    ],
)
def test_json_value(value: Any, expected: Any) -> None:
    result = json_value(value)
    assert result == expected
    assert type(result) is type(expected)


def test_a_datetime_becomes_iso_text_too() -> None:
    assert json_value(dt.datetime(2025, 7, 1, 12, 30)) == "2025-07-01T12:30:00"
