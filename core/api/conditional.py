"""Conditional GETs: ETags, 304s, and a server-side copy of each JSON/CSV representation.

The ETag of a GET changes whenever the data or the indicators change (the
data-version token, `core.versioning`), and with the address, the format, the
language and the day (the default as-of date moves at midnight). So a stored
representation under the same ETag is exactly what the view would compute
again: a repeated request costs about as much as a 304.

`conditional` wraps each GET handler of a view that mixes in
`ConditionalMixin`: it runs after DRF's authentication, permissions and
throttling (inside `dispatch`) and returns the 304 or the stored copy as an
ordinary response. `API_REPRESENTATION_CACHE_SECONDS = 0` turns the copies
off; a cache outage only turns them off too.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone, translation
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.models import Revisioned
from core.versioning import data_version, release

if TYPE_CHECKING:
    from rest_framework.views import APIView
    from rest_framework.viewsets import ReadOnlyModelViewSet

    # The views the mixins are made for, so that their `super()` calls are checked; plain mixins at run time.
    _View = APIView
    _ReadOnlyViewSet = ReadOnlyModelViewSet[Any]
else:
    _View = object
    _ReadOnlyViewSet = object

logger = logging.getLogger(__name__)

# Representations worth keeping: the same for every reader (the browsable HTML page shows who is logged in).
CACHEABLE_MEDIA_TYPES = ("application/json", "text/csv")
# What a stored copy keeps besides its body and type: a CSV's links to its related tables, and its file name.
KEPT_HEADERS = ("Link", "Content-Disposition")

Handler = TypeVar("Handler", bound=Callable[..., HttpResponseBase])


def etag_for(request: HttpRequest | Request, revision: int | None = None) -> str:
    """An ETag that changes whenever the data or the indicators change, per address, format and language.

    The ETag of one editable record (`core.models.Revisioned`) starts with its
    revision, `"r<revision>-<digest>"`: `If-Match` on a write compares that part
    (`check_if_match`), so that a recompute or an edit elsewhere does not make
    an editor's copy stale, and a change of the record itself does.
    """
    key = "|".join(
        [
            data_version(),
            release()[0],  # a deploy that changes an answer's shape must not be answered from old copies
            timezone.localdate().isoformat(),
            request.get_full_path(),
            request.headers.get("Accept", ""),
            translation.get_language() or "",
            str(revision),
        ]
    )
    digest = hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()
    return f'"r{revision}-{digest}"' if revision is not None else f'"{digest}"'


def _tag_revision(tag: str) -> int | None:
    """The revision an ETag carries (`"r12-..."`, weak or strong), or None."""
    value = tag.strip().removeprefix("W/").strip('"')
    head, _, _rest = value.partition("-")
    if head.startswith("r") and head[1:].isdigit():
        return int(head[1:])
    return None


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record was changed since your copy: GET it again, then make your change on the new copy."
    default_code = "precondition_failed"


def check_if_match(request: Request, instance: Any) -> None:
    """Refuse a write (412) whose `If-Match` names an older revision of `instance` than the stored one.

    Call it on the row as locked for the write. No `If-Match` header: the write goes ahead
    (a PATCH writes only the fields it sends); `If-Match: *`: any revision.
    """
    header = request.headers.get("If-Match")
    if not header:
        return
    tags = [tag.strip() for tag in header.split(",") if tag.strip()]
    if "*" in tags or any(_tag_revision(tag) == instance.revision for tag in tags):
        return
    raise PreconditionFailed(
        f"This {instance._meta.verbose_name} was changed since your copy (it is at revision {instance.revision}; "
        "your If-Match names another): GET it again, then make your change on the new copy."
    )


def _representation_key(etag: str) -> str:
    return f"portal:representation:{etag.strip(chr(34))}"


def _stored(etag: str) -> HttpResponse | None:
    if not settings.API_REPRESENTATION_CACHE_SECONDS:
        return None
    try:
        stored = cache.get(_representation_key(etag))
    except Exception:
        logger.warning("Cache unavailable; computing the response.", exc_info=True)
        return None
    if stored is None:
        return None
    content, content_type, headers = stored
    response = HttpResponse(content, content_type=content_type)
    for name, value in headers.items():
        response[name] = value
    return response


def conditional(handler: Handler) -> Handler:
    """Answer a GET from its ETag when possible: 304 for a matching `If-None-Match`, else the stored copy."""

    @functools.wraps(handler)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        etag = view.etag = etag_for(request, view.etag_revision(kwargs))
        candidates = [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]
        # Only the representation's own ETag: `If-None-Match: *` would answer 304 before the parameters are
        # read, even for a query that is a 400 (there is no representation to be "not modified").
        if etag in candidates:
            return Response(status=status.HTTP_304_NOT_MODIFIED)
        stored = _stored(etag)
        if stored is not None:
            return stored
        response: HttpResponseBase = handler(view, request, *args, **kwargs)
        return response

    return wrapped  # type: ignore[return-value]


class ConditionalMixin(_View):
    """Sends the ETag of a `conditional` GET with its 200 or 304, and keeps a copy of a 200 JSON/CSV body."""

    etag: str | None = None

    def etag_revision(self, kwargs: dict[str, Any]) -> int | None:
        """The revision of the one record a `retrieve` shows, for its ETag (None for anything else)."""
        if getattr(self, "action", None) != "retrieve":
            return None
        field = getattr(self, "lookup_field", "pk")
        value = kwargs.get(getattr(self, "lookup_url_kwarg", None) or field)
        model = getattr(getattr(self, "queryset", None), "model", None)
        if value is None or model is None or not issubclass(model, Revisioned):
            return None
        try:
            revision: int | None = (
                model._default_manager.filter(**{field: value}).values_list("revision", flat=True).first()
            )
        except (ValueError, TypeError, DjangoValidationError):
            return None  # a malformed id: the view answers 404
        return revision

    # DRF's `finalize_response` takes and returns any HttpResponseBase (a stored copy here is a plain
    # HttpResponse); the stubs say Response, for the argument and the result.
    def finalize_response(  # type: ignore[override]
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        etag = self.etag
        if etag and response.status_code in (200, 304):
            response["ETag"] = etag
            response["Cache-Control"] = "no-cache"
            media_type = getattr(response, "accepted_media_type", "") or ""
            if (
                settings.API_REPRESENTATION_CACHE_SECONDS
                and response.status_code == 200
                and isinstance(response, Response)
                and media_type.split(";")[0].strip() in CACHEABLE_MEDIA_TYPES
            ):
                response.add_post_render_callback(_store_representation(etag))
        if isinstance(response, Response):
            response.add_post_render_callback(functools.partial(_release, request))
        return response


def _release(request: Request, response: Response) -> None:
    """Once rendered, unlink the response and the request from the view.

    DRF links the view, its request and its response in reference cycles (the
    response's renderer context and the request's parser context both hold
    the view, which holds them), so everything a page read (a hundred model
    instances and their rows) would outlive the request until the garbage
    collector found it: a few milliseconds of collection per request, and now
    and then a full pass of 30-100 ms. Nothing reads the two contexts after
    rendering; emptying them lets reference counting free the page at once.
    """
    response.renderer_context = {}  # type: ignore[attr-defined]  # set by APIView.finalize_response; not in the stubs
    request.parser_context = {}


def _store_representation(etag: str) -> Callable[[Response], None]:
    def store(response: Response) -> None:
        try:
            headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            cache.set(
                _representation_key(etag),
                (response.content, response["Content-Type"], headers),
                timeout=settings.API_REPRESENTATION_CACHE_SECONDS,
            )
        except Exception:
            logger.warning("Cache unavailable; the response was not kept.", exc_info=True)

    return store


class ConditionalReadMixin(ConditionalMixin, _ReadOnlyViewSet):
    """`ConditionalMixin` with the list and retrieve actions of a read-only viewset made `conditional`."""

    @conditional
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @conditional
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().retrieve(request, *args, **kwargs)
