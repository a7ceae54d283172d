"""ReDoc makes no request to another host: every address the page fetches is the portal's own (or data:/blob:)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Browsing

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_redoc_fetches_nothing_from_another_host(browsing: Browsing) -> None:
    requested: list[str] = []
    browsing.page.on("request", lambda request: requested.append(request.url))
    browsing.visit("/api/redoc/")
    browsing.page.locator("[data-section-id^='tag/']").first.wait_for(state="attached")
    browsing.page.wait_for_load_state("networkidle")
    origin = urlsplit(browsing.base_url)
    elsewhere = [
        url
        for url in requested
        if urlsplit(url).scheme not in {"data", "blob"} and urlsplit(url).netloc != origin.netloc
    ]
    assert requested and not elsewhere, elsewhere
    images = browsing.page.locator("img").evaluate_all("imgs => imgs.map(i => i.getAttribute('src') || '')")
    assert not [src for src in images if src.startswith(("http://", "https://")) and origin.netloc not in src]
    browsing.assert_clean("/api/redoc/")
