"""Opening uploaded workbooks within limits: each check on a small file that trips it (lowered limits)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import Workbook

from core import xlsxcheck
from core.spreadsheets import SpreadsheetError, read_rows
from core.xlsxcheck import WorkbookLimits, WorkbookRefused, open_workbook

SHEET = "xl/worksheets/sheet1.xml"
LIMITS = WorkbookLimits(rows=50, cells=500, unzipped_bytes=1 << 20, text_bytes=200_000)


def workbook(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["code", "value"])
    for i in range(rows):
        sheet.append([f"item-{i}", i])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(content: bytes, parts: dict[str, bytes | Callable[[str], str]], *, stored: bool = False) -> bytes:
    output = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(output, "w", method) as out:
        names = source.namelist()
        for name in [*names, *(n for n in parts if n not in names)]:
            data = source.read(name) if name in names else b""
            new = parts.get(name, data)
            out.writestr(name, new(data.decode()).encode() if callable(new) else new)
    return output.getvalue()


def in_sheet_data(xml: str) -> Callable[[str], str]:
    return lambda sheet: sheet.replace("</sheetData>", xml + "</sheetData>")


def read(content: bytes, limits: WorkbookLimits = LIMITS) -> list[list[object]]:
    book = open_workbook(content, limits)
    sheet = book.worksheets[0]
    sheet.reset_dimensions()
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_a_workbook_within_the_limits_is_read() -> None:
    assert read(workbook(3)) == [["code", "value"], ["item-0", 0], ["item-1", 1], ["item-2", 2]]


def test_too_many_members_are_refused_before_zipfile_reads_the_directory() -> None:
    content = rezip(workbook(), {f"x/{i}": b"" for i in range(xlsxcheck.MAX_MEMBERS + 1)})
    with pytest.raises(WorkbookRefused, match="more than 1,000 parts"):
        open_workbook(content, LIMITS)


def test_what_the_parts_unpack_to_is_limited() -> None:
    content = rezip(workbook(), {"xl/media/padding.bin": b"\0" * (1 << 20)})
    with pytest.raises(WorkbookRefused, match=r"unpacks to 1 MB; the most an import takes is 1 MB"):
        open_workbook(content, LIMITS)


def test_a_part_packing_more_than_a_hundred_to_one_is_refused() -> None:
    content = rezip(workbook(), {SHEET: in_sheet_data("<row/>" * 200_000)})  # 1.2 MB, packed about 1,000 to one
    with pytest.raises(WorkbookRefused, match="refused as a possible zip bomb"):
        open_workbook(content, WorkbookLimits(rows=50, cells=500, unzipped_bytes=10 << 20))


def test_a_part_read_whole_is_small() -> None:
    styles = "xl/styles.xml"
    content = rezip(workbook(), {styles: lambda xml: xml + " " * xlsxcheck.MAX_TREE_PART_BYTES}, stored=True)
    with pytest.raises(WorkbookRefused, match=re.escape("“xl/styles.xml” of the workbook is over 2 MB")):
        open_workbook(content, WorkbookLimits(rows=50, cells=500, unzipped_bytes=10 << 20))


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ("<row/>" * 1_101, "The file has more than 50 rows"),  # 2 x 50 + 1,000 row records
        ("<row>" + "<c/>" * 501 + "</row>", "The sheet has more than 500 cells"),
        ("<foo/>" * (xlsxcheck.MAX_HELD_ELEMENTS + 1), "over 100,000 elements outside the rows"),
        ('<row><c t="inlineStr"><is>' + "<r/>" * 100_001 + "</is></c></row>", "over 100,000 elements"),
        (
            '<foo a="' + "x" * 1_100_000 + '"/>',
            "a single tag or text is over 1 MB",
        ),
        ('<row><c r="A1" t="inlineStr"><is><t>' + "\U0001f600" * 50_001 + "</t></is></c></row>", "MB of text"),
    ],
)
def test_a_sheet_is_counted_as_openpyxl_reads_it(xml: str, message: str) -> None:
    limits = WorkbookLimits(rows=50, cells=500, unzipped_bytes=10 << 20, text_bytes=200_000)
    content = rezip(workbook(), {SHEET: in_sheet_data(xml)}, stored=True)  # stored: no ratio check in the way
    with pytest.raises(WorkbookRefused, match=re.escape(message)):
        read(content, limits)


def test_a_row_wider_than_excel_allows_is_refused() -> None:
    limits = WorkbookLimits(rows=50, cells=100_000, unzipped_bytes=10 << 20)
    content = rezip(workbook(), {SHEET: in_sheet_data("<row>" + "<c/>" * 16_385 + "</row>")}, stored=True)
    with pytest.raises(WorkbookRefused, match="a row has more than 16,384 cells, more than Excel allows"):
        read(content, limits)


def test_a_sheet_without_a_dimension_is_counted_while_openpyxl_looks_for_one() -> None:
    """openpyxl reads a sheet without <dimension> to its end at load: the counting refuses it there."""
    no_dimension = rezip(workbook(), {SHEET: lambda xml: re.sub(r"<dimension [^>]*>", "", xml)})
    content = rezip(no_dimension, {SHEET: in_sheet_data("<row/>" * 1_101)}, stored=True)
    with pytest.raises(WorkbookRefused, match="The file has more than 50 rows"):
        open_workbook(content, LIMITS)  # refused while loading, before any row is asked for


def test_shared_strings_are_counted_with_what_each_costs() -> None:
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    types = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
    table = f"<sst {ns}>" + "<si><t>a</t></si>" * 501 + "</sst>"
    content = rezip(
        workbook(),
        {
            "xl/sharedStrings.xml": table.encode(),
            "[Content_Types].xml": lambda xml: xml.replace(
                "</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{types}"/></Types>'
            ),
        },
    )
    with pytest.raises(WorkbookRefused, match="more than 500 strings"):
        open_workbook(content, LIMITS)
    with pytest.raises(WorkbookRefused, match="MB of text"):  # 501 x 160 bytes held, over 50,000
        open_workbook(content, WorkbookLimits(rows=50, cells=1_000, unzipped_bytes=1 << 20, text_bytes=50_000))


def test_a_document_type_declaration_is_refused() -> None:
    content = rezip(workbook(), {SHEET: lambda xml: '<!DOCTYPE x [<!ENTITY a "aaaa">]>' + xml})
    with pytest.raises(WorkbookRefused, match="a document type declaration"):
        read(content)


def test_the_limits_reach_the_reader_as_a_spreadsheet_error() -> None:
    content = rezip(workbook(), {SHEET: in_sheet_data("<row>" + "<c/>" * 501 + "</row>")})
    with pytest.raises(SpreadsheetError, match="The sheet has more than 500 cells"):
        _header, rows = read_rows(name="in.xlsx", data=content, limits=LIMITS)
        list(rows)


def test_a_stale_dimension_does_not_hide_the_rows() -> None:
    stale = rezip(workbook(3), {SHEET: lambda xml: re.sub(r'<dimension ref="[^"]*" ?/>', '<dimension ref="A1"/>', xml)})
    header, rows = read_rows(name="in.xlsx", data=stale)
    assert header == ["code", "value"]
    assert list(rows) == [(2, ["item-0", 0]), (3, ["item-1", 1]), (4, ["item-2", 2])]
