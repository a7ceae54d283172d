"""Filters the FilterSets of every app share (pages and API alike), strict about what they read.

django-filter's own date filter reads every format of DATE_INPUT_FORMATS
(`10/25/2025`, `2025-7-5`), and its boolean filter takes anything it does not
know (`?stale=yes`) for "no filter": both silently answer another question
than the one asked. These read a date by the rules of `core.asof` (YYYY-MM-DD,
2000-01-01 to 2100-12-31, the same messages) and a boolean as `true`/`false`
(or `1`/`0`), and refuse anything else with a message naming the value. Each
says in the OpenAPI schema what it takes (a free-text filter: no NUL, which
Django's CharField refuses because PostgreSQL cannot compare with it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import BooleanWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from .asof import DATE_PATTERN, ParameterError, parse_date

#: The OpenAPI schema of a date parameter, as `parse_date` reads it.
DATE_SCHEMA = {"type": "string", "format": "date", "pattern": DATE_PATTERN}


class IsoDateField(forms.DateField):
    """A date written YYYY-MM-DD within the portal's range (`core.asof.parse_date`), nothing else."""

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value), name="date")
        except ParameterError as error:
            raise ValidationError(error.message, code="invalid") from None


class _RawBooleanWidget(BooleanWidget):  # type: ignore[misc]  # django-filter ships no types
    """BooleanWidget, but handing the field what was sent (BooleanWidget turns anything unknown into None)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class StrictNullBooleanField(forms.NullBooleanField):
    """`true`/`false` (also `True`, `1`, `0`...), empty for either; anything else is an error."""

    widget = _RawBooleanWidget
    default_error_messages = {"invalid": _("“%(value)s” is neither true nor false: write true or false.")}

    def to_python(self, value: Any) -> bool | None:  # type: ignore[override]  # the stubs say bool
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            return value
        key = str(value).lower()
        if key in ("true", "1"):
            return True
        if key in ("false", "0"):
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": str(value)[:40]})

    def validate(self, value: Any) -> None:
        """Nothing more to check (NullBooleanField's own `validate` is a no-op too)."""


@extend_schema_field(DATE_SCHEMA)
class DateFilter(filters.DateFilter):  # type: ignore[misc]  # django-filter ships no types
    """django-filter's DateFilter reading YYYY-MM-DD only, in the portal's range."""

    field_class = IsoDateField


@extend_schema_field(OpenApiTypes.BOOL)  # also when the filter has a `method` (drf-spectacular reads its hints then)
class BooleanFilter(filters.BooleanFilter):  # type: ignore[misc]  # django-filter ships no types
    """django-filter's BooleanFilter refusing what is neither true nor false (a 400, not "no filter")."""

    field_class = StrictNullBooleanField


@extend_schema_field({"type": "string", "pattern": "^[^\\x00]*$"})
class TextFilter(filters.CharFilter):  # type: ignore[misc]  # django-filter ships no types
    """Free text (a search, a name): anything but a NUL character, which no database compares with (a 400)."""
