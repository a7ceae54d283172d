"""The package is built by the worker after each recompute: queued once per date, skipped when nothing changed."""

from __future__ import annotations

from typing import Any

import pytest

from indicators import tasks as indicator_tasks
from opendata import tasks
from opendata.models import DataPackage

from .conftest import AS_OF

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    queued: list[Any] = []
    monkeypatch.setattr(tasks.build_package, "apply_async", lambda **kwargs: queued.append(kwargs))
    return queued


def test_a_full_recompute_queues_the_build_of_its_date(data: None, settings: Any, sent: list[Any]) -> None:
    settings.OPENDATA_BUILD_AFTER_RECOMPUTE = True
    indicator_tasks.recompute_all.apply(args=[AS_OF.isoformat()])
    assert sent == [{"args": [AS_OF.isoformat()], "countdown": settings.OPENDATA_BUILD_DELAY}]


def test_a_burst_of_edit_recomputes_queues_one_build_of_today(data: None, settings: Any, sent: list[Any]) -> None:
    from django.utils import timezone

    from pillars.models import Target

    settings.OPENDATA_BUILD_AFTER_RECOMPUTE = True
    target = Target.objects.first()
    assert target is not None
    for _edit in range(3):
        indicator_tasks.recompute_items.apply(kwargs={"target_ids": [target.pk]})
    assert sent == [{"args": [timezone.localdate().isoformat()], "countdown": settings.OPENDATA_BUILD_DELAY}]


def test_an_idle_drain_queues_nothing(data: None, settings: Any, sent: list[Any]) -> None:
    settings.OPENDATA_BUILD_AFTER_RECOMPUTE = True
    settings.INDICATORS_CATCH_UP_AFTER = "23:59:59"
    indicator_tasks.drain_pending.apply()
    assert sent == []


def test_nothing_is_queued_when_switched_off(data: None, settings: Any, sent: list[Any]) -> None:
    settings.OPENDATA_BUILD_AFTER_RECOMPUTE = False
    indicator_tasks.recompute_all.apply(args=[AS_OF.isoformat()])
    assert sent == []


def test_the_task_builds_then_skips_an_unchanged_date(data: None) -> None:
    first = tasks.build_package.apply(args=[AS_OF.isoformat()]).get()
    assert first["built"] is True and first["bytes"] > 0
    assert tasks.build_package.apply(args=[AS_OF.isoformat()]).get() == {"as_of": AS_OF.isoformat(), "built": False}
    assert DataPackage.objects.get().as_of == AS_OF
