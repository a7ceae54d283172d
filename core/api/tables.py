"""Flat tables from the API's serializers: one scalar per cell, nested lists in related tables keyed by id.

The CSV and XLSX answers, the bulk data package and its data dictionary all
read one layout, derived here from the same serializer fields that the JSON
and the OpenAPI schema come from (so a field added to a serializer is a
column everywhere, with its description):

* a nested object (`indicators`, a re-baseline's `source`) becomes dotted
  columns of its row (`indicators.status`, `source.url`); a null object leaves
  them all empty;
* a list (`sources`, `trajectory`, `evidence`, a list of slugs) becomes a related
  table, one row per item, keyed by its parent (`target_id`) and `position`
  (from 1, in the JSON's order);
* a mapping of counts (a roll-up's `targets` per status) becomes a related
  table too, one row per key (`status`, `count`), so a chart series is a column;
* a value of any JSON type (`old` and `new` of a change) is one cell of JSON text.

`split` turns represented rows (what the JSON says) into the rows of every
table; tests/core/api/test_tables.py joins them back with pandas and gets the
JSON again.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import functools
import io
import json
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import IO, Any, Literal

from django.utils.translation import gettext as _
from drf_spectacular.drainage import get_override
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from rest_framework import fields, relations, serializers

from core.spreadsheets import safe_cell

from . import descriptions

TableKind = Literal["root", "list", "mapping", "object"]

#: The key and value columns of a mapping's table, by `Component.field` (default: `key`, `value`).
MAPPING_COLUMNS: dict[str, tuple[str, str]] = {
    "Rollup.targets": ("status", "count"),
    "Rollup.milestones": ("status", "count"),
}

_TYPES: tuple[tuple[type[Any], str], ...] = (
    (fields.BooleanField, "boolean"),
    (fields.IntegerField, "integer"),
    (fields.FloatField, "number"),
    (fields.DecimalField, "number"),
    (fields.DateTimeField, "datetime"),
    (fields.DateField, "date"),
    (relations.PrimaryKeyRelatedField, "integer"),
    (fields.ChoiceField, "string"),
    (fields.CharField, "string"),
    (fields.FileField, "string"),
    (relations.SlugRelatedField, "string"),
)


@dataclasses.dataclass(frozen=True)
class Column:
    """One column: its header, where its value sits in a row of the JSON, its Table Schema type and words."""

    name: str
    path: tuple[str, ...]
    type: str  # a Table Schema type: string, integer, number, boolean, date, datetime, or "any" (JSON text)
    description: str
    nullable: bool = True  # the field itself may be null (in its object)
    enum: tuple[str, ...] = ()
    format: str = ""  # "uri" for addresses
    optional: bool = False  # in a nested object that may be null: empty, whatever the field, when it is

    def schema(self) -> dict[str, Any]:
        """Its field of a Frictionless Table Schema."""
        field: dict[str, Any] = {"name": self.name, "type": "string" if self.type == "any" else self.type}
        if self.type == "any":
            field["format"] = "default"
            field["description"] = f"{self.description} (JSON text)".strip()
        elif self.description:
            field["description"] = self.description
        if self.format and self.type == "string":
            field["format"] = self.format
        constraints: dict[str, Any] = {}
        if not (self.nullable or self.optional) and self.type not in ("string", "any"):
            constraints["required"] = True  # not for text: an empty cell is how CSV writes empty text
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            field["constraints"] = constraints
        return field


@dataclasses.dataclass(frozen=True)
class Table:
    """A table of a layout: its key columns (references to the parent, then its own), its columns, its children."""

    name: str  # "targets"; a child: "targets.sources", "pillars.rollup.targets"
    kind: TableKind
    path: tuple[str, ...]  # where its rows sit in a row of the parent table ("" for the root)
    keys: tuple[Column, ...]
    columns: tuple[Column, ...]
    children: tuple[Table, ...]
    description: str = ""
    own_key: str = ""  # the field that identifies a row ("id", "slug"), if the rows have one
    parent_keys: tuple[str, ...] = ()  # the key columns that refer to the parent table
    scalar_items: bool = False  # a list of plain values (slugs, aliases): one `value` column

    @property
    def headers(self) -> list[str]:
        return [column.name for column in (*self.keys, *self.columns)]

    def walk(self) -> Iterator[Table]:
        """This table, then every related table under it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def primary_key(self) -> list[str]:
        if self.kind == "root":
            return [self.own_key] if self.own_key else []
        return [column.name for column in self.keys]

    def schema(self) -> dict[str, Any]:
        """Its Frictionless Table Schema (fields, primary key); foreign keys are the package's to add."""
        seen: set[str] = set()
        schema_fields = []
        for column in (*self.keys, *self.columns):
            if column.name not in seen:
                seen.add(column.name)
                schema_fields.append(column.schema())
        schema: dict[str, Any] = {"fields": schema_fields, "missingValues": [""]}
        key = self.primary_key()
        if key:
            schema["primaryKey"] = key
        return schema


