"""Formatting for the public pages: dates, numbers, slips and statuses in the reader's language.

Every figure a page shows passes through one of these filters, so that a date
or a number looks the same everywhere and follows the active language.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import template
from django.utils import dateformat, formats, numberformat, timezone, translation
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

_DATE_FORMATS = {"ur": "j F Y"}
_GROUPING: dict[str, int | tuple[int, ...]] = {"ur": (3, 2, 0)}
_DEFAULT_DATE_FORMAT = "j M Y"


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


@register.filter
def day(value: dt.date | None) -> str:
    """A date as readers write it: "26 Dec 2026", "26 دسمبر 2026"."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)  # a moment is dated in the policy's time zone, not in UTC
    return dateformat.format(value, _DATE_FORMATS.get(_language(), _DEFAULT_DATE_FORMAT))


@register.filter
def tick_date(value: dt.date) -> str:
    """An axis label: the year on 1 January, the month otherwise."""
    if value.month == 1 and value.day == 1:
        return str(value.year)
    return dateformat.format(value, "M" if _language() != "ur" else "F")


def _decimals(value: float) -> int:
    size = abs(value)
    if size >= 100 or float(value).is_integer():
        return 0
    if size >= 10:
        return 1
    return 2


@register.filter
def num(value: Any, decimals: Any = None) -> str:
    """A number with thousands separators and as many decimals as it needs (localized)."""
    if value is None or value == "":
        return ""
    number = float(value)
    if not math.isfinite(number):
        return str(number)
    places = _decimals(number) if decimals in (None, "") else int(decimals)
    language = _language()
    # Django has no number formats for Urdu (it would not group digits at all): group as Pakistan
    # writes Urdu, in lakhs and crores (10,00,000).
    grouping = _GROUPING.get(language) or formats.get_format("NUMBER_GROUPING", use_l10n=True) or 3
    text = numberformat.format(
        round(number, places),
        formats.get_format("DECIMAL_SEPARATOR", use_l10n=True),
        places,
        grouping,
        formats.get_format("THOUSAND_SEPARATOR", use_l10n=True),
        force_grouping=True,
        use_l10n=True,
    )
    if places and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


@register.filter
def rate(value: Any) -> str:
    """A rate per day or per year: "819.7", "299,385", "0.33" (enough decimals to be read, no more)."""
    if value is None or value == "":
        return ""
    size = abs(float(value))
    return num(value, 0 if size >= 1000 else 1 if size >= 1 else 2)


@register.filter
def per(value: float, divisor: float) -> float:
    """A value in the unit of its axis (see charts.axis_unit)."""
    return float(value) / float(divisor or 1)


@register.filter
def axis_unit_name(unit: str) -> str:
    """The name of an axis unit: "thousands", "millions", "billions"."""
    return {"k": _("thousands"), "M": _("millions"), "bn": _("billions")}.get(unit, "")


@register.filter
def pct(share: float | None) -> str:
    """A share (0.62) as a percentage ("62%")."""
    if share is None:
        return ""
    return _("%(value)s%%") % {"value": num(share * 100, 0)}


@register.filter
def behind(days: int | None) -> str:
    """A target's slip in words: "90 days behind", "5 days ahead", "on plan"."""
    if days is None:
        return ""
    if days > 0:
        return ngettext("%(days)s day behind", "%(days)s days behind", days) % {"days": num(days)}
    if days < 0:
        return ngettext("%(days)s day ahead", "%(days)s days ahead", -days) % {"days": num(-days)}
    return _("on plan")


@register.filter
def late(days: int | None) -> str:
    """A date's slip in words: "360 days late", "3 days early", "on time"."""
    if days is None:
        return ""
    if days > 0:
        return ngettext("%(days)s day late", "%(days)s days late", days) % {"days": num(days)}
    if days < 0:
        return ngettext("%(days)s day early", "%(days)s days early", -days) % {"days": num(-days)}
    return _("on time")


