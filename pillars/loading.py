"""Load the bundled policy data (``data/policy.yaml``) into the database.

The load is idempotent: every record is found by its natural key (a source by
its address, a target by its code, a measurement by target and date, ...), so
running it again creates nothing new and reports everything unchanged.

What editors change in the portal wins over the file: an object whose history
has a record written by a signed-in user is left alone (and counted as
*kept*) unless ``force=True``. The loader itself writes history with no user
and the change reason ``load_policy``, so its own writes never count as edits.

Targets, milestones and measurements are written through ``pillars.services``
so that they get exactly the validation (and the recompute scheduling) every
other write gets; the other models go through ``full_clean()`` and ``save()``.
Everything happens in one transaction: one bad record anywhere aborts the load
with a message naming that record, and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from hubs.choices import HubStatus, HubTier
from hubs.models import Hub
from incentives.choices import IncentiveKind, IncentiveStatus
from incentives.models import Incentive
from sources.choices import Basis, Confidence
from sources.models import Source

from . import services
from .choices import EvidenceKind, TargetKind
from .models import Measurement, Milestone, MilestoneEvidence, Pillar, Policy, Risk, Target

__all__ = ["LOAD_REASON", "LoadReport", "ModelCounts", "Outcome", "PolicyDataError", "policy_load"]

#: The change reason of every history record the loader writes.
LOAD_REASON = "load_policy"

#: The note every illustrative measurement carries, so that no one mistakes it for a reported figure.
ILLUSTRATIVE_NOTE = "ILLUSTRATIVE: made up for a demonstration, not a reported figure."

M = TypeVar("M", bound=models.Model)


class Writer(Protocol):
    def write(self, s: str, /) -> Any: ...


class PolicyDataError(Exception):
    """The data file is malformed or a record fails validation; nothing was written."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        listing = "\n".join(f"  - {problem}" for problem in self.problems)
        super().__init__(f"The policy data was not loaded (nothing was changed):\n{listing}")


# --- The report ---------------------------------------------------------------------


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT = "kept"


@dataclass
class ModelCounts:
    """What the load did to the rows of one model."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept


#: The models the loader writes, in the order it writes them.
MODELS = (
    "Source",
    "Policy",
    "Pillar",
    "Hub",
    "Target",
    "Milestone",
    "MilestoneEvidence",
    "Incentive",
    "Risk",
    "Measurement",
)


@dataclass
class LoadReport:
    """Counts per model of what one load created, updated, left unchanged or kept because an editor changed it."""

    counts: dict[str, ModelCounts] = field(default_factory=lambda: {name: ModelCounts() for name in MODELS})
    #: "Model key" of every record kept because an editor changed it.
    kept: list[str] = field(default_factory=list)

    def record(self, model: str, outcome: Outcome, key: str) -> None:
        counts = self.counts.setdefault(model, ModelCounts())
        setattr(counts, outcome.value, getattr(counts, outcome.value) + 1)
        if outcome is Outcome.KEPT:
            self.kept.append(f"{model} {key}")

    @property
    def changed(self) -> bool:
        """Whether the load created or updated anything."""
        return any(c.created or c.updated for c in self.counts.values())

    def lines(self) -> list[str]:
        width = max(len(name) for name in self.counts)
        lines = [
            f"{name:<{width}}  {c.created:>4} created  {c.updated:>4} updated  "
            f"{c.unchanged:>4} unchanged  {c.kept:>4} kept (edited by an editor)"
            for name, c in self.counts.items()
        ]
        if self.kept:
            lines.append("Kept because an editor changed them (load with --force to overwrite):")
            lines.extend(f"  {key}" for key in self.kept)
        return lines

    def __str__(self) -> str:
        return "\n".join(self.lines())


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
    "hubs": (HUBS, False),
    "sources": (SOURCES, True),
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


def _anniversary(start: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for a 29 February start in a common year)."""
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


def _date(value: Any) -> dt.date | None:
    return None if value is None else _as_date(value)


def _required_date(value: Any) -> dt.date:
    day = _as_date(value)
    if day is None:  # the structure check has already refused it
        raise PolicyDataError([f"{value!r} is not a date."])
    return day


