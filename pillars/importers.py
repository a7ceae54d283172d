"""Bulk import and export of measurements and milestone updates, as CSV or XLSX.

An import is read and checked whole before anything is written: every bad row
is reported with its line number (line 1 is the header, as a spreadsheet
numbers its rows) and the reason, and one bad row means nothing is written.
A dry run stops there and shows what would change. A real import writes
through the services, in one transaction, with the history reason
``import <file name>``, so the indicators are recomputed once, after commit.

Exports have the same columns as the import files, so an export can be edited
and imported back. Every text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is
written with a leading apostrophe, which spreadsheets show as text; the
importer takes that apostrophe off again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
import secrets
import time
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import services, validation
from .models import Measurement, Milestone, Target

__all__ = [
    "COLUMNS",
    "FileProblem",
    "ImportKind",
    "ImportReport",
    "export_rows",
    "import_file",
    "neutralise",
    "render_table",
    "stage",
    "staged",
    "template_rows",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Shown in reports: beyond these, a summary count.
MAX_SHOWN_CHANGES = 200
MAX_SHOWN_PROBLEMS = 500
TRUE_WORDS = {"yes", "y", "true", "1", "x", "ہاں", "جی ہاں"}
FALSE_WORDS = {"no", "n", "false", "0", "", "نہیں"}
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")


class ImportKind(StrEnum):
    MEASUREMENTS = "measurements"
    MILESTONES = "milestones"


#: The columns of each kind of file, in order: (name, required, what it holds).
COLUMNS: dict[ImportKind, tuple[tuple[str, bool, str], ...]] = {
    ImportKind.MEASUREMENTS: (
        ("target_code", True, "The target's code, e.g. p2-trained-per-year."),
        ("date", True, "The date the figure is for, as YYYY-MM-DD."),
        ("value", True, "The cumulative figure on that date (a number; 200000 or 200,000)."),
        ("source_url", False, "The address of the source (required for a new figure unless illustrative)."),
        ("note", False, "A note; required when you confirm a figure out of line."),
        ("illustrative", False, "yes for a made-up demonstration figure; otherwise leave empty."),
        ("confirm", False, "yes to confirm a figure out of line with the target's other figures."),
    ),
    ImportKind.MILESTONES: (
        ("milestone_code", True, "The milestone's code, e.g. naif-established."),
        ("title", False, "For your reference only: not imported."),
        ("forecast_due_date", False, "New forecast due date, YYYY-MM-DD (empty: unchanged)."),
        ("completed_on", False, "Completion date, YYYY-MM-DD, not in the future (empty: unchanged)."),
        ("cancelled", False, "yes to cancel the milestone (empty: unchanged)."),
        ("reason", False, "Why: required when a forecast moves later, on completion and on cancellation."),
        ("evidence_url", False, "The address of the evidence: required in the same cases."),
    ),
}


class FileProblem(Exception):
    """The file as a whole cannot be read (wrong type, encoding, columns, size): nothing was written."""


@dataclass(slots=True)
class RowProblem:
    line: int
    message: str


@dataclass(slots=True)
class RowChange:
    line: int
    item: str
    action: str  # "add", "change" or "unchanged"
    description: str


@dataclass
class ImportReport:
    """What an import did (or, for a dry run, would do)."""

    kind: ImportKind
    file_name: str
    dry_run: bool
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    file_problem: str = ""
    written: bool = False
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.file_problem and not self.problems

    @property
    def counts(self) -> dict[str, int]:
        counts = {"add": 0, "change": 0, "unchanged": 0}
        for change in self.changes:
            counts[change.action] += 1
        return counts

    @property
    def shown_changes(self) -> list[RowChange]:
        return [c for c in self.changes if c.action != "unchanged"][:MAX_SHOWN_CHANGES]

    @property
    def shown_problems(self) -> list[RowProblem]:
        return self.problems[:MAX_SHOWN_PROBLEMS]

    @property
    def hidden_problems(self) -> int:
        return max(0, len(self.problems) - MAX_SHOWN_PROBLEMS)

    @property
    def hidden_changes(self) -> int:
        return max(0, len([c for c in self.changes if c.action != "unchanged"]) - MAX_SHOWN_CHANGES)


# --- Reading a file ---------------------------------------------------------------------


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, dict[str, Any]]]  # (line, cells by column); cells are str, or numbers/dates from XLSX


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def read_table(*, name: str, data: bytes, kind: ImportKind) -> Table:
    """Read a CSV or XLSX file into rows of cells by column, or raise `FileProblem` saying what is wrong."""
    max_bytes = settings.IMPORT_MAX_BYTES
    if len(data) > max_bytes:
        raise FileProblem(
            _("The file is %(size)s MB; the most an import takes is %(max)s MB. Split it into smaller files.")
            % {"size": f"{len(data) / 1_048_576:.1f}", "max": f"{max_bytes / 1_048_576:.0f}"}
        )
    if not data.strip():
        raise FileProblem(_("The file is empty."))
    extension = _extension(name)
    is_zip = data[:4] == b"PK\x03\x04"
    if extension == "xlsx" or (extension == "csv" and is_zip):
        if not is_zip:
            raise FileProblem(
                _("“%(name)s” is not an Excel workbook (.xlsx), although it is named so.") % {"name": name}
            )
        header, raw_rows = _xlsx_rows(data)
    elif extension in ("csv", "txt"):
        header, raw_rows = _csv_rows(data)
    else:
        raise FileProblem(
            _("Upload a CSV (.csv) or Excel (.xlsx) file; “%(name)s” is neither. Old .xls workbooks: save as .xlsx.")
            % {"name": name}
        )
    header = _check_header(header, kind)
    rows: list[tuple[int, dict[str, Any]]] = []
    limit = settings.IMPORT_MAX_ROWS
    for line, cells in raw_rows:
        if line > 2 * limit + 1_000:
            raise FileProblem(
                _("The file has more than %(limit)s rows; the most an import takes is %(limit)s. Split it.")
                % {"limit": f"{limit:,}"}
            )
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # blank lines are ignored, as a person reading the file would
        if len(rows) >= limit:
            raise FileProblem(
                _("The file has more than %(limit)s rows; the most an import takes is %(limit)s. Split it.")
                % {"limit": f"{limit:,}"}
            )
        if len(cells) > len(header) and any(c is not None and str(c).strip() for c in cells[len(header) :]):
            rows.append((line, {"__extra__": True}))
            continue
        rows.append((line, {name: (cells[i] if i < len(cells) else None) for i, name in enumerate(header)}))
    return Table(header=header, rows=rows)


def _csv_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise FileProblem(_("The file is UTF-16 text; save it as “CSV UTF-8 (Comma delimited)” and upload it again."))
    if b"\x00" in data[:4096]:
        raise FileProblem(_("This is not a CSV text file. Upload a .csv or .xlsx file."))
    try:
        text = data.decode("utf-8-sig")  # with or without the byte order mark Excel adds
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            _(
                "The file is not UTF-8 text (line %(line)s holds the byte 0x%(byte)s, probably from Windows-1252 "
                "or Latin-1). In Excel use Save As → “CSV UTF-8 (Comma delimited)”; in LibreOffice choose the "
                "character set “Unicode (UTF-8)”. Then upload it again."
            )
            % {"line": line, "byte": f"{data[exc.start]:02X}"}
        ) from None
    first_line = text.split("\n", 1)[0]
    # Excel in many locales writes ";" between cells; tabs come from copying a sheet.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise FileProblem(_("The first line must hold the column names: %(error)s") % {"error": exc}) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            for line, cells in enumerate(reader, start=2):
                yield line, list(cells)
        except csv.Error as exc:
            raise FileProblem(_("Line %(line)s cannot be read: %(error)s") % {"line": line + 1, "error": exc}) from None

    return header, rows()


def _xlsx_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[Any]]]]:
    from openpyxl import load_workbook

    try:
        # read_only streams the sheet; formulas are kept as formulas so that they can be refused.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(
            _("The workbook cannot be opened (%(error)s). Save it again as .xlsx.") % {"error": exc}
        ) from None
    sheet = workbook.worksheets[0]
    iterator = sheet.iter_rows()
    try:
        header_cells = next(iterator)
    except StopIteration:
        raise FileProblem(_("The first sheet is empty.")) from None
    header = ["" if c.value is None else str(c.value) for c in header_cells]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        for line, cells in enumerate(iterator, start=2):
            values: list[Any] = []
            for cell in cells:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                    values.append(_Formula(str(value)))
                else:
                    values.append(value)
            yield line, values
        workbook.close()

    return header, rows()


class _Formula(str):
    """A cell that held a formula: refused, whatever column it is in."""


def _check_header(header: Sequence[str], kind: ImportKind) -> list[str]:
    names = [re.sub(r"\s+", "_", str(h).strip().lower().lstrip("\ufeff")) for h in header]
    while names and not names[-1]:
        names.pop()
    known = [c[0] for c in COLUMNS[kind]]
    required = [c[0] for c in COLUMNS[kind] if c[1]]
    unknown = [n or _("(empty)") for n in names if n not in known]
    missing = [n for n in required if n not in names]
    repeated = sorted({n for n in names if names.count(n) > 1})
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": ", ".join(unknown)})
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": ", ".join(repeated)})
    if problems:
        other = ImportKind.MILESTONES if kind == ImportKind.MEASUREMENTS else ImportKind.MEASUREMENTS
        hint = ""
        if not set(required) & set(names) and {c[0] for c in COLUMNS[other] if c[1]} <= set(names):
            hint = " " + _("This looks like a %(other)s file: upload it on the %(other)s import page.") % {
                "other": other.value
            }
        raise FileProblem(
            _("The columns are not those of a %(kind)s file (%(problems)s). Expected, on the first line: %(expected)s.")
            % {"kind": kind.value, "problems": "; ".join(problems), "expected": ", ".join(known)}
            + hint
        )
    return names


# --- Cells -------------------------------------------------------------------------------


class CellProblem(ValueError):
    pass


def _text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, _Formula):
        raise CellProblem(
            _("%(column)s holds a formula (%(formula)s); type the value itself.")
            % {"column": column, "formula": str(value)[:40]}
        )
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if text.startswith("'") and text[1:2] in FORMULA_STARTS:
        return text[1:]  # neutralised by our own export
    if text.startswith(FORMULA_STARTS):
        raise CellProblem(
            _("%(column)s starts with “%(char)s”, which spreadsheets run as a formula; put an apostrophe before it.")
            % {"column": column, "char": text[0].strip() or _("a tab")}
        )
    return text


def _date(value: Any, column: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, _Formula):
        _text(value, column)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellProblem(
            _("%(column)s “%(text)s” is not a date written YYYY-MM-DD.") % {"column": column, "text": text[:40]}
        ) from None


def _number(value: Any, column: str) -> float | None:
    if isinstance(value, bool):
        raise CellProblem(_("%(column)s must be a number.") % {"column": column})
    if isinstance(value, int | float):
        number = float(value)
    else:
        if isinstance(value, _Formula):
            _text(value, column)
        text = "" if value is None else str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not text:
            return None
        if _THOUSANDS.match(text):
            text = text.replace(",", "")
        try:
            number = float(text)  # also reads Urdu (Extended Arabic-Indic) digits
        except ValueError:
            raise CellProblem(
                _("%(column)s “%(text)s” is not a number.") % {"column": column, "text": text[:40]}
            ) from None
    if not math.isfinite(number) or abs(number) > 1e15:
        raise CellProblem(_("%(column)s is not a usable number.") % {"column": column})
    return number


def _flag(value: Any, column: str) -> bool | None:
    """yes/no; None when the cell is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = _text(value, column).lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellProblem(
        _("%(column)s must be yes or no (or empty), not “%(text)s”.") % {"column": column, "text": text[:20]}
    )


