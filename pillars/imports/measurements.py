"""Importing figures: every row checked (with the file's other rows and the stored figures), then one bulk write."""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from .. import services, validation
from ..models import Measurement, Target
from .cells import CellProblem, Reader, read_cells, read_date, read_flag, read_number, read_text, read_url
from .files import Table
from .report import ImportReport, RowChange, RowProblem
from .rows import row_cells

#: How each column of a figures file is read (the target's code is read first, to look the targets up).
FIGURE_READERS: tuple[tuple[str, Reader], ...] = (
    ("date", read_date),
    ("value", read_number),
    ("source_url", read_url),
    ("note", read_text),
    ("illustrative", read_flag),
    ("confirm", read_flag),
    ("reason", read_text),
    ("withdraw", read_flag),
    ("withdrawal_reason", read_text),
)


@dataclass(slots=True)
class _Figure:
    line: int
    target: Target
    date: dt.date
    value: float
    source_url: str
    note: str
    illustrative: bool
    confirm: bool
    reason: str
    withdrawal_reason: str  # not empty: withdraw the stored figure


def import_measurements(table: Table, report: ImportReport, *, user: Any, reason: str, write: bool) -> None:
    parsed: list[_Figure] = []
    codes: dict[int, str] = {}
    raw: list[tuple[int, Mapping[str, Any]]] = []
    for line, cells in row_cells(table, report):
        try:
            codes[line] = read_text(cells.get("target_code"), "target_code")
        except CellProblem as exc:
            report.problems.append(RowProblem(line, str(exc)))
            continue
        raw.append((line, cells))
    targets = {t.code: t for t in Target.objects.filter(code__in=set(codes.values()))}
    for line, cells in raw:
        code = codes[line]
        target = targets.get(code)
        problems: list[str] = []
        if not code:
            problems.append(_("target_code is empty."))
        elif target is None:
            problems.append(_("No target has the code “%(code)s”.") % {"code": code[:60]})
        values = read_cells(cells, FIGURE_READERS, problems)
        if values.get("date", 0) is None:
            problems.append(_("date is empty."))
        if values.get("value", 0) is None:
            problems.append(_("value is empty."))
        if values.get("withdraw") and not (values.get("withdrawal_reason") or "").strip():
            problems.append(str(validation.WITHDRAWAL_NEEDS_REASON))
        elif not values.get("withdraw") and (values.get("withdrawal_reason") or "").strip():
            problems.append(_("withdrawal_reason is given without yes in the withdraw column."))
        if problems or target is None:
            report.problems.extend(RowProblem(line, p) for p in problems)
            continue
        parsed.append(
            _Figure(
                line=line,
                target=target,
                date=values["date"],
                value=values["value"],
                source_url=values["source_url"],
                note=values["note"],
                illustrative=bool(values["illustrative"]),
                confirm=bool(values["confirm"]),
                reason=values["reason"],
                withdrawal_reason=values["withdrawal_reason"].strip() if values["withdraw"] else "",
            )
        )

    # Duplicates in the file, then the stored figures of the same targets.
    seen: dict[tuple[int, dt.date], int] = {}
    unique: list[_Figure] = []
    for figure in parsed:
        key = (figure.target.pk, figure.date)
        if key in seen:
            report.problems.append(
                RowProblem(
                    figure.line,
                    _("Line %(first)s already gives %(code)s on %(date)s; give each figure once.")
                    % {"first": seen[key], "code": figure.target.code, "date": figure.date.isoformat()},
                )
            )
            continue
        seen[key] = figure.line
        unique.append(figure)
    stored: dict[int, dict[dt.date, Measurement]] = defaultdict(dict)
    target_ids = {f.target.pk for f in unique}
    for measurement in Measurement.objects.filter(target_id__in=target_ids).only(
        "pk", "target_id", "date", "value", "source_url", "note", "illustrative", "withdrawn_on", "withdrawal_reason"
    ):
        stored[measurement.target_id][measurement.date] = measurement
    # Rows that are wrong on their own are reported as such, and kept out of their neighbours' checks.
    own_problems: dict[int, list[str]] = {}
    for figure in unique:
        problems = [
            m
            for messages in validation.measurement_errors(
                target=figure.target, date=figure.date, value=figure.value
            ).values()
            for m in messages
        ]
        existing = stored[figure.target.pk].get(figure.date)
        if existing is None and not figure.source_url and not figure.illustrative and not figure.withdrawal_reason:
            problems.append(_("source_url is empty: cite where the figure comes from."))
        if existing is not None and existing.withdrawn_on is not None:
            if not _same(existing, figure):  # an export of it imports back unchanged
                problems += validation.withdrawn_errors(withdrawn_on=existing.withdrawn_on)["__all__"]
        elif figure.withdrawal_reason and existing is None:
            problems.append(
                _("%(code)s has no figure dated %(date)s to withdraw.")
                % {"code": figure.target.code, "date": figure.date.isoformat()}
            )
        elif figure.withdrawal_reason and existing is not None and existing.value != figure.value:
            problems.append(
                _("A figure is withdrawn as it stands: give its value, %(value)s.") % {"value": f"{existing.value:,g}"}
            )
        elif existing is not None and existing.value != figure.value:
            problems += validation.revision_errors(revised=True, reason=figure.reason).get("reason", [])
        own_problems[figure.line] = problems
    incoming: dict[int, dict[dt.date, float]] = defaultdict(dict)
    withdrawn: dict[int, set[dt.date]] = defaultdict(set)
    for figure in unique:
        if own_problems[figure.line]:
            continue
        if figure.withdrawal_reason:
            withdrawn[figure.target.pk].add(figure.date)
        else:
            incoming[figure.target.pk][figure.date] = figure.value

    # The figures each target will have once imported, in date order, for the out-of-line check.
    series: dict[int, list[tuple[dt.date, float]]] = {}
    for target_id in target_ids:
        merged = {
            day: m.value
            for day, m in stored[target_id].items()
            if m.withdrawn_on is None and day not in withdrawn[target_id]
        }
        merged.update(incoming[target_id])
        series[target_id] = sorted(merged.items())

    writes: list[services.MeasurementWrite] = []
    for figure in unique:
        target = figure.target
        problems = own_problems[figure.line]
        existing = stored[target.pk].get(figure.date)
        if problems:
            report.problems.extend(RowProblem(figure.line, p) for p in problems)
            continue
        label = f"{target.code} {figure.date.isoformat()}"
        if existing is not None and existing.withdrawn_on is not None:
            report.changes.append(RowChange(figure.line, label, "unchanged", f"{figure.value:,g}"))
            continue
        if figure.withdrawal_reason and existing is not None:
            report.changes.append(
                RowChange(figure.line, label, "withdraw", f"{existing.value:,g}: {figure.withdrawal_reason}")
            )
            writes.append(
                services.MeasurementWrite(
                    target=target,
                    date=figure.date,
                    value=existing.value,
                    pk=existing.pk,
                    withdrawal_reason=figure.withdrawal_reason,
                )
            )
            continue
        days = series[target.pk]
        position = _index(days, figure.date)
        previous = days[position - 1] if position > 0 else None
        following = days[position + 1] if position + 1 < len(days) else None
        if following is not None and following[0] in incoming[target.pk]:
            following = None  # a later line of the file: that line is the one reported, if any
        warnings = validation.figure_warnings(
            target=target,
            value=figure.value,
            previous=previous,
            following=following,
        )
        if warnings and not figure.confirm:
            problems.append(
                " ".join(warnings)
                + " "
                + _("To import it anyway, put yes in the confirm column and explain it in the note.")
            )
        elif warnings and not figure.note:
            problems.append(" ".join(warnings) + " " + str(validation.EXPLAIN_FIGURE))
        if problems:
            report.problems.extend(RowProblem(figure.line, p) for p in problems)
            continue
        if existing is None:
            report.changes.append(RowChange(figure.line, label, "add", f"{figure.value:,g}"))
        elif _same(existing, figure):
            report.changes.append(RowChange(figure.line, label, "unchanged", f"{figure.value:,g}"))
            continue
        else:
            what = [f"{existing.value:,g} → {figure.value:,g}"] if existing.value != figure.value else []
            if existing.source_url != figure.source_url:
                what.append(_("new source"))
            if existing.note != figure.note:
                what.append(_("new note"))
            if existing.illustrative != figure.illustrative:
                what.append(_("illustrative: %(flag)s") % {"flag": _("yes") if figure.illustrative else _("no")})
            report.changes.append(RowChange(figure.line, label, "change", "; ".join(what)))
        writes.append(
            services.MeasurementWrite(
                target=target,
                date=figure.date,
                value=figure.value,
                source_url=figure.source_url,
                note=figure.note,
                illustrative=figure.illustrative,
                pk=existing.pk if existing is not None else None,
                reason=figure.reason,
            )
        )
    if write and not report.problems and writes:
        services.measurements_bulk_save(rows=writes, user=user, reason=reason)
        report.written = True


def _same(existing: Measurement, figure: _Figure) -> bool:
    return (existing.value, existing.source_url, existing.note, existing.illustrative) == (
        figure.value,
        figure.source_url,
        figure.note,
        figure.illustrative,
    )


def _index(days: list[tuple[dt.date, float]], day: dt.date) -> int:
    return bisect_left(days, (day, -math.inf))