def _text(record: Mapping[str, Any], key: str) -> str:
    value = record.get(key)
    return "" if value is None else str(value).strip()


def _errors(exc: ValidationError) -> str:
    if hasattr(exc, "error_dict"):
        return "; ".join(
            f"{msg}" if name == "__all__" else f"{name}: {msg}"
            for name, messages in exc.message_dict.items()
            for msg in messages
        )
    return "; ".join(exc.messages)


def _edited_by_editor(instance: models.Model) -> bool:
    """Whether a signed-in person (rather than the loader) has ever changed this object."""
    history = getattr(instance, "history", None)
    if history is None:
        return False  # the model keeps no history (Source, Policy, Risk): the file owns it
    if history.filter(history_user__isnull=False).exists():
        return True
    if isinstance(instance, Target):
        point_history = getattr(instance.trajectory_points.model, "history", None)
        if point_history is not None:
            return bool(point_history.filter(target_id=instance.pk, history_user__isnull=False).exists())
    return False


def _differs(instance: models.Model, values: Mapping[str, Any], m2m: Mapping[str, Sequence[models.Model]]) -> bool:
    for name, wanted in values.items():
        if getattr(instance, name) != wanted:
            return True
    if instance.pk is None:
        return True
    for name, objects in m2m.items():
        current = set(getattr(instance, name).values_list("pk", flat=True))
        if current != {obj.pk for obj in objects}:
            return True
    return False


