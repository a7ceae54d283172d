"""Bulk import and export of measurements and milestone updates, as CSV or XLSX.

An import is read and checked whole before anything is written: every bad row
is reported with its line number (line 1 is the header, as a spreadsheet
numbers its rows) and the reason, and one bad row means nothing is written.
A dry run stops there and shows what would change. A real import writes
through the services, in one transaction, with the history reason
``import <file name>``, so the indicators are recomputed once, after commit.

Exports have the same columns as the import files, so an export can be edited
and imported back. Every text cell that a spreadsheet would run as a formula
is written behind an apostrophe (`core.spreadsheets`), which the importer
takes off again.
"""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction

from .exports import export_rows, render_table, template_rows
from .files import Table, read_table
from .measurements import import_measurements
from .milestones import import_milestones
from .report import COLUMNS, FileProblem, ImportKind, ImportReport, RowChange, RowProblem
from .staging import stage, staged, unstage

__all__ = [
    "COLUMNS",
    "FileProblem",
    "ImportKind",
    "ImportReport",
    "RowChange",
    "RowProblem",
    "Table",
    "export_rows",
    "import_file",
    "read_table",
    "render_table",
    "stage",
    "staged",
    "template_rows",
    "unstage",
]


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
                import_measurements(table, report, user=user, reason=reason, write=not dry_run)
            else:
                import_milestones(table, report, user=user, reason=reason, write=not dry_run)
            if report.problems:
                raise _RollBack
    except _RollBack:
        report.written = False
    report.problems.sort(key=lambda p: p.line)
    report.seconds = time.perf_counter() - started
    return report


class _RollBack(Exception):
    pass
