"""What every public page shares: the as-of date, the friendly 400 page, filters, pagination, rendering.

Views of every app call these, so that a bad query parameter, a filter form
or a page of results looks and behaves the same everywhere.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from django import forms
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified, JsonResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, parse_etags, parse_http_date_safe
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .asof import AsOf, ParameterError, as_of_from_query
from .versioning import data_state, release

# Largest primary key a database can hold; a bigger number in an address is a 404, not an overflow.
MAX_PK = 2**63 - 1
PAGE_SIZE = 50


class BadParameter(Exception):
    """A query parameter a reader got wrong: the page answers 400 and says which and why."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def as_of_from(request: HttpRequest) -> AsOf:
    """The as-of date of a page (`?as_of=`), or the 400 page saying what is wrong with it."""
    try:
        return as_of_from_query(request.GET)
    except ParameterError as error:
        raise BadParameter([error.message]) from None


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], as_of: AsOf, *, status: int = 200
) -> HttpResponse:
    """Render a public page with what the base template needs about the date and the basis it describes."""
    context = {
        **context,
        # The data (titles, summaries, sources) is in English: on pages in another language it is marked
        # as English (WCAG 3.1.2), so that screen readers switch voice and the English font applies.
        "dl": "" if (translation.get_language() or "en").startswith("en") else mark_safe(' lang="en"'),
        "as_of": as_of.date,
        "today": as_of.today,
        "as_of_explicit": as_of.explicit,
        "basis": as_of.basis.value,
        # On the illustrative basis every page says so: a banner, and a label beside every number.
        "illustrative_basis": as_of.illustrative,
        "aq": as_of.query,
    }
    return render(request, template, context, status=status)


def bad_request_page(request: HttpRequest, problems: Sequence[str]) -> HttpResponse:
    """The friendly 400 page, naming what was wrong in the address."""
    return render(request, "400.html", {"problems": problems}, status=400)


# --- Conditional GETs of the pages and the feed ------------------------------------------------------
#
# A page is a function of the data (the data version), the address with its query, the language, today's
# date in Asia/Karachi (the default as-of date moves at midnight; a page as of a date says whether the date is
# in the future) and the release (templates, translations, styles). Its ETag digests them all; its
# Last-Modified is the latest of the data's last change, today's midnight and the release's files, so that a
# client's `If-Modified-Since` from yesterday never gets a 304 today. A 304 costs one query (the DataVersion
# row) and no page computation. Only a 200 carries the validators, so `If-None-Match: *` or a tag copied from
# elsewhere never turns a bad query (400) into a 304. The public pages have no POST form and no CSRF token,
# and show nothing of the reader's session, so one copy is right for every reader of an address.


def page_validators(request: HttpRequest) -> tuple[str, dt.datetime]:
    """The ETag and the Last-Modified time of a page or the feed (one query)."""
    version, changed_at = data_state()
    today = timezone.localdate()
    digest, release_mtime = release()
    key = "|".join([version, today.isoformat(), request.get_full_path(), translation.get_language() or "", digest])
    etag = '"p-' + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest() + '"'
    midnight = dt.datetime.combine(today, dt.time.min, tzinfo=timezone.get_current_timezone())
    moments = [midnight, dt.datetime.fromtimestamp(release_mtime, tz=dt.UTC)]
    if changed_at is not None:
        moments.append(changed_at)
    return etag, max(moments).replace(microsecond=0)


def not_modified(request: HttpRequest, etag: str, last_modified: dt.datetime) -> HttpResponse | None:
    """A 304 when the client's copy is current (`If-None-Match`, else `If-Modified-Since`), or None."""
    if request.method not in ("GET", "HEAD"):
        return None
    header = request.headers.get("If-None-Match")
    if header is not None:
        # Weak comparison, as RFC 9110 asks for If-None-Match; "*" is not honoured (see above).
        tags = {tag.removeprefix("W/") for tag in parse_etags(header) if tag != "*"}
        matched = etag in tags
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        matched = since is not None and int(last_modified.timestamp()) <= since
    if not matched:
        return None
    response = HttpResponseNotModified()
    return with_validators(response, etag, last_modified)


