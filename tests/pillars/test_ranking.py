"""The pillar ranking rule (`indicators.ranking`): furthest behind first, ties shared, no data never ranked."""

from __future__ import annotations

import datetime as dt

import pytest

from indicators.compute import Rollup
from indicators.ranking import RankingSort, furthest_behind, rank_pillars, sort_ranking

AS_OF = dt.date(2025, 7, 15)


def rollup(share: float | None, slip: float | None = None, coverage: float | None = 1.0) -> Rollup:
    return Rollup(
        as_of=AS_OF,
        targets={},
        milestones={},
        median_slip_days=slip,
        max_slip_days=None if slip is None else int(slip),
        on_schedule_share=share,
        reporting_coverage=coverage,
    )


def order(entries: dict[str, Rollup | None]) -> list[tuple[str, int | None, bool]]:
    ranked = rank_pillars((name, number, r) for number, (name, r) in enumerate(entries.items(), start=1))
    return [(row.item, row.position, row.tied) for row in ranked]


def test_the_lowest_on_schedule_share_is_furthest_behind() -> None:
    assert order({"a": rollup(0.9), "b": rollup(0.2), "c": rollup(0.5)}) == [
        ("b", 1, False),
        ("c", 2, False),
        ("a", 3, False),
    ]


def test_an_equal_share_is_decided_by_the_larger_median_slip_then_the_lower_coverage() -> None:
    result = order(
        {
            "small slip": rollup(0.5, slip=10),
            "big slip": rollup(0.5, slip=90),
            "big slip, less reported": rollup(0.5, slip=90, coverage=0.25),
            "no slip figure": rollup(0.5, slip=None),
        }
    )
    assert [name for name, _pos, _tied in result] == [
        "big slip, less reported",
        "big slip",
        "small slip",
        "no slip figure",
    ]
    assert [pos for _name, pos, _tied in result] == [1, 2, 3, 4]


def test_shares_are_compared_exactly_so_2_of_6_ties_with_1_of_3() -> None:
    result = order({"a": rollup(2 / 6, slip=30), "b": rollup(1 / 3, slip=30), "c": rollup(0.1)})
    assert result == [("c", 1, False), ("a", 2, True), ("b", 2, True)]


def test_pillars_equal_on_the_whole_rule_share_a_position_and_keep_their_number_order() -> None:
    ranked = rank_pillars([("p3", 3, rollup(0.2, 40, 0.5)), ("p1", 1, rollup(0.2, 40, 0.5)), ("p2", 2, rollup(0.6, 5))])
    assert [(r.item, r.position, r.tied) for r in ranked] == [("p1", 1, True), ("p3", 1, True), ("p2", 3, False)]
    assert [r.item for r in furthest_behind(ranked)] == ["p1", "p3"]


def test_a_pillar_with_no_item_with_data_is_never_ranked_best_or_worst() -> None:
    # An empty share would sort first (as 0) or last (as 1) if it were a number: it is neither.
    ranked = rank_pillars(
        [("empty", 1, rollup(None, coverage=0.0)), ("none", 2, None), ("good", 3, rollup(1.0)), ("bad", 4, rollup(0.0))]
    )
    assert [(r.item, r.position, r.has_data) for r in ranked] == [
        ("bad", 1, True),
        ("good", 2, True),
        ("empty", None, False),
        ("none", None, False),
    ]
    assert [r.item for r in furthest_behind(ranked)] == ["bad"]


def test_no_data_anywhere_names_no_pillar() -> None:
    ranked = rank_pillars([("a", 1, rollup(None)), ("b", 2, None)])
    assert furthest_behind(ranked) == []
    assert [r.position for r in ranked] == [None, None]
    assert rank_pillars([]) == []


def test_a_pillar_with_no_target_counts_as_fully_covered_not_as_uncovered() -> None:
    # Milestones only: nothing it fails to report, so coverage never puts it behind one that fails to report.
    assert [
        name for name, _p, _t in order({"milestones only": rollup(0.5, 10, None), "silent": rollup(0.5, 10, 0.0)})
    ] == [
        "silent",
        "milestones only",
    ]


RANKING = rank_pillars(
    [
        ("p1", 1, rollup(0.5, slip=20, coverage=0.5)),
        ("p2", 2, rollup(0.1, slip=-5, coverage=1.0)),
        ("p3", 3, None),
        ("p4", 4, rollup(0.8, slip=None, coverage=None)),
    ]
)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (RankingSort.RANK, ["p2", "p1", "p4", "p3"]),
        (RankingSort.RANK_DESC, ["p4", "p1", "p2", "p3"]),
        (RankingSort.PILLAR, ["p1", "p2", "p3", "p4"]),
        (RankingSort.PILLAR_DESC, ["p4", "p3", "p2", "p1"]),
        (RankingSort.ON_SCHEDULE, ["p2", "p1", "p4", "p3"]),
        (RankingSort.ON_SCHEDULE_DESC, ["p4", "p1", "p2", "p3"]),
        (RankingSort.MEDIAN_SLIP, ["p2", "p1", "p4", "p3"]),
        (RankingSort.MEDIAN_SLIP_DESC, ["p1", "p2", "p4", "p3"]),
        (RankingSort.COVERAGE, ["p1", "p2", "p4", "p3"]),
        (RankingSort.COVERAGE_DESC, ["p2", "p1", "p4", "p3"]),
    ],
)
def test_sorting_by_a_column_puts_pillars_without_its_value_last_either_way(
    sort: RankingSort, expected: list[str]
) -> None:
    assert [row.item for row in sort_ranking(RANKING, sort)] == expected
    # Sorting never changes a pillar's position in the ranking.
    assert {row.item: row.position for row in sort_ranking(RANKING, sort)} == {"p1": 2, "p2": 1, "p3": None, "p4": 3}


def test_equal_values_of_a_column_keep_the_ranking_order() -> None:
    ranked = rank_pillars([("a", 1, rollup(0.5, 10, 0.5)), ("b", 2, rollup(0.2, 10, 0.5))])
    assert [row.item for row in sort_ranking(ranked, RankingSort.COVERAGE)] == ["b", "a"]
    assert [row.item for row in sort_ranking(ranked, RankingSort.MEDIAN_SLIP_DESC)] == ["b", "a"]
