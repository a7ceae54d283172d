"""Importing milestone updates: forecasts, completions and cancellations, with their reasons and evidence."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import services, validation
from ..models import Milestone
from .cells import CellProblem, Reader, read_cells, read_date, read_flag, read_text, read_url
from .files import Table
from .report import ImportReport, RowChange, RowProblem
from .rows import row_cells

#: How each column of a milestone updates file is read (the milestone's code is read first).
UPDATE_READERS: tuple[tuple[str, Reader], ...] = (
    ("forecast_due_date", read_date),
    ("completed_on", read_date),
    ("cancelled", read_flag),
    ("reason", read_text),
    ("evidence_url", read_url),
    ("title", read_text),
)


def import_milestones(table: Table, report: ImportReport, *, user: Any, reason: str, write: bool) -> None:
    today = timezone.localdate()
    rows: list[tuple[int, Mapping[str, Any]]] = []
    codes: dict[int, str] = {}
    for line, cells in row_cells(table, report):
        try:
            codes[line] = read_text(cells.get("milestone_code"), "milestone_code")
        except CellProblem as exc:
            report.problems.append(RowProblem(line, str(exc)))
            continue
        rows.append((line, cells))
    milestones = {m.code: m for m in Milestone.objects.filter(code__in=set(codes.values()))}
    seen: dict[str, int] = {}
    planned: list[tuple[int, Milestone, dict[str, Any], str, str]] = []
    for line, cells in rows:
        code = codes[line]
        problems: list[str] = []
        milestone = milestones.get(code)
        if not code:
            problems.append(_("milestone_code is empty."))
        elif milestone is None:
            problems.append(_("No milestone has the code “%(code)s”.") % {"code": code[:60]})
        elif code in seen:
            problems.append(
                _("Line %(first)s already updates %(code)s; one line per milestone.")
                % {"first": seen[code], "code": code}
            )
        else:
            seen[code] = line
        values = read_cells(cells, UPDATE_READERS, problems)
        if problems or milestone is None:
            report.problems.extend(RowProblem(line, p) for p in problems)
            continue
        before = validation.MilestoneState(
            forecast_due_date=milestone.forecast_due_date,
            completed_on=milestone.completed_on,
            cancelled=milestone.cancelled,
            cancelled_on=milestone.cancelled_on,
        )
        changes: dict[str, Any] = {}
        if values["forecast_due_date"] is not None and values["forecast_due_date"] != before.forecast_due_date:
            changes["forecast_due_date"] = values["forecast_due_date"]
        if values["completed_on"] is not None and values["completed_on"] != before.completed_on:
            changes["completed_on"] = values["completed_on"]
        if values["cancelled"] is not None and values["cancelled"] != before.cancelled:
            changes["cancelled"] = values["cancelled"]
        cancelled = changes.get("cancelled", before.cancelled)
        after = validation.MilestoneState(
            forecast_due_date=changes.get("forecast_due_date", before.forecast_due_date),
            completed_on=changes.get("completed_on", before.completed_on),
            cancelled=cancelled,
            cancelled_on=(before.cancelled_on or today) if cancelled else None,
        )
        errors = validation.milestone_change_errors(
            before=before,
            after=after,
            baseline_due_date=milestone.baseline_due_date,
            reason=values["reason"],
            has_evidence=bool(values["evidence_url"]),
            today=today,
        )
        errors.update(
            validation.milestone_errors(
                announced_on=milestone.announced_on,
                baseline_due_date=milestone.baseline_due_date,
                completed_on=after.completed_on,
                cancelled=after.cancelled,
                cancelled_on=after.cancelled_on,
            )
        )
        if errors:
            report.problems.extend(
                RowProblem(line, f"{_column(name)}{m}") for name, messages in errors.items() for m in messages
            )
            continue
        if not changes:
            report.changes.append(RowChange(line, code, "unchanged", ""))
            continue
        report.changes.append(RowChange(line, code, "change", _describe(milestone, before, changes)))
        planned.append((line, milestone, changes, values["reason"], values["evidence_url"]))
    if not write or report.problems:
        return
    for line, milestone, changes, row_reason, evidence_url in planned:
        try:
            services.milestone_update(
                milestone=milestone,
                **changes,
                reason=f"{reason}: {row_reason}" if row_reason else reason,
                evidence_url=evidence_url,
                user=user,
                today=today,
            )
        except ValidationError as exc:
            report.problems.extend(RowProblem(line, m) for m in exc.messages)
    report.written = not report.problems and bool(planned)


def _column(name: str) -> str:
    return "" if name in ("__all__", "reason", "evidence") else f"{name}: "


def _describe(milestone: Milestone, before: validation.MilestoneState, changes: dict[str, Any]) -> str:
    parts = []
    if "forecast_due_date" in changes:
        old = before.forecast_due_date or milestone.baseline_due_date
        new = changes["forecast_due_date"]
        parts.append(
            _("forecast %(old)s → %(new)s (%(days)+d days)")
            % {"old": old.isoformat(), "new": new.isoformat(), "days": (new - old).days}
        )
    if "completed_on" in changes:
        parts.append(_("completed on %(date)s") % {"date": changes["completed_on"].isoformat()})
    if "cancelled" in changes:
        parts.append(_("cancelled") if changes["cancelled"] else _("no longer cancelled"))
    return "; ".join(parts)
