"""Query parameters of the API: dates (with the rules of `core.asof`) and FilterSets, or a 400 naming them.

api.md: "an unknown value is a 400 that names the parameter". So, beyond
what each parameter's own rule refuses, a parameter that takes one value may
not be given twice (which of the two would count?), and a parameter given
with no value (`?as_of=`, `?stale=`) is refused rather than read as absent:
a script that meant a date or a filter and sent nothing must not get an
answer to another question. Free-text parameters (`q`, `province`) may be
empty. The pages share the FilterSets but not these two rules: their forms
send every field, empty ones included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django_filters.fields import BaseCSVField
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import exceptions
from rest_framework.request import Request

from core.asof import AsOf, ParameterError, as_of_from_query, parse_date

F = TypeVar("F")

# Form fields that take a parameter repeated ("any of"); every other filter takes one value.
_MULTIPLE_FIELDS = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)


def value_problem(name: str, values: list[str], *, multiple: bool = False, text: bool = False) -> str | None:
    """What is wrong with how a parameter was given (its value aside): given twice, or empty; None if nothing."""
    if len(values) > 1 and not multiple:
        return _("Give “%(name)s” once: it takes one value.") % {"name": name}
    if not text and "" in values:
        return _("“%(name)s” is empty: give a value, or leave the parameter out.") % {"name": name}
    return None


def single_values(request: Request, names: Iterable[str]) -> dict[str, str]:
    """The parameters among `names` that were given, each once and not empty; a 400 naming every other one."""
    found: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name in names:
        values = request.query_params.getlist(name)
        if not values:
            continue
        problem = value_problem(name, values)
        if problem:
            errors[name] = [problem]
        else:
            found[name] = values[0]
    if errors:
        raise exceptions.ValidationError(errors)
    return found


def date_param(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter (None when absent), or a 400 naming the parameter."""
    try:
        return parse_date(single_values(request, [name]).get(name), name=name)
    except ParameterError as error:
        raise exceptions.ValidationError({name: [error.message]}) from None


def view_param(request: Request) -> AsOf:
    """`?as_of=` (default today in the policy's time zone) and `?basis=` (default reported), or a 400."""
    try:
        return as_of_from_query(single_values(request, ["as_of", "basis"]))
    except ParameterError as error:
        raise exceptions.ValidationError({error.name: [error.message]}) from None


def as_of_param(request: Request) -> dt.date:
    """`?as_of=`, default today in the policy's time zone; a 400 for a bad date."""
    return view_param(request).date


def _filter_value_problems(form: forms.Form, request: Request) -> dict[str, list[str]]:
    """The filters given twice when they take one value, or empty when they are not free text."""
    errors: dict[str, list[str]] = {}
    for name, field in form.fields.items():
        values = request.query_params.getlist(name)
        if not values:
            continue
        if isinstance(field, BaseCSVField) and len(values) == 1:
            # `?ordering=date,-value`: no item of the list may be empty (`?ordering=,,` ordered by nothing).
            problem = value_problem(name, values[0].split(","), multiple=True)
        else:
            multiple, text = isinstance(field, _MULTIPLE_FIELDS), isinstance(field, forms.CharField)
            problem = value_problem(name, values, multiple=multiple, text=text)
        if problem:
            errors[name] = [problem]
    return errors


def validated_filters(filterset_class: type[F], request: Request, queryset: QuerySet[Any]) -> F:
    """The view's FilterSet bound to the query string, or a 400 with its errors."""
    filterset: Any = filterset_class(request.query_params, queryset=queryset, request=request)  # type: ignore[call-arg]
    problems = _filter_value_problems(filterset.form, request)
    if problems:
        raise exceptions.ValidationError(problems)
    try:
        valid = filterset.is_valid()
    except OverflowError:  # SQLite cannot bind an id beyond 64 bits (`?pillar_id=1e30`); PostgreSQL finds nothing
        raise exceptions.ValidationError({"detail": ["An id is out of range."]}) from None
    if not valid:
        raise exceptions.ValidationError(filterset.errors)
    result: F = filterset
    return result


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter ships no types
    """django-filter's backend, with the FilterSet read by `validated_filters` (the API's rules, one place)."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None:
            return queryset
        filterset: Any = validated_filters(filterset_class, request, queryset)
        result: QuerySet[Any] = filterset.qs
        return result
