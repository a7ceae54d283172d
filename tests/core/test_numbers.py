"""`core.numbers`: figures in either grouping (160,000 and 1,60,000), in any of the three digits; clear refusals."""

from __future__ import annotations

import pytest

from core.numbers import NumberProblem, plain, read_number


@pytest.mark.parametrize(
    ("text", "value", "grouping"),
    [
        ("160000", 160_000, "plain"),
        ("160,000", 160_000, "thousands"),
        ("1,60,000", 160_000, "lakhs"),
        ("2,750", 2_750, "thousands"),
        ("12,34,56,789", 123_456_789, "lakhs"),
        ("1,000,000", 1_000_000, "thousands"),
        ("1.5", 1.5, "plain"),
        (".5", 0.5, "plain"),
        ("0.500", 0.5, "plain"),
        ("1,60,000.25", 160_000.25, "lakhs"),
        ("-2,750", -2_750, "thousands"),
        ("+3", 3, "plain"),
        ("\u22125", -5, "plain"),  # the minus sign
        (" 160 000 ", 160_000, "plain"),
        ("160\u00a0000", 160_000, "plain"),
        ("۱۶۰۰۰۰", 160_000, "plain"),  # Urdu digits
        ("۱٬۶۰٬۰۰۰", 160_000, "lakhs"),  # Urdu digits, Arabic thousands separator
        ("١٦٠,٠٠٠", 160_000, "thousands"),  # Arabic-Indic digits
        ("۱٫۵", 1.5, "plain"),  # the Arabic decimal separator
    ],
)
def test_every_way_people_write_a_figure_is_read(text: str, value: float, grouping: str) -> None:
    reading = read_number(text)
    assert (reading.value, reading.grouping) == (value, grouping)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "No number was given."),
        ("1,5", "a comma groups digits in threes (160,000) or in lakhs"),
        ("16,00,0", "a comma groups digits in threes"),
        ("1600,00", "a comma groups digits in threes"),
        ("1,000,00,000", "a comma groups digits in threes"),  # the two groupings mixed
        ("1.500", "“1.500” could be 1.5 or 1500: write 1.5 or 1,500."),
        ("1.500.000", "groups digits with points: write 1,500,000 or 1500000"),
        ("lots", "“lots” is not a number"),
        ("--3", "is not a number"),
        ("1e6", "is not a number"),
        ("1.", "is not a number"),
        ("9" * 20, "too large"),
    ],
)
def test_ambiguous_or_malformed_text_is_refused_with_what_was_typed(text: str, message: str) -> None:
    with pytest.raises(NumberProblem) as problem:
        read_number(text)
    assert message in str(problem.value)


@pytest.mark.parametrize(("value", "shown"), [(160_000.0, "160000"), (1.5, "1.5"), (-3.0, "-3"), (0.25, "0.25")])
def test_a_figure_is_shown_back_without_grouping(value: float, shown: str) -> None:
    assert plain(value) == shown
    assert str(read_number(shown)) == shown