# --- Layout ------------------------------------------------------------------------------------------------


def _component(serializer: Any) -> str:
    """The OpenAPI component's name drf-spectacular gives a serializer (`TargetSerializer` is `Target`)."""
    name = type(serializer).__name__
    return name[: -len("Serializer")] if name.endswith("Serializer") and name != "Serializer" else name


def _describe(component: str, name: str, field: Any) -> str:
    text = str(getattr(field, "help_text", "") or "")
    if text:
        return text
    return descriptions.FIELDS.get(f"{component}.{name}", descriptions.FIELDS.get(name, ""))


def _plural(name: str) -> str:
    return name if name.endswith("s") else f"{name}s"


def entity(table_name: str) -> str:
    """What a row of the table is called in its children's key columns: `target` for `targets` (`target_id`)."""
    name = table_name.rsplit(".", 1)[-1]
    return name[:-1] if name.endswith("s") and not name.endswith("ss") else name


def _annotated(field: Any) -> Any:
    """What a method field declares it returns (`@extend_schema_field`), or None."""
    if isinstance(field, serializers.SerializerMethodField):
        method = getattr(field.parent, field.method_name, None)
        annotation = get_override(method, "field") if method is not None else None
        if isinstance(annotation, type):
            annotation = annotation()
        return annotation
    return None


def _position() -> Column:
    return Column("position", (), "integer", "The item's place in its list, from 1.", nullable=False)


def _scalar(field: Any, name: str, path: tuple[str, ...], description: str) -> Column:
    kind = "any"
    for cls, table_type in _TYPES:
        if isinstance(field, cls):
            kind = table_type
            break
    enum: tuple[str, ...] = ()
    if isinstance(field, fields.ChoiceField) and not isinstance(field, fields.MultipleChoiceField):
        enum = tuple(str(value) for value in field.choices)
    uri = isinstance(field, fields.URLField | fields.FileField) or name in ("url", "source_url")
    nullable = bool(getattr(field, "allow_null", False)) or isinstance(field, fields.FileField)
    return Column(
        name=name,
        path=path,
        type=kind,
        description=description,
        nullable=nullable,
        enum=enum,
        format="uri" if uri and kind == "string" else "",
    )