def _url(value: Any, column: str) -> str:
    text = _text(value, column)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise CellProblem(
                _("%(column)s “%(text)s” is not a web address (https://...).") % {"column": column, "text": text[:60]}
            ) from None
        if len(text) > 500:
            raise CellProblem(_("%(column)s is longer than 500 characters.") % {"column": column})
    return text


# --- Checking and writing ------------------------------------------------------------------


def import_file(*, kind: ImportKind, name: str, data: bytes, user: Any, dry_run: bool) -> ImportReport:
    """Check a whole file and, unless `dry_run` or any row is bad, write it in one transaction."""
    started = time.perf_counter()
    report = ImportReport(kind=kind, file_name=name, dry_run=dry_run)
    try:
        table = read_table(name=name, data=data, kind=kind)
    except FileProblem as exc:
        report.file_problem = str(exc)
        return report
    report.rows = len(table.rows)
    reason = f"import {name}"[:100]
    try:
        with transaction.atomic():
            if kind == ImportKind.MEASUREMENTS:
                _measurements(table, report, user=user, reason=reason, write=not dry_run)
            else:
                _milestones(table, report, user=user, reason=reason, write=not dry_run)
            if report.problems:
                raise _RollBack
    except _RollBack:
        report.written = False
    report.problems.sort(key=lambda p: p.line)
    report.seconds = time.perf_counter() - started
    return report


