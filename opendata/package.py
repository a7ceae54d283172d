"""The bulk data package: every table of the portal as of one date, as a Frictionless Data Package in a zip.

`write` reads each resource of `opendata.catalogue` a chunk at a time,
splits the rows into the resource's tables (`core.api.tables.split`) and
appends them to one CSV per table (UTF-8 with a byte order mark, like the
API's CSV), then writes `datapackage.json`: a Table Schema per table (types,
descriptions, primary keys, foreign keys to the parent table and to the
other resources), the licence and the policy's sources. Memory stays bounded
by one chunk, whatever the number of targets.

Written by hand rather than through frictionless-py: the zip and the JSON are
plain files, and the portal need not carry that library (and its dozen
dependencies) at run time; CI checks every package it builds with
`frictionless validate` (tests/opendata/test_package.py).
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import json
import tempfile
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from django.conf import settings

from core.api import tables
from sources.models import Source

from . import catalogue

LICENCE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
DESCRIPTOR = "datapackage.json"


def _foreign_keys(table: tables.Table, ancestors: list[tables.Table]) -> list[dict[str, Any]]:
    keys: list[dict[str, Any]] = []
    for parent_key in table.parent_keys:
        for ancestor in reversed(ancestors):
            if ancestor.own_key and parent_key == f"{tables.entity(ancestor.name)}_{ancestor.own_key}":
                keys.append(
                    {"fields": [parent_key], "reference": {"resource": ancestor.name, "fields": [ancestor.own_key]}}
                )
                break
    headers = set(table.headers)
    for (name, column), (other, other_column) in catalogue.REFERENCES.items():
        if name == table.name and column in headers:
            keys.append({"fields": [column], "reference": {"resource": other, "fields": [other_column]}})
    # A cited source, wherever it appears (a list of sources, or the `source` of evidence and re-baselines).
    if table.name.endswith(".sources") and "id" in headers:
        keys.append({"fields": ["id"], "reference": {"resource": "sources", "fields": ["id"]}})
    if "source.id" in headers:
        keys.append({"fields": ["source.id"], "reference": {"resource": "sources", "fields": ["id"]}})
    return keys


def _walk_with_ancestors(root: tables.Table) -> list[tuple[tables.Table, list[tables.Table]]]:
    found: list[tuple[tables.Table, list[tables.Table]]] = []

    def visit(table: tables.Table, ancestors: list[tables.Table]) -> None:
        found.append((table, ancestors))
        for child in table.children:
            visit(child, [*ancestors, table])

    visit(root, [])
    return found


def table_path(table: tables.Table) -> str:
    return f"data/{table.name}.csv"


def descriptor(*, as_of: dt.date, built_at: dt.datetime, sources: list[dict[str, str]]) -> dict[str, Any]:
    """`datapackage.json` of a package as of `as_of`."""
    resources = []
    for resource in catalogue.RESOURCES:
        for table, ancestors in _walk_with_ancestors(resource.layout):
            schema = table.schema()
            foreign_keys = _foreign_keys(table, ancestors)
            if foreign_keys:
                schema["foreignKeys"] = foreign_keys
            resources.append(
                {
                    "name": table.name,
                    "title": resource.title if table is resource.layout else f"{resource.title}: {table.name}",
                    "description": table.description,
                    "path": table_path(table),
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "schema": schema,
                }
            )
    return {
        "profile": "tabular-data-package",
        "name": f"pakistan-national-ai-policy-{as_of.isoformat()}",
        "title": f"Pakistan's National AI Policy 2025: implementation as of {as_of.isoformat()}",
        "description": (
            "The pillars, targets, milestones, incentives and hubs of the policy with their slip indicators as of "
            f"{as_of.isoformat()}, on the reported basis (figures made up for a demonstration never count; they are "
            "in `measurements` with `illustrative` true). The indicators are defined in the portal's methodology. "
            "Every figure cites its sources."
        ),
        "version": as_of.isoformat(),
        "created": built_at.isoformat(timespec="seconds"),
        "homepage": settings.PORTAL_BASE_URL or "",
        "licenses": [LICENCE],
        "sources": sources,
        "keywords": ["Pakistan", "artificial intelligence", "public policy", "implementation", "slip"],
        "resources": resources,
    }


def _source_list() -> list[dict[str, str]]:
    return [{"title": source.title or source.url, "path": source.url} for source in Source.objects.order_by("pk")]


def write(*, as_of: dt.date, destination: Path, built_at: dt.datetime, context: Mapping[str, Any]) -> tuple[int, str]:
    """Build the package of `as_of` into the zip `destination`; its size and SHA-256."""
    with tempfile.TemporaryDirectory(prefix="datapackage-", dir=destination.parent) as workdir:
        directory = Path(workdir)
        files: dict[str, IO[str]] = {}
        writers: dict[str, Any] = {}
        try:
            for resource in catalogue.RESOURCES:
                layout = resource.layout
                columns = {table.name: tables.table_columns(table) for table in layout.walk()}
                for table in layout.walk():
                    path = directory / table_path(table)
                    path.parent.mkdir(parents=True, exist_ok=True)
                    stream: IO[str] = path.open("w", encoding="utf-8", newline="")
                    files[table.name] = stream
                    stream.write(codecs.BOM_UTF8.decode("utf-8"))
                    writers[table.name] = tables.write_csv(stream, columns[table.name], [])
                for records in resource.rows(as_of, context):
                    for name, rows in tables.split(layout, records).items():
                        tables.write_rows(writers[name], columns[name], rows)
        finally:
            for stream in files.values():
                stream.close()
        meta = descriptor(as_of=as_of, built_at=built_at, sources=_source_list())
        (directory / DESCRIPTOR).write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
        partial = destination.with_suffix(".zip.partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(directory / DESCRIPTOR, DESCRIPTOR)
            for resource in meta["resources"]:
                archive.write(directory / resource["path"], resource["path"])
        partial.replace(destination)  # readers see the old file or the new one, never half of one
    digest = hashlib.sha256()
    with destination.open("rb") as built:
        for block in iter(lambda: built.read(1 << 20), b""):
            digest.update(block)
    return destination.stat().st_size, digest.hexdigest()
