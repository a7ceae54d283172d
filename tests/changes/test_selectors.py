"""`changes.selectors`: the record read as one UNION of keys, filtered, ordered newest first, then its rows.

A small record in two pillars holds a change of every kind; each filter of
`ChangeFilter` is checked against what it keeps and what it leaves out, and
`changes_for` against the values each kind of change carries.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes.choices import ChangeKind
from changes.selectors import KINDS, Change, ChangeFilter, change_keys, change_page, changes_for, item_changes
from indicators.compute import Basis
from pillars import services
from pillars.models import Rebaseline
from tests.factories import (
    MeasurementFactory,
)

from .helpers import EVIDENCE, TODAY, Mixed, Record

pytestmark = pytest.mark.django_db

KARACHI = zoneinfo.ZoneInfo("Asia/Karachi")


def moment(day: dt.date, hour: int = 12, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=KARACHI)


def dated(instance: Any, when: dt.datetime, **lookup: Any) -> None:
    """Move the historical records of `instance` (those matching `lookup`) to `when`."""
    instance.history.filter(**lookup).update(history_date=when)


def listed(wanted: ChangeFilter) -> list[tuple[str, str]]:
    """(kind, the code of the item it is about) of every change `wanted` asks for, newest first."""
    changes = changes_for(list(change_keys(wanted)))
    return [(c.kind, c.item.code if c.item else "") for c in changes]


EVERYTHING_REPORTED = {
    ("figure_added", "t1"),
    ("figure_revised", "t1"),
    ("definition_changed", "t1"),
    ("rebaselined", "t1"),
    ("forecast_moved", "m1"),
    ("rebaselined", "m1"),
    ("incentive_status", "ignite"),
    ("figure_added", "t2"),
    ("completed", "m2"),
    ("definition_changed", "seed"),
}
MADE_UP = {("figure_added", "t1"), ("figure_withdrawn", "t1")}


# --- Filters ------------------------------------------------------------------------------------


def test_by_default_every_change_but_those_of_illustrative_figures(mixed: Mixed) -> None:
    changes = listed(ChangeFilter())
    assert len(changes) == len(EVERYTHING_REPORTED) == change_keys(ChangeFilter()).count()
    assert set(changes) == EVERYTHING_REPORTED


def test_the_illustrative_basis_adds_the_changes_of_made_up_figures(mixed: Mixed) -> None:
    changes = changes_for(list(change_keys(ChangeFilter(basis=Basis.ILLUSTRATIVE))))
    assert len(changes) == len(EVERYTHING_REPORTED) + 2
    made_up = [c for c in changes if c.object_type == "measurement" and c.object_id == mixed.made_up.pk]
    assert {c.kind for c in made_up} == {"figure_added", "figure_withdrawn"}
    assert all(c.illustrative for c in made_up)
    assert not any(c.illustrative for c in changes if c not in made_up)


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ({"figure_revised"}, {("figure_revised", "t1")}),
        ({"rebaselined"}, {("rebaselined", "t1"), ("rebaselined", "m1")}),
        ({"definition_changed"}, {("definition_changed", "t1"), ("definition_changed", "seed")}),
        ({"forecast_moved", "completed"}, {("forecast_moved", "m1"), ("completed", "m2")}),
        (
            {"incentive_status", "figure_added"},
            {("incentive_status", "ignite"), ("figure_added", "t1"), ("figure_added", "t2")},
        ),
        ({"cancelled"}, set()),
        ({"figure_withdrawn"}, set()),  # the only withdrawal is of an illustrative figure
    ],
)
def test_kinds(mixed: Mixed, kinds: set[str], expected: set[tuple[str, str]]) -> None:
    changes = listed(ChangeFilter(kinds=frozenset(kinds)))
    assert set(changes) == expected
    assert len(changes) == len(expected)


def test_each_pillar_has_its_own_changes(mixed: Mixed) -> None:
    first = set(listed(ChangeFilter(pillar=mixed.first)))
    second = set(listed(ChangeFilter(pillar=mixed.second)))
    assert second == {("figure_added", "t2"), ("completed", "m2"), ("definition_changed", "seed")}
    assert first == EVERYTHING_REPORTED - second
    # Both re-baselines (of a target and of a milestone) are the first pillar's.
    assert set(listed(ChangeFilter(pillar=mixed.first, kinds=frozenset({"rebaselined"})))) == {
        ("rebaselined", "t1"),
        ("rebaselined", "m1"),
    }
    assert listed(ChangeFilter(pillar=mixed.second, kinds=frozenset({"rebaselined"}))) == []


def test_a_targets_changes_are_its_figures_definition_and_re_baselines(mixed: Mixed) -> None:
    assert set(listed(ChangeFilter(target_id=mixed.target.pk))) == {
        ("figure_added", "t1"),
        ("figure_revised", "t1"),
        ("definition_changed", "t1"),
        ("rebaselined", "t1"),
    }
    assert set(listed(ChangeFilter(target_id=mixed.other_target.pk))) == {("figure_added", "t2")}


def test_a_milestones_changes_and_re_baselines(mixed: Mixed) -> None:
    assert set(listed(ChangeFilter(milestone_id=mixed.milestone.pk))) == {
        ("forecast_moved", "m1"),
        ("rebaselined", "m1"),
    }
    assert listed(ChangeFilter(milestone_id=mixed.other_milestone.pk)) == [("completed", "m2")]


def test_an_incentives_changes(mixed: Mixed) -> None:
    assert listed(ChangeFilter(incentive_id=mixed.incentive.pk)) == [("incentive_status", "ignite")]
    assert listed(ChangeFilter(incentive_id=mixed.other_incentive.pk)) == [("definition_changed", "seed")]


def test_an_item_with_no_change_and_a_filter_no_table_can_answer(mixed: Mixed) -> None:
    assert listed(ChangeFilter(target_id=987_654)) == []
    nothing = ChangeFilter(kinds=frozenset({"rebaselined"}), incentive_id=mixed.incentive.pk)
    assert list(change_keys(nothing)) == [] and change_keys(nothing).count() == 0


def test_since_and_until_are_days_in_the_policys_time_zone(mixed: Mixed) -> None:
    """Inclusive, from midnight in Karachi: 00:30 on 1 July there is 19:30 on 30 June in UTC."""
    dated(mixed.figure, moment(dt.date(2025, 7, 1), 0, 30), change_kind="figure_revised")
    dated(mixed.figure, moment(dt.date(2025, 6, 30), 23, 30), change_kind="figure_added")
    dated(mixed.other_target.measurements.get(), moment(dt.date(2025, 7, 2), 0, 0))
    Rebaseline.objects.filter(pk=mixed.target_rebaseline.pk).update(created_at=moment(dt.date(2025, 7, 1), 23, 59))

    def between(since: dt.date | None, until: dt.date | None) -> set[tuple[str, str]]:
        return set(listed(ChangeFilter(since=since, until=until)))

    july_1 = dt.date(2025, 7, 1)
    assert between(july_1, july_1) == {("figure_revised", "t1"), ("rebaselined", "t1")}
    assert between(None, dt.date(2025, 6, 30)) == {("figure_added", "t1")}
    assert between(dt.date(2025, 6, 30), dt.date(2025, 7, 2)) == {
        ("figure_added", "t1"),
        ("figure_revised", "t1"),
        ("rebaselined", "t1"),
        ("figure_added", "t2"),
    }
    assert ("figure_added", "t2") not in between(None, july_1)
    assert len(between(dt.date(2025, 7, 3), None)) == len(EVERYTHING_REPORTED) - 4


# --- Order and rows -----------------------------------------------------------------------------


def test_newest_first_across_every_table(mixed: Mixed) -> None:
    dated(mixed.incentive, moment(dt.date(2026, 1, 5)), change_kind="incentive_status")
    dated(mixed.figure, moment(dt.date(2026, 1, 4)), change_kind="figure_revised")
    Rebaseline.objects.filter(pk=mixed.milestone_rebaseline.pk).update(created_at=moment(dt.date(2026, 1, 3)))
    dated(mixed.milestone, moment(dt.date(2026, 1, 2)), change_kind="forecast_moved")
    dated(mixed.target, moment(dt.date(2026, 1, 1)), change_kind="definition_changed")
    wanted = ChangeFilter(pillar=mixed.first, since=dt.date(2026, 1, 1), until=dt.date(2026, 1, 5))

    keys = list(change_keys(wanted))

    assert [(t, at) for t, _pk, at in keys] == [
        ("incentive", moment(dt.date(2026, 1, 5))),
        ("measurement", moment(dt.date(2026, 1, 4))),
        ("rebaseline", moment(dt.date(2026, 1, 3))),
        ("milestone", moment(dt.date(2026, 1, 2))),
        ("target", moment(dt.date(2026, 1, 1))),
    ]
    assert [c.kind for c in changes_for(keys)] == [
        "incentive_status",
        "figure_revised",
        "rebaselined",
        "forecast_moved",
        "definition_changed",
    ]


def test_changes_for_keeps_the_order_given_and_skips_keys_it_cannot_find(mixed: Mixed) -> None:
    keys = list(change_keys(ChangeFilter(kinds=frozenset({"figure_added", "completed"}))))
    reversed_keys = [*keys[::-1], ("measurement", 987_654, keys[0][2]), ("rebaseline", 987_654, keys[0][2])]
    assert [c.id for c in changes_for(reversed_keys)] == [c.id for c in changes_for(keys)][::-1]
    assert changes_for([]) == []


def one(kind: str, **wanted: Any) -> Change:
    [change] = changes_for(list(change_keys(ChangeFilter(kinds=frozenset({kind}), **wanted))))
    return change


def test_a_revision_has_its_old_and_new_value_reason_role_and_the_figures_source(mixed: Mixed) -> None:
    change = one("figure_revised")
    record = mixed.figure.history.get(change_kind="figure_revised")
    assert (change.id, change.at) == (f"measurement-{record.history_id}", record.history_date)
    assert (change.object_type, change.object_id, change.field) == ("measurement", mixed.figure.pk, "value")
    assert (change.old, change.new, change.reason, change.role) == (50_000.0, 55_000.0, "PBS revised it.", "editor")
    assert change.evidence == mixed.figure.source_url  # no evidence given: the figure's source
    assert (change.item.type, change.item.id, change.item.title) == ("target", mixed.target.pk, "Renamed target")
    assert (change.pillar, change.unit, change.illustrative) == (mixed.first.slug, "people", False)
    assert change.extra == {"date": "2025-07-01", "value": 55_000.0}


def test_a_withdrawal_carries_the_value_and_date_withdrawn(mixed: Mixed) -> None:
    change = one("figure_withdrawn", basis=Basis.ILLUSTRATIVE)
    assert (change.field, change.old, change.new) == ("withdrawn_on", None, TODAY.isoformat())
    assert change.extra == {"value": 80_000.0, "date": "2025-09-01"}
    assert (change.reason, change.illustrative) == ("Demo over.", True)


def test_a_forecast_moved_carries_its_evidence_and_the_baseline_due_date(mixed: Mixed) -> None:
    change = one("forecast_moved")
    assert (change.old, change.new, change.evidence) == (None, "2026-06-30", EVIDENCE)
    assert change.extra == {"baseline_due_date": mixed.milestone.baseline_due_date.isoformat()}
    assert (change.item.type, change.item.code, change.pillar) == ("milestone", "m1", mixed.first.slug)


def test_a_target_re_baseline_has_the_old_and_new_terms(mixed: Mixed) -> None:
    change = one("rebaselined", target_id=mixed.target.pk)
    assert change.id == f"rebaseline-{mixed.target_rebaseline.pk}"
    assert (change.object_type, change.object_id, change.field) == (
        "rebaseline",
        mixed.target_rebaseline.pk,
        "baseline",
    )
    assert change.old == {
        "baseline_value": 0.0,
        "baseline_date": "2025-01-01",
        "target_value": 200_000.0,
        "target_date": "2025-12-31",
    }
    assert change.new == {**change.old, "target_date": "2026-12-31"}
    assert (change.reason, change.evidence, change.role) == (
        "The budget came a year late.",
        "https://www.finance.gov.pk/budget",
        "administrator",
    )
    assert (change.item.type, change.item.id, change.unit) == ("target", mixed.target.pk, "people")


def test_a_milestone_re_baseline_has_the_old_and_new_due_dates(mixed: Mixed) -> None:
    change = one("rebaselined", milestone_id=mixed.milestone.pk)
    assert (change.field, change.old, change.new) == ("due_date", "2026-01-31", "2026-09-30")
    assert (change.evidence, change.role, change.item.type) == ("", "administrator", "milestone")


def test_an_incentives_change_links_to_its_slug(mixed: Mixed) -> None:
    change = one("incentive_status")
    assert (change.old, change.new, change.reason) == ("announced", "open", "Applications opened.")
    assert (change.item.type, change.item.code, change.item.slug, change.item.title) == (
        "incentive",
        "ignite",
        "ignite",
        mixed.incentive.name,
    )


def test_a_definitions_new_value_is_the_records_own(mixed: Mixed) -> None:
    change = one("definition_changed", target_id=mixed.target.pk)
    assert (change.field, change.old, change.new) == ("title", mixed.target.history.earliest().title, "Renamed target")


def test_a_deleted_figure_has_no_new_value() -> None:
    figure = MeasurementFactory(value=2_450)
    pk = figure.pk
    services.measurement_delete(measurement=figure, reason="Reloaded.")
    change = one("figure_deleted")
    assert (change.object_id, change.old, change.new, change.reason) == (pk, 2_450.0, None, "Reloaded.")


def test_kinds_cover_every_kind_once() -> None:
    every = [kind for kinds in KINDS.values() for kind in kinds]
    assert set(every) == set(ChangeKind)
    assert every.count(ChangeKind.DEFINITION_CHANGED) == 3  # targets, milestones and incentives
    assert len(every) == len(ChangeKind) + 2


# --- Item pages and the feed --------------------------------------------------------------------


def test_item_changes_gives_the_latest_and_how_many_there_are(editor: User) -> None:
    figure = MeasurementFactory(value=0)
    for value in range(1, 25):
        figure.value = value
        services.measurement_save(measurement=figure, user=editor, reason=f"Correction {value}.", confirmed=True)

    changes, total = item_changes(ChangeFilter(target_id=figure.target_id))

    assert total == 25  # added, and revised 24 times
    assert len(changes) == 20
    assert [c.new for c in changes[:3]] == [24.0, 23.0, 22.0]
    changes, total = item_changes(ChangeFilter(target_id=figure.target_id), limit=3)
    assert (len(changes), total) == (3, 25)


def test_change_page_slices_the_record(editor: User) -> None:
    figure = MeasurementFactory(value=0)
    for value in range(1, 6):
        figure.value = value
        services.measurement_save(measurement=figure, user=editor, reason="Correction.", confirmed=True)
    assert [c.new for c in change_page(ChangeFilter(), offset=1, limit=2)] == [4.0, 3.0]


# --- Queries ------------------------------------------------------------------------------------


def queries_of_a_page(wanted: ChangeFilter) -> int:
    with CaptureQueriesContext(connection) as queries:
        changes = changes_for(list(change_keys(wanted)[:50]))
    assert len(changes) > 10
    return len(queries)


def test_a_page_of_every_kind_takes_the_same_queries_at_two_sizes(editor: User, superuser: User) -> None:
    record = Record(editor=editor, superuser=superuser)
    record.add(2)
    small = queries_of_a_page(ChangeFilter())
    record.add(6)
    large = queries_of_a_page(ChangeFilter())
    assert small == large
    # The keys, then one query per table on the page (figures and their targets, targets and the pillars,
    # milestones, incentives, re-baselines with their authors' groups).
    assert large <= 9
