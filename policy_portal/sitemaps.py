"""`/sitemap.xml`: every public page in English and Urdu, each with its hreflang alternates (and x-default).

`/sitemap.xml` is an index of the sections below, and each section is paged
(`LIMIT` addresses a page, `?p=2`, ...), so that 100,000 targets make twenty
small files rather than one huge one. A page of a section costs two queries
(the count and the slice) whatever the size of the data: the items are
read as bare ids or slugs, and the (item, language) pairs that Django's
i18n sitemap would build for the whole table in memory are made for the
page only (`Pairs`). The search page (any words) and `/healthz` are left
out. Absolute addresses start with `PORTAL_BASE_URL` when it is set
(core.seo).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.seo import base_url
from hubs.models import Hub
from incentives.models import Incentive
from pillars.models import Milestone, Pillar, Target

LIMIT = 5_000


class Pairs:
    """(item, language) for every item of a queryset and every language, read one slice at a time."""

    def __init__(self, items: Any, languages: Sequence[str]) -> None:
        self.items = items
        self.languages = list(languages)

    def count(self) -> int:
        total = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
        return total * len(self.languages)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: Any) -> Any:
        width = len(self.languages)
        if not isinstance(index, slice):
            item = self.items[index // width]
            return (item, self.languages[index % width])
        start, stop = index.start or 0, index.stop if index.stop is not None else self.count()
        first, last = start // width, -(-stop // width)
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        offset = first * width
        return pairs[start - offset : stop - offset]


class PortalSitemap(Sitemap[Any]):
    """Both languages, with alternates and x-default; absolute addresses from PORTAL_BASE_URL when it is set."""

    i18n = True
    alternates = True
    x_default = True
    limit = LIMIT

    def _items(self) -> Pairs:
        return Pairs(self.items(), [code for code, _name in settings.LANGUAGES])

    def get_protocol(self, protocol: str | None = None) -> str:
        configured: str = settings.PORTAL_BASE_URL
        return urlsplit(configured).scheme if configured else super().get_protocol(protocol)

    def get_domain(self, site: Any = None) -> str:
        configured: str = settings.PORTAL_BASE_URL
        if configured:
            parts = urlsplit(configured.rstrip("/"))
            return parts.netloc + parts.path
        return super().get_domain(site)


class ListPages(PortalSitemap):
    """The dashboard, the list pages, the record of changes, the methodology and the open data."""

    changefreq = "daily"

    def items(self) -> list[str]:
        return [
            "pillars:home",
            "pillars:pillars",
            "pillars:targets",
            "pillars:milestones",
            "incentives:list",
            "incentives:can_i_apply",
            "hubs:list",
            "changes:list",
            "pillars:methodology",
            "opendata:data",
        ]

    def location(self, item: str) -> str:
        return reverse(item)


class ObjectPages(PortalSitemap):
    """One page per record, read as its id or slug only."""

    model: type[Any]
    key = "pk"
    url_name = ""
    changefreq = "weekly"

    def items(self) -> QuerySet[Any, Any]:
        items: QuerySet[Any, Any] = self.model.objects.order_by(self.key).values_list(self.key, flat=True)
        return items

    def location(self, item: Any) -> str:
        return reverse(self.url_name, args=[item])


class PillarPages(ObjectPages):
    model, key, url_name = Pillar, "slug", "pillars:pillar"


class TargetPages(ObjectPages):
    model, url_name = Target, "pillars:target"


class MilestonePages(ObjectPages):
    model, url_name = Milestone, "pillars:milestone"


class IncentivePages(ObjectPages):
    model, key, url_name = Incentive, "slug", "incentives:detail"


class HubPages(ObjectPages):
    model, key, url_name = Hub, "slug", "hubs:detail"


SITEMAPS: dict[str, type[PortalSitemap]] = {
    "pages": ListPages,
    "pillars": PillarPages,
    "targets": TargetPages,
    "milestones": MilestonePages,
    "incentives": IncentivePages,
    "hubs": HubPages,
}


@require_safe
def index(request: HttpRequest) -> TemplateResponse:
    """The sitemap index: every page of every section (one count query a section)."""
    base = base_url(request)
    entries = []
    for section, sitemap_class in SITEMAPS.items():
        url = base + reverse("sitemap-section", kwargs={"section": section})
        pages = sitemap_class().paginator.num_pages
        entries += [SitemapIndexItem(url if page == 1 else f"{url}?p={page}", None) for page in range(1, pages + 1)]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response
