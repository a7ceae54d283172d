"""The API's request parsers: DRF's, with a limit on how deeply a JSON body may nest.

Python's JSON decoder recurses once per level of nesting, so a body of a
thousand `[` would end in a RecursionError (a 500) while decoding, or later in
whatever walks the data. No body the API takes nests deeper than three levels
(a target with its `trajectory` of points), so anything beyond
`MAX_JSON_DEPTH` is refused as a 400 before any serializer sees it. Form and
multipart bodies are flat (names and values), so only JSON needs the limit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

#: Levels of arrays and objects a JSON body may have (`{"trajectory": [{"date": ...}]}` has three).
MAX_JSON_DEPTH = 20


def nesting_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether `data` (decoded JSON) has more than `limit` levels of arrays and objects; no recursion."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested deeper than `MAX_JSON_DEPTH` is a 400 (ParseError), not a 500."""

    max_depth = MAX_JSON_DEPTH

    def parse(
        self, stream: IO[Any], media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:  # deeper than the interpreter's own limit: refused while decoding
            raise self.too_deep() from None
        if nesting_depth_exceeds(data, self.max_depth):
            raise self.too_deep()
        return data

    def too_deep(self) -> ParseError:
        return ParseError(
            _("The JSON body is nested deeper than %(limit)d levels of arrays and objects.") % {"limit": self.max_depth}
        )
