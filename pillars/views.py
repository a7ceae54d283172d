"""The public pages: dashboard, pillars, targets, milestones, methodology and search.

Thin views: they validate the query string (the as-of date and the same
FilterSets as the API), read through the selectors, and hand plain objects to
the templates. Every page runs a constant number of SQL queries whatever the
size of the data; chart geometry comes from `pillars.charts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import F, OuterRef, Prefetch, Q, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy

from changes.selectors import ChangeFilter, item_changes
from core import charts
from core import search as text_search
from core.asof import AsOf
from core.pages import (
    as_of_from,
    filter_fields,
    page_view,
    paginate,
    pk_or_404,
    render_page,
    valid_filters,
    valid_query,
)
from core.templatetags import portal as portal_tags
from core.translation import english
from hubs.models import Hub
from incentives.models import Incentive
from indicators import compute
from indicators import selectors as indicator_selectors
from indicators.display import RollupView, dashboard_window, rollup_view
from indicators.models import MilestoneSnapshot, RecomputeRun, TargetSnapshot
from indicators.ranking import Ranked, RankingSort, furthest_behind, rank_pillars, sort_ranking

from .choices import TargetKind
from .filtersets import MilestoneFilterSet, TargetFilterSet
from .models import Measurement, Milestone, MilestoneEvidence, Pillar, Rebaseline, Target
from .selectors import mark_illustrative, milestones_with_indicators, targets_with_indicators

SEARCH_LIMIT = 20
SEARCH_MAX_LENGTH = 200
REBASELINES = Rebaseline.objects.select_related("source").order_by("created_at", "pk")


# --- Home: the policy dashboard -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatusChange:
    kind: str  # "target" or "milestone"
    pk: int
    code: str
    title: str
    before: str | None
    after: str


def recent_changes(
    as_of: dt.date, basis: compute.Basis, limit: int = 12
) -> tuple[list[dt.date], list[StatusChange], int]:
    """Statuses that differ between the latest two full recomputes on or before `as_of`, on a basis.

    Five queries (seven on the illustrative basis, which asks each run which rows it stored).
    """
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
    # Each run's rows of the basis asked for (a run with no illustrative figure stored the reported ones only).
    before_basis = indicator_selectors.read_basis(as_of=previous, basis=basis)
    latest_basis = indicator_selectors.read_basis(as_of=latest, basis=basis)
    for kind, model, owner in (("target", TargetSnapshot, "target"), ("milestone", MilestoneSnapshot, "milestone")):
        before = model.objects.filter(**{owner: OuterRef(owner), "as_of": previous, "basis": before_basis})
        changed = (
            model.objects.filter(as_of=latest, basis=latest_basis)
            .annotate(before=Subquery(before.values("status")[:1]))
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
    window_rollups = indicator_selectors.rollups_on(**as_of.selection, window=window)
    all_rollups = indicator_selectors.rollups_on(**as_of.selection)
    pillars = list(Pillar.objects.order_by("number"))

    targets = Target.objects.select_related("pillar")
    milestones = Milestone.objects.select_related("pillar")
    slipped_targets = indicator_selectors.target_list(queryset=targets, **as_of.selection, ordering="-slip_days")[:5]
    slipped_milestones = indicator_selectors.milestone_list(
        queryset=milestones, **as_of.selection, ordering="-slip_days"
    )[:5]
    slipped: list[tuple[str, Any]] = [("target", t) for t in slipped_targets if _slip(t) > 0]
    slipped += [("milestone", m) for m in slipped_milestones if _slip(m) > 0]
    slipped.sort(key=lambda item: -item[1].indicators.slip_days)

    overdue_rows = indicator_selectors.milestone_list(
        queryset=milestones,
        as_of=day,
        basis=as_of.basis,
        status=[compute.MilestoneStatus.OVERDUE],
        ordering="-slip_days",
    )
    overdue_total = overdue_rows.count()
    overdue = overdue_rows[:10]
    missed_rows = indicator_selectors.target_list(
        queryset=targets, **as_of.selection, status=[compute.TargetStatus.MISSED], ordering="-slip_days"
    )
    missed_total = missed_rows.count()
    missed = missed_rows[:10]
    mark_illustrative([item for kind, item in slipped if kind == "target"] + missed)

    runs, changes, changes_total = recent_changes(day, as_of.basis)
    ranking = pillar_ranking(pillars, all_rollups)
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
        "behind": pillar_rows(furthest_behind(ranking), as_of),
        "pillars_total": len(pillars),
    }
    return render_page(request, "pages/home.html", context, as_of)


# --- The pillar ranking ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PillarRow:
    """A pillar of the ranking with its roll-up's totals, for the templates."""

    pillar: Pillar
    ranked: Ranked[Pillar]
    rv: RollupView | None
    #: The query of the pillar's targets and milestones lists (`?pillar=`), on the same date and basis.
    filter_query: str


