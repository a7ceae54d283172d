"""The structure check of the data files, run whole before anything is written: every problem, named."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from django.db import models

from hubs.choices import HubStatus, HubTier
from incentives.choices import IncentiveKind, IncentiveScope, IncentiveStatus
from sources.choices import Basis, Confidence

from ..choices import EvidenceKind, TargetKind
from .report import PolicyDataError

# --- Reading and checking the file ----------------------------------------------------

# Field kinds of the structure check. A Choices class means "one of its values".
STR, TEXT, SLUG, DATE, NUMBER, INT, BOOL, LIST = "str", "text", "slug", "date", "number", "int", "bool", "list"
SOURCES, HUBS, PILLAR, TARGET, SOURCE, STR_LIST, POINTS = (
    "sources",
    "hubs",
    "pillar",
    "target",
    "source",
    "str_list",
    "points",
)
Kind = str | type[models.TextChoices]
Spec = dict[str, tuple[Kind, bool]]  # field -> (kind, required)

SOURCE_SPEC: Spec = {
    "url": (STR, True),
    "title": (STR, True),
    "outlet": (TEXT, False),
    "published_on": (DATE, False),
    "confidence": (Confidence, True),
    "disputed": (BOOL, False),
    "note": (TEXT, False),
}
POLICY_SPEC: Spec = {
    "slug": (SLUG, True),
    "name": (STR, True),
    "country": (STR, True),
    "approved_on": (DATE, True),
    "approved_by": (TEXT, False),
    "drafted_by": (TEXT, False),
    "time_zone": (STR, False),
    "summary": (TEXT, False),
    "binding": (BOOL, False),
    "primary_text_available": (BOOL, False),
    "sources": (SOURCES, True),
}
PILLAR_SPEC: Spec = {
    "number": (INT, True),
    "slug": (SLUG, True),
    "name": (STR, True),
    "aliases": (STR_LIST, False),
    "summary": (TEXT, False),
    "description": (TEXT, False),
    "lead_body": (TEXT, False),
    "confidence": (Confidence, True),
    "sources": (SOURCES, True),
}
HUB_SPEC: Spec = {
    "slug": (SLUG, True),
    "name": (STR, True),
    "name_ur": (TEXT, False),
    "province": (STR, True),
    "latitude": (NUMBER, True),
    "longitude": (NUMBER, True),
    "tier": (HubTier, True),
    "role": (TEXT, False),
    "status": (HubStatus, True),
    "planned_launch_on": (DATE, False),
    "planned_launch_basis": (Basis, False),
    "launched_on": (DATE, False),
    "confidence": (Confidence, True),
    "coordinates_confidence": (Confidence, False),
    "sources": (SOURCES, True),
}
TARGET_SPEC: Spec = {
    "code": (SLUG, True),
    "title": (STR, True),
    "kind": (TargetKind, True),
    "pillar": (PILLAR, True),
    "unit": (STR, True),
    "description": (TEXT, False),
    "responsible_body": (TEXT, False),
    "value_can_be_negative": (BOOL, False),
    "baseline_value": (NUMBER, True),
    "baseline_date": (DATE, True),
    "baseline_basis": (Basis, True),
    "target_value": (NUMBER, False),
    "target_date": (DATE, False),
    "per_year": (NUMBER, False),
    "years": (INT, False),
    "trajectory": (POINTS, False),
    "deadline_basis": (Basis, True),
    "basis_note": (TEXT, False),
    "reporting_interval_days": (INT, False),
    "confidence": (Confidence, True),
    "disputed": (BOOL, False),
    "hubs": (HUBS, False),
    "sources": (SOURCES, True),
    "reported": (LIST, False),  # checked with REPORTED_SPEC
}
REPORTED_SPEC: Spec = {
    "date": (DATE, True),
    "value": (NUMBER, True),
    "source": (SOURCE, True),
    "note": (TEXT, False),
}
MILESTONE_SPEC: Spec = {
    "code": (SLUG, True),
    "title": (STR, True),
    "pillar": (PILLAR, True),
    "target": (TARGET, False),
    "description": (TEXT, False),
    "responsible_body": (TEXT, False),
    "announced_on": (DATE, True),
    "baseline_due_date": (DATE, True),
    "due_basis": (Basis, True),
    "basis_note": (TEXT, False),
    "forecast_due_date": (DATE, False),
    "completed_on": (DATE, False),
    "cancelled": (BOOL, False),
    "cancelled_on": (DATE, False),
    "confidence": (Confidence, True),
    "hubs": (HUBS, False),
    "sources": (SOURCES, True),
    "evidence": (LIST, False),  # checked with EVIDENCE_SPEC
}
EVIDENCE_SPEC: Spec = {
    "date": (DATE, True),
    "kind": (EvidenceKind, True),
    "summary": (STR, True),
    "source": (SOURCE, True),
}
INCENTIVE_SPEC: Spec = {
    "slug": (SLUG, True),
    "name": (STR, True),
    "kind": (IncentiveKind, True),
    "status": (IncentiveStatus, True),
    "summary": (TEXT, False),
    "administered_by": (TEXT, False),
    "eligibility": (TEXT, False),
    "planned_launch_on": (DATE, False),
    "planned_launch_basis": (Basis, False),
    "launched_on": (DATE, False),
    "budget_amount": (NUMBER, False),
    "budget_currency": (TEXT, False),
    "budget_note": (TEXT, False),
    "pillar": (PILLAR, False),
    "confidence": (Confidence, True),
    "disputed": (BOOL, False),
    "dispute_note": (TEXT, False),
    "hubs": (HUBS, False),
    "sources": (SOURCES, True),
    # Where, who, how and when to apply (the choices of the lists are checked by the model's validators).
    "scope": (IncentiveScope, False),
    "provinces": (STR_LIST, False),
    "applicants": (STR_LIST, False),
    "apply_to": (TEXT, False),
    "apply_url": (TEXT, False),
    "apply_address": (TEXT, False),
    "announced_on": (DATE, False),
    "opens_on": (DATE, False),
    "closes_on": (DATE, False),
}
RISK_SPEC: Spec = {
    "slug": (SLUG, True),
    "title": (STR, True),
    "description": (TEXT, False),
    "confidence": (Confidence, True),
    "sources": (SOURCES, True),
}
ILLUSTRATIVE_MEASUREMENT_SPEC: Spec = {
    "target": (TARGET, True),
    "date": (DATE, True),
    "value": (NUMBER, True),
    "note": (TEXT, False),
}
SECTIONS = ("sources", "policy", "pillars", "hubs", "targets", "milestones", "incentives", "risks")


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyDataError([f"{path}: cannot read the file ({exc.strerror or exc})."]) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyDataError([f"{path}: not valid YAML: {exc}"]) from exc


def _as_date(value: Any) -> dt.date | None:
    """A YAML date (or an ISO date string); None when it is not one."""
    if isinstance(value, dt.datetime):
        return None  # a time of day has no place here
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Checker:
    """Checks the structure of the data before anything is written, collecting every problem."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.problems: list[str] = []
        self.data = data
        sources = data.get("sources")
        self.source_ids: set[str] = {str(k) for k in sources} if isinstance(sources, Mapping) else set()
        self.pillar_numbers: set[int] = {
            p["number"] for p in self._records("pillars") if isinstance(p.get("number"), int)
        }
        self.hub_slugs: set[str] = {h["slug"] for h in self._records("hubs") if isinstance(h.get("slug"), str)}
        self.target_codes: set[str] = {t["code"] for t in self._records("targets") if isinstance(t.get("code"), str)}

    def _records(self, section: str) -> list[Mapping[str, Any]]:
        value = self.data.get(section)
        if not isinstance(value, list):
            return []
        return [r for r in value if isinstance(r, Mapping)]

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def record(self, where: str, record: Any, spec: Spec) -> bool:
        """Check one record against its spec; False when it is not even a mapping."""
        if not isinstance(record, Mapping):
            self.problem(where, "expected a set of 'key: value' lines.")
            return False
        for key in record:
            if key not in spec:
                known = ", ".join(sorted(spec))
                self.problem(where, f"unknown key '{key}' (the keys allowed here are: {known}).")
        for key, (kind, required) in spec.items():
            if key not in record or record[key] is None:
                if required and not (kind == PILLAR and key in record):
                    self.problem(where, f"missing required key '{key}'.")
                continue
            self.value(where, key, record[key], kind)
        return True

    def value(self, where: str, key: str, value: Any, kind: Kind) -> None:
        if isinstance(kind, type) and issubclass(kind, models.TextChoices):
            if value not in kind.values:
                allowed = ", ".join(f'"{v}"' for v in kind.values)
                self.problem(where, f"'{key}' is {value!r}; it must be one of {allowed}.")
        elif kind == LIST:
            if not isinstance(value, list):
                self.problem(where, f"'{key}' must be a list.")
        elif kind in (STR, SLUG):
            if not isinstance(value, str) or not value.strip():
                self.problem(where, f"'{key}' must be a non-empty text.")
            elif kind == SLUG and not all(c.isascii() and (c.isalnum() or c in "-_") for c in value):
                self.problem(where, f"'{key}' {value!r} may hold only letters, digits, '-' and '_'.")
        elif kind == TEXT:
            if not isinstance(value, str):
                self.problem(where, f"'{key}' must be a text.")
        elif kind == DATE:
            if _as_date(value) is None:
                self.problem(where, f"'{key}' is {value!r}; it must be a date written YYYY-MM-DD.")
        elif kind == NUMBER:
            if not _is_number(value):
                self.problem(where, f"'{key}' is {value!r}; it must be a number.")
        elif kind == INT:
            if not isinstance(value, int) or isinstance(value, bool):
                self.problem(where, f"'{key}' is {value!r}; it must be a whole number.")
        elif kind == BOOL:
            if not isinstance(value, bool):
                self.problem(where, f"'{key}' is {value!r}; it must be true or false.")
        elif kind == STR_LIST:
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                self.problem(where, f"'{key}' must be a list of texts.")
        elif kind == SOURCES:
            self.refs(where, key, value, self.source_ids, "source id", "sources", allow_empty=False)
        elif kind == HUBS:
            self.refs(where, key, value, self.hub_slugs, "hub slug", "hubs", allow_empty=True)
        elif kind == SOURCE:
            if value not in self.source_ids:
                self.problem(where, f"unknown source id {value!r} (the ids are defined under 'sources').")
        elif kind == PILLAR:
            if value not in self.pillar_numbers:
                self.problem(where, f"unknown pillar number {value!r} (the pillars are numbered under 'pillars').")
        elif kind == TARGET:
            if value not in self.target_codes:
                self.problem(where, f"unknown target code {value!r} (the codes are defined under 'targets').")
        elif kind == POINTS:
            if not isinstance(value, list):
                self.problem(where, f"'{key}' must be a list of 'date' and 'value' pairs.")
                return
            for i, point in enumerate(value, start=1):
                self.record(f"{where} {key} #{i}", point, {"date": (DATE, True), "value": (NUMBER, True)})

    def refs(
        self, where: str, key: str, value: Any, known: set[str], what: str, section: str, *, allow_empty: bool
    ) -> None:
        if not isinstance(value, list):
            self.problem(where, f"'{key}' must be a list of {what}s, e.g. [a, b].")
            return
        if not value and not allow_empty:
            self.problem(where, f"'{key}' must cite at least one {what}.")
        for ref in value:
            if ref not in known:
                self.problem(where, f"unknown {what} {ref!r} (the {what}s are defined under '{section}').")

    def unique(self, section: str, records: Iterable[Mapping[str, Any]], key: str) -> None:
        seen: set[Any] = set()
        for record in records:
            value = record.get(key)
            if value is None:
                continue
            if value in seen:
                self.problem(f"{section}", f"{key} {value!r} appears more than once.")
            seen.add(value)


