"""Spreadsheets: reading the CSV and XLSX files editors upload, writing the ones the portal gives out.

One rule against formula injection holds for every cell the portal writes:

a text cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return
runs as a formula in Excel and LibreOffice (CSV injection). Such a cell is
written with a leading apostrophe, which spreadsheets show as text and the
importers take off again. A plain number written as text ("-5", "+3.5") is
left alone: it cannot run as anything, and a data desk wants it as a number.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from .text import xml_text
from .xlsxcheck import WorkbookLimits, WorkbookRefused, open_workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def is_formula(text: str) -> bool:
    """Whether a spreadsheet would run `text` as a formula (a plain number such as "-5" is not one)."""
    return text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text)


def safe_cell(value: Any) -> Any:
    """`value`, or for text that a spreadsheet would run as a formula, the same text behind an apostrophe.

    Text also loses what XML cannot carry (`core.text.xml_text`): openpyxl would refuse the whole workbook.
    """
    if isinstance(value, str):
        value = xml_text(value)
        if is_formula(value):
            return "'" + value
    return value


def unquote_cell(value: str) -> str:
    """Undo `safe_cell`: a text cell the portal (or a careful editor) wrote behind an apostrophe."""
    if value.startswith("'") and is_formula(value[1:]):
        return value[1:]
    return value


# --- Reading ---------------------------------------------------------------------------------------------

Rows = Iterator[tuple[int, list[Any]]]  # (line number, cells); line 1 is the header


class SpreadsheetError(Exception):
    """The file as a whole cannot be read (type, encoding, structure); the message says what to do."""


class Formula(str):
    """A workbook cell that held a formula (its text): whoever reads it decides to refuse it."""


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


#: What a workbook may hold when the caller gives no limits (the importers give theirs, from the settings).
DEFAULT_LIMITS = WorkbookLimits(rows=50_000, cells=600_000, unzipped_bytes=50 * 1_048_576)
#: The longest line of a CSV file, in characters: a line is held whole, and split into a list, as it is read.
MAX_CSV_LINE = 100_000


def read_rows(*, name: str, data: bytes, limits: WorkbookLimits = DEFAULT_LIMITS) -> tuple[list[str], Rows]:
    """The header and the rows of a CSV (UTF-8, any of `,;` or tab) or XLSX file, or `SpreadsheetError`.

    A workbook is read within `limits` (`core.xlsxcheck`), a CSV file line by
    line, none longer than `MAX_CSV_LINE`; the caller counts the rows it keeps.
    """
    kind = extension(name)
    is_zip = data[:4] == b"PK\x03\x04"
    if kind == "xlsx" or (kind == "csv" and is_zip):
        if not is_zip:
            raise SpreadsheetError(
                _("“%(name)s” is not an Excel workbook (.xlsx), although it is named so.") % {"name": name}
            )
        return _xlsx_rows(data, limits)
    if kind in ("csv", "txt"):
        return _csv_rows(data)
    raise SpreadsheetError(
        _("Upload a CSV (.csv) or Excel (.xlsx) file; “%(name)s” is neither. Old .xls workbooks: save as .xlsx.")
        % {"name": name}
    )


def _csv_rows(data: bytes) -> tuple[list[str], Rows]:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise SpreadsheetError(
            _("The file is UTF-16 text; save it as “CSV UTF-8 (Comma delimited)” and upload it again.")
        )
    if b"\x00" in data[:4096]:
        raise SpreadsheetError(_("This is not a CSV text file. Upload a .csv or .xlsx file."))
    try:
        text = data.decode("utf-8-sig")  # with or without the byte order mark Excel adds
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SpreadsheetError(
            _(
                "The file is not UTF-8 text (line %(line)s holds the byte 0x%(byte)s, probably from Windows-1252 "
                "or Latin-1). In Excel use Save As → “CSV UTF-8 (Comma delimited)”; in LibreOffice choose the "
                "character set “Unicode (UTF-8)”. Then upload it again."
            )
            % {"line": line, "byte": f"{data[exc.start]:02X}"}
        ) from None
    end = text.find("\n")
    first_line = text[: end if end >= 0 else MAX_CSV_LINE + 1]
    # Excel in many locales writes ";" between cells; tabs come from copying a sheet.
    delimiter = max(",;\t", key=first_line.count)
    del text  # decoded once to check it; the lines are decoded again as they are read, a few KB at a time
    buffer = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    reader = csv.reader(_csv_lines(buffer), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise SpreadsheetError(_("The first line must hold the column names: %(error)s") % {"error": exc}) from None

    def rows() -> Iterator[tuple[int, list[Any]]]:
        line = 1
        try:
            for line, cells in enumerate(reader, start=2):
                yield line, cells
        except csv.Error as exc:
            raise SpreadsheetError(
                _("Line %(line)s cannot be read: %(error)s") % {"line": line + 1, "error": exc}
            ) from None

    return header, rows()


def _csv_lines(buffer: io.TextIOWrapper) -> Iterator[str]:
    """The physical lines of the file for the csv reader, each checked before the reader splits it into cells."""
    number = 0
    while line := buffer.readline(MAX_CSV_LINE + 1):  # never more than that at once
        number += 1
        if len(line) > MAX_CSV_LINE:
            raise SpreadsheetError(
                _(
                    "Line %(line)s is longer than %(max)s characters, more than a line of an import holds. "
                    "Check that the file is a CSV file with one line per row."
                )
                % {"line": number, "max": f"{MAX_CSV_LINE:,}"}
            )
        yield line


def _xlsx_rows(data: bytes, limits: WorkbookLimits) -> tuple[list[str], Rows]:
    try:
        # read_only streams the sheet; formulas are kept as formulas so that they can be refused.
        workbook = open_workbook(data, limits)
    except WorkbookRefused as exc:
        raise SpreadsheetError(str(exc)) from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise SpreadsheetError(
            _("The workbook cannot be opened (%(error)s). Save it again as .xlsx.") % {"error": exc}
        ) from None
    sheet = workbook.worksheets[0]
    # The sheet's <dimension> record is not trusted: some programs leave it at "A1" whatever the sheet holds,
    # and read-only openpyxl would stop there. Each row is read as far as its own last cell.
    sheet.reset_dimensions()
    iterator = sheet.iter_rows()
    try:
        header_cells = next(iterator)
    except StopIteration:
        workbook.close()
        raise SpreadsheetError(_("The first sheet is empty.")) from None
    except WorkbookRefused as exc:
        workbook.close()
        raise SpreadsheetError(str(exc)) from None
    header = ["" if c.value is None else str(c.value) for c in header_cells]

    def rows() -> Iterator[tuple[int, list[Any]]]:
        try:
            for line, cells in enumerate(iterator, start=2):
                values: list[Any] = []
                for cell in cells:
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                        values.append(Formula(str(value)))
                    else:
                        values.append(value)
                yield line, values
        except WorkbookRefused as exc:
            raise SpreadsheetError(str(exc)) from None
        finally:
            workbook.close()

    return header, rows()


# --- Writing ---------------------------------------------------------------------------------------------


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV bytes: UTF-8 with a byte order mark (so spreadsheets show Urdu text), CRLF, formulas neutralised.

    Cells are written as given (the caller converts them), except that None is
    empty and a date is written YYYY-MM-DD.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v.isoformat() if isinstance(v, dt.date) else safe_cell(v) for v in row])
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_xlsx(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """An XLSX workbook with one sheet per (title, rows), dates formatted YYYY-MM-DD, formulas neutralised."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(sheet, value=safe_cell(value))
                if isinstance(value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
                cells.append(cell)
            sheet.append(cells)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
