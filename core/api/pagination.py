"""The API's pagination: api.md's `{count, next, previous, results}` envelope.

DRF reads a `?page_size=` it cannot use (`AAA`, `0`, `-1`) as the default
size and a `?page=` it cannot read as a 404; here both are a 400 naming the
parameter, as api.md has it for every unknown value. A size above the cap is
the cap (the answer says so: `next` links to the rest); a page past the end
is a 404.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

from .params import single_values

_WHOLE_NUMBER = re.compile(r"[0-9]+")
# Beyond any page or size there will ever be (and `int()` of a 5,000-digit string is refused by Python).
_HUGE = 10**18


def positive_number(raw: str) -> int | None:
    """`raw` as a whole number from 1 (anything above `_HUGE` is `_HUGE`); None when it is not one."""
    if not _WHOLE_NUMBER.fullmatch(raw):
        return None
    digits = raw.lstrip("0")
    if not digits:
        return None
    return int(digits) if len(digits) < len(str(_HUGE)) else _HUGE


class StandardPagination(PageNumberPagination):
    """`?page=` (from 1, or `last`) and `?page_size=` (1 to `max_page_size`, more is capped)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        raw = single_values(request, [self.page_size_query_param]).get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        size = positive_number(raw)
        if size is None:
            message = _("“%(value)s” is not a page size: give a whole number from 1 to %(max)d.")
            raise exceptions.ValidationError(
                {self.page_size_query_param: [message % {"value": raw[:40], "max": self.max_page_size}]}
            )
        return min(size, self.max_page_size)

    def get_page_number(self, request: Request, paginator: Paginator[Any]) -> Any:
        raw = single_values(request, [self.page_query_param]).get(self.page_query_param)
        if raw is None:
            return 1
        if raw in self.last_page_strings:
            return paginator.num_pages
        number = positive_number(raw)
        if number is None:
            message = _("“%(value)s” is not a page number: give a whole number from 1 (or “last”).")
            raise exceptions.ValidationError({self.page_query_param: [message % {"value": raw[:40]}]})
        return number  # past the end: paginate_queryset answers 404

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """DRF's two parameters, with the bounds they are read with."""
        parameters: list[dict[str, Any]] = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"] = {**parameter["schema"], "minimum": 1}
        return parameters
