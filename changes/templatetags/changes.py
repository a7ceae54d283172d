"""A change to published data in words, for `/changes/`, the item pages and the feed.

Load with `{% load changes %}`. Earlier values are shown struck through
(`<del>`), so that the page reads as the record: what was published, and what
replaced it.
"""

from __future__ import annotations

import datetime as dt
from html import unescape
from typing import Any

from django import template
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.templatetags.portal import day, num
from incentives.choices import IncentiveStatus

from ..choices import ChangeKind, Role
from ..selectors import Change

register = template.Library()

_FIELD_LABELS: dict[str, Any] = {
    "value": gettext_lazy("value"),
    "date": gettext_lazy("date"),
    "source_url": gettext_lazy("source"),
    "illustrative": gettext_lazy("illustrative"),
    "baseline_value": gettext_lazy("baseline value"),
    "baseline_date": gettext_lazy("baseline date"),
    "target_value": gettext_lazy("target value"),
    "target_date": gettext_lazy("deadline"),
    "unit": gettext_lazy("unit"),
    "kind": gettext_lazy("kind"),
    "reporting_interval_days": gettext_lazy("reporting interval (days)"),
    "title": gettext_lazy("title"),
    "name": gettext_lazy("name"),
    "baseline_due_date": gettext_lazy("baseline due date"),
    "status": gettext_lazy("status"),
}


def _date(value: Any) -> str:
    if isinstance(value, str):
        try:
            return day(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return day(value) if isinstance(value, dt.date) else str(value)


def _shown(name: str, value: Any) -> str:
    """A field's value as the pages show it."""
    if value is None or value == "":
        return "\u2013"  # an en dash, as the tables show a missing value
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if name.endswith("date") or name in ("date", "completed_on", "withdrawn_on"):
        return _date(value)
    if isinstance(value, int | float):
        return num(value)
    if name == "status":
        return str(dict(IncentiveStatus.choices).get(value, value))
    return str(value)


@register.filter
def kind_label(kind: str) -> str:
    return str(dict(ChangeKind.choices).get(kind, kind))


@register.filter
def role_label(role: str) -> str:
    return str(dict(Role.choices).get(role, role))


@register.simple_tag
def change_what(change: Change) -> SafeString:
    """What changed, in words: the earlier value struck through, then the new one."""
    kind, unit = change.kind, change.unit
    if kind == ChangeKind.FIGURE_ADDED:
        return format_html(
            _("New figure: {value} {unit} for {date}."),
            value=num(change.new),
            unit=unit,
            date=_date(change.extra.get("date")),
        )
    if kind == ChangeKind.FIGURE_WITHDRAWN:
        return format_html(
            _("Figure withdrawn: <del>{value} {unit} for {date}</del>; it no longer counts."),
            value=num(change.extra.get("value")),
            unit=unit,
            date=_date(change.extra.get("date")),
        )
    if kind == ChangeKind.FIGURE_DELETED:
        return format_html(_("Figure deleted: <del>{value} {unit}</del>."), value=num(change.old), unit=unit)
    if kind == ChangeKind.FIGURE_REVISED:
        return format_html(
            _("Figure for {date} revised, {field}: <del>{old}</del> → {new}."),
            date=_date(change.extra.get("date")),
            field=_FIELD_LABELS.get(change.field, change.field),
            old=_shown(change.field, change.old),
            new=_shown(change.field, change.new),
        )
    if kind == ChangeKind.FORECAST_MOVED:
        old = change.old or change.extra.get("baseline_due_date")
        new = change.new or change.extra.get("baseline_due_date")
        return format_html(
            _("Forecast moved: <del>{old}</del> → {new}."), old=_shown("date", old), new=_shown("date", new)
        )
    if kind == ChangeKind.COMPLETED:
        if change.old:
            return format_html(
                _("Completion date corrected: <del>{old}</del> → {new}."),
                old=_shown("date", change.old),
                new=_shown("date", change.new),
            )
        return format_html(_("Completed on {date}."), date=_shown("date", change.new))
    if kind == ChangeKind.CANCELLED:
        return escape(_("Cancelled."))
    if kind == ChangeKind.REOPENED:
        if change.field == "completed_on":
            return format_html(_("Reopened: <del>completed on {date}</del>."), date=_shown("date", change.old))
        return mark_safe(_("Reopened: <del>cancelled</del>."))  # our own translated markup, no input
    if kind == ChangeKind.REBASELINED:
        if isinstance(change.old, dict) and isinstance(change.new, dict):
            template_text = _("{baseline} on {start} to {goal} by {deadline}")

            def terms(values: dict[str, Any]) -> str:
                return template_text.format(
                    baseline=num(values["baseline_value"]),
                    start=_shown("date", values["baseline_date"]),
                    goal=num(values["target_value"]),
                    deadline=_shown("date", values["target_date"]),
                )

            return format_html(
                _("Re-baselined: <del>{old}</del> → {new}."), old=terms(change.old), new=terms(change.new)
            )
        return format_html(
            _("Re-baselined, due date: <del>{old}</del> → {new}."),
            old=_shown("date", change.old),
            new=_shown("date", change.new),
        )
    return format_html(
        _("{field}: <del>{old}</del> → {new}."),
        field=_FIELD_LABELS.get(change.field, change.field),
        old=_shown(change.field, change.old),
        new=_shown(change.field, change.new),
    )


def change_text(change: Change) -> str:
    """The same in plain text (the feed): the struck-through value marked "was"."""
    marked = str(change_what(change)).replace("<del>", "[was: ").replace("</del>", "]")
    return unescape(strip_tags(marked))