class _RollBack(Exception):
    pass


def _row_cells(table: Table, report: ImportReport) -> Iterator[tuple[int, dict[str, Any]]]:
    for line, cells in table.rows:
        if cells.get("__extra__"):
            report.problems.append(RowProblem(line, _("This line has more cells than there are columns.")))
            continue
        yield line, cells


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


def _measurements(table: Table, report: ImportReport, *, user: Any, reason: str, write: bool) -> None:
    parsed: list[_Figure] = []
    codes: dict[int, str] = {}
    raw: list[tuple[int, dict[str, Any]]] = []
    for line, cells in _row_cells(table, report):
        try:
            codes[line] = _text(cells.get("target_code"), "target_code")
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
        values: dict[str, Any] = {}
        for column, parse in (
            ("date", _date),
            ("value", _number),
            ("source_url", _url),
            ("note", _text),
            ("illustrative", _flag),
            ("confirm", _flag),
        ):
            try:
                values[column] = parse(cells.get(column), column)
            except CellProblem as exc:
                problems.append(str(exc))
        if values.get("date", 0) is None:
            problems.append(_("date is empty."))
        if values.get("value", 0) is None:
            problems.append(_("value is empty."))
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
        "pk", "target_id", "date", "value", "source_url", "note", "illustrative"
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
        if figure.date not in stored[figure.target.pk] and not figure.source_url and not figure.illustrative:
            problems.append(_("source_url is empty: cite where the figure comes from."))
        own_problems[figure.line] = problems
    incoming: dict[int, dict[dt.date, float]] = defaultdict(dict)
    for figure in unique:
        if not own_problems[figure.line]:
            incoming[figure.target.pk][figure.date] = figure.value

    # The figures each target will have once imported, in date order, for the out-of-line check.
    series: dict[int, list[tuple[dt.date, float]]] = {}
    for target_id in target_ids:
        merged = {day: m.value for day, m in stored[target_id].items()}
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
        days = series[target.pk]
        position = _index(days, figure.date)
        previous = days[position - 1] if position > 0 else None
        following = days[position + 1] if position + 1 < len(days) else None
        if following is not None and following[0] in incoming[target.pk]:
            following = None  # a later line of the file: that line is the one reported, if any
        warnings = validation.measurement_warnings(
            direction=target.direction,
            baseline_value=target.baseline_value,
            target_value=target.target_value,
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
        label = f"{target.code} {figure.date.isoformat()}"
        if existing is None:
            report.changes.append(RowChange(figure.line, label, "add", f"{figure.value:,g}"))
        elif (existing.value, existing.source_url, existing.note, existing.illustrative) == (
            figure.value,
            figure.source_url,
            figure.note,
            figure.illustrative,
        ):
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
            )
        )
    if write and not report.problems and writes:
        services.measurements_bulk_save(rows=writes, user=user, reason=reason)
        report.written = True


