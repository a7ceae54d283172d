"""The data's licence on every answer that carries data: `Link: <CC BY 4.0>; rel="license"` (RFC 8288)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

from .package import LICENCE

# The paths that carry data are the ones other sites may read (CORS): one list, in the settings.
_DATA_PATHS = re.compile(settings.CORS_URLS_REGEX)
_LINK = f'<{LICENCE["path"]}>; rel="license"'


class LicenceLinkMiddleware:
    """Adds the licence link to the answers of the API, the downloads and the feed (beside any other link)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if _DATA_PATHS.match(request.path_info):
            existing = response.get("Link", "")
            if 'rel="license"' not in existing:
                response["Link"] = f"{existing}, {_LINK}" if existing else _LINK
        return response
