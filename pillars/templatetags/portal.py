"""Formatting for the public pages: dates, numbers, slips and statuses in the reader's language.

Every figure a page shows passes through one of these filters, so that a date
or a number looks the same everywhere and follows the active language.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django import template
from django.urls import reverse
from django.utils import dateformat, formats, numberformat, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from hubs.choices import HubStatus, HubTier
from incentives.choices import IncentiveKind, IncentiveStatus
from pillars import charts
from pillars.choices import MilestoneStatus, TargetStatus
from sources.choices import Confidence

register = template.Library()

# A shape for every status, so that colour is never the only signal (WCAG 1.4.1).
STATUS_ICONS = {
    "achieved": "\u2714",  # heavy check mark
    "completed": "\u2714",
    "on_track": "\u25cf",  # black circle
    "at_risk": "\u25b2",  # black up-pointing triangle
    "off_track": "\u25bc",  # black down-pointing triangle
    "overdue": "\u25a0",  # black square
    "missed": "\u2716",  # heavy multiplication x
    "no_data": "\u25cb",  # white circle
    "cancelled": "\u2298",  # circled division slash
}

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


_LABELS: dict[str, Any] = {}


def _labels() -> dict[str, Any]:
    if not _LABELS:
        for choices in (TargetStatus, MilestoneStatus):
            _LABELS.update(dict(choices.choices))
    return _LABELS


@register.filter
def status_label(status: str | None) -> str:
    """The translated name of a target or milestone status."""
    if not status:
        return ""
    return str(_labels().get(str(status), status))


@register.simple_tag
def status_badge(status: str | None) -> SafeString:
    """A status as text with a shape and a colour (never colour alone)."""
    if not status:
        return format_html('<span class="badge status-none">{}</span>', _("not computed"))
    status = str(status)
    return format_html(
        '<span class="badge status-{}" data-status="{}"><span class="icon" aria-hidden="true">{}</span> {}</span>',
        status,
        status,
        STATUS_ICONS.get(status, "\u25cf"),
        status_label(status),
    )


_CONFIDENCE = dict(Confidence.choices)


@register.simple_tag
def confidence_mark(confidence: str, disputed: bool = False) -> SafeString:
    """The confidence mark of a source or a figure ("[A+]", "[A1] [!]"), explained on the methodology page."""
    href = reverse("pillars:methodology") + "#confidence"
    mark = format_html(
        '<a class="mark" href="{}" title="{}">[{}]</a>', href, _CONFIDENCE.get(confidence, confidence), confidence
    )
    if disputed:
        mark += format_html(
            ' <a class="mark disputed" href="{}" title="{}">[!]</a>', href, _("Sources conflict on this figure.")
        )
    return mark


@register.filter
def choice_label(value: str, kind: str) -> str:
    """The translated label of an incentive's or a hub's coded field."""
    choices = {
        "incentive_kind": IncentiveKind,
        "incentive_status": IncentiveStatus,
        "hub_tier": HubTier,
        "hub_status": HubStatus,
        "confidence": Confidence,
    }[kind]
    return str(dict(choices.choices).get(value, value))


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


@register.simple_tag
def target_explanation(ind: Any, unit: str, deadline: dt.date) -> list[str]:
    """The indicators of a target in plain sentences, for the target page and the chart's text summary."""
    if ind is None:
        return [_("The indicators of this target cannot be computed: its definition is invalid.")]
    status = str(ind.status)
    if status == TargetStatus.NO_DATA:
        return [_("No figure has been reported on or before this date, so there is nothing to measure yet.")]
    sentences = []
    if status == TargetStatus.ACHIEVED:
        sentences.append(
            _("The target was reached: %(value)s %(unit)s on %(date)s.")
            % {"value": num(ind.actual_value), "unit": unit, "date": day(ind.evaluation_date)}
        )
    else:
        sentences.append(
            _(
                "Latest figure: %(value)s %(unit)s on %(date)s "
                "(%(progress)s of the way; the plan expected %(planned)s by then)."
            )
            % {
                "value": num(ind.actual_value),
                "unit": unit,
                "date": day(ind.evaluation_date),
                "progress": pct(ind.progress),
                "planned": pct(ind.planned_progress),
            }
        )
    if ind.slip_days is not None and status != TargetStatus.ACHIEVED:
        if ind.slip_days > 0:
            sentences.append(
                ngettext("It is %(days)s day behind the plan.", "It is %(days)s days behind the plan.", ind.slip_days)
                % {"days": num(ind.slip_days)}
            )
        elif ind.slip_days < 0:
            sentences.append(
                ngettext(
                    "It is %(days)s day ahead of the plan.", "It is %(days)s days ahead of the plan.", -ind.slip_days
                )
                % {"days": num(-ind.slip_days)}
            )
        else:
            sentences.append(_("It is exactly on plan."))
    if status == TargetStatus.MISSED:
        sentences.append(
            _("The deadline, %(date)s, has passed without the target being reached.") % {"date": day(deadline)}
        )
    elif status != TargetStatus.ACHIEVED:
        if ind.forecast_completion is not None:
            slip = ind.forecast_slip_days or 0
            if slip > 0:
                sentences.append(
                    ngettext(
                        "At this pace it is reached on %(date)s, %(days)s day late.",
                        "At this pace it is reached on %(date)s, %(days)s days late.",
                        slip,
                    )
                    % {"date": day(ind.forecast_completion), "days": num(slip)}
                )
            elif slip < 0:
                sentences.append(
                    ngettext(
                        "At this pace it is reached on %(date)s, %(days)s day early.",
                        "At this pace it is reached on %(date)s, %(days)s days early.",
                        -slip,
                    )
                    % {"date": day(ind.forecast_completion), "days": num(-slip)}
                )
            else:
                sentences.append(
                    _("At this pace it is reached on %(date)s, on the deadline.")
                    % {"date": day(ind.forecast_completion)}
                )
        elif ind.spi is None:
            sentences.append(_("It is too early to forecast: the only figure is from the baseline date."))
        else:
            sentences.append(_("At this pace it is not reached in any foreseeable future."))
        if ind.required_rate is not None:
            sentences.append(
                _("%(rate)s %(unit)s a day (%(year)s a year) are needed from now to meet the deadline.")
                % {"rate": rate(ind.required_rate), "unit": unit, "year": rate(ind.required_rate_per_year)}
            )
    if ind.stale:
        sentences.append(
            ngettext(
                "The latest figure is %(days)s day old: an update is overdue.",
                "The latest figure is %(days)s days old: an update is overdue.",
                ind.staleness_days or 0,
            )
            % {"days": num(ind.staleness_days)}
        )
    return sentences


