"""The Atom feed of the public record: the twin of `/changes/`, with the same filters (`/feeds/changes.atom`).

New figures, revisions, withdrawals, forecast moves, completions,
cancellations, changed definitions, re-baselines and incentive statuses, each
with its earlier value, reason and evidence. `?kind=`, `?pillar=` and
`?basis=illustrative` work as on the page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape
from django.utils.safestring import SafeString

from core.asof import ParameterError, as_of_from_query
from core.pages import BadParameter, bad_request_page, not_modified, page_validators, valid_filters, with_validators
from core.text import xml_text
from pillars.models import Measurement

from .choices import ChangeKind
from .filtersets import ChangeFilterSet
from .selectors import Change, ChangeFilter, change_page
from .templatetags.changes import change_text

FEED_SIZE = 100


class ChangesFeed(Feed[Change, ChangeFilter]):
    """The latest 100 changes to published data, newest first."""

    feed_type = Atom1Feed
    title = "National AI Policy 2025 tracker: every change to the published record"
    subtitle = (
        "Figures added, revised and withdrawn; milestone forecasts moved, completions and cancellations; "
        "changed definitions and re-baselines; incentive statuses. Each with the earlier value, the reason and "
        "the evidence, as on /changes/."
    )
    author_name = "National AI Policy 2025 delivery tracker"

    def __call__(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            self.get_object(request)
        except BadParameter as error:
            return bad_request_page(request, error.problems)
        # Conditional GET, as on the pages (core.pages): after the query is validated, so a bad one stays a 400.
        etag, last_modified = page_validators(request)
        unchanged = not_modified(request, etag, last_modified)
        if unchanged is None:
            response: HttpResponse = super().__call__(request, *args, **kwargs)
            # Last-Modified is the data's, not the newest entry's: the conditional GET compares that one.
            with_validators(response, etag, last_modified)
        else:
            response = unchanged
        response["Cache-Control"] = "public, max-age=300"
        return response

    def get_object(self, request: HttpRequest, *args: Any, **kwargs: Any) -> ChangeFilter:
        """What the query string asks for (the feed object is shared by every request: nothing is kept on it)."""
        try:
            view = as_of_from_query(request.GET)
        except ParameterError as error:
            raise BadParameter([error.message]) from None
        filterset = valid_filters(ChangeFilterSet(request.GET, queryset=Measurement.history.none()))
        wanted: ChangeFilter = filterset.wanted(view)
        return wanted

    def link(self) -> str:
        return "/changes/"

    def feed_url(self) -> str:
        return "/feeds/changes.atom"

    def items(self, obj: ChangeFilter) -> list[Change]:
        return change_page(obj, limit=FEED_SIZE)

    def item_title(self, item: Change) -> str:
        # Plain text: an Atom <title> without a type is text, and the XML writer escapes it (escaping it here
        # too, as Django's default for RSS does, would show readers "&lt;" for every "<" an editor typed).
        with translation.override(settings.LANGUAGE_CODE):
            label = str(dict(ChangeKind.choices).get(item.kind, item.kind))
        subject = item.item.title if item.item is not None else item.object_type
        return xml_text(f"{subject}: {label}" + (" (illustrative)" if item.illustrative else ""))

    def item_description(self, item: Change) -> SafeString:
        """The summary, which Atom1Feed sends as `type="html"`: every piece of text escaped, once, here.

        `change_text` is plain text (it unescapes what `change_what` escaped), and the reason and the
        evidence are whatever an editor typed: none of it may reach a feed reader as markup.
        """
        with translation.override(settings.LANGUAGE_CODE):
            parts = [change_text(item)]
        if item.reason:
            parts.append(f"Reason: {item.reason}")
        if item.evidence:
            parts.append(f"Evidence: {item.evidence}")
        parts.append(f"By: {item.role}.")
        return escape(xml_text(" ".join(parts)))

    def item_link(self, item: Change) -> str:
        # The English page (the feed is language-neutral); Urdu readers switch on the page.
        with translation.override(settings.LANGUAGE_CODE):
            subject = item.item
            if subject is None:
                return reverse("changes:list")
            if subject.type == "incentive":
                return reverse("incentives:detail", args=[subject.slug])
            return reverse(f"pillars:{subject.type}", args=[subject.id])

    def item_guid(self, item: Change) -> str:
        return f"tag:ai-policy-tracker,2025:change/{item.id}"

    item_guid_is_permalink = False

    def item_pubdate(self, item: Change) -> dt.datetime:
        return item.at

    def item_updateddate(self, item: Change) -> dt.datetime:
        return item.at

    def item_categories(self, item: Change) -> list[str]:
        return [item.kind, item.object_type]
