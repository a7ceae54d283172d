"""The chart geometry (pillars/charts.py): pure functions, tested without Django or a database."""

from __future__ import annotations

import datetime as dt
import math
from itertools import pairwise

import pytest

from core import charts
from core.charts import ChartPoint

D = dt.date


# --- Axes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 1, 10), D(2025, 5, 20), [D(2025, 2, 1), D(2025, 3, 1), D(2025, 4, 1), D(2025, 5, 1)]),
        (D(2025, 1, 1), D(2026, 12, 31), [D(y, m, 1) for y in (2025, 2026) for m in (1, 4, 7, 10)]),
        (D(2025, 1, 1), D(2027, 12, 31), [D(y, m, 1) for y in (2025, 2026, 2027) for m in (1, 7)]),
        (D(2025, 7, 30), D(2033, 11, 1), [D(y, 1, 1) for y in range(2026, 2034)]),
        (D(2025, 7, 30), D(2045, 1, 1), None),
    ],
)
def test_date_ticks_are_round_dates_within_the_span(
    start: dt.date, end: dt.date, expected: list[dt.date] | None
) -> None:
    ticks = charts.date_ticks(start, end)
    if expected is not None:
        assert ticks == expected
    assert ticks == sorted(ticks)
    assert all(start <= tick <= end for tick in ticks)
    assert len(ticks) <= 8
    assert all(tick.day == 1 for tick in ticks)


def test_date_ticks_accept_reversed_bounds_and_the_ends_of_the_calendar() -> None:
    assert charts.date_ticks(D(2025, 5, 20), D(2025, 1, 10)) == charts.date_ticks(D(2025, 1, 10), D(2025, 5, 20))
    ticks = charts.date_ticks(D(1, 1, 1), D(9999, 12, 31))
    assert 1 <= len(ticks) <= 8
    assert charts.date_ticks(D(9999, 12, 1), D(9999, 12, 31)) == [D(9999, 12, 1)]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0, 1_000_000, [0, 200_000, 400_000, 600_000, 800_000, 1_000_000]),
        (0, 3_000, [0, 1_000, 2_000, 3_000]),
        (0, 2_400, [0, 500, 1_000, 1_500, 2_000, 2_500]),
        (12, 87, [0, 20, 40, 60, 80, 100]),
        (0.2, 0.45, [0.2, 0.25, 0.3, 0.35, 0.4, 0.45]),
    ],
)
def test_value_ticks_use_nice_steps_that_cover_the_range(low: float, high: float, expected: list[float]) -> None:
    ticks = charts.value_ticks(low, high)
    assert ticks == pytest.approx(expected)
    assert ticks[0] <= low and ticks[-1] >= high


def test_value_ticks_of_a_single_value_still_make_an_axis() -> None:
    ticks = charts.value_ticks(5, 5)
    assert ticks[0] < 5 < ticks[-1]
    assert charts.value_ticks(0, 0)[0] < 0 < charts.value_ticks(0, 0)[-1]
    assert charts.value_ticks(40, 10) == charts.value_ticks(10, 40)


def test_value_ticks_refuse_infinite_bounds() -> None:
    with pytest.raises(ValueError, match="finite"):
        charts.value_ticks(0, math.inf)


def test_scales_map_their_ends_onto_their_pixels() -> None:
    xs = charts.DateScale(D(2025, 1, 1), D(2025, 12, 31), 10, 110)
    assert xs(D(2025, 1, 1)) == 10
    assert xs(D(2025, 12, 31)) == 110
    assert xs.ordinal(D(2025, 1, 1).toordinal() + 182) == pytest.approx(60)
    ys = charts.ValueScale(0, 100, 200, 0)
    assert (ys(0), ys(50), ys(100)) == (200, 100, 0)
    assert charts.ValueScale(5, 5, 10, 0)(5) == 10  # a flat range does not divide by zero


# --- Progress and status bars ------------------------------------------------------------------------


