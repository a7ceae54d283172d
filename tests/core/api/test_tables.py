"""Lossless CSV and XLSX (`core.api.tables`): the layout, the split, and a pandas round trip of every answer.

The round trip reads what a data desk downloads (the main CSV, each related
table the `Link` header names; or the one workbook) with pandas, joins the
tables back on their key columns in `position` order, and must get exactly
the JSON of the same request.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
from typing import Any

import pandas as pd
import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework import serializers
from rest_framework.test import APIClient

from core.api import tables
from core.spreadsheets import unquote_cell
from indicators import services as indicator_services
from pillars import services
from tests.changes.helpers import TODAY, build_mixed
from tests.factories import (
    EditorFactory,
    HubFactory,
    IncentiveFactory,
    MeasurementFactory,
    MilestoneEvidenceFactory,
    MilestoneFactory,
    PillarFactory,
    PolicyFactory,
    SourceFactory,
    SuperuserFactory,
    TargetFactory,
    TrajectoryPointFactory,
)

AS_OF = "2026-03-31"
FORMULA = '=HYPERLINK("http://evil.example/","x")'
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- Unit: layout and split ------------------------------------------------------------------------------------


class _Point(serializers.Serializer[Any]):
    date = serializers.DateField()
    value = serializers.FloatField()


class _Source(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    url = serializers.URLField()
    outlet = serializers.CharField()


class _Note(serializers.Serializer[Any]):
    """A note, with its points (a list under a list item without an id)."""

    text = serializers.CharField()
    points = _Point(many=True)


class _AnyValue(serializers.Field[Any, Any, Any, Any]):
    def to_representation(self, value: Any) -> Any:
        return value


class _Thing(serializers.Serializer[Any]):
    """A thing of the tests."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    done = serializers.BooleanField()
    due = serializers.DateField(allow_null=True)
    status = serializers.ChoiceField(choices=[("on_track", "On track"), ("late", "Late")])
    source = _Source(allow_null=True)
    points = _Point(many=True)
    notes = _Note(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    counts = serializers.DictField(child=serializers.IntegerField())
    old = _AnyValue()
    secret = serializers.CharField(write_only=True)


THINGS = [
    {
        "id": 7,
        "title": FORMULA,
        "done": True,
        "due": "2026-01-31",
        "status": "late",
        "source": {"id": 3, "url": "https://example.org/a", "outlet": "دی نیوز"},
        "points": [{"date": "2025-01-01", "value": 0.0}, {"date": "2025-12-31", "value": 200_000.5}],
        "notes": [
            {"text": "first", "points": [{"date": "2025-06-30", "value": 1.0}]},
            {"text": "second", "points": []},
        ],
        "tags": ["b", "a"],
        "counts": {"on_track": 2, "late": 0},
        "old": {"baseline": 0, "when": "2025-01-01"},
    },
    {
        "id": 8,
        "title": "",
        "done": False,
        "due": None,
        "status": "on_track",
        "source": None,
        "points": [],
        "notes": [],
        "tags": [],
        "counts": {},
        "old": "text",
    },
]


def _thing_layout() -> tables.Table:
    return tables.layout(_Thing, "things")


def test_the_layout_has_dotted_columns_and_related_tables_keyed_by_id_and_position() -> None:
    root = _thing_layout()
    assert [table.name for table in root.walk()] == [
        "things",
        "things.points",
        "things.notes",
        "things.notes.points",
        "things.tags",
        "things.counts",
    ]
    assert root.headers == [
        "id",
        "title",
        "done",
        "due",
        "status",
        "source.id",
        "source.url",
        "source.outlet",
        "old",
    ]  # no write-only field
    found = {table.name: table for table in root.walk()}
    assert found["things.points"].headers == ["thing_id", "position", "date", "value"]
    assert found["things.notes"].headers == ["thing_id", "position", "text"]
    assert found["things.notes.points"].headers == ["thing_id", "note_position", "position", "date", "value"]
    assert found["things.tags"].headers == ["thing_id", "position", "value"]
    assert found["things.counts"].headers == ["thing_id", "key", "value"]
    assert found["things.points"].parent_keys == ("thing_id",)
    assert [tables.relative_name(root, table) for table in root.walk()][1:] == [
        "points",
        "notes",
        "notes.points",
        "tags",
        "counts",
    ]


def test_split_gives_one_scalar_per_cell_and_positions_from_one() -> None:
    rows = tables.split(_thing_layout(), THINGS)
    assert rows["things"] == [
        [7, FORMULA, True, "2026-01-31", "late", 3, "https://example.org/a", "دی نیوز", THINGS[0]["old"]],
        [8, "", False, None, "on_track", None, None, None, "text"],  # a null object: all its columns empty
    ]
    assert rows["things.points"] == [[7, 1, "2025-01-01", 0.0], [7, 2, "2025-12-31", 200_000.5]]
    assert rows["things.notes"] == [[7, 1, "first"], [7, 2, "second"]]
    assert rows["things.notes.points"] == [[7, 1, 1, "2025-06-30", 1.0]]
    assert rows["things.tags"] == [[7, 1, "b"], [7, 2, "a"]]
    assert rows["things.counts"] == [[7, "on_track", 2], [7, "late", 0]]


def test_a_mapping_of_counts_per_status_is_a_table_of_status_and_count() -> None:
    from pillars.api.serializers import SummarySerializer

    root = tables.layout(SummarySerializer, "summary")
    found = {table.name: table for table in root.walk()}
    assert found["summary.rollup.targets"].headers == ["status", "count"]
    assert found["summary.pillars.rollup.milestones"].headers == ["pillar_slug", "status", "count"]
    assert found["summary.pillars"].headers[:3] == ["position", "slug", "number"]


def test_cells_are_text_json_text_or_empty() -> None:
    root = _thing_layout()
    columns = {column.name: column for column in tables.table_columns(root)}
    assert tables.text_cell(columns["old"], {"b": 1, "a": "ک"}) == '{"a": "ک", "b": 1}'
    assert tables.text_cell(columns["old"], "text") == '"text"'
    assert tables.text_cell(columns["old"], None) == ""
    assert tables.text_cell(columns["done"], False) == "false"
    assert tables.text_cell(columns["due"], dt.date(2026, 1, 31)) == "2026-01-31"
    body = tables.csv_bytes(tables.table_columns(root), tables.split(root, THINGS)["things"])
    assert body.startswith(b"\xef\xbb\xbfid,title,")
    lines = body.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith("7,\"'=HYPERLINK(") and lines[2].startswith("8,,false,,on_track,,,,")
    assert json.loads(next(csv.reader([lines[1]]))[-1]) == THINGS[0]["old"]


def test_the_table_schema_has_types_keys_and_constraints() -> None:
    root = _thing_layout()
    schema = root.schema()
    fields = {field["name"]: field for field in schema["fields"]}
    assert schema["primaryKey"] == ["id"]
    assert schema["missingValues"] == [""]
    assert fields["id"]["type"] == "integer" and fields["id"]["constraints"] == {"required": True}
    assert fields["done"]["type"] == "boolean"
    assert fields["due"] == {"name": "due", "type": "date"}  # nullable: not required
    assert fields["status"]["constraints"] == {"enum": ["on_track", "late"]}
    assert fields["source.url"]["format"] == "uri"
    assert "constraints" not in fields["source.id"]  # empty when the source is null
    assert fields["old"]["type"] == "string" and fields["old"]["description"].endswith("(JSON text)")
    found = {table.name: table for table in root.walk()}
    assert found["things.points"].schema()["primaryKey"] == ["thing_id", "position"]
    assert found["things.notes.points"].schema()["primaryKey"] == ["thing_id", "note_position", "position"]
    assert found["things.counts"].schema()["primaryKey"] == ["thing_id", "key"]
    assert found["things.tags"].schema()["fields"][-1] == {
        "name": "value",
        "type": "string",
    }


# --- Reading the files back with pandas ---------------------------------------------------------------------

_CSV_DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean"}


def _python(column: tables.Column, value: Any) -> Any:
    """A cell pandas read, as the JSON has it (None for an empty cell)."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    if column.type == "integer":
        return int(value)
    if column.type == "number":
        return float(value)
    if column.type == "boolean":
        return {"true": True, "false": False}[value] if isinstance(value, str) else bool(value)
    if column.type == "date" and isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    text = unquote_cell(str(value))
    return json.loads(text) if column.type == "any" else text


def read_csv(table: tables.Table, body: bytes) -> list[dict[str, Any]]:
    """A CSV table as rows, read by pandas with the dtypes its Table Schema types give."""
    columns = tables.table_columns(table)
    assert body.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(
        io.BytesIO(body),
        encoding="utf-8-sig",
        dtype={column.name: _CSV_DTYPES.get(column.type, "string") for column in columns},
        keep_default_na=False,
        na_values=[""],
        true_values=["true"],
        false_values=["false"],
    )
    assert list(frame.columns) == [column.name for column in columns]
    return _rows(columns, frame)


def _rows(columns: list[tables.Column], frame: pd.DataFrame) -> list[dict[str, Any]]:
    records = frame.astype(object).to_dict("records")
    return [{column.name: _python(column, record[column.name]) for column in columns} for record in records]


def _nest(columns: tuple[tables.Column, ...], row: dict[str, Any]) -> dict[str, Any]:
    """Dotted columns as nested objects; an object whose (optional) columns are all empty is null."""
    result: dict[str, Any] = {}
    for column in columns:
        value = row[column.name]
        if value is None and column.type == "string" and not column.nullable:
            value = ""  # an empty cell of a column that is never null is empty text
        node = result
        for part in column.path[:-1]:
            node = node.setdefault(part, {})
        node[column.path[-1]] = value
    for prefix in sorted({column.path[:-1] for column in columns if column.optional}, key=len, reverse=True):
        if not prefix:
            continue
        inner = [column for column in columns if column.path[: len(prefix)] == prefix]
        if all(row[column.name] is None for column in inner):
            node = result
            for part in prefix[:-1]:
                node = node[part]
            node[prefix[-1]] = None
    return result


def rebuild(root: tables.Table, read: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The JSON records again: each table's rows joined to their parent on the key columns, by `position`."""

    def children_of(child: tables.Table) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for row in read[child.name]:
            groups.setdefault(tuple(row[name] for name in child.parent_keys), []).append(row)
        if child.kind == "list":
            for rows in groups.values():
                rows.sort(key=lambda row: row["position"])
                assert [row["position"] for row in rows] == list(range(1, len(rows) + 1))
        return groups

    grouped = {child.name: children_of(child) for child in root.walk() if child is not root}

    def record(table: tables.Table, row: dict[str, Any]) -> dict[str, Any]:
        result = _nest(table.columns, row)
        reference = (row[table.own_key],) if table.own_key else tuple(row[column.name] for column in table.keys)
        for child in table.children:
            node: Any = result
            for part in child.path[:-1]:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                assert reference not in grouped[child.name], child.name  # rows under a null object
                continue
            rows = grouped[child.name].get(reference, [])
            value_name = child.columns[0].name if child.columns else ""
            if child.kind == "mapping":
                node[child.path[-1]] = {row[child.keys[-1].name]: row[value_name] for row in rows}
            elif child.scalar_items:
                node[child.path[-1]] = [row[value_name] for row in rows]
            else:
                assert child.kind == "list", child.kind
                node[child.path[-1]] = [record(child, row) for row in rows]
        return result

    return [record(root, row) for row in read[root.name]]


def differences(left: Any, right: Any, path: str = "", *, digits: bool = False) -> list[str]:
    """Where two JSON documents differ; with `digits`, numbers equal to 15 significant digits are equal."""
    if isinstance(left, dict) and isinstance(right, dict):
        found = [f"{path}.{key}: on one side only" for key in sorted(set(left) ^ set(right))]
        for key in left.keys() & right.keys():
            found += differences(left[key], right[key], f"{path}.{key}", digits=digits)
        return found
    if isinstance(left, list) and isinstance(right, list) and len(left) == len(right):
        return [
            found
            for i, (a, b) in enumerate(zip(left, right, strict=True))
            for found in differences(a, b, f"{path}[{i}]", digits=digits)
        ]
    if digits and isinstance(left, float) and isinstance(right, int | float) and not isinstance(right, bool):
        return [] if math.isclose(left, right, rel_tol=1e-15) else [f"{path}: {left!r} != {right!r}"]
    return [] if left == right else [f"{path}: {left!r} != {right!r}"]


def _records(data: Any) -> list[dict[str, Any]]:
    return list(data["results"]) if isinstance(data, dict) and "results" in data else [data]


def _links(response: Any) -> dict[str, str]:
    """The related tables a CSV answer's `Link` header names: `?table=` name to address."""
    found = re.findall(r'<([^>]+)>; rel="related"; title="([^"]+)"', response.get("Link", ""))
    return {title: address for address, title in found}


def csv_round_trip(api: APIClient, path: str, params: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The JSON of `path`, and what pandas rebuilds from its CSV tables."""
    expected = api.get(path, params, HTTP_ACCEPT="application/json")
    assert expected.status_code == 200, expected.content
    main = api.get(path, {**params, "format": "csv"})
    assert main.status_code == 200, main.content
    assert main["Content-Type"] == "text/csv; charset=utf-8"
    root = _layout_of(path)
    related = [table for table in root.walk() if table is not root]
    links = _links(main)
    assert list(links) == [tables.relative_name(root, table) for table in related]
    read = {root.name: read_csv(root, main.content)}
    for table in related:
        answer = api.get(links[tables.relative_name(root, table)])
        assert answer.status_code == 200, answer.content
        assert answer["Content-Disposition"] == f'inline; filename="{table.name}.csv"'
        read[table.name] = read_csv(table, answer.content)
    return _records(expected.json()), rebuild(root, read)


def xlsx_round_trip(api: APIClient, path: str, params: dict[str, Any]) -> tuple[Any, list[dict[str, Any]]]:
    """The JSON of `path`, and what pandas rebuilds from its workbook."""
    expected = api.get(path, params, HTTP_ACCEPT="application/json")
    answer = api.get(path, {**params, "format": "xlsx"})
    assert answer.status_code == 200, answer.content
    assert answer["Content-Type"] == XLSX
    root = _layout_of(path)
    assert answer["Content-Disposition"] == f'attachment; filename="{root.name}.xlsx"'
    sheets = pd.read_excel(io.BytesIO(answer.content), sheet_name=None)
    titles = [tables.relative_name(root, table) or root.name for table in root.walk()]
    assert list(sheets) == titles
    read = {}
    for table, title in zip(root.walk(), titles, strict=True):
        frame = sheets[title]
        columns = tables.table_columns(table)
        assert list(frame.columns) == [column.name for column in columns]
        read[table.name] = _rows(columns, frame)
    return _records(expected.json()), rebuild(root, read)


def _layout_of(path: str) -> tables.Table:
    """The layout the view of `path` answers with (resolved as the API resolves it)."""
    from django.urls import resolve

    match = resolve(path.split("?")[0])
    view_class = match.func.cls  # type: ignore[attr-defined]
    view = view_class()
    actions = getattr(match.func, "actions", None)
    view.action = actions["get"] if actions else None
    view.basename = getattr(match.func, "initkwargs", {}).get("basename")
    layout = tables.view_layout(view)
    assert layout is not None
    return layout


# --- The data ---------------------------------------------------------------------------------------------------


@pytest.fixture
def data(db: None) -> dict[str, Any]:
    """Every shape the answers take: several sources, points, hubs and evidence, re-baselines (with and without
    a source), illustrative figures, changes of every kind, Urdu text, a title that is a formula, snapshots."""
    editor, superuser = EditorFactory(), SuperuserFactory()
    mixed = build_mixed(editor, superuser)
    pillar = mixed.first
    pillar.aliases = ["بنیادیں", "Foundations"]
    pillar.name = "بنیادی ڈھانچہ"
    pillar.save()
    lahore = HubFactory(slug="lahore", name="Lahore", name_ur="لاہور")
    karachi = HubFactory(slug="karachi", name="Karachi", name_ur="کراچی")
    first, second = SourceFactory(outlet="ڈان"), SourceFactory(title=FORMULA, outlet="")
    pillar.sources.set([first, second])
    lahore.sources.set([second])
    target = mixed.target
    target.title = FORMULA
    target.description = "تربیت: دس لاکھ لوگ"
    target.save()
    target.hubs.set([lahore, karachi])
    target.sources.set([first, second])
    TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 30), value=60_000.5)
    TrajectoryPointFactory(target=target, date=dt.date(2025, 9, 30), value=150_000)
    MeasurementFactory(target=target, date=dt.date(2026, 1, 15), value=90_000, illustrative=True, note="=1+1")
    MeasurementFactory(target=target, date=dt.date(2025, 12, 1), value=70_000, note="سرکاری اعداد")
    milestone = mixed.milestone
    milestone.hubs.set([karachi, lahore])
    milestone.sources.set([second])
    MilestoneEvidenceFactory(milestone=milestone, source=first, summary="آڈٹ رپورٹ")
    MilestoneEvidenceFactory(
        milestone=milestone,
        date=dt.date(2026, 1, 5),
        source=None,
        kind="forecast",
        document=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 audit"),
    )
    services.milestone_rebaseline(
        milestone=milestone,
        due_date=dt.date(2026, 12, 31),
        reason="=SUM(A1) again",
        user=superuser,
        decided_on=TODAY,
        source_url="https://news.example.org/council",
        today=TODAY,
    )
    incentive = mixed.incentive
    incentive.hubs.set([lahore])
    incentive.sources.set([first, second])
    IncentiveFactory(slug="empty", name="خالی")
    MilestoneFactory(policy=PolicyFactory(), pillar=None, code="m-none")  # no pillar, no evidence
    TargetFactory(policy=target.policy, pillar=None, code="t-none")
    for day in ("2026-01-31", "2026-02-28", AS_OF):
        indicator_services.indicators_recompute(as_of=dt.date.fromisoformat(day))
    return {"target": target, "milestone": milestone, "pillar": pillar, "hub": lahore, "incentive": incentive}


def _paths(data: dict[str, Any]) -> dict[str, str]:
    return {
        "pillars": "/api/v1/pillars/",
        "targets": "/api/v1/targets/",
        "measurements": "/api/v1/measurements/",
        "milestones": "/api/v1/milestones/",
        "incentives": "/api/v1/incentives/",
        "hubs": "/api/v1/hubs/",
        "changes": "/api/v1/changes/",
        "target": f"/api/v1/targets/{data['target'].pk}/",
        "milestone": f"/api/v1/milestones/{data['milestone'].pk}/",
        "pillar": f"/api/v1/pillars/{data['pillar'].slug}/",
        "target history": f"/api/v1/targets/{data['target'].pk}/history/",
        "milestone history": f"/api/v1/milestones/{data['milestone'].pk}/history/",
        "summary": "/api/v1/dashboard/summary/",
    }


ANSWERS = [
    "pillars",
    "targets",
    "measurements",
    "milestones",
    "incentives",
    "hubs",
    "changes",
    "target",
    "milestone",
    "pillar",
    "target history",
    "milestone history",
    "summary",
]


def test_every_answer_is_round_tripped() -> None:
    assert list(_paths({name: _Ref() for name in ("target", "milestone", "pillar")})) == ANSWERS


class _Ref:
    pk = slug = 1


def _params(name: str) -> dict[str, Any]:
    params: dict[str, Any] = {"as_of": AS_OF}
    if name in ("measurements", "changes", "target history"):
        params["basis"] = "illustrative"  # the made-up figures too
    if name == "changes":
        del params["as_of"]  # the record of changes is as of now
    if name == "summary":
        params |= {"due_from": "2025-01-01", "due_to": "2027-12-31"}
    return params


# --- The round trips ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ANSWERS)
def test_the_csv_tables_joined_by_pandas_are_the_json(api: APIClient, data: dict[str, Any], name: str) -> None:
    expected, rebuilt = csv_round_trip(api, _paths(data)[name], _params(name))
    assert expected, "no rows to compare"
    assert rebuilt == expected, differences(rebuilt, expected)


@pytest.mark.parametrize("name", ANSWERS)
def test_the_xlsx_sheets_joined_by_pandas_are_the_json(api: APIClient, data: dict[str, Any], name: str) -> None:
    """The same, except that a workbook keeps 16 significant digits of a number (Excel shows 15)."""
    expected, rebuilt = xlsx_round_trip(api, _paths(data)[name], _params(name))
    assert not differences(rebuilt, expected, digits=True)


def test_the_data_has_what_the_round_trip_must_carry(api: APIClient, data: dict[str, Any]) -> None:
    """The round trips above are only as good as their data: it holds every shape that could be lost."""
    paths = _paths(data)
    target = api.get(paths["target"], {"as_of": AS_OF}, HTTP_ACCEPT="application/json").json()
    assert target["title"] == FORMULA and len(target["sources"]) == 2 and len(target["trajectory"]) >= 2
    assert len(target["hubs"]) == 2 and target["rebaselines"] and target["rebaselines"][0]["source"] is not None
    milestone = api.get(paths["milestone"], {"as_of": AS_OF}, HTTP_ACCEPT="application/json").json()
    assert len(milestone["evidence"]) >= 2 and {e["source"] is None for e in milestone["evidence"]} == {True, False}
    assert {r["source"] is None for r in milestone["rebaselines"]} == {True, False}
    assert any(e["document"] for e in milestone["evidence"])
    figures = api.get(paths["measurements"], {"basis": "illustrative"}, HTTP_ACCEPT="application/json").json()
    assert any(row["illustrative"] for row in figures["results"])
    changes = api.get(paths["changes"], {"basis": "illustrative"}, HTTP_ACCEPT="application/json").json()
    assert any(isinstance(row["old"], dict) for row in changes["results"])
    assert any(row["figure"] is None for row in changes["results"])
    history = api.get(paths["target history"], {"basis": "illustrative"}, HTTP_ACCEPT="application/json").json()
    assert len(history["snapshots"]) >= 2 and len(history["measurements"]) >= 3
    main = api.get(paths["targets"], {"as_of": AS_OF, "format": "csv"}).content.decode("utf-8-sig")
    assert f'"\'{FORMULA.replace(chr(34), chr(34) * 2)}"' in main  # behind an apostrophe in the file
    assert "تربیت" in main


# --- Headers, errors, the workbook ---------------------------------------------------------------------------


def test_a_csv_answer_has_a_bom_crlf_and_links_to_its_related_tables(api: APIClient, data: dict[str, Any]) -> None:
    response = api.get("/api/v1/targets/", {"as_of": AS_OF, "format": "csv", "ordering": "code"})
    assert response.content.startswith(b"\xef\xbb\xbfid,code,title,")
    assert response.content.count(b"\r\n") == response.content.count(b"\n")
    assert response["Content-Disposition"] == 'inline; filename="targets.csv"'
    links = _links(response)
    assert list(links) == ["trajectory", "hubs", "sources", "rebaselines"]
    assert links["sources"] == (
        "http://testserver/api/v1/targets/?as_of=2026-03-31&format=csv&ordering=code&table=sources"
    )
    assert all(part.endswith('"') for part in response["Link"].split(", "))
    sources = api.get(links["sources"])
    assert sources.content.startswith(b"\xef\xbb\xbftarget_id,position,id,url,title,")
    assert _links(sources) == links  # every table of the answer links to all of them
    assert not _links(api.get("/api/v1/measurements/", {"format": "csv"}))  # one table


def test_a_related_table_is_asked_for_by_its_name_and_also_by_accept(api: APIClient, data: dict[str, Any]) -> None:
    response = api.get(
        "/api/v1/dashboard/summary/", {"as_of": AS_OF, "table": "pillars.rollup.targets"}, HTTP_ACCEPT="text/csv"
    )
    assert response.status_code == 200
    header, *rows = response.content.decode("utf-8-sig").splitlines()
    assert header == "pillar_slug,status,count"
    assert len({row.split(",")[0] for row in rows}) == 2  # both pillars, one row per status


@pytest.mark.parametrize("media", ["csv", "xlsx"])
def test_an_unknown_table_is_a_400_in_json_naming_the_tables(api: APIClient, db: None, media: str) -> None:
    response = api.get("/api/v1/targets/", {"format": media, "table": "points"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    (message,) = response.json()["table"]
    assert message == "“points” is not a table of this answer: choose one of trajectory, hubs, sources, rebaselines."


def test_a_table_of_an_answer_with_one_table_is_a_400(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/measurements/", {"format": "csv", "table": "sources"})
    assert response.status_code == 400
    assert response.json() == {"table": ["This answer has one table: leave “table” out."]}


def test_a_table_given_twice_is_a_400(api: APIClient, db: None) -> None:
    response = api.get("/api/v1/targets/?format=csv&table=hubs&table=sources")
    assert response.status_code == 400
    assert list(response.json()) == ["table"]


def test_json_ignores_the_table_parameter(api: APIClient, db: None) -> None:
    assert api.get("/api/v1/targets/", {"table": "points"}, HTTP_ACCEPT="application/json").status_code == 200


def test_an_error_as_xlsx_or_csv_keeps_its_words(api: APIClient, db: None) -> None:
    csv_error = api.get("/api/v1/targets/", {"format": "csv", "as_of": "tomorrow"})
    assert csv_error.status_code == 400 and b"as_of" in csv_error.content.splitlines()[0]
    xlsx_error = api.get("/api/v1/targets/999999/", {"format": "xlsx"})
    assert xlsx_error.status_code == 404
    sheets = pd.read_excel(io.BytesIO(xlsx_error.content), sheet_name=None)
    assert list(sheets) == ["errors"] and list(sheets["errors"].columns) == ["detail"]


def test_the_workbook_has_a_bold_header_dates_as_dates_and_no_formula(api: APIClient, data: dict[str, Any]) -> None:
    from openpyxl import load_workbook

    response = api.get("/api/v1/targets/", {"as_of": AS_OF, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["targets", "trajectory", "hubs", "sources", "rebaselines"]
    sheet = workbook["targets"]
    header = [cell.value for cell in sheet[1]]
    assert sheet["A1"].font.bold
    date_column = header.index("baseline_date") + 1
    assert isinstance(sheet.cell(row=2, column=date_column).value, dt.datetime)
    assert sheet.cell(row=2, column=date_column).number_format == "yyyy-mm-dd"
    titles = [row[header.index("title")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert f"'{FORMULA}" in titles
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)


def test_sheet_titles_fit_excel() -> None:
    assert tables._sheet_title("pillars.rollup.milestones/[x]:*?") == "pillars.rollup.milestones__x___"
    assert len(tables._sheet_title("a" * 40)) == 31


# --- Query counts -------------------------------------------------------------------------------------------


def _add(policy: Any, pillars: list[Any], hubs: list[Any], count: int, start: int) -> None:
    for i in range(start, start + count):
        target = TargetFactory(policy=policy, pillar=pillars[i % 2], code=f"bulk-{i:03d}")
        target.hubs.set(hubs)
        target.sources.set([SourceFactory(), SourceFactory()])
        MeasurementFactory(target=target, date=dt.date(2026, 1, 1), value=1_000 * (i + 1))
        TrajectoryPointFactory(target=target, date=dt.date(2025, 6, 30), value=90_000)
        milestone = MilestoneFactory(policy=policy, pillar=pillars[i % 2], code=f"bulk-m-{i:03d}", target=target)
        milestone.hubs.set(hubs)
        MilestoneEvidenceFactory(milestone=milestone)
        IncentiveFactory(pillar=pillars[i % 2]).sources.set([SourceFactory()])


LIST_PATHS = [
    "/api/v1/pillars/",
    "/api/v1/targets/",
    "/api/v1/targets/?table=sources",
    "/api/v1/measurements/",
    "/api/v1/milestones/",
    "/api/v1/milestones/?table=evidence",
    "/api/v1/incentives/",
    "/api/v1/hubs/",
    "/api/v1/changes/",
    "/api/v1/dashboard/summary/?table=pillars.rollup.targets",
]


@pytest.mark.parametrize(
    ("media", "path"),
    [("csv", path) for path in LIST_PATHS]
    + [("xlsx", path) for path in LIST_PATHS if "table=" not in path],  # a workbook has every table
)
def test_the_queries_of_a_csv_or_xlsx_list_do_not_grow_with_the_data(
    db: None,
    api: APIClient,
    django_assert_num_queries: Any,
    django_assert_max_num_queries: Any,
    path: str,
    media: str,
) -> None:
    policy = PolicyFactory()
    pillars = [PillarFactory(policy=policy), PillarFactory(policy=policy)]
    hubs = [HubFactory(), HubFactory()]
    url = f"{path}{'&' if '?' in path else '?'}format={media}&as_of={AS_OF}"
    _add(policy, pillars, hubs, 2, 0)
    indicator_services.indicators_recompute(as_of=dt.date.fromisoformat(AS_OF))
    api.get(url)  # warm-up: nothing lazily cached counts
    with django_assert_max_num_queries(100) as small:
        assert api.get(url).status_code == 200
    count = len(small)  # before the next request empties the log
    _add(policy, pillars, hubs, 8, 2)  # five times the rows
    indicator_services.indicators_recompute(as_of=dt.date.fromisoformat(AS_OF))
    cache.clear()
    api.get(url)
    with django_assert_num_queries(count):
        response = api.get(url)
    assert response.status_code == 200
