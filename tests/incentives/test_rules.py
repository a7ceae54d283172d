"""The finder's rules (incentives.rules), and the FilterSet's queries held to them."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from incentives.choices import Applicant, ApplicationStatus, IncentiveScope, Province
from incentives.filtersets import applies_in, open_to
from incentives.models import Incentive
from incentives.rules import Application, Fit, Offer, Reach, application_status, can_apply, fit, reach
from tests.factories import HubFactory, IncentiveFactory

D = dt.date


@pytest.mark.parametrize(
    ("opens", "closes", "as_of", "expected"),
    [
        (None, None, D(2026, 1, 1), Application.UNKNOWN),
        (D(2026, 2, 1), None, D(2026, 1, 31), Application.NOT_YET_OPEN),
        (D(2026, 2, 1), None, D(2026, 2, 1), Application.OPEN),  # the opening day is inclusive
        (D(2026, 2, 1), None, D(2030, 1, 1), Application.OPEN),  # no closing day published: still open
        (D(2026, 2, 1), D(2026, 3, 1), D(2026, 3, 1), Application.OPEN),  # the closing day is inclusive
        (D(2026, 2, 1), D(2026, 3, 1), D(2026, 3, 2), Application.CLOSED),
        (None, D(2026, 3, 1), D(2026, 3, 2), Application.CLOSED),  # closed, even with no opening day
        (None, D(2026, 3, 1), D(2026, 2, 1), Application.UNKNOWN),
    ],
)
def test_application_status(opens: D | None, closes: D | None, as_of: D, expected: Application) -> None:
    assert application_status(opens, closes, as_of) is expected


def test_application_values_are_the_choices() -> None:
    assert {a.value for a in Application} == set(ApplicationStatus.values)


def test_reach_and_fit() -> None:
    assert reach(nationwide=True, hubs=(), provinces=(), hub="lahore", province="Punjab") is Reach.NATIONWIDE
    assert reach(nationwide=False, hubs={"lahore"}, provinces=(), hub="lahore", province="Punjab") is Reach.NAMED
    assert reach(nationwide=False, hubs=(), provinces={"punjab "}, hub="lahore", province="Punjab") is Reach.NAMED
    assert reach(nationwide=False, hubs={"karachi"}, provinces={"Sindh"}, hub="lahore", province="Punjab") is None
    assert fit({"startup", "sme"}, "startup") is Fit.LISTED
    assert fit({"student"}, "startup") is None
    assert fit((), "startup") is Fit.NOT_PUBLISHED


def test_can_apply_keeps_order_and_says_why() -> None:
    offers = [
        Offer("a", True, frozenset(), frozenset(), frozenset({"startup"})),
        Offer("b", False, frozenset({"karachi"}), frozenset(), frozenset({"startup"})),
        Offer("c", False, frozenset(), frozenset({"Punjab"}), frozenset()),
        Offer("d", True, frozenset(), frozenset(), frozenset({"student"})),
    ]
    found = can_apply(offers, who="startup", hub="lahore", province="Punjab")
    assert [(a.key, a.reach, a.fit) for a in found] == [
        ("a", Reach.NATIONWIDE, Fit.LISTED),
        ("c", Reach.NAMED, Fit.NOT_PUBLISHED),
    ]


@pytest.mark.django_db
def test_the_filter_queries_agree_with_the_rules() -> None:
    """Every combination of scope, hubs, provinces and applicants: the queries find what the rules say."""
    lahore = HubFactory(slug="lahore", province=Province.PUNJAB)
    karachi = HubFactory(slug="karachi", province=Province.SINDH)
    hubs = [lahore, karachi]
    incentives = []
    hub_sets: list[list[object]] = [[], [lahore], [karachi]]
    province_sets: list[list[str]] = [[], [Province.PUNJAB], [Province.SINDH, Province.BALOCHISTAN]]
    applicant_sets: list[list[str]] = [[], [Applicant.STARTUP], [Applicant.SME, Applicant.WOMEN_LED]]
    combos = itertools.product(IncentiveScope.values, hub_sets, province_sets, applicant_sets)
    for n, (scope, on_hubs, provinces, applicants) in enumerate(combos):
        if scope == IncentiveScope.NATIONWIDE and provinces:
            continue  # refused by the model
        incentive = IncentiveFactory(scope=scope, provinces=provinces, applicants=applicants, slug=f"i-{n}")
        incentive.hubs.set(on_hubs)
        incentives.append(incentive)
    for hub in hubs:
        expected = {
            i.slug
            for i in incentives
            if reach(
                nationwide=i.nationwide,
                hubs={h.slug for h in i.hubs.all()},
                provinces=i.provinces,
                hub=hub.slug,
                province=hub.province,
            )
        }
        assert set(Incentive.objects.filter(applies_in(hubs=[hub])).values_list("slug", flat=True)) == expected
    for province in (Province.PUNJAB, Province.SINDH, Province.BALOCHISTAN):
        expected = {
            i.slug
            for i in incentives
            if i.nationwide or province in i.provinces or any(h.province == province for h in i.hubs.all())
        }
        assert (
            set(Incentive.objects.filter(applies_in(provinces=[province])).values_list("slug", flat=True)) == expected
        )
    for who in Applicant.values:
        expected = {i.slug for i in incentives if fit(i.applicants, who) is Fit.LISTED}
        assert set(Incentive.objects.filter(open_to([who])).values_list("slug", flat=True)) == expected
