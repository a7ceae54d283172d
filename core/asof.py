"""The as-of date: one parser for the pages and the API.

Every number the portal shows is computed as of a date, `?as_of=YYYY-MM-DD`
(default: today in the policy's time zone). Pages answer a bad date with their
friendly 400 page, the API with a 400 naming the parameter; both get the same
rule and the same message from `parse_date`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

#: The range of dates anyone may ask for: wide enough for any history or forecast,
#: narrow enough that no arithmetic on it can overflow.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


class DateParameterError(ValueError):
    """A date parameter that is not a YYYY-MM-DD date in the accepted range; the message says why."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(message)
        self.name = name
        self.message = message


def parse_date(raw: str | None, *, name: str) -> dt.date | None:
    """`raw` as a date, None when empty; `DateParameterError` for anything else than YYYY-MM-DD in range."""
    if raw is None or raw == "":
        return None
    as_of = name == "as_of"
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        message = (
            _("“%(value)s” is not a date: write the as-of date as YYYY-MM-DD.")
            if as_of
            else _("“%(value)s” is not a date: write it as YYYY-MM-DD.")
        )
        raise DateParameterError(name, message % {"value": raw[:40]}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        message = (
            _("Choose an as-of date between %(first)s and %(last)s.")
            if as_of
            else _("Choose a date between %(first)s and %(last)s.")
        )
        raise DateParameterError(name, message % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()})
    return value


@dataclass(frozen=True, slots=True)
class AsOf:
    """The date a page or a response describes, and whether the reader chose it."""

    date: dt.date
    today: dt.date
    explicit: bool

    @property
    def query(self) -> str:
        """What links append to stay on the same date ("" when it is today)."""
        return f"?as_of={self.date.isoformat()}" if self.explicit else ""


def as_of_from_query(query: Mapping[str, str]) -> AsOf:
    """The as-of date of a query string (`request.GET` or DRF's `query_params`)."""
    today = timezone.localdate()
    value = parse_date(query.get("as_of"), name="as_of")
    if value is None:
        return AsOf(today, today, False)
    return AsOf(value, today, value != today)
