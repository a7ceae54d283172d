"""Found and shared: absolute addresses, the canonical link, the hreflang alternates and robots.txt.

Absolute addresses start with `PORTAL_BASE_URL` when it is set (the public
address, e.g. `https://portal.example.org`; set it behind a TLS proxy, where
the request itself may say `http`), else with the request's own scheme and
host (which `ALLOWED_HOSTS` has already vetted).

The canonical address of a page is its path with the query parameters that
change what it shows: the as-of date, the basis, the filters, the ordering,
the search words and a page number above 1. Dropped: `page=1` (and an empty
or bad page number, which shows page 1), empty parameters (an unfilled field
of a filter form), and tracking noise (`utm_*`, `fbclid`, `gclid`, ...). The
remaining parameters are sorted by name, so that two orders of the same
filters have one canonical address. The hreflang alternates are the same
address in each language (English unprefixed, Urdu under `/ur/`), and
`x-default` is the English one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import translation
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

# Parameters that say where a reader came from, not what the page shows.
TRACKING_PARAMETERS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "igshid", "ref", "_ga"})


def base_url(request: HttpRequest | None) -> str:
    """The scheme and host (and any path prefix) the absolute addresses start with, without a trailing slash."""
    configured: str = getattr(settings, "PORTAL_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    if request is None:
        return ""
    return f"{request.scheme}://{request.get_host()}"


def canonical_query(request: HttpRequest) -> str:
    """The query string of the canonical address ("" or "?..."): meaningful parameters only, sorted."""
    pairs = []
    for key in sorted(request.GET):
        lowered = key.lower()
        if lowered in TRACKING_PARAMETERS or lowered.startswith("utm_"):
            continue
        for value in request.GET.getlist(key):
            if value == "":
                continue
            if key == "page" and (not value.isdigit() or int(value) <= 1):
                continue
            pairs.append((key, value))
    return "?" + urlencode(pairs) if pairs else ""


def unprefixed_path(request: HttpRequest) -> str:
    """The page's path without the script prefix and the language prefix ("/targets/" for "/ur/targets/")."""
    path = request.path_info or "/"
    prefix = translation.get_language_from_path(path)
    if prefix:
        path = path[len(prefix) + 1 :] or "/"
    return path


def language_path(path: str, code: str) -> str:
    """`path` (unprefixed) in language `code`, with the script prefix."""
    script = get_script_prefix().rstrip("/")
    return script + (path if code == settings.LANGUAGE_CODE else f"/{code}{path}")


def page_links(request: HttpRequest | None) -> dict[str, Any]:
    """The canonical address of this page and its alternates in every language (and x-default), all absolute."""
    try:
        base = base_url(request)
    except DisallowedHost:  # the 400 page of a request for a host the portal does not serve
        base = ""
    if request is None or not base:
        return {"canonical": "", "alternates": []}
    path = unprefixed_path(request)
    query = canonical_query(request)
    current = translation.get_language() or settings.LANGUAGE_CODE
    urls = {code: base + language_path(path, code) + query for code, _name in settings.LANGUAGES}
    alternates = [{"code": code, "url": url} for code, url in urls.items()]
    alternates.append({"code": "x-default", "url": urls[settings.LANGUAGE_CODE]})
    canonical = urls.get(current, urls[settings.LANGUAGE_CODE])
    return {"canonical": canonical, "alternates": alternates}


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    """Everything public may be crawled; the admin, the API's write paths and the language switch may not."""
    lines = [
        "User-agent: *",
        "Disallow: /admin/",
        "Disallow: /i18n/",
        "Disallow: /healthz",
        "Allow: /",
        "",
        f"Sitemap: {base_url(request)}{reverse('sitemap-index')}",
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response
