"""Exports and templates: the import files' own columns, so that an export can be edited and imported back."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.utils.translation import gettext as _

from core.spreadsheets import write_csv, write_xlsx

from ..models import Measurement, Milestone
from .report import COLUMNS, ImportKind


def export_rows(*, kind: ImportKind, queryset: Any = None) -> Iterator[list[Any]]:
    """The header and one row per item, in the import file's columns (two queries)."""
    yield [c[0] for c in COLUMNS[kind]]
    if kind == ImportKind.MEASUREMENTS:
        measurements = queryset if queryset is not None else Measurement.objects.all()
        rows = measurements.order_by("target__code", "date").values_list(
            "target__code", "date", "value", "source_url", "note", "illustrative", "withdrawn_on", "withdrawal_reason"
        )
        for code, day, value, source_url, note, illustrative, withdrawn_on, why in rows.iterator(chunk_size=5_000):
            withdrawn = "yes" if withdrawn_on is not None else ""
            yield [code, day, value, source_url, note, "yes" if illustrative else "", "", "", withdrawn, why]
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
    """CSV (UTF-8 with a byte order mark, for Excel and Urdu text) or XLSX bytes, formulas neutralised.

    A workbook explains the columns on a second sheet.
    """
    if fmt == "csv":
        return write_csv([_plain(v) for v in row] for row in rows)
    notes = [[_("column"), _("required"), _("what it holds")]]
    notes += [[name, _("yes") if required else "", description] for name, required, description in COLUMNS[kind]]
    return write_xlsx([(kind.value, rows), (_("Read me"), notes)])


def _plain(value: Any) -> Any:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