def _index(days: list[tuple[dt.date, float]], day: dt.date) -> int:
    from bisect import bisect_left

    return bisect_left(days, (day, -math.inf))


def _milestones(table: Table, report: ImportReport, *, user: Any, reason: str, write: bool) -> None:
    today = timezone.localdate()
    rows: list[tuple[int, dict[str, Any]]] = []
    codes: dict[int, str] = {}
    for line, cells in _row_cells(table, report):
        try:
            codes[line] = _text(cells.get("milestone_code"), "milestone_code")
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
        values: dict[str, Any] = {}
        for column, parse in (
            ("forecast_due_date", _date),
            ("completed_on", _date),
            ("cancelled", _flag),
            ("reason", _text),
            ("evidence_url", _url),
            ("title", _text),
        ):
            try:
                values[column] = parse(cells.get(column), column)
            except CellProblem as exc:
                problems.append(str(exc))
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


# --- Staging between the dry run and the confirmation ---------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")
STAGING_HOURS = 24


def _staging_dir() -> Path:
    path = Path(settings.IMPORT_STAGING_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def stage(*, kind: ImportKind, name: str, data: bytes, user_id: int) -> str:
    """Keep an uploaded file until its dry run is confirmed; returns the token that names it."""
    folder = _staging_dir()
    cutoff = time.time() - STAGING_HOURS * 3600
    for old in folder.glob("*"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (folder / f"{token}.data").write_bytes(data)
    meta = {"kind": kind.value, "name": name, "user": user_id, "sha256": hashlib.sha256(data).hexdigest()}
    (folder / f"{token}.json").write_text(json.dumps(meta))
    return token


def staged(*, token: str, user_id: int, kind: ImportKind) -> tuple[str, bytes] | None:
    """The file staged under `token` by this user for this kind of import (None when unknown or expired)."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _staging_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text())
        data = (folder / f"{token}.data").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user") != user_id or meta.get("kind") != kind.value:
        return None
    if hashlib.sha256(data).hexdigest() != meta.get("sha256"):
        return None
    return str(meta["name"]), data


def unstage(*, token: str) -> None:
    if _TOKEN.match(token or ""):
        folder = _staging_dir()
        for suffix in (".data", ".json"):
            (folder / f"{token}{suffix}").unlink(missing_ok=True)


# --- Export and templates -------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_rows(*, kind: ImportKind, queryset: Any = None) -> Iterator[list[Any]]:
    """The header and one row per item, in the import file's columns (two queries)."""
    yield [c[0] for c in COLUMNS[kind]]
    if kind == ImportKind.MEASUREMENTS:
        measurements = queryset if queryset is not None else Measurement.objects.all()
        rows = measurements.order_by("target__code", "date").values_list(
            "target__code", "date", "value", "source_url", "note", "illustrative"
        )
        for code, day, value, source_url, note, illustrative in rows.iterator(chunk_size=5_000):
            yield [code, day, value, source_url, note, "yes" if illustrative else "", ""]
    else:
        milestones = queryset if queryset is not None else Milestone.objects.all()
        rows = milestones.order_by("code").values_list(
            "code", "title", "forecast_due_date", "completed_on", "cancelled"
        )
        for code, title, forecast, completed, cancelled in rows.iterator(chunk_size=5_000):
            yield [code, title, forecast, completed, "yes" if cancelled else "", "", ""]


def template_rows(kind: ImportKind) -> list[list[Any]]:
    return [[c[0] for c in COLUMNS[kind]]]


def render_table(rows: Iterable[Sequence[Any]], *, fmt: str, kind: ImportKind) -> bytes:
    """CSV (UTF-8 with a byte order mark, for Excel and Urdu text) or XLSX bytes, formulas neutralised."""
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for row in rows:
            writer.writerow(
                ["" if v is None else v.isoformat() if isinstance(v, dt.date) else neutralise(_plain(v)) for v in row]
            )
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind.value)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=neutralise(value) if isinstance(value, str) else value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    notes = workbook.create_sheet(_("Read me"))
    notes.append([_("column"), _("required"), _("what it holds")])
    for name, required, description in COLUMNS[kind]:
        notes.append([name, _("yes") if required else "", description])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
