"""The as-of date: one parser, the same rules and messages for pages and the API."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from core.asof import DATE_PATTERN, EARLIEST_DATE, LATEST_DATE, ParameterError, as_of_from_query, parse_date


@pytest.mark.parametrize("raw", [None, ""])
def test_an_absent_date_is_none(raw: str | None) -> None:
    assert parse_date(raw, name="due_from") is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2025-07-15", dt.date(2025, 7, 15)), (EARLIEST_DATE.isoformat(), EARLIEST_DATE), ("2100-12-31", LATEST_DATE)],
)
def test_iso_dates_in_range_are_read(raw: str, expected: dt.date) -> None:
    assert parse_date(raw, name="as_of") == expected


@pytest.mark.parametrize(
    "raw",
    ["20250715", "2025-W29-2", "2025W292", "2025-7-5", " 2025-07-15", "2025-07-15\n", "\u0662\u0660\u0662\u0665-07-15"],
)
def test_only_yyyy_mm_dd_is_a_date(raw: str) -> None:
    # `date.fromisoformat` reads the basic and week formats too (and the schema says `format: date`).
    with pytest.raises(ParameterError) as refused:
        parse_date(raw, name="as_of")
    assert refused.value.message == f"“{raw}” is not a date: write the as-of date as YYYY-MM-DD."


@pytest.mark.parametrize(
    "raw", ["1999-12-31", "2000-01-01", "2025-02-28", "2025-12-31", "2099-09-30", "2100-12-31", "2101-01-01"]
)
def test_the_schemas_date_pattern_admits_exactly_the_range(raw: str) -> None:
    value = dt.date.fromisoformat(raw)
    assert bool(re.fullmatch(DATE_PATTERN, raw)) is (EARLIEST_DATE <= value <= LATEST_DATE)


@pytest.mark.parametrize(
    ("raw", "name", "message"),
    [
        ("soon", "as_of", "“soon” is not a date: write the as-of date as YYYY-MM-DD."),
        ("15/07/2025", "due_from", "“15/07/2025” is not a date: write it as YYYY-MM-DD."),
        ("1999-12-31", "as_of", "Choose an as-of date between 2000-01-01 and 2100-12-31."),
        ("2101-01-01", "due_to", "Choose a date between 2000-01-01 and 2100-12-31."),
        ("x" * 500, "as_of", "“" + "x" * 40 + "” is not a date: write the as-of date as YYYY-MM-DD."),
    ],
)
def test_a_bad_date_names_itself_and_says_what_to_write(raw: str, name: str, message: str) -> None:
    with pytest.raises(ParameterError) as refused:
        parse_date(raw, name=name)
    assert (refused.value.name, refused.value.message) == (name, message)


def test_the_default_is_today_and_not_explicit() -> None:
    today = timezone.localdate()
    as_of = as_of_from_query({})
    assert (as_of.date, as_of.today, as_of.explicit, as_of.query) == (today, today, False, "")
    assert not as_of_from_query({"as_of": today.isoformat()}).explicit  # today, asked for, is still today
    past = as_of_from_query({"as_of": "2025-07-15"})
    assert (past.date, past.explicit, past.query) == (dt.date(2025, 7, 15), True, "?as_of=2025-07-15")


@pytest.mark.django_db
def test_pages_and_the_api_refuse_the_same_date_with_the_same_message() -> None:
    page = Client().get("/targets/", {"as_of": "1999-01-01"})
    api = APIClient().get("/api/v1/targets/", {"as_of": "1999-01-01"}, HTTP_ACCEPT="application/json")
    message = "Choose an as-of date between 2000-01-01 and 2100-12-31."
    assert page.status_code == api.status_code == 400
    assert message in page.content.decode()
    assert api.json() == {"as_of": [message]}