def pillar_rows(ranking: Iterable[Ranked[Pillar]], as_of: AsOf) -> list[PillarRow]:
    return [
        PillarRow(row.item, row, rollup_view(row.rollup), urlencode({"pillar": row.item.slug, **as_of.params}))
        for row in ranking
    ]


def pillar_ranking(pillars: Iterable[Pillar], rollups: dict[tuple[str, str], compute.Rollup]) -> list[Ranked[Pillar]]:
    """The pillars ranked furthest behind first (`indicators.ranking`), from roll-ups already read: no query."""
    return rank_pillars((pillar, pillar.number, rollups.get(("pillar", pillar.slug))) for pillar in pillars)


@dataclass(frozen=True, slots=True)
class SortColumn:
    """A sortable column header: its label, its `aria-sort` (or ""), the query its link asks for."""

    key: str
    label: str
    aria_sort: str
    query: str


# What a column's header asks for when the ranking is sorted by another column: the order that puts the
# pillars furthest behind first (lowest share, largest slip, lowest coverage); a second click reverses it.
FIRST_ORDER = {
    "rank": RankingSort.RANK,
    "pillar": RankingSort.PILLAR,
    "on_schedule": RankingSort.ON_SCHEDULE,
    "median_slip": RankingSort.MEDIAN_SLIP_DESC,
    "coverage": RankingSort.COVERAGE,
}


def _sort_columns(sort: RankingSort, as_of: AsOf) -> list[SortColumn]:
    labels = {
        "rank": gettext_lazy("Rank"),
        "pillar": gettext_lazy("Pillar"),
        "on_schedule": gettext_lazy("On schedule"),
        "median_slip": gettext_lazy("Median slip"),
        "coverage": gettext_lazy("Reporting coverage"),
    }
    columns = []
    for key, first in FIRST_ORDER.items():
        current = sort.column == key
        wanted = RankingSort(sort.value[1:] if sort.descending else f"-{sort.value}") if current else first
        params = {**as_of.params, **({} if wanted == RankingSort.RANK else {"sort": wanted.value})}
        aria = ("descending" if sort.descending else "ascending") if current else ""
        columns.append(SortColumn(key, str(labels[key]), aria, f"?{urlencode(params)}" if params else ""))
    return columns


class RankingForm(forms.Form):
    """`?sort=`: one of the ranking's columns (`RankingSort`); anything else is the friendly 400."""

    sort = forms.ChoiceField(
        required=False, label=gettext_lazy("Sort"), choices=[(s.value, s.value) for s in RankingSort]
    )


@page_view
def pillar_index(request: HttpRequest) -> HttpResponse:
    """The six pillars ranked furthest behind first, by the rule the page states, with their reporting coverage."""
    as_of = as_of_from(request)
    sort = RankingSort(valid_query(RankingForm(request.GET)).cleaned_data["sort"] or RankingSort.RANK)
    rollups = indicator_selectors.rollups_on(**as_of.selection)
    ranking = pillar_ranking(Pillar.objects.order_by("number"), rollups)
    rows = pillar_rows(sort_ranking(ranking, sort), as_of)
    context = {
        "rows": rows,
        "behind": [row for row in rows if row.ranked.position == 1],
        "unranked": sum(1 for row in rows if not row.ranked.has_data),
        "columns": _sort_columns(sort, as_of),
        "sort": sort.value,
    }
    return render_page(request, "pages/pillar_list.html", context, as_of)


