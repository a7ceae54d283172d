"""Reading an uploaded file into rows of cells by column, checked against the columns of its kind."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from core.spreadsheets import read_rows
from core.xlsxcheck import WorkbookLimits

from .report import COLUMNS, FileProblem, ImportKind


class Row(Mapping[str, Any]):
    """One line's cells by column: its values behind the header's index (a dict a line costs 0.6 KB more).

    50,000 lines are held at once; the rest of the reading is bounded so that a worker stays under 200 MB.
    """

    __slots__ = ("_index", "_values")

    def __init__(self, index: dict[str, int], values: tuple[Any, ...]) -> None:
        self._index = index
        self._values = values

    def __getitem__(self, column: str) -> Any:
        return self._values[self._index[column]]

    def get(self, column: str, default: Any = None) -> Any:
        position = self._index.get(column)
        return default if position is None else self._values[position]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[tuple[int, Mapping[str, Any]]]  # (line, cells by column); cells are str, or numbers/dates from XLSX


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
    limit = settings.IMPORT_MAX_ROWS
    limits = WorkbookLimits(
        rows=limit, cells=settings.IMPORT_MAX_CELLS, unzipped_bytes=settings.IMPORT_MAX_UNZIPPED_BYTES
    )
    header, raw_rows = read_rows(name=name, data=data, limits=limits)
    header = _check_header(header, kind)
    index = {name: i for i, name in enumerate(header)}
    width = len(header)
    rows: list[tuple[int, Mapping[str, Any]]] = []
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
        values = tuple(cells[:width]) if len(cells) >= width else (*cells, *(None,) * (width - len(cells)))
        rows.append((line, Row(index, values)))
    return Table(header=header, rows=rows)


def _check_header(header: Sequence[str], kind: ImportKind) -> list[str]:
    names = [re.sub(r"\s+", "_", str(h).strip().lower().lstrip("\ufeff")) for h in header]
    while names and not names[-1]:
        names.pop()
    known = [c[0] for c in COLUMNS[kind]]
    required = [c[0] for c in COLUMNS[kind] if c[1]]
    counts = Counter(names)  # a header may have thousands of cells: each name is counted once
    unknown = [n or _("(empty)") for n in names if n not in known]
    missing = [n for n in required if n not in counts]
    repeated = sorted(n for n, count in counts.items() if count > 1)
    problems = []
    if unknown:
        problems.append(_("unknown columns: %(names)s") % {"names": _some(unknown)})
    if missing:
        problems.append(_("missing columns: %(names)s") % {"names": ", ".join(missing)})
    if repeated:
        problems.append(_("repeated columns: %(names)s") % {"names": _some(repeated)})
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


def _some(names: Sequence[str], shown: int = 10) -> str:
    """The first names of a list, and how many more: a header may have thousands of cells."""
    listed = ", ".join(name[:60] for name in names[:shown])
    if len(names) > shown:
        listed += " " + _("and %(count)s more") % {"count": f"{len(names) - shown:,}"}
    return listed
