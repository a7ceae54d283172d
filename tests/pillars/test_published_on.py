"""What "published on" says for an item loaded from the policy: its sources' date, not the day of the load."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from pillars import services
from pillars.models import Milestone, Target
from tests.factories import EditorFactory, MilestoneFactory, PolicyFactory, SourceFactory, TargetFactory

pytestmark = pytest.mark.django_db

LOAD_DAY = dt.date(2026, 12, 3)


@pytest.fixture(autouse=True)
def _today() -> object:
    with mock.patch("django.utils.timezone.localdate", return_value=LOAD_DAY):
        yield


def test_a_loaded_target_is_published_on_its_earliest_source_date() -> None:
    sources = [
        SourceFactory(published_on=dt.date(2025, 8, 2)),
        SourceFactory(published_on=None),
        SourceFactory(published_on=dt.date(2025, 7, 31)),
    ]
    target = services.target_save(target=TargetFactory.build(policy=PolicyFactory(), pillar=None), sources=sources)
    target.refresh_from_db()
    assert target.published_on == dt.date(2025, 7, 31)
    assert set(target.sources.all()) == set(sources)  # the sources were still all set


def test_without_a_dated_source_it_is_published_with_the_policy() -> None:
    policy = PolicyFactory(approved_on=dt.date(2025, 7, 30))
    milestone = MilestoneFactory.build(policy=policy, pillar=None)
    services.milestone_save(milestone=milestone, sources=(s for s in [SourceFactory(published_on=None)]))
    milestone.refresh_from_db()
    assert milestone.published_on == dt.date(2025, 7, 30)
    assert milestone.sources.count() == 1  # a generator of sources is read once, and still set


def test_an_editors_new_item_is_still_a_draft() -> None:
    target = TargetFactory.build(policy=PolicyFactory(), pillar=None)
    services.target_save(target=target, sources=[SourceFactory(published_on=dt.date(2025, 8, 2))], user=EditorFactory())
    target.refresh_from_db()
    assert target.published_on is None


def test_nothing_loaded_from_the_policy_says_it_was_published_on_the_day_of_the_load() -> None:
    call_command("load_policy", stdout=StringIO())
    published = [*Target.objects.values_list("published_on", flat=True)]
    published += Milestone.objects.values_list("published_on", flat=True)
    assert published and None not in published
    assert LOAD_DAY not in published
