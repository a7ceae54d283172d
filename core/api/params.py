"""Query parameters of the API: dates (with the rules of `core.asof`) and FilterSets, or a 400 naming them."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db.models import QuerySet
from rest_framework import exceptions
from rest_framework.request import Request

from core.asof import AsOf, ParameterError, as_of_from_query, parse_date

F = TypeVar("F")


def date_param(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter (None when absent), or a 400 naming the parameter."""
    try:
        return parse_date(request.query_params.get(name), name=name)
    except ParameterError as error:
        raise exceptions.ValidationError({name: [error.message]}) from None


def view_param(request: Request) -> AsOf:
    """`?as_of=` (default today in the policy's time zone) and `?basis=` (default reported), or a 400."""
    try:
        return as_of_from_query(request.query_params)
    except ParameterError as error:
        raise exceptions.ValidationError({error.name: [error.message]}) from None


def as_of_param(request: Request) -> dt.date:
    """`?as_of=`, default today in the policy's time zone; a 400 for a bad date."""
    return view_param(request).date


def validated_filters(filterset_class: type[F], request: Request, queryset: QuerySet[Any]) -> F:
    """The view's FilterSet bound to the query string, or a 400 with its errors."""
    filterset: Any = filterset_class(request.query_params, queryset=queryset, request=request)  # type: ignore[call-arg]
    try:
        valid = filterset.is_valid()
    except OverflowError:  # SQLite cannot bind an id beyond 64 bits (`?pillar_id=1e30`); PostgreSQL finds nothing
        raise exceptions.ValidationError({"detail": ["An id is out of range."]}) from None
    if not valid:
        raise exceptions.ValidationError(filterset.errors)
    result: F = filterset
    return result
