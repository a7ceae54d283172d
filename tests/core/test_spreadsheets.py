"""Spreadsheets: one rule against formula injection for every cell written, and the readers of uploads."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from core.spreadsheets import (
    Formula,
    SpreadsheetError,
    is_formula,
    read_rows,
    safe_cell,
    unquote_cell,
    write_csv,
    write_xlsx,
)


@pytest.mark.parametrize(
    "text",
    ["=1+1", "+SUM(A1:A2)", "-2+3", "@cmd", "\t=1", "\r=1", '=HYPERLINK("http://evil.example/","x")', "-", "+x"],
)
def test_text_that_would_run_as_a_formula_is_quoted_and_unquoted_back(text: str) -> None:
    assert is_formula(text)
    assert safe_cell(text) == "'" + text
    assert unquote_cell(safe_cell(text)) == text


@pytest.mark.parametrize("value", ["-5", "+3.5", "-0.25", "1e5", "-1.5E-3", ".5", "plain text", "", 42, -7.5, None])
def test_numbers_and_plain_text_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value
    if isinstance(value, str):
        assert unquote_cell(value) == value


def test_an_apostrophe_the_portal_did_not_add_stays() -> None:
    assert unquote_cell("'quoted by the author") == "'quoted by the author"


def test_csv_has_a_byte_order_mark_crlf_iso_dates_and_quoted_formulas() -> None:
    data = write_csv([["name", "day", "note"], ["Karachi", dt.date(2026, 1, 2), "=cmd"], ["لاہور", None, "-5"]])
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == "name,day,note\r\nKarachi,2026-01-02,'=cmd\r\nلاہور,,-5\r\n"


def test_a_written_workbook_reads_back_with_formulas_neutralised() -> None:
    data = write_xlsx([("rows", [["name", "day"], ["=cmd", dt.date(2026, 1, 2)]]), ("notes", [["a"]])])
    header, rows = read_rows(name="out.xlsx", data=data)
    assert header == ["name", "day"]
    [(line, cells)] = list(rows)
    assert line == 2 and cells[0] == "'=cmd" and not isinstance(cells[0], Formula)
    assert cells[1].date() == dt.date(2026, 1, 2)


def test_a_formula_in_a_workbook_is_read_as_a_formula() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["value"])
    workbook.active.append(["=1000*20"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _header, rows = read_rows(name="in.xlsx", data=buffer.getvalue())
    [(_line, [cell])] = list(rows)
    assert isinstance(cell, Formula) and cell == "=1000*20"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("figures.pdf", b"%PDF", "Upload a CSV (.csv) or Excel (.xlsx) file"),
        ("figures.xlsx", b"a,b\n", "is not an Excel workbook"),
        ("figures.csv", "a,b\n\u00e9,1\n".encode("latin-1"), "is not UTF-8 text"),
        ("figures.csv", "a,b\n".encode("utf-16"), "UTF-16"),
    ],
)
def test_an_unreadable_file_says_what_to_do(name: str, data: bytes, message: str) -> None:
    with pytest.raises(SpreadsheetError, match=re.escape(message)):
        _header, rows = read_rows(name=name, data=data)
        list(rows)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters_are_recognised(delimiter: str) -> None:
    header, rows = read_rows(name="in.csv", data=f"a{delimiter}b\r\n1{delimiter}2\r\n".encode())
    assert header == ["a", "b"] and list(rows) == [(2, ["1", "2"])]


def test_a_control_character_does_not_break_a_workbook() -> None:
    """openpyxl refuses the whole workbook for one U+0014 in a note: the cell loses what XML cannot carry."""
    data = write_xlsx([("figures", [["note"], ["Pasted\x14 from the PDF\tand a tab"]])])
    _header, rows = read_rows(name="figures.xlsx", data=data)
    assert [values for _number, values in rows] == [["Pasted from the PDF\tand a tab"]]
