"""The public pages: dashboard, pillars, targets, milestones, methodology and search.

Thin views: they validate the query string (the as-of date and the same
FilterSets as the API), read through the selectors, and hand plain objects to
the templates. Every page runs a constant number of SQL queries whatever the
size of the data; chart geometry comes from `pillars.charts`.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone, translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from hubs.models import Hub
from incentives.filtersets import IncentiveFilterSet
from incentives.models import Incentive
from policy_portal.api import EARLIEST_DATE, LATEST_DATE

from . import charts, indicators, selectors
from .choices import MilestoneStatus, TargetStatus
from .filtersets import MilestoneFilterSet, TargetFilterSet
from .models import (
    Measurement,
    Milestone,
    MilestoneEvidence,
    MilestoneSnapshot,
    Pillar,
    Rebaseline,
    RecomputeRun,
    Target,
    TargetSnapshot,
)

# Largest primary key a database can hold; a bigger number in an address is a 404, not an overflow.
MAX_PK = 2**63 - 1
PAGE_SIZE = 50
SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 200
TARGET_STATUS_ORDER = [s.value for s in TargetStatus]
REBASELINES = Rebaseline.objects.select_related("source").order_by("created_at", "pk")
MILESTONE_STATUS_ORDER = [s.value for s in MilestoneStatus]


# --- What every page shares ----------------------------------------------------------------------


class BadParameter(Exception):
    """A query parameter a reader got wrong: the page answers 400 and says which and why."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class AsOf:
    """The date a page describes: `?as_of=YYYY-MM-DD`, or today in the policy's time zone."""

    date: dt.date
    today: dt.date
    explicit: bool

    @property
    def query(self) -> str:
        """What links append to stay on the same date ("" when it is today)."""
        return f"?as_of={self.date.isoformat()}" if self.explicit else ""


def as_of_from(request: HttpRequest) -> AsOf:
    """The as-of date of a page, validated like the API's (`policy_portal.api.parse_date_param`)."""
    today = timezone.localdate()
    raw = request.GET.get("as_of", "")
    if raw == "":
        return AsOf(today, today, False)
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadParameter(
            [_("“%(value)s” is not a date: write the as-of date as YYYY-MM-DD.") % {"value": raw[:40]}]
        ) from None
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise BadParameter(
            [
                _("Choose an as-of date between %(first)s and %(last)s.")
                % {"first": EARLIEST_DATE.isoformat(), "last": LATEST_DATE.isoformat()}
            ]
        )
    return AsOf(value, today, value != today)


def render_page(
    request: HttpRequest, template: str, context: dict[str, Any], as_of: AsOf, *, status: int = 200
) -> HttpResponse:
    context = {
        **context,
        # The data (titles, summaries, sources) is in English: on pages in another language it is marked
        # as English (WCAG 3.1.2), so that screen readers switch voice and the English font applies.
        "dl": "" if (translation.get_language() or "en").startswith("en") else mark_safe(' lang="en"'),
        "as_of": as_of.date,
        "today": as_of.today,
        "as_of_explicit": as_of.explicit,
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


def valid_filters(filterset: Any) -> Any:
    """A FilterSet bound to the query string, or the 400 page listing its errors."""
    try:
        valid = filterset.is_valid()
    except OverflowError:  # SQLite cannot bind an id beyond 64 bits (`?pillar_id=1e30`)
        raise BadParameter([_("An id in the address is out of range.")]) from None
    if not valid:
        problems = []
        for name, errors in filterset.errors.items():
            label = filterset.form.fields[name].label if name in filterset.form.fields else name
            problems += [f"{label}: {error}" for error in errors]
        raise BadParameter(problems)
    return filterset


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
    }


