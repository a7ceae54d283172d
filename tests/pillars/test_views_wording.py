"""Words on the pages that must not mislead: an overdue milestone with no new date, and the breadcrumbs."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import translation

from core.templatetags.portal import expected
from indicators import services as indicator_services
from indicators.choices import MilestoneStatus
from indicators.compute import MilestoneIndicators
from tests.factories import MilestoneFactory, TargetFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2026, 12, 3)
DUE = dt.date(2026, 1, 31)  # 306 days before AS_OF


def html(response: object) -> str:
    return response.content.decode("utf-8")  # type: ignore[attr-defined]


def _ind(status: MilestoneStatus, expected_date: dt.date, slip: int) -> MilestoneIndicators:
    return MilestoneIndicators(as_of=AS_OF, status=status, expected_date=expected_date, slip_days=slip)


def test_an_overdue_milestone_without_a_new_date_says_so_rather_than_expected_today() -> None:
    with translation.override("en"):
        assert expected(_ind(MilestoneStatus.OVERDUE, AS_OF, 306)) == "no new date given; 306 days overdue"
        assert expected(_ind(MilestoneStatus.OVERDUE, AS_OF, 1)) == "no new date given; 1 day overdue"
        # An editors' forecast still ahead is a date someone gave: shown as the date.
        assert expected(_ind(MilestoneStatus.OVERDUE, dt.date(2027, 3, 1), 394)) == "1 Mar 2027"
        assert expected(_ind(MilestoneStatus.ON_TRACK, dt.date(2027, 3, 1), 0)) == "1 Mar 2027"
        assert expected(None) == ""


@pytest.mark.parametrize("path", ["/milestones/?as_of={day}", "/milestones/{pk}/?as_of={day}"])
def test_the_pages_never_show_the_as_of_date_as_the_expected_date(client: Client, path: str) -> None:
    milestone = MilestoneFactory(baseline_due_date=DUE)
    indicator_services.indicators_recompute(as_of=AS_OF)
    text = html(client.get(path.format(day=AS_OF.isoformat(), pk=milestone.pk)))
    assert "no new date given; 306 days overdue" in text
    shown = re.search(r'data-testid="milestone-row".*?</tr>|data-testid="expected">[^<]*<', text, re.S)
    assert shown is not None and "3 Dec 2026" not in shown.group(0)


def test_a_forecast_still_ahead_is_shown_as_a_date(client: Client) -> None:
    milestone = MilestoneFactory(baseline_due_date=DUE, forecast_due_date=dt.date(2027, 3, 1))
    text = html(client.get(f"/milestones/{milestone.pk}/?as_of={AS_OF}"))
    assert 'data-testid="expected">1 Mar 2027<' in text
    assert "no new date given" not in text


def test_the_last_breadcrumb_is_the_title_not_the_code(client: Client) -> None:
    target = TargetFactory(code="p2-trained-per-year", title="People trained in AI every year")
    milestone = MilestoneFactory(code="p1-fund-set-up", title="National AI Fund set up " + "with a long name " * 6)
    crumb = re.compile(r'<span aria-current="page"[^>]*>([^<]*)</span></nav>')
    target_crumb = crumb.findall(html(client.get(f"/targets/{target.pk}/")))
    assert target_crumb == ["People trained in AI every year"]
    milestone_crumb = crumb.findall(html(client.get(f"/milestones/{milestone.pk}/")))
    assert milestone_crumb[0].startswith("National AI Fund set up")
    assert len(milestone_crumb[0]) <= 60 and milestone_crumb[0].endswith("…")
    assert "p1-fund-set-up" not in milestone_crumb[0]
