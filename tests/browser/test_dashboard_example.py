"""docs/examples/dashboard.html, served from a second origin, reads the live server's API in Chromium (CORS).

The example is served by a plain static server on 127.0.0.1 (another port, so another origin than the live
server on localhost) and must draw the same numbers the API answers, with no console error and no failed
request; from that page a polling read with If-None-Match gets its 304 and sees the ETag, and a write with a
token is stopped by the browser before it is sent.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import pytest

from tests.browser.conftest import BASE_DIR, Browsing, Site

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

EXAMPLES = BASE_DIR / "docs" / "examples"


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def second_origin() -> Iterator[str]:
    """docs/examples/ over HTTP on 127.0.0.1, on a free port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(EXAMPLES)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def api(base_url: str, path: str) -> Any:
    with urllib.request.urlopen(f"{base_url}/api/v1/{path}", timeout=30) as response:
        return json.load(response)


def number(value: float | None) -> str:
    """What the page shows (Intl.NumberFormat en-GB, at most two decimals)."""
    return "–" if value is None else f"{value:,.2f}".rstrip("0").rstrip(".")


def share(value: float | None) -> str:
    return "–" if value is None else f"{int(value * 100 + 0.5)}%"


def table(browsing: Browsing, selector: str) -> list[list[str]]:
    rows: list[list[str]] = browsing.page.eval_on_selector_all(
        f"{selector} tbody tr", "rows => rows.map(row => [...row.cells].map(cell => cell.textContent.trim()))"
    )
    return rows


def test_the_dashboard_on_another_origin_draws_the_portals_numbers(
    browsing: Browsing, site: Site, second_origin: str
) -> None:
    assert second_origin != browsing.base_url
    pillars = api(browsing.base_url, "pillars/?page_size=500")["results"]
    targets = api(browsing.base_url, "targets/?page_size=500")["results"]
    target = next(t for t in targets if (t["indicators"] or {}).get("last_reported_on"))
    history = api(browsing.base_url, f"targets/{target['id']}/history/")

    query = urlencode({"portal": browsing.base_url, "target": target["code"]})
    browsing.page.goto(f"{second_origin}/dashboard.html?{query}", wait_until="load")
    browsing.page.wait_for_selector("body[data-state]")
    assert browsing.page.get_attribute("body", "data-state") == "ready", browsing.page.text_content("#status")
    browsing.assert_clean("dashboard")

    assert table(browsing, "#pillars") == [
        [
            f"{p['number']}. {p['name']}",
            number(sum(p["rollup"]["targets"].values())),
            number(p["rollup"]["targets"]["off_track"] + p["rollup"]["targets"]["missed"]),
            number(sum(p["rollup"]["milestones"].values())),
            number(p["rollup"]["milestones"]["overdue"]),
            number(p["rollup"]["median_slip_days"]),
            share(p["rollup"]["on_schedule_share"]),
            share(p["rollup"]["reporting_coverage"]),
        ]
        for p in pillars
    ]
    assert len(pillars) == len(site.pillars)
    assert browsing.page.locator("#pillars-chart rect").count() == sum(
        1 for p in pillars for count in p["rollup"]["targets"].values() if count
    )
    figures = [m for m in history["measurements"] if not m["withdrawn_on"]]
    assert figures
    assert table(browsing, "#figures") == [[m["date"], number(m["value"])] for m in figures]
    assert table(browsing, "#planned") == [[p["date"], number(p["value"])] for p in history["planned"]]
    assert browsing.page.locator("#history-chart circle").count() == len(figures)
    assert target["code"] in (browsing.page.text_content("#target-title") or "")
    browsing.screenshot("/examples/dashboard/")

    # Another target from the list: its history replaces the first.
    other = next(t for t in targets if t["code"] != target["code"])
    browsing.page.select_option("#target-choice", other["code"])
    browsing.page.wait_for_function(
        "code => document.querySelector('#target-title').textContent.startsWith(code + ':')", arg=other["code"]
    )
    other_history = api(browsing.base_url, f"targets/{other['id']}/history/")
    assert table(browsing, "#planned") == [[p["date"], number(p["value"])] for p in other_history["planned"]]
    browsing.assert_clean("dashboard, another target")


def test_from_another_origin_a_poll_sees_the_etag_and_a_token_write_is_never_sent(
    browsing: Browsing, site: Site, second_origin: str
) -> None:
    browsing.page.goto(f"{second_origin}/dashboard.html?portal={browsing.base_url}", wait_until="load")
    browsing.page.wait_for_selector("body[data-state=ready]")
    summary = f"{browsing.base_url}/api/v1/dashboard/summary/"

    # If-None-Match is not a header a browser sends cross-origin unasked: the preflight allows it.
    statuses = browsing.page.evaluate(
        """async (url) => {
          const first = await fetch(url);
          await first.json();
          const etag = first.headers.get("ETag");
          const again = await fetch(url, { headers: { "If-None-Match": etag } });
          await again.text();
          return [first.status, etag, again.status];
        }""",
        summary,
    )
    assert statuses[0] == 200
    assert statuses[1]
    assert statuses[2] == 304
    browsing.assert_clean("polling")

    target = site.targets[0]
    outcome = browsing.page.evaluate(
        """async (url) => {
          try {
            const response = await fetch(url, {
              method: "PATCH",
              headers: { Authorization: "Token not-a-real-one", "Content-Type": "application/json" },
              body: JSON.stringify({ title: "Changed from another site" }),
            });
            return `sent: ${response.status}`;
          } catch (error) {
            return `refused: ${error.name}`;
          }
        }""",
        f"{browsing.base_url}/api/v1/targets/{target}/",
    )
    assert outcome == "refused: TypeError"
    # The browser says why, as a console error and a failed request: nothing else went wrong.
    problems, browsing.watcher.problems = browsing.watcher.problems, []
    assert problems
    assert all(f"/api/v1/targets/{target}/" in problem for problem in problems), problems
    assert any("CORS" in problem for problem in problems), problems