def filter_fields(filterset: Any, names: Iterable[str]) -> list[Any]:
    """The bound fields of a filter form, with checkboxes for multiple choices and date pickers for dates."""
    form = filterset.form
    fields = []
    labels = _ordering_labels()
    urdu = (translation.get_language() or "").startswith("ur")
    for name in names:
        field = form.fields[name]
        if name == "ordering" and isinstance(field, forms.ChoiceField):
            choices = []
            current: Any = field.choices
            for value, label in current:
                if value == "":
                    continue  # the field adds its own empty choice back
                key = str(value).lstrip("-")
                if key in labels:
                    label = (
                        labels[key]
                        if not str(value).startswith("-")
                        else _("%(field)s, descending") % {"field": labels[key]}
                    )
                choices.append((value, label))
            field.choices = choices
        if name == "stale" and isinstance(field, forms.NullBooleanField):
            field.widget = forms.Select(choices=[("", _("any")), ("true", _("stale only")), ("false", _("not stale"))])
        if name == "hub" and urdu:
            field.label_from_instance = lambda hub: hub.name_ur or hub.name
        if isinstance(field.widget, forms.SelectMultiple):
            choices = field.choices
            field.widget = forms.CheckboxSelectMultiple()
            field.widget.choices = choices
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
        fields.append(form[name])
    return fields


def paginate(request: HttpRequest, rows: QuerySet[Any] | list[Any], size: int = PAGE_SIZE) -> Page[Any]:
    """One page of rows (a bad or missing `?page=` shows the first or last page, as Django does)."""
    return Paginator(rows, size).get_page(request.GET.get("page"))


def pk_or_404(pk: int) -> int:
    if pk > MAX_PK:
        raise Http404
    return pk


def mark_illustrative(targets: Sequence[Any]) -> None:
    """Flag every target whose shown figure (the measurement at its evaluation date) is illustrative: one query."""
    ids = [t.pk for t in targets]
    flagged: set[tuple[int, dt.date]] = set()
    if ids:
        flagged = set(Measurement.objects.filter(target_id__in=ids, illustrative=True).values_list("target_id", "date"))
    for target in targets:
        result = getattr(target, "indicators", None)
        target.illustrative = result is not None and (target.pk, result.evaluation_date) in flagged


def targets_with_indicators(queryset: QuerySet[Target], as_of: dt.date, **filters: Any) -> list[Target]:
    """Targets with `.indicators` and `.illustrative` as of a date (a constant number of queries)."""
    rows = list(selectors.target_list(queryset=queryset, as_of=as_of, **filters))
    selectors.attach_target_indicators(rows, as_of=as_of)
    mark_illustrative(rows)
    return rows


def milestones_with_indicators(queryset: QuerySet[Milestone], as_of: dt.date, **filters: Any) -> list[Milestone]:
    rows = list(selectors.milestone_list(queryset=queryset, as_of=as_of, **filters))
    selectors.attach_milestone_indicators(rows, as_of=as_of)
    return rows


def dashboard_window() -> tuple[dt.date, dt.date] | None:
    """The window of the headline (2025-2027): the first of the stored roll-up windows."""
    windows = settings.INDICATORS_ROLLUP_WINDOWS
    if not windows:
        return None
    start, end = windows[0]
    return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


@dataclass(frozen=True, slots=True)
class RollupView:
    """A roll-up with what the templates need beside it: totals and the stacked status bars."""

    rollup: indicators.Rollup
    targets_total: int
    milestones_total: int
    considered: int
    on_schedule: int | None
    target_counts: list[tuple[str, int]]
    milestone_counts: list[tuple[str, int]]


def rollup_view(rollup: indicators.Rollup | None) -> RollupView | None:
    if rollup is None:
        return None
    targets_total = sum(rollup.targets.values())
    milestones_total = sum(rollup.milestones.values())
    considered = (
        targets_total
        - rollup.targets.get(TargetStatus.NO_DATA, 0)
        + milestones_total
        - rollup.milestones.get(MilestoneStatus.CANCELLED, 0)
    )
    share = rollup.on_schedule_share
    return RollupView(
        rollup=rollup,
        targets_total=targets_total,
        milestones_total=milestones_total,
        considered=considered,
        on_schedule=None if share is None else round(share * considered),
        # In the order of the status rules, whatever order the stored JSON has.
        target_counts=[(s, rollup.targets.get(s, 0)) for s in TARGET_STATUS_ORDER if rollup.targets.get(s)],
        milestone_counts=[(s, rollup.milestones.get(s, 0)) for s in MILESTONE_STATUS_ORDER if rollup.milestones.get(s)],
    )


