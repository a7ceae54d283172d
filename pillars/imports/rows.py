"""The data rows of a table, with a problem for every row that has more cells than columns."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.utils.translation import gettext as _

from .files import Table
from .report import ImportReport, RowProblem


def row_cells(table: Table, report: ImportReport) -> Iterator[tuple[int, Mapping[str, Any]]]:
    for line, cells in table.rows:
        if cells.get("__extra__"):
            report.problems.append(RowProblem(line, _("This line has more cells than there are columns.")))
            continue
        yield line, cells
