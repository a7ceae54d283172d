"""The API's renderers: JSON written by orjson; CSV (UTF-8 with a byte order mark) and XLSX, table by table.

The CSV and the workbook follow `core.api.tables`: one scalar per cell, a
list in a related table keyed by its parent's id. `?format=csv` gives the main
table and `?format=csv&table=<name>` a related one (a `Link` header names
them all); `?format=xlsx` gives every table of the answer, one sheet each.
"""

from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import orjson
from rest_framework import renderers

from core.spreadsheets import safe_cell

from . import tables


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: the same document, five to ten times faster for a 100-row page.

    Compact, UTF-8 and with U+2028/U+2029 escaped, like DRF's renderer.
    Dates, times and datetimes (`OPT_PASSTHROUGH_DATETIME`), lazy strings,
    decimals and anything else orjson does not know go through DRF's own
    encoder, so they read exactly as before; an indented rendering (`Accept:
    application/json; indent=4`) or a document orjson refuses (an integer
    beyond 64 bits) is left to DRF's renderer. Two differences, neither in
    what a client reads: a float of 1e16 or more is written in orjson's
    shortest form (`1e16`, not `1e+16`), and a NaN as null where DRF raises
    (the services never store one). tests/core/api/test_renderers.py
    compares the two renderers byte for byte.
    """

    _encoder = renderers.JSONRenderer.encoder_class()

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self._encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:  # orjson.JSONEncodeError
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


def _flatten(prefix: str, value: Any, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, inner, row)
    elif isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(" ".join(str(v) for v in item.values() if v not in (None, "")))
            else:
                parts.append(str(item))
        row[prefix] = "; ".join(parts)
    else:
        row[prefix] = value


def _records(data: Any) -> list[Any]:
    """The represented rows of an answer: a page's `results`, a list, or the one object."""
    if isinstance(data, dict) and "results" in data and "count" in data:
        return list(data["results"])
    if isinstance(data, list):
        return data
    return [data]


def _plain_rows(data: Any) -> tuple[list[str], list[dict[str, Any]]]:
    """An error's words (or an answer with no layout) as dotted columns, one row per record."""
    rows: list[dict[str, Any]] = []
    for record in _records(data):
        row: dict[str, Any] = {}
        _flatten("", record, row)
        rows.append(row)
    return list(dict.fromkeys(column for row in rows for column in row)), rows


def _answer_layout(renderer_context: Any) -> tables.Table | None:
    """The tables of a successful answer (None for an error, or a view without a table layout)."""
    context = renderer_context or {}
    response = context.get("response")
    if response is not None and response.status_code >= 300:
        return None
    view = context.get("view")
    return tables.view_layout(view) if view is not None else None


def _chosen_table(layout: tables.Table, renderer_context: Any) -> tables.Table:
    """The table `?table=` names (the main one without it); `select_renderer` refused an unknown name."""
    request = (renderer_context or {}).get("request")
    name = request.query_params.get(tables.TABLE_PARAM) if request is not None else None
    found = tables.find(layout, f"{layout.name}.{name}") if name else layout
    return found or layout


def _link_header(layout: tables.Table, renderer_context: Any, format_name: str) -> None:
    """`Link` to each related table of the answer, as CSV (`title` is its `?table=` name), to find them from one."""
    context = renderer_context or {}
    request, response = context.get("request"), context.get("response")
    if request is None or response is None or not layout.children:
        return
    address = request.build_absolute_uri(request.path)
    links = []
    for table in list(layout.walk())[1:]:
        name = tables.relative_name(layout, table)
        query = request.query_params.copy()
        query[tables.TABLE_PARAM] = name
        query["format"] = format_name
        links.append(f'<{address}?{query.urlencode()}>; rel="related"; title="{name}"')
    response["Link"] = ", ".join(links)


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv`: one table of the answer as CSV, UTF-8 with a byte order mark (so spreadsheets show Urdu)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    tabular = True  # `?table=` is checked (`core.api.negotiation`)

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        layout = _answer_layout(renderer_context)
        if layout is None:
            return self._render_plain(data)
        table = _chosen_table(layout, renderer_context)
        _link_header(layout, renderer_context, self.format)
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'inline; filename="{table.name}.csv"'
        rows = tables.split(layout, _records(data))[table.name]
        return tables.csv_bytes(tables.table_columns(table), rows)

    def _render_plain(self, data: Any) -> bytes:
        """An error (or an answer with no layout) as dotted columns, one row per record."""
        columns, rows = _plain_rows(data)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_cell(row.get(column)) for column in columns])
        return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


class XLSXRenderer(renderers.BaseRenderer):
    """`?format=xlsx`: every table of the answer in one workbook, a sheet per table (the main one first)."""

    media_type = tables.XLSX_MEDIA_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"
    tabular = True

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        layout = _answer_layout(renderer_context)
        if layout is None:
            # An error: the words JSON would give (`detail`, or messages per field), in one sheet.
            headers, rows = _plain_rows(data)
            plain = [tables.Column(name, (name,), "string", "") for name in headers]
            return tables.xlsx_bytes([("errors", plain, [[row.get(name) for name in headers] for row in rows])])
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = f'attachment; filename="{layout.name}.xlsx"'
        split = tables.split(layout, _records(data))
        sheets = [
            (tables.relative_name(layout, table) or layout.name, tables.table_columns(table), split[table.name])
            for table in layout.walk()
        ]
        return tables.xlsx_bytes(sheets)


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return safe_cell(value)