def test_progress_bar_draws_actual_and_planned_shares() -> None:
    bar = charts.progress_bar(0.25, 0.4973)
    assert bar.actual == pytest.approx(25)
    assert bar.planned == pytest.approx(49.73)
    assert not bar.below_zero and not bar.beyond_end


@pytest.mark.parametrize(
    ("progress", "actual", "below", "beyond"),
    [(-0.3, 0.0, True, False), (1.4, 100.0, False, True), (None, 0.0, False, False), (1.0, 100.0, False, False)],
)
def test_progress_bar_clamps_to_the_bar_and_flags_what_lies_beyond(
    progress: float | None, actual: float, below: bool, beyond: bool
) -> None:
    bar = charts.progress_bar(progress, None)
    assert (bar.actual, bar.below_zero, bar.beyond_end, bar.planned) == (actual, below, beyond, None)


def test_status_segments_follow_the_given_order_and_fill_the_bar() -> None:
    segments = charts.status_segments(
        {"off_track": 1, "on_track": 3, "no_data": 0}, ["on_track", "off_track", "no_data"]
    )
    assert [(s.status, s.count) for s in segments] == [("on_track", 3), ("off_track", 1)]
    assert segments[0].x == 0 and segments[1].x == pytest.approx(75)
    assert sum(s.width for s in segments) == pytest.approx(100)
    assert charts.status_segments({}, ["on_track"]) == []


# --- A target's chart --------------------------------------------------------------------------------

BASE = ChartPoint(D(2025, 1, 1), 0)
GOAL = ChartPoint(D(2025, 12, 31), 200_000)


def test_the_worked_example_forecast_reaches_the_target_on_the_forecast_date() -> None:
    """indicators.md: 50,000 on 2025-07-01, spi 91/181, forecast 2026-12-26 (day 724)."""
    chart = charts.target_chart(
        baseline=BASE,
        deadline=GOAL,
        measurements=[(ChartPoint(D(2025, 7, 1), 50_000), False)],
        as_of=D(2025, 7, 15),
        spi=91 / 181,
    )
    assert chart.forecast_end is not None
    assert chart.forecast_end.date == D(2026, 12, 26)
    assert chart.forecast_end.value == 200_000
    assert not chart.forecast_clipped
    assert chart.end >= D(2026, 12, 26)
    # The forecast starts at the measurement.
    first = chart.forecast_path.removeprefix("M").split("L")[0]
    measured = chart.measurements[0]
    assert first == f"{measured.x:.1f},{measured.y:.1f}"
    # The plan: a straight line from the baseline to the deadline.
    assert [m.date for m in chart.planned] == [BASE.date, GOAL.date]
    assert chart.planned_path.count("L") == 1
    assert chart.y_ticks[0].value == 0 and chart.y_ticks[-1].value >= 200_000


def test_points_sit_inside_the_plot_and_time_runs_left_to_right() -> None:
    chart = charts.target_chart(
        baseline=BASE,
        deadline=GOAL,
        interim=[ChartPoint(D(2025, 9, 30), 150_000), ChartPoint(D(2025, 3, 31), 20_000)],
        measurements=[(ChartPoint(D(2025, 5, 1), 30_000), False), (ChartPoint(D(2025, 2, 1), 5_000), True)],
        as_of=D(2025, 6, 1),
        spi=0.8,
    )
    plot = chart.plot
    points = [*chart.planned, *chart.measurements]
    assert all(plot.left - 0.01 <= p.x <= plot.right + 0.01 for p in points)
    assert all(plot.top - 0.01 <= p.y <= plot.bottom + 0.01 for p in points)
    assert [p.date for p in chart.planned] == sorted(p.date for p in chart.planned)
    assert [p.x for p in chart.planned] == sorted(p.x for p in chart.planned)
    # Higher values are drawn higher up.
    assert chart.planned[0].y > chart.planned[-1].y
    # Measurements keep their illustrative flag, in date order.
    assert [(m.date, m.illustrative) for m in chart.measurements] == [(D(2025, 2, 1), True), (D(2025, 5, 1), False)]
    assert chart.measured_path.startswith("M")
    assert chart.as_of_x is not None and plot.left <= chart.as_of_x <= plot.right
    assert [t.position for t in chart.x_ticks] == sorted(t.position for t in chart.x_ticks)