class _Builder:
    def __init__(self, detach: Collection[str]) -> None:
        self.detach = set(detach)

    def table(
        self,
        serializer: Any,
        *,
        name: str,
        kind: TableKind,
        path: tuple[str, ...],
        parent_refs: Sequence[Column],
        description: str = "",
        positioned: bool = False,
    ) -> Table:
        """The table of `serializer`'s rows; `parent_refs` are the key columns inherited from the parent."""
        field_map = serializer.fields
        own_key = next((key for key in ("id", "slug") if key in field_map and not field_map[key].write_only), "")
        keys: list[Column] = list(parent_refs)
        if positioned:
            keys.append(_position())
        columns: list[Column] = []
        children: list[Table] = []
        # What the children refer to a row by: its own id or slug (as `<entity>_<key>`), else its own key columns.
        row_name = entity(name)
        refs: list[Column]
        if own_key:
            words = f"The {own_key} of the {row_name.replace('_', ' ')}."
            own = _scalar(field_map[own_key], f"{row_name}_{own_key}", (), words)
            refs = [dataclasses.replace(own, nullable=False)]
        else:
            refs = list(parent_refs)
            if positioned:
                place = dataclasses.replace(keys[-1], name=f"{row_name}_position", description="Its parent's place.")
                refs.append(place)
        self._columns(serializer, (), name, refs, columns, children, nullable=False)
        return Table(
            name=name,
            kind=kind,
            path=path,
            keys=tuple(keys),
            columns=tuple(columns),
            children=tuple(children),
            description=description or " ".join((type(serializer).__doc__ or "").split()),
            own_key=own_key,
            parent_keys=tuple(column.name for column in parent_refs),
        )

    def _columns(
        self,
        serializer: Any,
        prefix: tuple[str, ...],
        table: str,
        refs: Sequence[Column],
        columns: list[Column],
        children: list[Table],
        *,
        nullable: bool,
    ) -> None:
        """The columns of `serializer`'s fields (under `prefix`); all of them may be empty under a null object."""
        component = _component(serializer)
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            path = (*prefix, name)
            dotted = ".".join(path)
            description = _describe(component, name, field)
            annotated = _annotated(field)
            if annotated is not None:
                field = annotated
            if isinstance(field, serializers.ListSerializer):
                children.append(
                    self.table(
                        field.child,
                        name=f"{table}.{dotted}",
                        kind="list",
                        path=path,
                        parent_refs=refs,
                        description=description,
                        positioned=True,
                    )
                )
            elif isinstance(field, relations.ManyRelatedField | fields.ListField):
                child = field.child_relation if isinstance(field, relations.ManyRelatedField) else field.child
                value_name = "value"
                if isinstance(child, relations.SlugRelatedField):
                    value_name = child.slug_field
                value = dataclasses.replace(_scalar(child, value_name, (), description), nullable=False)
                children.append(
                    Table(
                        name=f"{table}.{dotted}",
                        kind="list",
                        path=path,
                        keys=(*refs, _position()),
                        columns=(value,),
                        children=(),
                        description=description,
                        parent_keys=tuple(c.name for c in refs),
                        scalar_items=True,
                    )
                )
            elif isinstance(field, fields.DictField):
                key_name, value_name = MAPPING_COLUMNS.get(f"{component}.{name}", ("key", "value"))
                key = Column(key_name, (), "string", f"The {key_name}.", nullable=False)
                value = dataclasses.replace(_scalar(field.child, value_name, (), description), nullable=False)
                children.append(
                    Table(
                        name=f"{table}.{dotted}",
                        kind="mapping",
                        path=path,
                        keys=(*refs, key),
                        columns=(value,),
                        children=(),
                        description=description,
                        parent_keys=tuple(c.name for c in refs),
                    )
                )
            elif isinstance(field, serializers.BaseSerializer):
                if dotted in self.detach:
                    children.append(
                        self.table(
                            field,
                            name=f"{table}.{dotted}",
                            kind="object",
                            path=path,
                            parent_refs=refs,
                            description=description,
                        )
                    )
                else:
                    inner = nullable or bool(getattr(field, "allow_null", False))
                    self._columns(field, path, table, refs, columns, children, nullable=inner)
            else:
                column = _scalar(field, dotted, path, description)
                columns.append(dataclasses.replace(column, optional=True) if nullable else column)


def layout(serializer_class: type[Any] | Any, name: str, *, detach: Collection[str] = ()) -> Table:
    """The tables of `serializer_class`'s representation; `detach` names nested objects to keep as 1:1 tables."""
    serializer = serializer_class() if isinstance(serializer_class, type) else serializer_class
    return _Builder(detach).table(serializer, name=name, kind="root", path=(), parent_refs=())


# --- Rows ---------------------------------------------------------------------------------------------------


