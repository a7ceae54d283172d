"""What every API endpoint shares: the as-of date, pagination, CSV, permissions, ETags, throttling, errors."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from rest_framework import exceptions, permissions, renderers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from pillars.versioning import data_version

if TYPE_CHECKING:
    # DRF imports these settings' classes while rest_framework.views is loading: no import at run time.
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)


# --- The as-of date -----------------------------------------------------------------------------


def parse_date_param(request: Request, name: str, *, default: dt.date | None = None) -> dt.date | None:
    """A YYYY-MM-DD query parameter, or a 400 naming the parameter."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise exceptions.ValidationError({name: [f"'{raw[:40]}' is not a date; use YYYY-MM-DD."]}) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise exceptions.ValidationError(
            {name: [f"Choose a date between {EARLIEST_DATE.isoformat()} and {LATEST_DATE.isoformat()}."]}
        )
    return value


def as_of_from(request: Request) -> dt.date:
    """`?as_of=`, default today in the policy's time zone."""
    value = parse_date_param(request, "as_of", default=timezone.localdate())
    assert value is not None
    return value


# --- Pagination and CSV --------------------------------------------------------------------------


class StandardPagination(PageNumberPagination):
    """`?page=` and `?page_size=` (capped), in api.md's `{count, next, previous, results}` envelope."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _flatten(prefix: str, value: Any, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{prefix}.{key}" if prefix else key, inner, row)
    elif isinstance(value, list):
        parts = []
        for item in value:
            if isinstance(item, dict):
                parts.append(" ".join(str(v) for v in item.values() if v not in (None, "")))
            else:
                parts.append(str(item))
        row[prefix] = "; ".join(parts)
    else:
        row[prefix] = value


_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A cell safe to open in a spreadsheet: text that looks like a formula is quoted with a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(_FORMULA_PREFIXES):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, written by orjson: the same document, five to ten times faster for a 100-row page.

    Compact, UTF-8 and with U+2028/U+2029 escaped, like DRF's renderer.
    Dates, times and datetimes (`OPT_PASSTHROUGH_DATETIME`), lazy strings,
    decimals and anything else orjson does not know go through DRF's own
    encoder, so they read exactly as before; an indented rendering (`Accept:
    application/json; indent=4`) or a document orjson refuses (an integer
    beyond 64 bits) is left to DRF's renderer. Two differences, neither in
    what a client reads: a float of 1e16 or more is written in orjson's
    shortest form (`1e16`, not `1e+16`), and a NaN as null where DRF raises
    (the services never store one). tests/policy_portal/test_api_infra.py
    compares the two renderers byte for byte.
    """

    _encoder = renderers.JSONRenderer.encoder_class()

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            body = orjson.dumps(data, default=self._encoder.default, option=orjson.OPT_PASSTHROUGH_DATETIME)
        except TypeError:  # orjson.JSONEncodeError
            return super().render(data, accepted_media_type, renderer_context)
        # As DRF does: these two are valid JSON but end a line in JavaScript.
        return body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")