def test_the_forecast_follows_the_stretched_plan_through_interim_points() -> None:
    # Plan: 100 by mid-year, 1,000 at year end. Measured 50 at day 91 with spi 0.5.
    chart = charts.target_chart(
        baseline=ChartPoint(D(2025, 1, 1), 0),
        deadline=ChartPoint(D(2026, 1, 1), 1_000),
        interim=[ChartPoint(D(2025, 7, 2), 100)],
        measurements=[(ChartPoint(D(2025, 4, 2), 50), False)],
        spi=0.5,
    )
    # Vertices: the measurement, the interim point stretched to day 362, the deadline stretched to day 730.
    assert chart.forecast_path.count("L") == 2
    assert chart.forecast_end is not None
    assert chart.forecast_end.date == D(2025, 1, 1) + dt.timedelta(days=730)


def test_a_forecast_far_beyond_the_deadline_is_cut_at_twice_the_planned_duration() -> None:
    chart = charts.target_chart(
        baseline=BASE, deadline=GOAL, measurements=[(ChartPoint(D(2025, 7, 1), 1_000), False)], spi=0.01
    )
    assert chart.forecast_clipped
    assert chart.forecast_end is None
    assert chart.end <= D(2025, 1, 1) + dt.timedelta(days=2 * 364 + 1)
    last_x = float(chart.forecast_path.rsplit("L", 1)[1].split(",")[0])
    assert last_x == pytest.approx(chart.plot.right, abs=0.1)


@pytest.mark.parametrize(("spi", "achieved"), [(None, False), (0.0, False), (1.2, True)])
def test_no_forecast_without_a_positive_pace_or_once_achieved(spi: float | None, achieved: bool) -> None:
    chart = charts.target_chart(
        baseline=BASE,
        deadline=GOAL,
        measurements=[(ChartPoint(D(2025, 7, 1), 50_000), False)],
        spi=spi,
        achieved=achieved,
    )
    assert chart.forecast_path == "" and chart.forecast_end is None


def test_measurements_after_the_as_of_date_are_drawn_but_do_not_drive_the_forecast() -> None:
    chart = charts.target_chart(
        baseline=BASE,
        deadline=GOAL,
        measurements=[(ChartPoint(D(2025, 3, 1), 10_000), False), (ChartPoint(D(2025, 11, 1), 190_000), False)],
        as_of=D(2025, 4, 1),
        spi=0.5,
    )
    start = chart.forecast_path.removeprefix("M").split("L")[0]
    assert start == f"{chart.measurements[0].x:.1f},{chart.measurements[0].y:.1f}"


def test_a_falling_target_is_drawn_falling() -> None:
    chart = charts.target_chart(
        baseline=ChartPoint(D(2025, 1, 1), 90),
        deadline=ChartPoint(D(2026, 1, 1), 30),
        measurements=[(ChartPoint(D(2025, 7, 1), 70), False)],
        spi=0.7,
    )
    assert chart.planned[0].y < chart.planned[-1].y  # 90 is drawn above 30
    assert chart.forecast_end is not None and chart.forecast_end.value == 30


def test_a_target_with_no_measurement_has_only_its_plan() -> None:
    chart = charts.target_chart(baseline=BASE, deadline=GOAL)
    assert chart.measurements == () and chart.measured_path == "" and chart.forecast_path == ""
    assert chart.as_of_x is None
    assert chart.deadline_x == pytest.approx(chart.plot.right)


# --- Milestone trend analysis ----------------------------------------------------------------------