@register.simple_tag
def progress_svg(ind: Any) -> SafeString:
    """A target's progress bar (how far it has come, and a tick where the plan expected it), with its text."""
    if ind is None or ind.progress is None:
        return format_html('<span class="muted">{}</span>', _("no figure yet"))
    bar = charts.progress_bar(ind.progress, ind.planned_progress)
    planned = ""
    if bar.planned is not None:
        planned = format_html(
            '<line class="bar-plan" x1="{}" x2="{}" y1="0" y2="12"/>', f"{bar.planned:.1f}", f"{bar.planned:.1f}"
        )
    if ind.planned_progress is not None:
        label = _("%(progress)s done; plan: %(planned)s") % {
            "progress": pct(ind.progress),
            "planned": pct(ind.planned_progress),
        }
    else:
        label = _("%(progress)s done") % {"progress": pct(ind.progress)}
    return format_html(
        '<span class="progress"><svg class="bar" viewBox="0 0 100 12" width="100" height="12" aria-hidden="true" '
        'focusable="false"><rect class="bar-bg" width="100" height="12"/>'
        '<rect class="bar-fill" width="{}" height="12"/>{}</svg> <span class="bar-text">{}</span></span>',
        f"{bar.actual:.1f}",
        planned,
        label,
    )


@register.simple_tag
def status_bar(counts: dict[str, int], kind: str) -> SafeString:
    """A stacked bar of statuses (decorative: the counts are always written out next to it)."""
    order = [s.value for s in (TargetStatus if kind == "targets" else MilestoneStatus)]
    segments = charts.status_segments(counts, order)
    if not segments:
        return format_html("")
    rects = format_html_join(
        "",
        '<rect class="seg status-{}" x="{}" width="{}" height="10"/>',
        ((s.status, f"{s.x:.2f}", f"{s.width:.2f}") for s in segments),
    )
    return format_html(
        '<svg class="status-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false">{}</svg>',
        rects,
    )


@register.filter
def c(value: float) -> str:
    """An SVG coordinate: one decimal, never localized (a comma would break the drawing)."""
    return f"{float(value):.1f}"


@register.filter
def cplus(value: float, offset: Any) -> str:
    """An SVG coordinate moved by `offset`."""
    return f"{float(value) + float(offset):.1f}"


@register.filter
def hub_name(hub: Any) -> str:
    """A hub's name in the reader's language, when the data has it."""
    if _language() == "ur" and hub.name_ur:
        return str(hub.name_ur)
    return str(hub.name)
