"""The pillar ranking: which pillar is furthest behind, by a rule stated in plain words on the page.

Pure, like ``compute``: roll-ups in, ranked rows out; no Django, no database, no
clock. The pages (``/pillars/`` and the dashboard's sentence) call it with the
roll-ups they already read, so the ranking costs no query of its own.

The rule, furthest behind first:

1. the lowest ``on_schedule_share`` (of the items with data);
2. then the largest ``median_slip_days`` (a pillar with no slip figure counts as
   less behind than any that has one);
3. then the lowest ``reporting_coverage`` (a pillar with no target counts as
   better covered than any that has one: there is nothing it fails to report).

Values are compared exactly, as computed (2 of 6 and 1 of 3 are the same share).
Pillars equal on all three share a position (shown "=2"), and are listed by
pillar number. A pillar with no item with data (``on_schedule_share`` null, or
no roll-up at all) is never ranked, neither best nor worst: it comes after the
ranked ones with no position, and the page says "no data".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from .compute import Rollup

__all__ = ["Ranked", "RankingSort", "furthest_behind", "rank_pillars", "sort_ranking"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Ranked(Generic[T]):
    """One pillar of the ranking.

    Attributes:
        item: what is ranked (a pillar), untouched.
        number: its order when everything else is equal (the pillar's number).
        rollup: its roll-up, or None when there is none.
        position: 1 = furthest behind; pillars equal on the whole rule share one.
            None for a pillar with no item with data (never ranked).
        tied: whether another pillar shares the position.
    """

    item: T
    number: int
    rollup: Rollup | None
    position: int | None
    tied: bool = False

    @property
    def has_data(self) -> bool:
        return self.position is not None


def _has_data(rollup: Rollup | None) -> bool:
    return rollup is not None and rollup.on_schedule_share is not None


def _behind_key(rollup: Rollup) -> tuple[float, float, float]:
    """Smaller is further behind: share up, slip down, coverage up."""
    share = rollup.on_schedule_share
    assert share is not None  # only pillars with data are ranked
    slip = rollup.median_slip_days
    coverage = rollup.reporting_coverage
    return (
        share,
        -slip if slip is not None else float("inf"),
        coverage if coverage is not None else float("inf"),
    )


def rank_pillars(entries: Iterable[tuple[T, int, Rollup | None]]) -> list[Ranked[T]]:
    """Rank (item, number, roll-up) furthest behind first, by the rule of the module; unranked ones last."""
    listed = list(entries)
    measured: list[tuple[T, int, Rollup]] = [
        (item, number, rollup) for item, number, rollup in listed if rollup is not None and _has_data(rollup)
    ]
    ranked = sorted(measured, key=lambda entry: (_behind_key(entry[2]), entry[1]))
    keys = [_behind_key(rollup) for _item, _number, rollup in ranked]
    result: list[Ranked[T]] = []
    position = 0
    for index, (item, number, rollup) in enumerate(ranked):
        if index == 0 or keys[index] != keys[index - 1]:
            position = index + 1  # standard competition ranking: 1, =2, =2, 4
        tied = keys.count(keys[index]) > 1
        result.append(Ranked(item, number, rollup, position, tied))
    unranked = sorted(
        ((item, number, rollup) for item, number, rollup in listed if not _has_data(rollup)),
        key=lambda entry: entry[1],
    )
    result += [Ranked(item, number, rollup, None) for item, number, rollup in unranked]
    return result


def furthest_behind(ranking: Sequence[Ranked[T]]) -> list[Ranked[T]]:
    """The pillars in position 1 (more than one when they tie); empty when no pillar has data."""
    return [row for row in ranking if row.position == 1]


class RankingSort(StrEnum):
    """The columns the ranking can be sorted by (`?sort=`); a leading "-" is the reverse order."""

    RANK = "rank"  # furthest behind first
    RANK_DESC = "-rank"  # least behind first
    PILLAR = "pillar"
    PILLAR_DESC = "-pillar"
    ON_SCHEDULE = "on_schedule"  # lowest share first
    ON_SCHEDULE_DESC = "-on_schedule"
    MEDIAN_SLIP = "median_slip"  # smallest slip first
    MEDIAN_SLIP_DESC = "-median_slip"
    COVERAGE = "coverage"  # lowest coverage first
    COVERAGE_DESC = "-coverage"

    @property
    def column(self) -> str:
        return self.value.lstrip("-")

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")


def _column_value(column: str) -> Callable[[Ranked[T]], float | None]:
    def value(row: Ranked[T]) -> float | None:
        if column == "rank":
            return row.position
        if column == "pillar":
            return row.number
        rollup = row.rollup
        if rollup is None:
            return None
        if column == "on_schedule":
            return rollup.on_schedule_share
        if column == "median_slip":
            return rollup.median_slip_days
        return rollup.reporting_coverage

    return value


def sort_ranking(ranking: Sequence[Ranked[T]], sort: RankingSort) -> list[Ranked[T]]:
    """The ranking ordered by one column; a pillar without the value comes last either way, then by rank."""
    value = _column_value(sort.column)
    # Within equal values (or none), the ranking's own order: furthest behind first, then by number.
    order = {id(row): index for index, row in enumerate(ranking)}
    present = [row for row in ranking if value(row) is not None]
    absent = [row for row in ranking if value(row) is None]
    present.sort(key=lambda row: order[id(row)])
    present.sort(key=lambda row: value(row) or 0.0, reverse=sort.descending)
    return present + absent