def _get(row: Mapping[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = row
    for part in path:
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def split(table: Table, records: Iterable[Mapping[str, Any]]) -> dict[str, list[list[Any]]]:
    """The rows of every table of `table`'s layout for `records` (represented rows), by table name."""
    rows: dict[str, list[list[Any]]] = {each.name: [] for each in table.walk()}
    for record in records:
        _rows_of(table, record, [], None, rows)
    return rows


def _rows_of(
    table: Table, record: Mapping[str, Any], refs: list[Any], position: int | None, out: dict[str, list[list[Any]]]
) -> None:
    keys = [*refs] if position is None else [*refs, position]
    out[table.name].append([*keys, *(_get(record, column.path) for column in table.columns)])
    child_refs = [record.get(table.own_key)] if table.own_key else keys
    for child in table.children:
        value = _get(record, child.path)
        if value is None:
            continue
        if child.kind == "object":
            _rows_of(child, value, child_refs, None, out)
        elif child.kind == "mapping":
            for key, item in value.items():
                out[child.name].append([*child_refs, key, item])
        elif child.scalar_items:
            for number, item in enumerate(value, start=1):
                out[child.name].append([*child_refs, number, item])
        else:
            for number, item in enumerate(value, start=1):
                _rows_of(child, item, child_refs, number, out)


def find(table: Table, name: str) -> Table | None:
    return next((each for each in table.walk() if each.name == name), None)


# --- Cells ----------------------------------------------------------------------------------------------------


def text_cell(column: Column, value: Any) -> str:
    """A cell as CSV text: empty for null, `true`/`false`, ISO dates, JSON text for a value of any type."""
    if value is None:
        return ""
    if column.type == "any":
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def table_columns(table: Table) -> list[Column]:
    return [*table.keys, *table.columns]


def relative_name(root: Table, table: Table) -> str:
    """A related table's name within its answer (`sources` for `targets.sources`); "" for the main one."""
    return table.name[len(root.name) + 1 :] if table is not root else ""


# --- The API's answers ---------------------------------------------------------------------------------------

#: The query parameter that picks a related table of a CSV answer (`?format=csv&table=sources`).
TABLE_PARAM = "table"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@functools.cache
def _cached_layout(serializer_class: type[Any], name: str) -> Table:
    return layout(serializer_class, name)


def view_layout(view: Any) -> Table | None:
    """The tables of a view's answers: its read serializer's, named after the resource (`targets`).

    A view names the serializer of an action's answer in `table_serializers` (`{"history": ...}`) or of all its
    answers in `table_serializer`; otherwise its serializer class counts.
    """
    action = getattr(view, "action", None)
    serializer_class = getattr(view, "table_serializers", {}).get(action) or getattr(view, "table_serializer", None)
    if serializer_class is None:
        get_class = getattr(view, "get_serializer_class", None)
        try:
            serializer_class = get_class() if get_class is not None else None
        except AssertionError:  # a view without a serializer
            return None
    if serializer_class is None:
        return None
    name = getattr(view, "table_name", "") or _plural(getattr(view, "basename", None) or "rows")
    if action not in (None, "list", "retrieve"):
        name = f"{name}.{action}"
    return _cached_layout(serializer_class, name)


def table_problem(view: Any, value: str) -> str | None:
    """Why `?table=value` cannot be answered by `view` (None when it can)."""
    root = view_layout(view)
    names = [relative_name(root, each) for each in root.walk()][1:] if root is not None else []
    if value in names:
        return None
    if not names:
        return _("This answer has one table: leave “table” out.")
    return _("“%(value)s” is not a table of this answer: choose one of %(names)s.") % {
        "value": value[:40],
        "names": ", ".join(names),
    }


# --- Files ----------------------------------------------------------------------------------------------------


def csv_bytes(columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> bytes:
    """A table as CSV: UTF-8 with a byte order mark, CRLF, a header row, cells safe from formula injection."""
    buffer = io.StringIO()
    write_csv(buffer, columns, rows)
    return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


def write_csv(stream: IO[str], columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> Any:
    """The header and `rows` written to `stream`; the CSV writer, for more rows later (the data package)."""
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    write_rows(writer, columns, rows)
    return writer


def write_rows(writer: Any, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> None:
    """Rows through a `csv.writer`: each cell as `text_cell` gives it, safe from formula injection."""
    for row in rows:
        writer.writerow([safe_cell(text_cell(column, value)) for column, value in zip(columns, row, strict=True)])


def _xlsx_cell(column: Column, value: Any) -> Any:
    if value is None:
        return None
    if column.type == "any":
        return safe_cell(text_cell(column, value))
    if column.type == "date" and isinstance(value, str):
        return dt.date.fromisoformat(value)
    if isinstance(value, str):
        return safe_cell(value)
    return value


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Column], Sequence[Sequence[Any]]]]) -> bytes:
    """A workbook with one sheet per table: a bold header row, dates as dates, text safe from formulas."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=_sheet_title(title))
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.name)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        dates = [index for index, column in enumerate(columns) if column.type == "date"]
        for row in rows:
            values = [_xlsx_cell(column, value) for column, value in zip(columns, row, strict=True)]
            if dates:
                cells: list[Any] = list(values)
                for index in dates:
                    if values[index] is not None:
                        cell = WriteOnlyCell(sheet, value=values[index])
                        cell.number_format = "yyyy-mm-dd"
                        cells[index] = cell
                sheet.append(cells)
            else:
                sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_title(name: str) -> str:
    """A sheet's title: at most 31 characters, none of `[]:*?/\\`."""
    cleaned = "".join("_" if char in "[]:*?/\\" else char for char in name)
    return cleaned[:31] or "rows"
