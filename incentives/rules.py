"""The finder's rules: whether applications are open on a date, where an incentive applies, who may apply.

Pure functions over plain values: no Django, no database, no clock (the
as-of date is always an argument). The views, the FilterSet's queries and the
API follow them; tests/incentives/test_rules.py holds the queries to them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum


class Application(StrEnum):
    """Whether applications are open (the values of `incentives.choices.ApplicationStatus`)."""

    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    UNKNOWN = "unknown"


def application_status(opens_on: dt.date | None, closes_on: dt.date | None, as_of: dt.date) -> Application:
    """Applications on `as_of`, from the opening and closing days (both inclusive; None = not published).

    * closed once the closing day has passed, whether or not the opening day is known;
    * unknown when the opening day is not published (and the closing day has not passed);
    * not yet open before the opening day; open from it until the closing day, or with no closing day published.
    """
    if closes_on is not None and as_of > closes_on:
        return Application.CLOSED
    if opens_on is None:
        return Application.UNKNOWN
    if as_of < opens_on:
        return Application.NOT_YET_OPEN
    return Application.OPEN


class Reach(StrEnum):
    """Why an incentive applies in a place."""

    NATIONWIDE = "nationwide"  # it applies everywhere
    NAMED = "named"  # it names the hub, or the hub's province


def _fold(text: str) -> str:
    return text.strip().casefold()


def reach(
    *, nationwide: bool, hubs: Collection[str], provinces: Collection[str], hub: str, province: str
) -> Reach | None:
    """Whether an incentive applies in `hub` (a slug) of `province`, and why; None when it does not."""
    if nationwide:
        return Reach.NATIONWIDE
    if hub in hubs or _fold(province) in {_fold(p) for p in provinces}:
        return Reach.NAMED
    return None


class Fit(StrEnum):
    """Whether an organisation type may apply."""

    LISTED = "listed"  # the incentive lists it among who may apply
    NOT_PUBLISHED = "not_published"  # who may apply is not published: it may or may not be open to them


def fit(applicants: Collection[str], who: str) -> Fit | None:
    """Whether `who` may apply to an incentive open to `applicants`; None when the list leaves them out."""
    if not applicants:
        return Fit.NOT_PUBLISHED
    return Fit.LISTED if who in applicants else None


@dataclass(frozen=True, slots=True)
class Offer:
    """What the finder reads of one incentive."""

    key: str
    nationwide: bool
    hubs: frozenset[str]
    provinces: frozenset[str]
    applicants: frozenset[str]


@dataclass(frozen=True, slots=True)
class Answer:
    """One incentive a reader can (or, where who may apply is not published, might) apply for, and why."""

    key: str
    reach: Reach
    fit: Fit


def can_apply(offers: Iterable[Offer], *, who: str, hub: str, province: str) -> list[Answer]:
    """The offers open to `who` in `hub` (of `province`), in the given order: listed ones and unpublished ones."""
    answers = []
    for offer in offers:
        where = reach(
            nationwide=offer.nationwide, hubs=offer.hubs, provinces=offer.provinces, hub=hub, province=province
        )
        if where is None:
            continue
        matched = fit(offer.applicants, who)
        if matched is not None:
            answers.append(Answer(key=offer.key, reach=where, fit=matched))
    return answers
