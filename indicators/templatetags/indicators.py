"""Template tags of the indicators: statuses with their shape, a target's indicators in plain words, bars.

Load with `{% load indicators %}` (dates and numbers come from `{% load portal %}`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import charts
from core.templatetags.portal import day, num, pct, rate

from ..choices import MilestoneStatus, TargetStatus
from ..compute import TargetStatus as Status

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


@register.simple_tag(takes_context=True)
def basis_mark(context: template.Context) -> SafeString:
    """The label beside a number computed on the illustrative basis (nothing on the reported one)."""
    if not context.get("illustrative_basis"):
        return SafeString("")
    return format_html(
        '<span class="tag illustrative basis-mark" data-testid="basis-mark" title="{}">◇ {}</span>',
        _("Computed with figures made up for a demonstration."),
        _("illustrative"),
    )


@register.simple_tag
def reporting_sentence(ind: Any) -> str:
    """Whether anyone is publishing figures for a target: when the last came, when the next was due (reported basis)."""
    if ind is None or getattr(ind, "report_due_on", None) is None:
        return ""
    overdue = ind.reporting_overdue_days or 0
    due = day(ind.report_due_on)
    if ind.last_reported_on is None:
        if overdue > 0:
            return ngettext(
                "No figure has ever been reported: the first was due on %(date)s, %(days)s day ago.",
                "No figure has ever been reported: the first was due on %(date)s, %(days)s days ago.",
                overdue,
            ) % {"date": due, "days": num(overdue)}
        return _("No figure has been reported yet; the first is due by %(date)s.") % {"date": due}
    last = day(ind.last_reported_on)
    if overdue > 0:
        return ngettext(
            "The latest reported figure is of %(last)s; the next was due on %(date)s, %(days)s day ago.",
            "The latest reported figure is of %(last)s; the next was due on %(date)s, %(days)s days ago.",
            overdue,
        ) % {"last": last, "date": due, "days": num(overdue)}
    return _("The latest reported figure is of %(last)s; the next is due by %(date)s.") % {"last": last, "date": due}


@register.simple_tag
def target_explanation(ind: Any, unit: str, deadline: dt.date) -> list[str]:
    """The indicators of a target in plain sentences, for the target page and the chart's text summary."""
    if ind is None:
        return [_("The indicators of this target cannot be computed: its definition is invalid.")]
    status = str(ind.status)
    if status == Status.NO_DATA:
        if str(getattr(ind, "basis", "reported")) == "illustrative":
            return [_("No figure, reported or illustrative, is dated on or before this date: nothing to measure yet.")]
        return [_("No figure has been reported on or before this date, so there is nothing to measure yet.")]
    sentences = []
    if status == Status.ACHIEVED:
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
    if ind.slip_days is not None and status != Status.ACHIEVED:
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
    if status == Status.MISSED:
        sentences.append(
            _("The deadline, %(date)s, has passed without the target being reached.") % {"date": day(deadline)}
        )
    elif status != Status.ACHIEVED:
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
                _("%(rate)s %(unit)s needed each day from %(date)s (%(year)s a year) to meet the deadline.")
                % {
                    "rate": rate(ind.required_rate),
                    "unit": unit,
                    "date": day(ind.as_of),
                    "year": rate(ind.required_rate_per_year),
                }
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
        return SafeString("")
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
