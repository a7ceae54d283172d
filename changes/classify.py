"""What kind of public change one historical record is: a pure function of the record and the one before it.

No Django models here: `changes.record` calls `classify` as simple-history
writes a record (and the migration that classified the records written before
this existed calls it too), `changes.selectors` only reads the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .choices import ChangeKind

#: Per historical model (app_label.model_name of the tracked model): the fields whose change readers see,
#: in order of precedence when one record changes several, each with the kind of change it is.
TRACKED: dict[str, tuple[tuple[str, ChangeKind], ...]] = {
    "pillars.measurement": (
        ("value", ChangeKind.FIGURE_REVISED),
        ("date", ChangeKind.FIGURE_REVISED),
        ("source_url", ChangeKind.FIGURE_REVISED),
        ("illustrative", ChangeKind.FIGURE_REVISED),
    ),
    "pillars.milestone": (
        ("forecast_due_date", ChangeKind.FORECAST_MOVED),
        ("baseline_due_date", ChangeKind.DEFINITION_CHANGED),
        ("title", ChangeKind.DEFINITION_CHANGED),
    ),
    "pillars.target": (
        ("baseline_value", ChangeKind.DEFINITION_CHANGED),
        ("baseline_date", ChangeKind.DEFINITION_CHANGED),
        ("target_value", ChangeKind.DEFINITION_CHANGED),
        ("target_date", ChangeKind.DEFINITION_CHANGED),
        ("unit", ChangeKind.DEFINITION_CHANGED),
        ("kind", ChangeKind.DEFINITION_CHANGED),
        ("reporting_interval_days", ChangeKind.DEFINITION_CHANGED),
        ("title", ChangeKind.DEFINITION_CHANGED),
    ),
    "incentives.incentive": (
        ("status", ChangeKind.INCENTIVE_STATUS),
        ("name", ChangeKind.DEFINITION_CHANGED),
    ),
}

#: The columns `classify` reads, per model: what a caller loads from the previous record.
COLUMNS: dict[str, tuple[str, ...]] = {
    "pillars.measurement": ("value", "date", "source_url", "illustrative", "withdrawn_on"),
    "pillars.milestone": ("forecast_due_date", "baseline_due_date", "title", "completed_on", "cancelled"),
    "pillars.target": tuple(name for name, _kind in TRACKED["pillars.target"]),
    "incentives.incentive": ("status", "name"),
}


@dataclass(frozen=True, slots=True)
class Classified:
    kind: ChangeKind
    field: str
    old: Any  # JSON-ready: a number, an ISO date, a boolean, text or None


def json_value(value: Any) -> Any:
    """A column's value as JSON: dates as ISO text, decimals as numbers."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def classify(
    model: str, history_type: str, before: Mapping[str, Any] | None, after: Mapping[str, Any]
) -> Classified | None:
    """The public change a historical record is (None when it is none).

    `model` is the tracked model's label (`pillars.measurement`); `history_type`
    simple-history's "+", "~" or "-"; `before` the previous record's columns
    (None for the first record); `after` this record's.
    """
    if model not in TRACKED:
        return None
    if model == "pillars.measurement":
        if history_type == "+":
            return Classified(ChangeKind.FIGURE_ADDED, "value", None)
        if history_type == "-":
            return Classified(ChangeKind.FIGURE_DELETED, "value", json_value(after.get("value")))
    if history_type != "~" or before is None:
        return None
    if model == "pillars.measurement" and before.get("withdrawn_on") is None and after.get("withdrawn_on"):
        return Classified(ChangeKind.FIGURE_WITHDRAWN, "withdrawn_on", None)
    if model == "pillars.milestone":
        if bool(after.get("cancelled")) != bool(before.get("cancelled")):
            kind = ChangeKind.CANCELLED if after.get("cancelled") else ChangeKind.REOPENED
            return Classified(kind, "cancelled", bool(before.get("cancelled")))
        if after.get("completed_on") != before.get("completed_on"):
            kind = ChangeKind.REOPENED if after.get("completed_on") is None else ChangeKind.COMPLETED
            return Classified(kind, "completed_on", json_value(before.get("completed_on")))
    for name, kind in TRACKED[model]:
        if after.get(name) != before.get(name):
            return Classified(kind, name, json_value(before.get(name)))
    return None