# --- Home: the policy dashboard -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    kind: str  # "target" or "milestone"
    pk: int
    code: str
    title: str
    before: str | None
    after: str


def recent_changes(as_of: dt.date, limit: int = 12) -> tuple[list[dt.date], list[StatusChange], int]:
    """Statuses that differ between the latest two full recomputes on or before `as_of` (four queries)."""
    runs = list(
        RecomputeRun.objects.filter(scope=RecomputeRun.Scope.FULL, as_of__lte=as_of)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .distinct()[:2]
    )
    if len(runs) < 2:
        return runs, [], 0
    latest, previous = runs
    changes: list[StatusChange] = []
    total = 0
    for kind, model, owner in (("target", TargetSnapshot, "target"), ("milestone", MilestoneSnapshot, "milestone")):
        before = model.objects.filter(**{owner: OuterRef(owner), "as_of": previous}).values("status")[:1]
        changed = (
            model.objects.filter(as_of=latest)
            .annotate(before=Subquery(before))
            .filter(~Q(before=F("status")) | Q(before__isnull=True))
            .order_by(f"{owner}__code")
        )
        total += changed.count()
        for pk, code, title, was, now in changed.values_list(
            f"{owner}_id", f"{owner}__code", f"{owner}__title", "before", "status"
        )[:limit]:
            changes.append(StatusChange(kind, pk, code, title, was, now))
    return runs, changes[:limit], total


def _slip(item: Any) -> int:
    result = getattr(item, "indicators", None)
    return (result.slip_days if result is not None else None) or 0


@page_view
def home(request: HttpRequest) -> HttpResponse:
    """The headline: how much of the 2025-2027 commitments is on schedule, what slipped, what changed."""
    as_of = as_of_from(request)
    day = as_of.date
    window = dashboard_window()
    window_rollups = selectors.rollups_on(as_of=day, window=window)
    all_rollups = selectors.rollups_on(as_of=day)
    pillars = list(Pillar.objects.order_by("number"))

    targets = Target.objects.select_related("pillar")
    milestones = Milestone.objects.select_related("pillar")
    slipped_targets = list(selectors.target_list(queryset=targets, as_of=day, ordering="-slip_days")[:5])
    slipped_milestones = list(selectors.milestone_list(queryset=milestones, as_of=day, ordering="-slip_days")[:5])
    selectors.attach_target_indicators(slipped_targets, as_of=day)
    selectors.attach_milestone_indicators(slipped_milestones, as_of=day)
    slipped: list[tuple[str, Any]] = [("target", t) for t in slipped_targets if _slip(t) > 0]
    slipped += [("milestone", m) for m in slipped_milestones if _slip(m) > 0]
    slipped.sort(key=lambda item: -item[1].indicators.slip_days)

    overdue_rows = selectors.milestone_list(
        queryset=milestones, as_of=day, status=[MilestoneStatus.OVERDUE], ordering="-slip_days"
    )
    overdue_total = overdue_rows.count() if isinstance(overdue_rows, QuerySet) else len(overdue_rows)
    overdue = list(overdue_rows[:10])
    selectors.attach_milestone_indicators(overdue, as_of=day)
    missed_rows = selectors.target_list(
        queryset=targets, as_of=day, status=[TargetStatus.MISSED], ordering="-slip_days"
    )
    missed_total = missed_rows.count() if isinstance(missed_rows, QuerySet) else len(missed_rows)
    missed = list(missed_rows[:10])
    selectors.attach_target_indicators(missed, as_of=day)
    mark_illustrative([item for kind, item in slipped if kind == "target"] + missed)

    runs, changes, changes_total = recent_changes(day)
    context = {
        "window": window,
        "headline": rollup_view(window_rollups.get(("policy", ""))),
        "overall": rollup_view(all_rollups.get(("policy", ""))),
        "cards": [(pillar, rollup_view(all_rollups.get(("pillar", pillar.slug)))) for pillar in pillars],
        "slipped": slipped[:6],
        "overdue": overdue,
        "overdue_total": overdue_total,
        "missed": missed,
        "missed_total": missed_total,
        "runs": runs,
        "stored": bool(runs) and runs[0] == day,
        "changes": changes,
        "changes_total": changes_total,
    }
    return render_page(request, "pages/home.html", context, as_of)


