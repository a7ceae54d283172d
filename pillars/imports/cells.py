"""Reading one cell: text, dates, numbers, yes/no and addresses, each with a message naming its column."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from core import numbers
from core.spreadsheets import Formula, is_formula, unquote_cell
from core.validators import validate_uri

TRUE_WORDS = {"yes", "y", "true", "1", "x", "ہاں", "جی ہاں"}
FALSE_WORDS = {"no", "n", "false", "0", "", "نہیں"}


class CellProblem(ValueError):
    """A cell that cannot be read as its column says; the message names the column."""


def read_text(value: Any, column: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Formula):
        raise CellProblem(
            _("%(column)s holds a formula (%(formula)s); type the value itself.")
            % {"column": column, "formula": str(value)[:40]}
        )
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if unquote_cell(text) != text:
        return text[1:]  # neutralised by our own export
    if is_formula(text):
        raise CellProblem(
            _("%(column)s starts with “%(char)s”, which spreadsheets run as a formula; put an apostrophe before it.")
            % {"column": column, "char": text[0].strip() or _("a tab")}
        )
    return text


def read_date(value: Any, column: str) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, Formula):
        read_text(value, column)
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CellProblem(
            _("%(column)s “%(text)s” is not a date written YYYY-MM-DD.") % {"column": column, "text": text[:40]}
        ) from None


def read_number(value: Any, column: str) -> float | None:
    if isinstance(value, bool):
        raise CellProblem(_("%(column)s must be a number.") % {"column": column})
    if isinstance(value, int | float):
        number = float(value)
    else:
        if isinstance(value, Formula):
            read_text(value, column)
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        try:
            # 160000, 160,000 and the lakh grouping of the Urdu pages, 1,60,000, all read as 160000.
            number = numbers.read_number(text).value
        except numbers.NumberProblem as problem:
            raise CellProblem(_("%(column)s %(problem)s") % {"column": column, "problem": problem}) from None
    if not math.isfinite(number) or abs(number) > 1e15:
        raise CellProblem(_("%(column)s is not a usable number.") % {"column": column})
    return number


def read_flag(value: Any, column: str) -> bool | None:
    """yes/no; None when the cell is empty."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = read_text(value, column).lower()
    if not text:
        return None
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellProblem(
        _("%(column)s must be yes or no (or empty), not “%(text)s”.") % {"column": column, "text": text[:20]}
    )


def read_url(value: Any, column: str) -> str:
    text = read_text(value, column)
    if text:
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise CellProblem(
                _("%(column)s “%(text)s” is not a web address (https://...).") % {"column": column, "text": text[:60]}
            ) from None
        try:
            validate_uri(text)  # as the model field (`core.fields.URIField`) and the API's schema have it
        except ValidationError as error:
            raise CellProblem(f"{column}: {' '.join(error.messages)}") from None
        if len(text) > 500:
            raise CellProblem(_("%(column)s is longer than 500 characters.") % {"column": column})
    return text


Reader = Callable[[Any, str], Any]


def read_cells(cells: Mapping[str, Any], readers: Sequence[tuple[str, Reader]], problems: list[str]) -> dict[str, Any]:
    """Each column's cell read by its reader; a cell that cannot be read adds its message to `problems`."""
    values: dict[str, Any] = {}
    for column, read in readers:
        try:
            values[column] = read(cells.get(column), column)
        except CellProblem as exc:
            problems.append(str(exc))
    return values