@register.filter
def expected(ind: Any) -> str:
    """A milestone's expected date in words, from its indicators (or a snapshot of them).

    indicators.md never lets an unfinished milestone be expected before the as-of date, so an overdue one whose
    editors gave no later date is "expected" on the as-of date itself: shown as a date, that reads like a forecast
    and changes every day. It is said as what it is instead: no new date, and how overdue (its `slip_days`, which
    is then as-of date minus baseline due date). The numbers are the indicators', unchanged.
    """
    if ind is None or ind.expected_date is None:
        return ""
    if ind.status == "overdue" and ind.expected_date <= ind.as_of:
        days = ind.slip_days or 0
        return ngettext("no new date given; %(days)s day overdue", "no new date given; %(days)s days overdue", days) % {
            "days": num(days)
        }
    return day(ind.expected_date)


@register.filter
def days_after(later: dt.date | None, earlier: dt.date | None) -> int | None:
    """Whole days from `earlier` to `later` (`{{ as_of|days_after:due }}`)."""
    if later is None or earlier is None:
        return None
    return (later - earlier).days


@register.filter
def days_count(days: int | float | None) -> str:
    """A number of days: "1 day", "17.5 days"."""
    if days is None:
        return ""
    count = int(abs(days)) if float(days).is_integer() else 2
    return ngettext("%(days)s day", "%(days)s days", count) % {"days": num(days)}


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[dict[str, Any]]:
    """This page in every language: English unprefixed, Urdu under /ur/, with the query string kept."""
    from django.conf import settings
    from django.urls import get_script_prefix

    request = context.get("request")
    current = _language()
    path = "/"
    query = ""
    if request is not None:
        path = request.path_info or "/"
        query = request.GET.urlencode()
    prefix = translation.get_language_from_path(path)
    if prefix:
        path = path[len(prefix) + 1 :] or "/"
    script = get_script_prefix().rstrip("/")
    links = []
    for code, name in settings.LANGUAGES:
        url = script + (path if code == settings.LANGUAGE_CODE else f"/{code}{path}")
        if query:
            url += "?" + query
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return links


@register.simple_tag(takes_context=True)
def page_links(context: template.Context) -> dict[str, Any]:
    """This page's canonical address and its hreflang alternates (and x-default), absolute (core.seo)."""
    from core.seo import page_links as links

    return links(context.get("request"))


@register.filter
def c(value: float) -> str:
    """An SVG coordinate: one decimal, never localized (a comma would break the drawing)."""
    return f"{float(value):.1f}"


@register.filter
def cplus(value: float, offset: Any) -> str:
    """An SVG coordinate moved by `offset`."""
    return f"{float(value) + float(offset):.1f}"


def _untranslated(obj: Any, field: str) -> bool:
    """Whether `obj.<field>`, read on a page in another language than English, is the English text it fell back to.

    The records' texts have a column per language (django-modeltranslation, settings' MODELTRANSLATION_*): the
    Urdu page shows the English where the Urdu column is empty. A field with no such columns is data in English.
    """
    language = _language()
    if language == "en" or obj is None or obj == "":
        return False
    if not hasattr(obj, f"{field}_en"):
        return True  # not a translated field: the data as it is, in English
    return not getattr(obj, f"{field}_{language}", None) and bool(getattr(obj, field, None))


@register.filter
def untranslated(obj: Any, field: str) -> str:
    """` lang="en" dir="ltr"` for the element showing `obj.<field>` when that text is the English fallback, else "".

    ``<h1{{ target|untranslated:"title" }}>{{ target.title }}</h1>``: screen readers switch voice and the text runs
    left to right where the Urdu page shows an English text; an Urdu text is left to the page's language.
    """
    return mark_safe(' lang="en" dir="ltr"') if _untranslated(obj, field) else ""


@register.filter
def translated(obj: Any, field: str) -> str:
    """`obj.<field>` to put inside a sentence: the text, wrapped in a `lang="en"` span when it is the English fallback.

    For texts inside a translated sentence, such as a unit after its number (``{{ value }} {{ unit }} a day``).
    """
    value = getattr(obj, field, "") if obj is not None else ""
    if value is None or value == "":
        return ""
    if _untranslated(obj, field):
        return format_html('<span lang="en" dir="ltr">{}</span>', value)
    return conditional_escape(value)