def with_validators(response: HttpResponse, etag: str, last_modified: dt.datetime) -> HttpResponse:
    """Send the validators, and ask caches to check them before reusing a copy (the data may change any time)."""
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    patch_cache_control(response, no_cache=True)
    return response


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A public page: 304 when the reader's copy is current; a bad query parameter is the friendly 400 page."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        etag, last_modified = page_validators(request)
        unchanged = not_modified(request, etag, last_modified)
        if unchanged is not None:
            return unchanged
        try:
            response = view(request, *args, **kwargs)
        except BadParameter as error:
            return bad_request_page(request, error.problems)
        if response.status_code == 200 and request.method in ("GET", "HEAD"):
            with_validators(response, etag, last_modified)
        return response

    return wrapped


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: JSON under /api/ (like handler404 and handler500), the friendly page elsewhere."""
    from django.core.exceptions import RequestDataTooBig

    if request.path.startswith("/api/"):
        if isinstance(exception, RequestDataTooBig):
            # A body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB), not read: 413, as the schema documents.
            return JsonResponse({"detail": "The request body is too large (2.5 MB at most)."}, status=413)
        return JsonResponse({"detail": "Bad request."}, status=400)
    return bad_request_page(request, [])


class BoundFilterSet(Protocol):
    """What the pages use of a django-filter FilterSet bound to the query string."""

    form: forms.Form

    @property
    def errors(self) -> Any: ...

    def is_valid(self) -> bool: ...


F = TypeVar("F", bound=BoundFilterSet)


def _form_problems(form: forms.Form) -> list[str]:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else name
        problems += [f"{label}: {error}" for error in errors]
    return problems


def valid_filters(filterset: F) -> F:
    """A FilterSet bound to the query string, or the 400 page listing its errors."""
    try:
        valid = filterset.is_valid()
    except OverflowError:  # SQLite cannot bind an id beyond 64 bits (`?pillar_id=1e30`)
        raise BadParameter([_("An id in the address is out of range.")]) from None
    if not valid:
        raise BadParameter(_form_problems(filterset.form))
    return filterset


FormT = TypeVar("FormT", bound=forms.Form)


def valid_query(form: FormT) -> FormT:
    """A form bound to the query string (`request.GET`), or the 400 page listing its errors."""
    if not form.is_valid():
        raise BadParameter(_form_problems(form))
    return form


def _ordering_labels() -> dict[str, str]:
    """Names of the sort keys in the reader's language (the FilterSet's own labels are the field names)."""
    return {
        "code": _("code"),
        "title": _("title"),
        "target_date": _("deadline"),
        "baseline_due_date": _("baseline due date"),
        "forecast_due_date": _("forecast due date"),
        "expected_date": _("expected date"),
        "slip_days": _("slip"),
        "status": _("status"),
        "progress": _("progress"),
        "spi": _("SPI"),
        "forecast_completion": _("forecast completion"),
        "last_reported_on": _("last reported"),
        "reporting_overdue_days": _("days the next figure is overdue"),
    }


def _ordering_choices(field: forms.ChoiceField) -> list[tuple[Any, Any]]:
    labels = _ordering_labels()
    choices = []
    current: Any = field.choices
    for value, label in current:
        if value == "":
            continue  # the field adds its own empty choice back
        key = str(value).lstrip("-")
        if key in labels:
            descending = str(value).startswith("-")
            label = _("%(field)s, descending") % {"field": labels[key]} if descending else labels[key]
        choices.append((value, label))
    return choices


def filter_fields(filterset: BoundFilterSet, names: Iterable[str]) -> list[forms.BoundField]:
    """The bound fields of a filter form, with checkboxes for multiple choices and date pickers for dates."""
    form = filterset.form
    fields = []
    for name in names:
        field = form.fields[name]
        if name == "ordering" and isinstance(field, forms.ChoiceField):
            field.choices = _ordering_choices(field)
        if name == "stale" and isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(choices=[("", _("any")), ("true", _("stale only")), ("false", _("not stale"))])
        if (
            isinstance(field, forms.ModelMultipleChoiceField)
            and field.queryset is not None
            and hasattr(field.queryset.model, "localized_name")
        ):
            # Objects that have a name in the reader's language (hubs) are listed by it. (A callable set on the
            # instance, where Django's choice iterator looks it up, is deliberate: mypy forbids it for methods.)
            field.label_from_instance = lambda obj: obj.localized_name  # type: ignore[method-assign]
        # The fields with a SelectMultiple are the multiple-choice ones, which are ChoiceFields (and so have choices).
        if isinstance(field.widget, forms.SelectMultiple) and isinstance(field, forms.ChoiceField):
            choices = field.choices
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = choices
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
        fields.append(form[name])
    return fields


def paginate(request: HttpRequest, rows: Any, size: int = PAGE_SIZE) -> Page[Any]:
    """One page of rows (a bad or missing `?page=` shows the first or last page, as Django does)."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def pk_or_404(pk: int) -> int:
    """A primary key from the address, or a 404 when no database could hold it."""
    if pk > MAX_PK:
        raise Http404
    return pk