# --- Pillars and targets ---------------------------------------------------------------------------


@page_view
def pillar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    as_of = as_of_from(request)
    pillar = get_object_or_404(Pillar.objects.prefetch_related("sources"), slug=slug)
    rollups = selectors.rollups_on(as_of=as_of.date)
    context = {
        "pillar": pillar,
        "rollup": rollup_view(rollups.get(("pillar", pillar.slug))),
        "targets": targets_with_indicators(Target.objects.filter(pillar=pillar), as_of.date),
        "milestones": milestones_with_indicators(Milestone.objects.filter(pillar=pillar), as_of.date),
        "incentives": list(Incentive.objects.filter(pillar=pillar).order_by("name")),
    }
    return render_page(request, "pages/pillar_detail.html", context, as_of)


TARGET_FILTERS = ("q", "status", "pillar", "hub", "kind", "stale", "due_after", "due_before", "ordering")


@page_view
def target_index(request: HttpRequest) -> HttpResponse:
    """Every target, filtered with the API's TargetFilterSet (kept in the address, so a view can be shared)."""
    as_of = as_of_from(request)
    filterset = valid_filters(
        TargetFilterSet(request.GET, queryset=Target.objects.select_related("pillar"), request=request)
    )
    rows = selectors.target_list(queryset=filterset.qs, as_of=as_of.date, **filterset.indicator_filters)
    page = paginate(request, rows)
    targets = list(page.object_list)
    selectors.attach_target_indicators(targets, as_of=as_of.date)
    mark_illustrative(targets)
    context = {"page": page, "targets": targets, "fields": filter_fields(filterset, TARGET_FILTERS)}
    return render_page(request, "pages/target_list.html", context, as_of)


@dataclass(frozen=True, slots=True)
class StatusPeriod:
    """A run of recomputes with the same status: from `start` to `end` (the report dates)."""

    status: str
    start: dt.date
    end: dt.date
    slip_days: int | None
    reports: int


def status_periods(snapshots: Iterable[Any]) -> list[StatusPeriod]:
    """Collapse a history of snapshots into periods of unchanged status (newest first)."""
    periods: list[StatusPeriod] = []
    for snap in snapshots:
        if periods and periods[-1].status == snap.status:
            last = periods[-1]
            periods[-1] = StatusPeriod(last.status, last.start, snap.as_of, snap.slip_days, last.reports + 1)
        else:
            periods.append(StatusPeriod(snap.status, snap.as_of, snap.as_of, snap.slip_days, 1))
    return periods[::-1]