class _Loader:
    def __init__(self, *, force: bool, stdout: Writer | None) -> None:
        self.force = force
        self.stdout = stdout
        self.report = LoadReport()
        self.sources: dict[str, Source] = {}
        self.policy: Policy | None = None
        self.pillars: dict[int, Pillar] = {}
        self.hubs: dict[str, Hub] = {}
        self.targets: dict[str, Target] = {}
        self.milestones: dict[str, Milestone] = {}

    def say(self, message: str) -> None:
        if self.stdout is not None:
            self.stdout.write(message + "\n")

    # The one place that decides between created, unchanged, kept and updated.
    def sync(
        self,
        *,
        model: str,
        key: str,
        instance: M | None,
        new: Callable[[], M],
        values: Mapping[str, Any],
        save: Callable[[M], None],
        m2m: Mapping[str, Sequence[models.Model]] | None = None,
        extra_differs: Callable[[M], bool] | None = None,
        never_overwrite: Callable[[M], bool] | None = None,
    ) -> M:
        m2m = m2m or {}
        if instance is None:
            outcome = Outcome.CREATED
            instance = new()
        elif not _differs(instance, values, m2m) and not (extra_differs and extra_differs(instance)):
            self.report.record(model, Outcome.UNCHANGED, key)
            return instance
        elif (never_overwrite and never_overwrite(instance)) or (not self.force and _edited_by_editor(instance)):
            self.report.record(model, Outcome.KEPT, key)
            self.say(f"Kept {model} {key}: changed by an editor since it was loaded.")
            return instance
        else:
            outcome = Outcome.UPDATED
        for name, value in values.items():
            setattr(instance, name, value)
        try:
            save(instance)
        except ValidationError as exc:
            raise PolicyDataError([f"{model} {key}: {_errors(exc)}"]) from exc
        except IntegrityError as exc:
            raise PolicyDataError([f"{model} {key}: the database refused it ({exc})."]) from exc
        self.report.record(model, outcome, key)
        return instance

    def plain_save(self, m2m: Mapping[str, Sequence[models.Model]] | None = None) -> Callable[[models.Model], None]:
        """Validate and save a model that has no service, recording the loader as the reason in its history."""

        def save(instance: models.Model) -> None:
            instance.full_clean(exclude=list(m2m or {}))
            instance._change_reason = LOAD_REASON  # type: ignore[attr-defined]  # read by simple-history
            instance.save()
            for name, objects in (m2m or {}).items():
                getattr(instance, name).set(objects)

        return save

    def refs(self, record: Mapping[str, Any]) -> tuple[list[Source], list[Hub]]:
        return [self.sources[s] for s in record.get("sources") or []], [self.hubs[h] for h in record.get("hubs") or []]

    def pillar_id(self, record: Mapping[str, Any]) -> int | None:
        number = record.get("pillar")
        return None if number is None else self.pillars[number].pk

    # --- Sections ------------------------------------------------------------------

    def load_sources(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        existing = {s.url: s for s in Source.objects.filter(url__in=[r["url"] for r in records.values()])}
        for source_id, record in records.items():
            url = record["url"]
            values = {
                "url": url,
                "title": _text(record, "title"),
                "outlet": _text(record, "outlet"),
                "published_on": _date(record.get("published_on")),
                "confidence": record["confidence"],
                "disputed": bool(record.get("disputed", False)),
                "note": _text(record, "note"),
            }
            self.sources[str(source_id)] = self.sync(
                model="Source",
                key=url,
                instance=existing.get(url),
                new=Source,
                values=values,
                save=self.plain_save(),
            )

    def load_policy(self, record: Mapping[str, Any]) -> None:
        sources, _ = self.refs(record)
        values = {
            "slug": record["slug"],
            "name": _text(record, "name"),
            "country": _text(record, "country"),
            "approved_on": _date(record["approved_on"]),
            "approved_by": _text(record, "approved_by"),
            "drafted_by": _text(record, "drafted_by"),
            "time_zone": _text(record, "time_zone") or "Asia/Karachi",
            "summary": _text(record, "summary"),
            "binding": bool(record.get("binding", False)),
            "primary_text_available": bool(record.get("primary_text_available", False)),
        }
        m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
        self.policy = self.sync(
            model="Policy",
            key=record["slug"],
            instance=Policy.objects.filter(slug=record["slug"]).first(),
            new=Policy,
            values=values,
            m2m=m2m,
            save=self.plain_save(m2m),
        )

    def load_pillars(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, _ = self.refs(record)
            values = {
                "policy_id": self.policy.pk,
                "number": record["number"],
                "slug": record["slug"],
                "name": _text(record, "name"),
                "aliases": list(record.get("aliases") or []),
                "summary": _text(record, "summary"),
                "description": _text(record, "description"),
                "lead_body": _text(record, "lead_body"),
                "confidence": record["confidence"],
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.pillars[record["number"]] = self.sync(
                model="Pillar",
                key=record["slug"],
                instance=Pillar.objects.filter(slug=record["slug"]).first(),
                new=Pillar,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_hubs(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            sources, _ = self.refs(record)
            values = {
                "slug": record["slug"],
                "name": _text(record, "name"),
                "name_ur": _text(record, "name_ur"),
                "province": _text(record, "province"),
                "latitude": float(record["latitude"]),
                "longitude": float(record["longitude"]),
                "tier": record["tier"],
                "role": _text(record, "role"),
                "status": record["status"],
                "planned_launch_on": _date(record.get("planned_launch_on")),
                "planned_launch_basis": record.get("planned_launch_basis") or Basis.ASSUMED,
                "launched_on": _date(record.get("launched_on")),
                "confidence": record["confidence"],
                "coordinates_confidence": record.get("coordinates_confidence") or Confidence.B,
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.hubs[record["slug"]] = self.sync(
                model="Hub",
                key=record["slug"],
                instance=Hub.objects.filter(slug=record["slug"]).first(),
                new=Hub,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_targets(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, hubs = self.refs(record)
            baseline_date = _required_date(record["baseline_date"])
            baseline_value = float(record["baseline_value"])
            rate_per_year: float | None = None
            if "per_year" in record:
                # "200,000 a year for 5 years": cumulative points on each anniversary of the baseline.
                rate_per_year = float(record["per_year"])
                years = int(record["years"])
                target_value = baseline_value + rate_per_year * years
                target_date = _anniversary(baseline_date, years)
                points = [(_anniversary(baseline_date, k), baseline_value + rate_per_year * k) for k in range(1, years)]
            else:
                target_value = float(record["target_value"])
                target_date = _required_date(record["target_date"])
                points = [(_required_date(p["date"]), float(p["value"])) for p in record.get("trajectory") or []]
            trajectory = sorted(points)
            values = {
                "policy_id": self.policy.pk,
                "pillar_id": self.pillar_id(record),
                "kind": record["kind"],
                "code": record["code"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "responsible_body": _text(record, "responsible_body"),
                "unit": _text(record, "unit"),
                "value_can_be_negative": bool(record.get("value_can_be_negative", False)),
                "baseline_value": baseline_value,
                "baseline_date": baseline_date,
                "baseline_basis": record["baseline_basis"],
                "target_value": target_value,
                "target_date": target_date,
                "deadline_basis": record["deadline_basis"],
                "basis_note": _text(record, "basis_note"),
                "rate_per_year": rate_per_year,
                "reporting_interval_days": int(record.get("reporting_interval_days") or 90),
                "confidence": record["confidence"],
                "disputed": bool(record.get("disputed", False)),
            }

            def save(
                target: Target,
                trajectory: list[tuple[dt.date, float]] = trajectory,
                hubs: list[Hub] = hubs,
                sources: list[Source] = sources,
            ) -> None:
                services.target_save(
                    target=target,
                    trajectory=trajectory,
                    hubs=hubs,
                    sources=sources,
                    reason=LOAD_REASON,
                )

            def trajectory_differs(target: Target, trajectory: list[tuple[dt.date, float]] = trajectory) -> bool:
                return list(target.trajectory_points.order_by("date").values_list("date", "value")) != trajectory

            self.targets[record["code"]] = self.sync(
                model="Target",
                key=record["code"],
                instance=Target.objects.filter(code=record["code"]).first(),
                new=Target,
                values=values,
                m2m={"sources": sources, "hubs": hubs},
                save=save,
                extra_differs=trajectory_differs,
            )

    def load_milestones(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for record in records:
            sources, hubs = self.refs(record)
            target_code = record.get("target")
            values = {
                "policy_id": self.policy.pk,
                "pillar_id": self.pillar_id(record),
                "target_id": self.targets[target_code].pk if target_code else None,
                "code": record["code"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "responsible_body": _text(record, "responsible_body"),
                "announced_on": _date(record["announced_on"]),
                "baseline_due_date": _date(record["baseline_due_date"]),
                "due_basis": record["due_basis"],
                "basis_note": _text(record, "basis_note"),
                "forecast_due_date": _date(record.get("forecast_due_date")),
                "completed_on": _date(record.get("completed_on")),
                "cancelled": bool(record.get("cancelled", False)),
                "cancelled_on": _date(record.get("cancelled_on")),
                "confidence": record["confidence"],
            }

            def save(milestone: Milestone, hubs: list[Hub] = hubs, sources: list[Source] = sources) -> None:
                services.milestone_save(milestone=milestone, hubs=hubs, sources=sources, reason=LOAD_REASON)

            milestone = self.sync(
                model="Milestone",
                key=record["code"],
                instance=Milestone.objects.filter(code=record["code"]).first(),
                new=Milestone,
                values=values,
                m2m={"sources": sources, "hubs": hubs},
                save=save,
            )
            self.milestones[record["code"]] = milestone
            for evidence in record.get("evidence") or []:
                self.load_evidence(milestone, evidence)

    def load_evidence(self, milestone: Milestone, record: Mapping[str, Any]) -> None:
        day = _required_date(record["date"])
        summary = _text(record, "summary")
        values = {
            "milestone_id": milestone.pk,
            "date": day,
            "summary": summary,
            "kind": record["kind"],
            "source_id": self.sources[record["source"]].pk,
        }
        self.sync(
            model="MilestoneEvidence",
            key=f"{milestone.code} {day} {summary[:40]!r}",
            instance=MilestoneEvidence.objects.filter(milestone=milestone, date=day, summary=summary).first(),
            new=MilestoneEvidence,
            values=values,
            save=self.plain_save(),
        )

    def load_incentives(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            sources, hubs = self.refs(record)
            budget = record.get("budget_amount")
            values = {
                "slug": record["slug"],
                "name": _text(record, "name"),
                "kind": record["kind"],
                "status": record["status"],
                "summary": _text(record, "summary"),
                "administered_by": _text(record, "administered_by"),
                "eligibility": _text(record, "eligibility"),
                "planned_launch_on": _date(record.get("planned_launch_on")),
                "planned_launch_basis": record.get("planned_launch_basis") or Basis.ASSUMED,
                "launched_on": _date(record.get("launched_on")),
                "budget_amount": None if budget is None else Decimal(str(budget)),
                "budget_currency": _text(record, "budget_currency"),
                "budget_note": _text(record, "budget_note"),
                "pillar_id": self.pillar_id(record),
                "confidence": record["confidence"],
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources, "hubs": hubs}
            self.sync(
                model="Incentive",
                key=record["slug"],
                instance=Incentive.objects.filter(slug=record["slug"]).first(),
                new=Incentive,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_risks(self, records: Sequence[Mapping[str, Any]]) -> None:
        assert self.policy is not None
        for position, record in enumerate(records, start=1):
            sources, _ = self.refs(record)
            values = {
                "policy_id": self.policy.pk,
                "slug": record["slug"],
                "title": _text(record, "title"),
                "description": _text(record, "description"),
                "position": position,
                "confidence": record["confidence"],
            }
            m2m: dict[str, Sequence[models.Model]] = {"sources": sources}
            self.sync(
                model="Risk",
                key=record["slug"],
                instance=Risk.objects.filter(slug=record["slug"]).first(),
                new=Risk,
                values=values,
                m2m=m2m,
                save=self.plain_save(m2m),
            )

    def load_measurement(
        self, *, target: Target, day: dt.date, value: float, source_url: str, note: str, illustrative: bool
    ) -> None:
        def save(measurement: Measurement) -> None:
            services.measurement_save(measurement=measurement, reason=LOAD_REASON)

        def real_figure(measurement: Measurement) -> bool:
            # Made-up figures never replace a real one, whatever --force says.
            return illustrative and not measurement.illustrative

        self.sync(
            model="Measurement",
            key=f"{target.code} {day}",
            instance=Measurement.objects.filter(target=target, date=day).first(),
            new=Measurement,
            values={
                "target_id": target.pk,
                "date": day,
                "value": float(value),
                "source_url": source_url,
                "note": note,
                "illustrative": illustrative,
            },
            save=save,
            never_overwrite=real_figure,
        )

    def load_reported(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            target = self.targets[record["code"]]
            for reported in record.get("reported") or []:
                day = _date(reported["date"])
                assert day is not None
                self.load_measurement(
                    target=target,
                    day=day,
                    value=float(reported["value"]),
                    source_url=self.sources[reported["source"]].url,
                    note=_text(reported, "note"),
                    illustrative=False,
                )

    def load_illustrative(self, records: Sequence[Mapping[str, Any]]) -> None:
        for record in records:
            day = _date(record["date"])
            assert day is not None
            extra = _text(record, "note")
            self.load_measurement(
                target=self.targets[record["target"]],
                day=day,
                value=float(record["value"]),
                source_url="",
                note=f"{ILLUSTRATIVE_NOTE} {extra}".strip(),
                illustrative=True,
            )


def policy_load(
    *,
    path: Path,
    illustrative_path: Path | None = None,
    force: bool = False,
    stdout: Writer | None = None,
) -> LoadReport:
    """Load the policy data file (and, when given, the illustrative progress file) in one transaction.

    Raises PolicyDataError, listing every problem, when a file is malformed or
    a record fails validation; nothing is written then.
    """
    data = _read_yaml(path)
    illustrative = _read_yaml(illustrative_path) if illustrative_path is not None else None
    _check_policy_data(data, illustrative)

    loader = _Loader(force=force, stdout=stdout)
    with transaction.atomic():
        loader.load_sources(data["sources"])
        loader.load_policy(data["policy"])
        loader.load_pillars(data["pillars"])
        loader.load_hubs(data["hubs"])
        loader.load_targets(data["targets"])
        loader.load_milestones(data["milestones"])
        loader.load_incentives(data["incentives"])
        loader.load_risks(data["risks"])
        loader.load_reported(data["targets"])
        if illustrative is not None:
            loader.load_illustrative(illustrative["measurements"])
    return loader.report