def test_trend_chart_plots_forecast_against_report_date_on_one_scale() -> None:
    points = [
        charts.TrendPoint(D(2026, 3, 1), D(2026, 4, 30), D(2026, 4, 30)),
        charts.TrendPoint(D(2026, 1, 1), D(2026, 1, 31), D(2026, 1, 31)),
        charts.TrendPoint(D(2026, 5, 1), D(2026, 9, 30), D(2026, 9, 30)),
    ]
    chart = charts.trend_chart(baseline_due=D(2026, 1, 31), points=points)
    reports = [p.report_date for _, _, p in chart.forecasts]
    assert reports == sorted(reports)
    xs = [x for x, _, _ in chart.forecasts]
    ys = [y for _, y, _ in chart.forecasts]
    assert xs == sorted(xs)
    assert ys == sorted(ys, reverse=True)  # a slipping milestone rises (y grows downwards)
    assert chart.forecast_path.count("L") == 2
    # The first forecast equals the baseline due date: it sits on the baseline line.
    assert ys[0] == pytest.approx(chart.baseline_y)
    # Both axes use the same dates: the diagonal runs from corner to corner.
    assert chart.diagonal is not None
    x1, y1, x2, y2 = chart.diagonal
    assert (x1, y1) == pytest.approx((chart.plot.left, chart.plot.bottom))
    assert (x2, y2) == pytest.approx((chart.plot.right, chart.plot.top))


def test_trend_chart_of_a_single_report_has_a_point_and_no_line() -> None:
    chart = charts.trend_chart(baseline_due=D(2026, 1, 31), points=[charts.TrendPoint(D(2026, 1, 1), D(2026, 1, 31))])
    assert len(chart.forecasts) == 1
    assert chart.forecast_path == "" and chart.expected_path == ""
    assert chart.x_ticks


# --- Timeline --------------------------------------------------------------------------------------------


def test_timeline_rows_show_plan_slip_and_completion() -> None:
    items = [
        charts.TimelineItem("1", "Late", D(2025, 7, 30), D(2026, 1, 31), expected=D(2026, 11, 27), highlight=True),
        charts.TimelineItem("2", "Done early", D(2025, 7, 30), D(2026, 7, 30), completed=D(2026, 6, 1)),
        charts.TimelineItem("3", "Later", D(2025, 7, 30), D(2028, 3, 31), expected=D(2028, 3, 31)),
    ]
    tl = charts.timeline(items, as_of=D(2026, 11, 27), window=(D(2025, 1, 1), D(2027, 12, 31)))
    assert tl.start == D(2025, 1, 1) and tl.end == D(2028, 12, 31)  # 2025-2027, and beyond
    late, early, later = tl.rows
    assert late.slip_x == late.due_x and late.slip_width > 0 and late.item.highlight
    assert late.expected_x is not None and late.expected_x == pytest.approx(late.due_x + late.slip_width)
    assert early.slip_x is None and early.completed_x is not None and early.completed_x < early.due_x
    assert later.slip_x is None
    assert [r.y for r in tl.rows] == sorted(r.y for r in tl.rows)
    assert tl.height > tl.rows[-1].y
    assert all(tl.plot.left <= r.bar_x <= tl.plot.right for r in tl.rows)
    assert tl.as_of_x is not None and tl.plot.left < tl.as_of_x < tl.plot.right
    assert tl.ticks[0].value == D(2025, 1, 1)


def test_timeline_of_nothing_still_has_an_axis() -> None:
    tl = charts.timeline([], as_of=D(2026, 1, 1))
    assert tl.rows == () and tl.ticks


# --- Map -------------------------------------------------------------------------------------------------------

PROJECTION = charts.MapProjection(lon_min=60.0, lat_max=38.0, cos_lat=math.cos(math.radians(30)), scale=40.0)


def test_map_projection_is_equirectangular_with_north_up() -> None:
    x, y = PROJECTION(60.0, 38.0)
    assert (x, y) == (0, 0)
    x, y = PROJECTION(70.0, 28.0)
    assert x == pytest.approx(10 * math.cos(math.radians(30)) * 40)
    assert y == pytest.approx(400)
    # East is right, south is down.
    assert PROJECTION(74.3, 31.5)[0] > PROJECTION(67.0, 24.9)[0]
    assert PROJECTION(67.0, 24.9)[1] > PROJECTION(74.3, 31.5)[1]


