"""Geometry of the portal's charts, drawn by the templates as inline SVG.

Pure: plain values in, frozen dataclasses of coordinates out. No Django, no
database, no clock, no formatting (the templates format dates and numbers in
the reader's language). Every chart is also given to readers as a text
summary and a data table; this module only decides where things go.

Coordinates are SVG user units: x grows to the right, y grows downwards. Time
always runs left to right, also on right-to-left (Urdu) pages.

A chart's text scales with the chart: a 640-unit chart shrunk onto a 390-pixel
phone draws 12-unit text at about 6 pixels. So on small screens portal.css
draws chart text at `PHONE_TEXT` units (11 CSS pixels or more once shrunk), and
the margins and the number of ticks here leave room for text of that size.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

__all__ = [
    "PHONE_DATE_TICKS",
    "PHONE_TEXT",
    "Box",
    "ChartPoint",
    "DateScale",
    "MapLabel",
    "MapProjection",
    "Marker",
    "ProgressBar",
    "StatusSegment",
    "TargetChart",
    "Tick",
    "Timeline",
    "TimelineItem",
    "TimelineRow",
    "TrendChart",
    "TrendPoint",
    "ValueScale",
    "axis_unit",
    "date_ticks",
    "place_map_labels",
    "progress_bar",
    "status_segments",
    "target_chart",
    "timeline",
    "trend_chart",
    "value_ticks",
]


# The size of chart text on a phone, in user units (`.chart-svg` in static/css/portal.css): 640 units drawn
# about 343 pixels wide (a 390-pixel screen less the page's margins) makes it 11.8 pixels.
PHONE_TEXT = 22.0
# The most date ticks a 640-unit chart can label with text that large ("2027", "Sep") without them touching.
PHONE_DATE_TICKS = 6


# --- Building blocks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    """The plot area inside an SVG: where the axes' ranges are drawn."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


@dataclass(frozen=True, slots=True)
class DateScale:
    """Maps dates (or fractional day ordinals) linearly onto [start_px, end_px]."""

    start: dt.date
    end: dt.date
    start_px: float
    end_px: float

    def ordinal(self, day: float) -> float:
        first, last = self.start.toordinal(), self.end.toordinal()
        span = max(last - first, 1)
        return self.start_px + (day - first) * (self.end_px - self.start_px) / span

    def __call__(self, day: dt.date) -> float:
        return self.ordinal(day.toordinal())


@dataclass(frozen=True, slots=True)
class ValueScale:
    """Maps values linearly onto pixels: `low` to `low_px`, `high` to `high_px`."""

    low: float
    high: float
    low_px: float
    high_px: float

    def __call__(self, value: float) -> float:
        span = self.high - self.low or 1.0
        return self.low_px + (value - self.low) * (self.high_px - self.low_px) / span


@dataclass(frozen=True, slots=True)
class Tick:
    """An axis tick: its pixel position and the value (a date or a number) the template labels it with."""

    position: float
    value: dt.date | float


@dataclass(frozen=True, slots=True)
class ChartPoint:
    """A dated value (a plan vertex, a measurement)."""

    date: dt.date
    value: float


@dataclass(frozen=True, slots=True)
class Marker:
    """A point drawn on a chart, with what it stands for (for its tooltip and the data table)."""

    x: float
    y: float
    date: dt.date
    value: float
    illustrative: bool = False


def _fmt(number: float) -> str:
    """A coordinate for an SVG path: one decimal is plenty at these sizes, and keeps pages small."""
    text = f"{number:.1f}"
    return "0.0" if text == "-0.0" else text