class CSVRenderer(renderers.BaseRenderer):
    """`?format=csv`: the rows of a list as CSV, UTF-8 with a byte order mark (so spreadsheets show Urdu)."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, dict) and "results" in data:
            records: Iterable[Any] = data["results"]
        elif isinstance(data, list):
            records = data
        else:
            records = [data]
        rows: list[dict[str, Any]] = []
        for record in records:
            row: dict[str, Any] = {}
            _flatten("", record, row)
            rows.append(row)
        columns: list[str] = []
        for row in rows:
            columns.extend(column for column in row if column not in columns)
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(column)) for column in columns])
        return codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8")


# --- Permissions and throttling -------------------------------------------------------------------


def is_editor(user: Any) -> bool:
    """Editors (the delivery unit's group) and superusers may write."""
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return any(group.name == settings.EDITORS_GROUP_NAME for group in user.groups.all())


class IsEditorOrReadOnly(permissions.BasePermission):
    """Reading is public; writing needs an account in the Editors group (or a superuser)."""

    message = "Only members of the Editors group can change the data."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or is_editor(request.user)


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous clients are throttled (429 with Retry-After); a cache outage lets requests through.

    A fixed-window counter: one atomic increment per request. DRF's own throttle keeps the list of
    every request time in the window and reads and rewrites all of it on each request, which costs
    more the higher the rate (it was most of a 304's time under load) and loses counts between workers.
    """

    def allow_request(self, request: Request, view: APIView) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_end = (window + 1) * self.duration
        key = f"{self.key}:{window}"
        try:
            try:
                count = self.cache.incr(key)
            except ValueError:  # the window's first request
                count = 1 if self.cache.add(key, 1, self.duration + 1) else self.cache.incr(key)
        except Exception:  # the cache (Redis) is down: serve rather than fail
            logger.warning("Throttle cache unavailable; letting the request through.", exc_info=True)
            return True
        return count <= self.num_requests

    def wait(self) -> float:
        return max(1.0, self.window_end - self.timer())

    def get_ident(self, request: Request) -> str:
        # DRF's default (NUM_PROXIES unset) keys on the whole X-Forwarded-For header, which the client
        # writes: a fresh header per request would dodge the limit. Trust only our own proxies, as axes does.
        from .security import client_ip

        return client_ip(request) or ""


# --- Conditional requests ----------------------------------------------------------------------------


class NotModified(exceptions.APIException):
    status_code = status.HTTP_304_NOT_MODIFIED
    default_detail = ""


def etag_for(request: HttpRequest | Request) -> str:
    """An ETag that changes whenever the data or the indicators change, per address, format and language.

    It includes today's date because the default as-of date moves at midnight.
    """
    key = "|".join(
        [
            data_version(),
            timezone.localdate().isoformat(),
            request.get_full_path(),
            request.headers.get("Accept", ""),
            translation.get_language() or "",
        ]
    )
    return '"' + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest() + '"'


class CachedRepresentation(exceptions.APIException):
    """Raised to answer a GET with the stored bytes of the representation its ETag names."""

    status_code = status.HTTP_200_OK

    def __init__(self, content: bytes, content_type: str) -> None:
        super().__init__()
        self.content = content
        self.content_type = content_type


# Representations worth keeping: the same for every reader (the browsable HTML page shows who is logged in).
_CACHEABLE_MEDIA_TYPES = ("application/json", "text/csv")


def _representation_key(etag: str) -> str:
    return f"portal:representation:{etag.strip(chr(34))}"


class ConditionalMixin:
    """ETags, 304s, and a server-side copy of each JSON/CSV representation, keyed by its ETag.

    The ETag changes whenever the data or the indicators change (see
    `etag_for`), so a stored representation under the same ETag is exactly
    what the view would compute again: a repeated request costs about as much
    as a 304. `API_REPRESENTATION_CACHE_SECONDS = 0` turns the copies off; a
    cache outage only turns them off too.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if request.method not in ("GET", "HEAD"):
            return
        self._etag = etag_for(request)
        candidates = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
        if self._etag in candidates or "*" in candidates:
            raise NotModified()
        if settings.API_REPRESENTATION_CACHE_SECONDS:
            try:
                stored = cache.get(_representation_key(self._etag))
            except Exception:
                logger.warning("Cache unavailable; computing the response.", exc_info=True)
                stored = None
            if stored is not None:
                raise CachedRepresentation(*stored)

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        etag = getattr(self, "_etag", None)
        if etag and response.status_code in (200, 304):
            response["ETag"] = etag
            response["Cache-Control"] = "no-cache"
            media_type = getattr(response, "accepted_media_type", "") or ""
            if (
                settings.API_REPRESENTATION_CACHE_SECONDS
                and response.status_code == 200
                and isinstance(response, Response)
                and media_type.split(";")[0].strip() in _CACHEABLE_MEDIA_TYPES
            ):
                response.add_post_render_callback(_store_representation(etag))
        if isinstance(response, Response):
            response.add_post_render_callback(_release(self))
        return response


def _release(view: Any) -> Any:
    """A post-render callback that empties the view once its response is rendered.

    DRF links the view, its request and its response in cycles (the
    response's renderer context holds the view, the request and the response
    itself; the view holds its request and response), so all a page read (a
    hundred model instances and their rows) outlives the request until the
    garbage collector finds it: a few milliseconds of collection per request,
    and now and then a full pass of 30-100 ms. After rendering nothing reads
    them again; emptying both lets reference counting free the page at once.
    """

    def release(response: Response) -> None:
        view.__dict__.clear()
        response.renderer_context = {}

    return release


def _store_representation(etag: str) -> Any:
    def store(response: Any) -> None:
        try:
            cache.set(
                _representation_key(etag),
                (response.content, response["Content-Type"]),
                timeout=settings.API_REPRESENTATION_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("Cache unavailable; the response was not kept.", exc_info=True)

    return store


# --- Errors --------------------------------------------------------------------------------------------


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a 304 has no body, and a model ValidationError is a 400 with its field messages."""
    from rest_framework.views import exception_handler

    if isinstance(exc, NotModified):
        return Response(status=status.HTTP_304_NOT_MODIFIED)
    if isinstance(exc, CachedRepresentation):
        return HttpResponse(exc.content, content_type=exc.content_type)  # type: ignore[return-value]
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    return exception_handler(exc, context)


def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse({"detail": "Not found."}, status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"detail": "Server error."}, status=500)