def test_map_labels_avoid_each_other_and_stay_on_the_map() -> None:
    places = [
        ("lahore", 74.36, 31.52, "Lahore"),
        ("faisalabad", 73.13, 31.45, "Faisalabad"),
        ("islamabad", 73.05, 33.68, "Islamabad"),
        ("rawalpindi", 73.07, 33.60, "Rawalpindi"),
    ]
    labels = charts.place_map_labels(places, PROJECTION, width=600, height=600)
    assert [label.key for label in labels] == [p[0] for p in places]
    boxes = []
    for label, (_, _, _, text) in zip(labels, places, strict=True):
        width = len(text) * 7.5
        left = {"start": label.label_x, "end": label.label_x - width, "middle": label.label_x - width / 2}[label.anchor]
        assert left >= 0 and left + width <= 600
        boxes.append((left, label.label_y - 11, left + width, label.label_y + 3))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not (a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]), (a, b)


def test_a_label_near_the_right_edge_goes_to_the_left() -> None:
    (label,) = charts.place_map_labels([("east", 76.8, 33.0, "Eastern")], PROJECTION, width=600, height=600)
    assert label.anchor == "end" and label.label_x < label.x


@pytest.mark.parametrize(
    ("values", "expected"),
    [([0, 500, 1_000], (1.0, "")), ([0, 20_000], (1e3, "k")), ([0, 1_000_000], (1e6, "M")), ([-3e9, 0], (1e9, "bn"))],
)
def test_axis_unit_is_one_power_of_a_thousand_for_the_whole_axis(
    values: list[float], expected: tuple[float, str]
) -> None:
    assert charts.axis_unit(values) == expected
    chart = charts.target_chart(baseline=BASE, deadline=GOAL)
    assert (chart.y_divisor, chart.y_unit) == (1e3, "k")  # 0 to 200,000: "thousands"


# --- Text a phone can read ----------------------------------------------------------------------------------

# A 640-unit chart on a 390-pixel phone is drawn about 343 pixels wide (portal.css: the page's and the frame's margins).
PHONE_SCALE = 343 / 640


def test_phone_text_reads_at_eleven_pixels_on_a_phone() -> None:
    assert charts.PHONE_TEXT * PHONE_SCALE >= 11


def test_target_chart_leaves_room_for_phone_sized_text() -> None:
    chart = charts.target_chart(
        baseline=ChartPoint(dt.date(2025, 1, 1), 0),
        deadline=ChartPoint(dt.date(2030, 12, 31), 7_500),
        as_of=dt.date(2026, 6, 1),
    )
    text = charts.PHONE_TEXT
    # "7,500" (five characters, about 0.6 em each) right-aligned 6 units before the plot, the unit above it,
    # dates below it (a line of text under the 8-unit gap), and half a date beyond the last tick.
    assert chart.plot.left - 6 >= 5 * 0.6 * text
    assert chart.plot.top >= 1.5 * text
    assert chart.height - chart.plot.bottom >= 8 + 1.3 * text
    assert chart.width - chart.plot.right >= 1.2 * text
    assert len(chart.x_ticks) <= charts.PHONE_DATE_TICKS
    # Neighbouring date labels ("2027", "Sep": four characters) do not touch.
    positions = [tick.position for tick in chart.x_ticks]
    assert min(b - a for a, b in pairwise(positions)) >= 4 * 0.6 * text


def test_trend_chart_leaves_room_for_phone_sized_dates() -> None:
    chart = charts.trend_chart(
        baseline_due=dt.date(2026, 3, 31),
        points=[
            charts.TrendPoint(dt.date(2025, 8, 1) + dt.timedelta(weeks=w), dt.date(2026, 3, 31)) for w in range(70)
        ],
    )
    text = charts.PHONE_TEXT
    assert chart.height - chart.plot.bottom >= 8 + 1.3 * text
    assert chart.width - chart.plot.right >= 1.2 * text
    assert len(chart.x_ticks) <= charts.PHONE_DATE_TICKS