def _where(section: str, record: Any, key: str, index: int) -> str:
    name = record.get(key) if isinstance(record, Mapping) else None
    return f"{section} {name!r}" if name is not None else f"{section} #{index}"


def _check_policy_data(data: Any, illustrative: Any | None) -> None:
    """Raise PolicyDataError listing every structural problem of the two files."""
    if not isinstance(data, Mapping):
        raise PolicyDataError(["the policy file must hold the sections " + ", ".join(SECTIONS) + "."])
    checker = _Checker(data)
    for section in SECTIONS:
        if section not in data:
            checker.problem(section, "missing section.")
    for key in data:
        if key not in SECTIONS:
            checker.problem(str(key), f"unknown section (the sections are: {', '.join(SECTIONS)}).")

    sources = data.get("sources")
    if isinstance(sources, Mapping):
        for source_id, record in sources.items():
            checker.record(f"sources {source_id!r}", record, SOURCE_SPEC)
        checker.unique("sources", (r for r in sources.values() if isinstance(r, Mapping)), "url")
    elif "sources" in data:
        checker.problem("sources", "must be a set of 'id: {url: ..., title: ...}' entries.")

    if "policy" in data:
        checker.record("policy", data["policy"], POLICY_SPEC)

    keyed = {"pillars": ("slug", PILLAR_SPEC), "hubs": ("slug", HUB_SPEC), "targets": ("code", TARGET_SPEC)}
    keyed |= {"milestones": ("code", MILESTONE_SPEC), "incentives": ("slug", INCENTIVE_SPEC)}
    keyed |= {"risks": ("slug", RISK_SPEC)}
    for section, (key, spec) in keyed.items():
        records = data.get(section)
        if section not in data:
            continue
        if not isinstance(records, list):
            checker.problem(section, "must be a list of entries, each starting with '- '.")
            continue
        for index, record in enumerate(records, start=1):
            where = _where(section, record, key, index)
            if not checker.record(where, record, spec):
                continue
            if section == "targets":
                _check_target(checker, where, record)
            elif section == "milestones":
                for i, evidence in enumerate(record.get("evidence") or [], start=1):
                    checker.record(f"{where} evidence #{i}", evidence, EVIDENCE_SPEC)
        mappings = [r for r in records if isinstance(r, Mapping)]
        checker.unique(section, mappings, key)
        if section == "pillars":
            checker.unique(section, mappings, "number")

    if illustrative is not None:
        where = "illustrative file"
        if not isinstance(illustrative, Mapping):
            checker.problem(where, "must hold 'illustrative: true' and a 'measurements' list.")
        else:
            if illustrative.get("illustrative") is not True:
                checker.problem(where, "must say 'illustrative: true', to confirm its figures are made up.")
            for key in illustrative:
                if key not in ("illustrative", "measurements"):
                    checker.problem(where, f"unknown key '{key}' (allowed: illustrative, measurements).")
            measurements = illustrative.get("measurements")
            if not isinstance(measurements, list):
                checker.problem(where, "'measurements' must be a list.")
            else:
                seen: set[tuple[Any, Any]] = set()
                for index, record in enumerate(measurements, start=1):
                    item = f"illustrative measurement #{index}"
                    if checker.record(item, record, ILLUSTRATIVE_MEASUREMENT_SPEC):
                        pair = (record.get("target"), _as_date(record.get("date")))
                        if pair in seen:
                            checker.problem(item, f"{pair[0]} already has a figure dated {pair[1]}.")
                        seen.add(pair)

    if checker.problems:
        raise PolicyDataError(checker.problems)


def _check_target(checker: _Checker, where: str, record: Mapping[str, Any]) -> None:
    per_year = "per_year" in record or "years" in record
    explicit = "target_value" in record or "target_date" in record
    if per_year and explicit:
        checker.problem(where, "give either 'per_year' and 'years' or 'target_value' and 'target_date', not both.")
    elif per_year:
        for key in ("per_year", "years"):
            if key not in record:
                checker.problem(where, f"'per_year' needs '{key}' as well.")
        if "trajectory" in record:
            checker.problem(where, "a per-year target gets its yearly points from 'per_year'; drop 'trajectory'.")
        years = record.get("years")
        if isinstance(years, int) and not isinstance(years, bool) and years < 1:
            checker.problem(where, "'years' must be at least 1.")
    else:
        for key in ("target_value", "target_date"):
            if key not in record:
                checker.problem(where, f"missing required key '{key}' (or give 'per_year' and 'years').")
    for i, reported in enumerate(record.get("reported") or [], start=1):
        checker.record(f"{where} reported #{i}", reported, REPORTED_SPEC)


# --- Writing ---------------------------------------------------------------------------
