"""The as-of date and the basis: one parser for the pages and the API.

Every number the portal shows is computed as of a date, `?as_of=YYYY-MM-DD`
(default: today in the policy's time zone), and on a basis, `?basis=`
(`reported`, the default, or `illustrative`: see `indicators.compute.Basis`,
the pure module that defines it). Pages answer a bad value with their friendly
400 page, the API with a 400 naming the parameter; both get the same rule and
the same message from `parse_date` and `parse_basis`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from indicators.compute import Basis

#: The range of dates anyone may ask for: wide enough for any history or forecast,
#: narrow enough that no arithmetic on it can overflow.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
#: What the OpenAPI schema says of every date parameter: YYYY-MM-DD from EARLIEST_DATE to LATEST_DATE.
DATE_PATTERN = r"^(20[0-9]{2}|2100)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
# YYYY-MM-DD only: `date.fromisoformat` also reads 20250715 and week dates (2025-W29-2), which no one means here.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class ParameterError(ValueError):
    """A parameter of the point of view (a date, the basis) that cannot be read; the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def parse_date(raw: str | None, *, name: str) -> dt.date | None:
    """`raw` as a date, None when empty; `ParameterError` for anything else than YYYY-MM-DD in range."""
    if raw is None or raw == "":
        return None
    as_of = name == "as_of"
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        value = dt.date.fromisoformat(raw)
    except ValueError:
        message = (
            _("“%(value)s” is not a date: write the as-of date as YYYY-MM-DD.")
            if as_of
            else _("“%(value)s” is not a date: write it as YYYY-MM-DD.")
        )
        raise ParameterError(name, message % {"value": raw[:40]}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        message = (
            _("Choose an as-of date between %(first)s and %(last)s.")
            if as_of
            else _("Choose a date between %(first)s and %(last)s.")
        )
        raise ParameterError(name, message % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()})
    return value


def parse_basis(raw: str | None) -> Basis:
    """`?basis=`: `reported` when absent or empty; `ParameterError` (named `basis`) for anything else."""
    if raw is None or raw == "":
        return Basis.REPORTED
    try:
        return Basis(raw)
    except ValueError:
        raise ParameterError(
            "basis",
            _("“%(value)s” is not a basis: choose “reported” or “illustrative”.") % {"value": raw[:40]},
        ) from None


@dataclass(frozen=True, slots=True)
class AsOf:
    """What a page or a response describes: a date (and whether the reader chose it) and a basis."""

    date: dt.date
    today: dt.date
    explicit: bool
    basis: Basis = Basis.REPORTED

    @property
    def illustrative(self) -> bool:
        """Whether the numbers rest on made-up figures too (and every screen must say so)."""
        return self.basis == Basis.ILLUSTRATIVE

    @property
    def selection(self) -> dict[str, Any]:
        """The keyword arguments the selectors take for it: `as_of` and `basis`."""
        return {"as_of": self.date, "basis": self.basis}

    @property
    def params(self) -> dict[str, str]:
        """The query parameters that keep a link on the same date and basis (none for today, reported)."""
        params = {"as_of": self.date.isoformat()} if self.explicit else {}
        if self.illustrative:
            params["basis"] = self.basis.value
        return params

    @property
    def query(self) -> str:
        """What links append to stay on the same date and basis ("" for today on the reported basis)."""
        params = self.params
        return f"?{urlencode(params)}" if params else ""


def as_of_from_query(query: Mapping[str, str]) -> AsOf:
    """The as-of date and basis of a query string (`request.GET` or DRF's `query_params`)."""
    today = timezone.localdate()
    value = parse_date(query.get("as_of"), name="as_of")
    basis = parse_basis(query.get("basis"))
    if value is None:
        return AsOf(today, today, False, basis)
    return AsOf(value, today, value != today, basis)
