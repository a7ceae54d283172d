"""What every public page shares: the as-of date, the friendly 400 page, filters, pagination, rendering.

Views of every app call these, so that a bad query parameter, a filter form
or a page of results looks and behaves the same everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

from django import forms
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .asof import AsOf, ParameterError, as_of_from_query

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


def page_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a reader's bad query parameter into the friendly 400 page (also with DEBUG on)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadParameter as error:
            return bad_request_page(request, error.problems)

    return wrapped


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400: JSON under /api/ (like handler404 and handler500), the friendly page elsewhere."""
    if request.path.startswith("/api/"):
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
