"""The API's pagination: api.md's `{count, next, previous, results}` envelope."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (capped)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