@page_view
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    as_of = as_of_from(request)
    day = as_of.date
    target = get_object_or_404(
        Target.objects.select_related("pillar").prefetch_related(
            "hubs", "sources", "trajectory_points", Prefetch("rebaselines", queryset=REBASELINES)
        ),
        pk=pk_or_404(pk),
    )
    rows = list(selectors.target_list(queryset=Target.objects.filter(pk=target.pk), as_of=day))
    selectors.attach_target_indicators(rows, as_of=day)
    result: indicators.TargetIndicators | None = rows[0].indicators if rows else None  # type: ignore[attr-defined]
    target.indicators = result  # type: ignore[attr-defined]

    measurements = list(target.measurements.filter(date__lte=day).order_by("date"))
    later = target.measurements.filter(date__gt=day).count()
    interim = [charts.ChartPoint(p.date, p.value) for p in target.trajectory_points.all()]
    chart = charts.target_chart(
        baseline=charts.ChartPoint(target.baseline_date, target.baseline_value),
        deadline=charts.ChartPoint(target.target_date, target.target_value),
        interim=interim,
        measurements=[(charts.ChartPoint(m.date, m.value), m.illustrative) for m in measurements],
        as_of=day,
        spi=result.spi if result else None,
        achieved=result is not None and result.status == indicators.TargetStatus.ACHIEVED,
    )
    shown = next((m for m in reversed(measurements) if result and m.date == result.evaluation_date), None)
    target.illustrative = shown is not None and shown.illustrative  # type: ignore[attr-defined]
    snapshots = list(TargetSnapshot.objects.filter(target=target, as_of__lte=day).order_by("as_of"))
    # Moved goalposts are public; the indicators stay measured against the original promise.
    rebaselines = [r for r in target.rebaselines.all() if r.decided_on <= day]
    context = {
        "target": target,
        "ind": result,
        "rebaselines": rebaselines,
        "current_ind": selectors.target_indicators_against_current_baseline(target) if rebaselines else None,
        "chart": chart,
        "plan": chart.planned,
        "measurements": measurements,
        "later_measurements": later,
        "any_illustrative": any(m.illustrative for m in measurements),
        "periods": status_periods(snapshots),
        "milestones": milestones_with_indicators(Milestone.objects.filter(target=target), day),
        "progress_bar": charts.progress_bar(result.progress, result.planned_progress) if result else None,
    }
    return render_page(request, "pages/target_detail.html", context, as_of)


# --- Milestones ------------------------------------------------------------------------------------------

MILESTONE_FILTERS = ("q", "status", "pillar", "hub", "due_after", "due_before", "ordering")


def timeline_of(milestones: Sequence[Any], as_of: dt.date) -> charts.Timeline:
    items = []
    for milestone in milestones:
        result = milestone.indicators
        completed = milestone.completed_on if milestone.completed_on and milestone.completed_on <= as_of else None
        label = milestone.title if len(milestone.title) <= 36 else milestone.title[:35] + "\u2026"
        items.append(
            charts.TimelineItem(
                key=str(milestone.pk),
                label=label,
                start=milestone.announced_on,
                due=milestone.baseline_due_date,
                expected=None if completed or result is None else result.expected_date,
                completed=completed,
                highlight=result is not None and result.status == indicators.MilestoneStatus.OVERDUE,
            )
        )
    return charts.timeline(items, as_of=as_of, window=dashboard_window())


@page_view
def milestone_index(request: HttpRequest) -> HttpResponse:
    """2025-2027 and beyond: baseline, forecast and actual dates of every milestone, overdue ones highlighted."""
    as_of = as_of_from(request)
    filterset = valid_filters(
        MilestoneFilterSet(request.GET, queryset=Milestone.objects.select_related("pillar"), request=request)
    )
    rows = selectors.milestone_list(queryset=filterset.qs, as_of=as_of.date, **filterset.indicator_filters)
    page = paginate(request, rows, 100)
    milestones = list(page.object_list)
    selectors.attach_milestone_indicators(milestones, as_of=as_of.date)
    context = {
        "page": page,
        "milestones": milestones,
        "timeline": timeline_of(milestones, as_of.date) if milestones else None,
        "fields": filter_fields(filterset, MILESTONE_FILTERS),
    }
    return render_page(request, "pages/milestone_list.html", context, as_of)


