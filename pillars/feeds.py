"""The public "what changed" feed (Atom): status changes, forecast moves and re-baselines.

For journalists and anyone watching delivery: subscribe to `/feeds/changes.atom`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.feedgenerator import Atom1Feed

from . import audit


class ChangesFeed(Feed[audit.FeedEntry, None]):
    """The latest 100 changes readers care about, newest first."""

    feed_type = Atom1Feed
    title = "National AI Policy 2025 tracker: what changed"
    subtitle = (
        "Status changes between the daily recomputes, milestone forecasts moved by editors (with their reason "
        "and evidence) and re-baselined targets and milestones."
    )
    author_name = "National AI Policy 2025 delivery tracker"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        response = super().__call__(request, *args, **kwargs)
        response["Cache-Control"] = "public, max-age=300"
        return response

    def link(self) -> str:
        return "/"

    def feed_url(self) -> str:
        return "/feeds/changes.atom"

    def items(self) -> list[audit.FeedEntry]:
        return audit.feed_entries(limit=100)

    def item_title(self, item: audit.FeedEntry) -> str:
        return item.title

    def item_description(self, item: audit.FeedEntry) -> str:
        return item.description

    def item_link(self, item: audit.FeedEntry) -> str:
        return _public_url(item)

    def item_guid(self, item: audit.FeedEntry) -> str:
        return f"tag:ai-policy-tracker,2025:{item.key}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: audit.FeedEntry) -> dt.datetime:
        return _moment(item.when)

    def item_updateddate(self, item: audit.FeedEntry) -> dt.datetime:
        return _moment(item.when)

    def item_categories(self, item: audit.FeedEntry) -> list[str]:
        return [item.kind, item.item_kind]


def _moment(when: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(when, dt.datetime):
        return when
    # A recompute's date: the start of that day in the policy's time zone.
    return timezone.make_aware(dt.datetime.combine(when, dt.time()))


def _public_url(item: audit.FeedEntry) -> str:
    """The item's public page when the pages define one, else its API resource."""
    obj = item.item
    if obj is not None and hasattr(obj, "get_absolute_url"):
        try:
            return str(obj.get_absolute_url())
        except NoReverseMatch:
            pass
    try:
        # The English page (the feed is language-neutral); Urdu readers switch on the page.
        with translation.override(settings.LANGUAGE_CODE):
            return reverse(f"pillars:{item.item_kind}", args=[item.item_id])
    except NoReverseMatch:
        return f"/api/v1/{item.item_kind}s/{item.item_id}/"