# --- Pillars and targets ---------------------------------------------------------------------------


@page_view
def pillar_detail(request: HttpRequest, slug: str) -> HttpResponse:
    as_of = as_of_from(request)
    pillar = get_object_or_404(Pillar.objects.prefetch_related("sources"), slug=slug)
    rollups = indicator_selectors.rollups_on(**as_of.selection)
    context = {
        "pillar": pillar,
        "rollup": rollup_view(rollups.get(("pillar", pillar.slug))),
        "targets": targets_with_indicators(Target.objects.filter(pillar=pillar), as_of.date, as_of.basis),
        "milestones": milestones_with_indicators(Milestone.objects.filter(pillar=pillar), as_of.date, as_of.basis),
        "incentives": list(Incentive.objects.filter(pillar=pillar).order_by(english("name"))),
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
    rows = indicator_selectors.target_list(queryset=filterset.qs, **as_of.selection, **filterset.indicator_filters)
    page = paginate(request, rows)
    targets = list(page.object_list)
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


def _changes_of(as_of: AsOf, *, target_id: int | None = None, milestone_id: int | None = None) -> dict[str, Any]:
    """An item page's "Changes" section: its latest changes (as the record stood on the as-of date)."""
    until = as_of.date if as_of.explicit else None
    wanted = ChangeFilter(basis=as_of.basis, until=until, target_id=target_id, milestone_id=milestone_id)
    item = {"target": target_id} if target_id is not None else {"milestone": milestone_id}
    changes, total = item_changes(wanted)
    return {
        "changes": changes,
        "changes_total": total,
        "changes_query": urlencode({**{k: str(v) for k, v in item.items()}, **as_of.params}),
    }


def _withdrawn(measurement: Measurement, day: dt.date) -> bool:
    return measurement.withdrawn_on is not None and measurement.withdrawn_on <= day


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
    rows = indicator_selectors.target_list(queryset=Target.objects.filter(pk=target.pk), **as_of.selection)[:]
    result = rows[0].indicators if rows else None
    target.indicators = result

    figures = list(target.measurements.filter(date__lte=day).order_by("date"))
    for figure in figures:
        figure.withdrawn_now = _withdrawn(figure, day)  # type: ignore[attr-defined]  # for the template
    later = target.measurements.filter(date__gt=day).count()
    # What the numbers rest on: the basis's figures, less those withdrawn by the as-of date (shown struck through).
    counted = [m for m in figures if (as_of.illustrative or not m.illustrative) and not _withdrawn(m, day)]
    interim = [charts.ChartPoint(p.date, p.value) for p in target.trajectory_points.all()]
    chart = charts.target_chart(
        baseline=charts.ChartPoint(target.baseline_date, target.baseline_value),
        deadline=charts.ChartPoint(target.target_date, target.target_value),
        interim=interim,
        measurements=[(charts.ChartPoint(m.date, m.value), m.illustrative) for m in counted],
        as_of=day,
        spi=result.spi if result else None,
        achieved=result is not None and result.status == compute.TargetStatus.ACHIEVED,
    )
    shown = next((m for m in reversed(counted) if result and m.date == result.evaluation_date), None)
    target.illustrative = shown is not None and shown.illustrative
    snapshots = list(indicator_selectors.target_history(target_id=target.pk, basis=as_of.basis, until=day))
    # Moved goalposts are public; the indicators stay measured against the original promise.
    rebaselines = [r for r in target.rebaselines.all() if r.decided_on <= day]
    context = {
        "target": target,
        "ind": result,
        "rebaselines": rebaselines,
        "current_ind": indicator_selectors.target_indicators_against_current_baseline(target) if rebaselines else None,
        "chart": chart,
        "plan": chart.planned,
        "reported_figures": [m for m in figures if not m.illustrative],
        "illustrative_figures": [m for m in figures if m.illustrative],
        "later_measurements": later,
        "any_illustrative": as_of.illustrative and any(m.illustrative for m in counted),
        "projection": target.kind == TargetKind.PROJECTION,
        "periods": status_periods(snapshots),
        "milestones": milestones_with_indicators(Milestone.objects.filter(target=target), day, as_of.basis),
        "progress_bar": charts.progress_bar(result.progress, result.planned_progress) if result else None,
        **_changes_of(as_of, target_id=target.pk),
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
                highlight=result is not None and result.status == compute.MilestoneStatus.OVERDUE,
                english=bool(portal_tags.untranslated(milestone, "title")),
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
    rows = indicator_selectors.milestone_list(queryset=filterset.qs, **as_of.selection, **filterset.indicator_filters)
    page = paginate(request, rows, 100)
    milestones = list(page.object_list)
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
    rows = milestones_with_indicators(Milestone.objects.filter(pk=milestone.pk), day, as_of.basis)
    result = rows[0].indicators if rows else None
    milestone.indicators = result
    snapshots = list(indicator_selectors.milestone_history(milestone_id=milestone.pk, basis=as_of.basis, until=day))
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
        "current_slip": indicator_selectors.milestone_slip_against_current_baseline(milestone) if rebaselines else None,
        "snapshots": snapshots,
        "trend": charts.trend_chart(baseline_due=milestone.baseline_due_date, points=points) if points else None,
        "periods": status_periods(snapshots),
        "evidence": evidence,
        "completed": milestone.completed_on if milestone.completed_on and milestone.completed_on <= day else None,
        **_changes_of(as_of, milestone_id=milestone.pk),
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


class SearchForm(forms.Form):
    """The search box, read like every other query parameter: a NUL character (which PostgreSQL cannot
    compare with, so the query would fail) is the friendly 400, as in the lists' and the API's `q`."""

    q = forms.CharField(required=False, label=gettext_lazy("Search"))


@page_view
def search(request: HttpRequest) -> HttpResponse:
    """One box across targets, milestones, incentives, hubs and pillars, matched by `core.search` (plurals, numbers
    with or without separators, Urdu spelling variants)."""
    as_of = as_of_from(request)
    query = valid_query(SearchForm(request.GET)).cleaned_data["q"][:SEARCH_MAX_LENGTH]
    context: dict[str, Any] = {"q": query, "searched": bool(query), "found": 0}
    condition = text_search.matching(query) if query else None
    if condition is not None:
        # One query per kind of result, each over its folded text (core.search): constant in rows and words.
        target_qs = (
            Target.objects.select_related("pillar")
            .alias(search_text=text_search.folded("code", *text_search.both("title", "description", "unit")))
            .filter(condition)
            .order_by("code")
        )
        milestone_qs = (
            Milestone.objects.select_related("pillar")
            .alias(
                search_text=text_search.folded("code", *text_search.both("title", "description"), "responsible_body")
            )
            .filter(condition)
            .order_by("baseline_due_date", "code")
        )
        targets = indicator_selectors.target_list(queryset=target_qs, **as_of.selection)[:SEARCH_LIMIT]
        milestones = indicator_selectors.milestone_list(queryset=milestone_qs, **as_of.selection)[:SEARCH_LIMIT]
        mark_illustrative(targets)
        incentives = list(
            Incentive.objects.alias(
                search_text=text_search.folded(*text_search.both("name", "summary", "eligibility"), "administered_by")
            )
            .filter(condition)
            .order_by(english("name"))[:SEARCH_LIMIT]
        )
        hubs = list(
            Hub.objects.alias(search_text=text_search.folded(*text_search.both("name", "role"), "province", "slug"))
            .filter(condition)
            .order_by(english("name"))[:SEARCH_LIMIT]
        )
        pillars = list(
            Pillar.objects.alias(search_text=text_search.folded(*text_search.both("name", "summary", "description")))
            .filter(condition)
            .order_by("number")[:SEARCH_LIMIT]
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