@page_view
def milestone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    as_of = as_of_from(request)
    day = as_of.date
    milestone = get_object_or_404(
        Milestone.objects.select_related("pillar", "target").prefetch_related(
            "hubs", "sources", Prefetch("rebaselines", queryset=REBASELINES)
        ),
        pk=pk_or_404(pk),
    )
    rows = milestones_with_indicators(Milestone.objects.filter(pk=milestone.pk), day)
    result: indicators.MilestoneIndicators | None = rows[0].indicators if rows else None  # type: ignore[attr-defined]
    milestone.indicators = result  # type: ignore[attr-defined]
    snapshots = list(MilestoneSnapshot.objects.filter(milestone=milestone, as_of__lte=day).order_by("as_of"))
    points = [
        charts.TrendPoint(s.as_of, s.forecast_due_date or milestone.baseline_due_date, s.expected_date)
        for s in snapshots
    ]
    evidence = list(
        MilestoneEvidence.objects.filter(milestone=milestone, date__lte=day).select_related("source").order_by("date")
    )
    rebaselines = [r for r in milestone.rebaselines.all() if r.decided_on <= day]
    context = {
        "milestone": milestone,
        "ind": result,
        "rebaselines": rebaselines,
        "current_slip": selectors.milestone_slip_against_current_baseline(milestone) if rebaselines else None,
        "snapshots": snapshots,
        "trend": charts.trend_chart(baseline_due=milestone.baseline_due_date, points=points) if points else None,
        "periods": status_periods(snapshots),
        "evidence": evidence,
        "completed": milestone.completed_on if milestone.completed_on and milestone.completed_on <= day else None,
    }
    return render_page(request, "pages/milestone_detail.html", context, as_of)


# --- Methodology and search --------------------------------------------------------------------------------


@page_view
def methodology(request: HttpRequest) -> HttpResponse:
    as_of = as_of_from(request)
    context = {
        "on_track_spi": settings.INDICATORS_ON_TRACK_SPI,
        "at_risk_spi": settings.INDICATORS_AT_RISK_SPI,
        "default_interval": settings.INDICATORS_DEFAULT_REPORTING_INTERVAL_DAYS,
        "window": dashboard_window(),
        # The worked example of docs/indicators.md, whose dates the page formats in the reader's language.
        "example": {
            "measured": dt.date(2025, 7, 1),
            "earned_schedule": dt.date(2025, 4, 2),
            "forecast": dt.date(2026, 12, 26),
        },
    }
    return render_page(request, "pages/methodology.html", context, as_of)


@page_view
def search(request: HttpRequest) -> HttpResponse:
    """One box across targets, milestones, incentives, hubs and pillars (the FilterSets' own `q` searches)."""
    as_of = as_of_from(request)
    query = request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    context: dict[str, Any] = {"q": query, "searched": bool(query)}
    if query:
        data = {"q": query}
        target_qs = TargetFilterSet(data, queryset=Target.objects.select_related("pillar")).qs.order_by("code")
        milestone_qs = MilestoneFilterSet(data, queryset=Milestone.objects.select_related("pillar")).qs.order_by(
            "baseline_due_date", "code"
        )
        targets = list(target_qs[:SEARCH_LIMIT])
        milestones = list(milestone_qs[:SEARCH_LIMIT])
        selectors.attach_target_indicators(targets, as_of=as_of.date)
        selectors.attach_milestone_indicators(milestones, as_of=as_of.date)
        mark_illustrative(targets)
        incentives = list(IncentiveFilterSet(data, queryset=Incentive.objects.all()).qs.order_by("name")[:SEARCH_LIMIT])
        hubs = list(
            Hub.objects.filter(
                Q(name__icontains=query)
                | Q(name_ur__icontains=query)
                | Q(province__icontains=query)
                | Q(role__icontains=query)
                | Q(slug__icontains=query)
            ).order_by("name")[:SEARCH_LIMIT]
        )
        pillars = list(
            Pillar.objects.filter(
                Q(name__icontains=query) | Q(summary__icontains=query) | Q(description__icontains=query)
            ).order_by("number")[:SEARCH_LIMIT]
        )
        context |= {
            "targets": targets,
            "milestones": milestones,
            "incentives": incentives,
            "hubs": hubs,
            "pillars": pillars,
            "found": len(targets) + len(milestones) + len(incentives) + len(hubs) + len(pillars),
            "limit": SEARCH_LIMIT,
        }
    return render_page(request, "pages/search.html", context, as_of)