def _path(points: Iterable[tuple[float, float]]) -> str:
    """An SVG path through the points ("" for none)."""
    parts = [f"{_fmt(x)},{_fmt(y)}" for x, y in points]
    return ("M" + "L".join(parts)) if parts else ""


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def date_ticks(start: dt.date, end: dt.date, *, most: int = 8) -> list[dt.date]:
    """Round dates between `start` and `end` to label a time axis: 1 January, quarters or months.

    The step grows with the span so that there are at most `most` ticks.
    """
    if end < start:
        start, end = end, start
    for months in (1, 3, 6, 12, 24, 60, 120, 240, 600, 1200):
        if months < 12:
            # Quarters and half-years are aligned on January.
            first = dt.date(start.year, ((start.month - 1) // months) * months + 1, 1)
        else:
            years = months // 12
            first = dt.date(max(start.year - start.year % years, 1), 1, 1)
        ticks = []
        step = 0
        day = first
        while day <= end:
            if day >= start:
                ticks.append(day)
            step += 1
            if first.year + (first.month - 1 + months * step) // 12 > dt.MAXYEAR:
                break
            day = _add_months(first, months * step)
        if len(ticks) <= most:
            return ticks
    return [start, end]  # pragma: no cover - 1,200-month steps cover any representable span


def _nice_step(span: float, count: int) -> float:
    raw = span / max(count, 1)
    magnitude = 10.0 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - the loop always returns


def value_ticks(low: float, high: float, *, count: int = 5) -> list[float]:
    """Round values covering [low, high] for a value axis ("nice" steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError("value_ticks needs finite bounds")
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(high) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = _nice_step(high - low, count)
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    ticks = []
    value = first
    while value <= last + step / 2:
        ticks.append(round(value, 10) + 0.0)  # + 0.0 turns -0.0 into 0.0
        value += step
    return ticks


# --- Progress bars and status bars ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgressBar:
    """A bar of how far a target has come (`actual`) against where the plan expected it (`planned`).

    Widths are in units of `width`; values beyond the bar (below 0, above 1)
    are drawn at its ends and flagged so that the text can say so.
    """

    width: float
    actual: float
    planned: float | None
    below_zero: bool
    beyond_end: bool


def progress_bar(progress: float | None, planned: float | None, *, width: float = 100.0) -> ProgressBar:
    """The geometry of a progress bar; `progress` and `planned` are shares (1 = the target value)."""
    share = 0.0 if progress is None else progress
    clamped = min(max(share, 0.0), 1.0)
    planned_x = None if planned is None else min(max(planned, 0.0), 1.0) * width
    return ProgressBar(
        width=width,
        actual=clamped * width,
        planned=planned_x,
        below_zero=progress is not None and progress < 0,
        beyond_end=progress is not None and progress > 1,
    )


@dataclass(frozen=True, slots=True)
class StatusSegment:
    """One status's share of a stacked bar."""

    status: str
    count: int
    x: float
    width: float


def status_segments(counts: Mapping[str, int], order: Sequence[str], *, width: float = 100.0) -> list[StatusSegment]:
    """A stacked bar of statuses in `order` (statuses with no items are left out)."""
    total = sum(max(counts.get(status, 0), 0) for status in order)
    segments: list[StatusSegment] = []
    x = 0.0
    for status in order:
        count = max(counts.get(status, 0), 0)
        if not count or not total:
            continue
        share = count * width / total
        segments.append(StatusSegment(status=status, count=count, x=x, width=share))
        x += share
    return segments


# --- A target: planned curve, measurements, forecast ------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetChart:
    """Planned curve, measurements and forecast of one target, ready to draw."""

    width: float
    height: float
    plot: Box
    planned_path: str
    planned: tuple[Marker, ...]
    measured_path: str
    measurements: tuple[Marker, ...]
    forecast_path: str
    forecast_end: Marker | None
    forecast_clipped: bool
    as_of_x: float | None
    deadline_x: float
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]
    start: dt.date
    end: dt.date
    # Tick values are divided by this and the axis says so once ("thousands"), rather than each label.
    y_divisor: float = 1.0
    y_unit: str = ""


def axis_unit(values: Sequence[float]) -> tuple[float, str]:
    """The power of a thousand that keeps axis labels short: (1e6, "M") when the largest value is in millions.

    One unit for the whole axis, so that labels are comparable at a glance (0, 2, 4 ... 10 thousand).
    """
    largest = max((abs(v) for v in values), default=0.0)
    for size, unit in ((1e9, "bn"), (1e6, "M"), (1e4, "k")):
        if largest >= size:
            return (size if unit != "k" else 1e3), unit
    return 1.0, ""


def _forecast_vertices(plan: Sequence[ChartPoint], evaluation: ChartPoint, spi: float) -> list[tuple[float, float]]:
    """The plan stretched in time by 1/spi, from the last measurement on: where the pace so far leads.

    The earned-schedule forecast assumes the remaining plan is delivered at the
    pace achieved so far: plan day `t` is reached on `t0 + (t - t0) / spi`. It
    passes through the latest measurement and reaches the target value on the
    forecast completion date. Points are (fractional day ordinal, value).
    """
    t0 = plan[0].date.toordinal()
    e = evaluation.date.toordinal()
    vertices = [(float(e), evaluation.value)]
    for point in plan[1:]:
        day = t0 + (point.date.toordinal() - t0) / spi
        if day > e:
            vertices.append((day, point.value))
    return vertices


def _clip_at(vertices: list[tuple[float, float]], limit: float) -> tuple[list[tuple[float, float]], bool]:
    """Cut a polyline (ordered by x) at x = limit, interpolating the last point."""
    clipped: list[tuple[float, float]] = []
    for (x1, y1), (x2, y2) in pairwise(vertices):
        if not clipped:
            clipped.append((x1, y1))
        if x2 <= limit:
            clipped.append((x2, y2))
            continue
        if x1 < limit:
            clipped.append((limit, y1 + (y2 - y1) * (limit - x1) / (x2 - x1)))
        return clipped, True
    return (clipped or vertices[:1]), False


def target_chart(
    *,
    baseline: ChartPoint,
    deadline: ChartPoint,
    interim: Sequence[ChartPoint] = (),
    measurements: Sequence[tuple[ChartPoint, bool]] = (),
    as_of: dt.date | None = None,
    spi: float | None = None,
    achieved: bool = False,
    width: float = 640.0,
    height: float = 300.0,
) -> TargetChart:
    """Where to draw a target's planned curve, its measurements (flagged when illustrative) and its forecast.

    The forecast (the plan stretched by 1/spi from the latest measurement on or
    before `as_of`) is drawn when `spi` is positive and the target is not yet
    achieved. The time axis runs at most twice the planned duration past the
    baseline; a forecast beyond that is cut there and flagged as clipped.
    """
    plan = [baseline, *sorted(interim, key=lambda p: p.date), deadline]
    seen = [(point, flag) for point, flag in sorted(measurements, key=lambda m: m[0].date)]
    counted = [(point, flag) for point, flag in seen if as_of is None or point.date <= as_of]

    duration = max(deadline.date.toordinal() - baseline.date.toordinal(), 1)
    limit = float(baseline.date.toordinal() + 2 * duration)
    forecast: list[tuple[float, float]] = []
    clipped = False
    if spi is not None and spi > 0 and not achieved and counted:
        forecast, clipped = _clip_at(_forecast_vertices(plan, counted[-1][0], spi), limit)

    days = [p.date.toordinal() for p in plan] + [p.date.toordinal() for p, _ in seen]
    days += [math.ceil(x) for x, _ in forecast]
    if as_of is not None and as_of.toordinal() <= limit:
        days.append(as_of.toordinal())
    start = dt.date.fromordinal(min(days))
    end = dt.date.fromordinal(max(max(days), start.toordinal() + 1))

    values = [p.value for p in plan] + [p.value for p, _ in seen] + [v for _, v in forecast]
    low, high = min(values), max(values)
    if low >= 0 and low <= high * 0.5:
        low = 0.0  # counts start at zero when that hides little: the bars' heights stay honest
    ticks = value_ticks(low, high)

    # Room for phone-sized text: the value labels ("7,500") on the left, the unit above, dates below.
    left, top, right, bottom = 3.7 * PHONE_TEXT, 1.6 * PHONE_TEXT, 1.3 * PHONE_TEXT, 1.9 * PHONE_TEXT
    plot = Box(left=left, top=top, width=width - left - right, height=height - top - bottom)
    xs = DateScale(start, end, plot.left, plot.right)
    ys = ValueScale(ticks[0], ticks[-1], plot.bottom, plot.top)
    divisor, unit = axis_unit(ticks)

    planned = tuple(Marker(xs(p.date), ys(p.value), p.date, p.value) for p in plan)
    marks = tuple(Marker(xs(p.date), ys(p.value), p.date, p.value, flag) for p, flag in seen)
    forecast_xy = [(xs.ordinal(day), ys(value)) for day, value in forecast]
    forecast_end = None
    if len(forecast) > 1 and not clipped:
        day, value = forecast[-1]
        forecast_end = Marker(forecast_xy[-1][0], forecast_xy[-1][1], dt.date.fromordinal(round(day)), value)
    return TargetChart(
        width=width,
        height=height,
        plot=plot,
        planned_path=_path((m.x, m.y) for m in planned),
        planned=planned,
        measured_path=_path((m.x, m.y) for m in marks) if len(marks) > 1 else "",
        measurements=marks,
        forecast_path=_path(forecast_xy) if len(forecast_xy) > 1 else "",
        forecast_end=forecast_end,
        forecast_clipped=clipped,
        as_of_x=xs(as_of) if as_of is not None and start <= as_of <= end else None,
        deadline_x=xs(deadline.date),
        x_ticks=tuple(Tick(xs(day), day) for day in date_ticks(start, end, most=PHONE_DATE_TICKS)),
        y_ticks=tuple(Tick(ys(value), value) for value in ticks),
        start=start,
        end=end,
        y_divisor=divisor,
        y_unit=unit,
    )


# --- A milestone: trend analysis (forecast date against report date) ---------------------------------


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One report of a milestone: on `report_date` it was forecast for `forecast` (expected on `expected`)."""

    report_date: dt.date
    forecast: dt.date
    expected: dt.date | None = None


@dataclass(frozen=True, slots=True)
class TrendChart:
    """A milestone trend analysis: both axes are dates, on the same scale.

    A flat line means a steady forecast; a rising line, a slipping milestone.
    The diagonal is "due on the day of the report": a milestone meets it when
    it is delivered (or when it is overdue).
    """

    width: float
    height: float
    plot: Box
    forecast_path: str
    forecasts: tuple[tuple[float, float, TrendPoint], ...]
    expected_path: str
    baseline_y: float
    diagonal: tuple[float, float, float, float] | None
    x_ticks: tuple[Tick, ...]
    y_ticks: tuple[Tick, ...]


def trend_chart(
    *, baseline_due: dt.date, points: Sequence[TrendPoint], width: float = 640.0, height: float = 320.0
) -> TrendChart:
    """Where to draw a milestone trend analysis of `points` (in any order) against its baseline due date."""
    ordered = sorted(points, key=lambda p: p.report_date)
    days = [baseline_due.toordinal()]
    for point in ordered:
        days += [point.report_date.toordinal(), point.forecast.toordinal()]
        if point.expected is not None:
            days.append(point.expected.toordinal())
    first, last = min(days), max(days)
    pad = max((last - first) // 20, 15)
    start, end = dt.date.fromordinal(first - pad), dt.date.fromordinal(last + pad)

    # Room for phone-sized text: dates ("September" in Urdu) on the left, dates below.
    left, top, right, bottom = 92.0, 0.8 * PHONE_TEXT, 1.3 * PHONE_TEXT, 1.9 * PHONE_TEXT
    plot = Box(left=left, top=top, width=width - left - right, height=height - top - bottom)
    xs = DateScale(start, end, plot.left, plot.right)
    ys = DateScale(start, end, plot.bottom, plot.top)  # same dates, upwards
    forecasts = tuple((xs(p.report_date), ys(p.forecast), p) for p in ordered)
    expected = [(xs(p.report_date), ys(p.expected)) for p in ordered if p.expected is not None]
    return TrendChart(
        width=width,
        height=height,
        plot=plot,
        forecast_path=_path((x, y) for x, y, _ in forecasts) if len(forecasts) > 1 else "",
        forecasts=forecasts,
        expected_path=_path(expected) if len(expected) > 1 else "",
        baseline_y=ys(baseline_due),
        diagonal=(xs(start), ys(start), xs(end), ys(end)),
        x_ticks=tuple(Tick(xs(day), day) for day in date_ticks(start, end, most=PHONE_DATE_TICKS)),
        y_ticks=tuple(Tick(ys(day), day) for day in date_ticks(start, end, most=7)),
    )


# --- Milestones on a timeline (Gantt-like) --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimelineItem:
    """One milestone: announced (start), baseline due date, expected date and completion, if any."""

    key: str
    label: str
    start: dt.date
    due: dt.date
    expected: dt.date | None = None
    completed: dt.date | None = None
    highlight: bool = False
    #: The label is the English fallback of an untranslated title, on a page in another language (lang="en").
    english: bool = False


@dataclass(frozen=True, slots=True)
class TimelineRow:
    """A milestone's row: the planned bar (start to baseline due date), the slip and its markers."""

    item: TimelineItem
    y: float
    bar_x: float
    bar_width: float
    due_x: float
    slip_x: float | None
    slip_width: float
    expected_x: float | None
    completed_x: float | None


@dataclass(frozen=True, slots=True)
class Timeline:
    width: float
    height: float
    plot: Box
    row_height: float
    rows: tuple[TimelineRow, ...]
    ticks: tuple[Tick, ...]
    as_of_x: float | None
    start: dt.date
    end: dt.date


def timeline(
    items: Sequence[TimelineItem],
    *,
    as_of: dt.date,
    window: tuple[dt.date, dt.date] | None = None,
    width: float = 960.0,
    label_width: float = 320.0,
    row_height: float = 26.0,
) -> Timeline:
    """Rows of a Gantt-like view: planned bar, slip beyond the baseline, expected and actual dates.

    The time axis covers `window` (whole years) and stretches to whatever lies
    beyond it, so that 2025-2027 is always shown "and beyond" when needed.
    Dates before the axis start are drawn at its left edge.
    """
    days = [as_of.toordinal()]
    for item in items:
        days += [item.start.toordinal(), item.due.toordinal()]
        days += [d.toordinal() for d in (item.expected, item.completed) if d is not None]
    if window is not None:
        days += [window[0].toordinal(), window[1].toordinal()]
    start = dt.date(dt.date.fromordinal(min(days)).year, 1, 1)
    end = dt.date(dt.date.fromordinal(max(days)).year, 12, 31)
    top = 28.0
    plot = Box(left=label_width, top=top, width=width - label_width - 12.0, height=row_height * max(len(items), 1))
    xs = DateScale(start, end, plot.left, plot.right)

    rows = []
    for index, item in enumerate(items):
        y = top + index * row_height
        bar_x = xs(min(item.start, item.due))
        due_x = xs(item.due)
        late_until = item.completed or item.expected
        slip_x = due_x if late_until is not None and late_until > item.due else None
        rows.append(
            TimelineRow(
                item=item,
                y=y,
                bar_x=bar_x,
                bar_width=max(due_x - bar_x, 2.0),
                due_x=due_x,
                slip_x=slip_x,
                slip_width=(xs(late_until) - due_x) if slip_x is not None and late_until is not None else 0.0,
                expected_x=xs(item.expected) if item.expected is not None else None,
                completed_x=xs(item.completed) if item.completed is not None else None,
            )
        )
    return Timeline(
        width=width,
        height=plot.bottom + 8.0,
        plot=plot,
        row_height=row_height,
        rows=tuple(rows),
        ticks=tuple(Tick(xs(day), day) for day in date_ticks(start, end, most=12)),
        as_of_x=xs(as_of),
        start=start,
        end=end,
    )


# --- The hubs map ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MapProjection:
    """The equirectangular projection of static/map/pakistan.json (made by tools/make_pakistan_outline.py).

    x = (longitude - lon_min) * cos_lat * scale, y = (lat_max - latitude) * scale.
    """

    lon_min: float
    lat_max: float
    cos_lat: float
    scale: float

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        return (longitude - self.lon_min) * self.cos_lat * self.scale, (self.lat_max - latitude) * self.scale


@dataclass(frozen=True, slots=True)
class MapLabel:
    """A hub's marker and where its label goes (`anchor` is SVG text-anchor: start, end or middle)."""

    key: str
    x: float
    y: float
    label_x: float
    label_y: float
    anchor: str


def _label_box(x: float, y: float, anchor: str, text_width: float, text_height: float) -> tuple[float, ...]:
    left = {"start": x, "end": x - text_width, "middle": x - text_width / 2}[anchor]
    return (left, y - text_height + 3, left + text_width, y + 3)


def _overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_map_labels(
    places: Sequence[tuple[str, float, float, str]],
    projection: MapProjection,
    *,
    width: float,
    height: float,
    char_width: float = 11.0,
    text_height: float = 20.0,
    gap: float = 8.0,
) -> list[MapLabel]:
    """Project places (key, longitude, latitude, label) and put each label where it overlaps nothing placed yet.

    Tried in order: right, left, above, below the marker; a label that fits
    nowhere keeps the side that overlaps least. Labels stay inside the map.
    The text's size is a phone's (portal.css draws the labels at 20 units on small screens, to read at 11
    pixels on a 600-unit map shrunk to a phone; at 14 units on wider screens the boxes are roomier still).
    """
    projected = [(key, *projection(lon, lat), text) for key, lon, lat, text in places]
    markers = [(x - 5, y - 5, x + 5, y + 5) for _, x, y, _ in projected]
    placed: list[tuple[float, ...]] = []
    labels: list[MapLabel] = []
    for key, x, y, text in sorted(projected, key=lambda p: (p[2], p[1])):
        text_width = max(len(text), 1) * char_width
        options = [
            (x + gap, y + 4, "start"),
            (x - gap, y + 4, "end"),
            (x, y - gap - 2, "middle"),
            (x, y + gap + text_height - 2, "middle"),
        ]
        best: tuple[int, tuple[float, float, str]] | None = None
        for lx, ly, anchor in options:
            box = _label_box(lx, ly, anchor, text_width, text_height)
            if box[0] < 0 or box[2] > width or box[1] < 0 or box[3] > height:
                continue
            clashes = sum(_overlaps(box, other) for other in placed + markers)
            if best is None or clashes < best[0]:
                best = (clashes, (lx, ly, anchor))
            if clashes == 0:
                break
        lx, ly, anchor = best[1] if best is not None else options[0]
        placed.append(_label_box(lx, ly, anchor, text_width, text_height))
        labels.append(MapLabel(key=key, x=x, y=y, label_x=lx, label_y=ly, anchor=anchor))
    order = {key: index for index, (key, _, _, _) in enumerate(places)}
    return sorted(labels, key=lambda label: order[label.key])
