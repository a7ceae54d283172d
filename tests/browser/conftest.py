"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never downloads a browser: Chromium is `/usr/bin/chromium` from Debian's
package (installed by `.ci/run`), launched headless with the background
services that would call Google switched off. Every page is watched: a console
error, an uncaught script error, a failed request or an error status from the
live server's own origin is a problem the tests fail on (requests elsewhere are
not the portal's; a self-contained page makes none anyway).

The live server needs a transactional database, flushed after every test, so
the bundled data (`load_policy --illustrative`, then `recompute_indicators`) is
loaded by the function-scoped `site` fixture: under two seconds each time.

Playwright's sync API marks an asyncio loop as running in the test's thread
between its calls. Django then refuses ORM calls there ("async-unsafe") and,
worse, hands out other connection objects (its connections are per async
context once a loop runs): pytest-django's set-up and tear-down of a test
(restoring the migrated data, the flush) would then miss the test database's
state. So Playwright lives only inside the function-scoped `browsing` fixture,
started after the database and the data are set up and stopped before they are
torn down, and a test that reads the database meanwhile does it inside
`django_orm()`.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from tests.conftest import CHROMIUM

BASE_DIR = Path(__file__).resolve().parents[2]
# Kept as CI artefacts; `artifacts/` is gitignored.
SCREENSHOTS_DIR = BASE_DIR / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 900}
LANGUAGES = ("en", "ur")
# Page loads and clicks wait at most this long (milliseconds); a healthy page takes well under a second.
TIMEOUT_MS = 15_000


# --- Django beside Playwright -------------------------------------------------------------------------------


@contextmanager
def django_orm() -> Iterator[None]:
    """Use the ORM in the test's thread while Playwright runs: the thread is plain sync code for the block.

    Playwright marks its loop as running between calls (and needs it so at the
    next call, so the mark is put back); no Playwright call may run inside.
    """
    loop = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    try:
        yield
    finally:
        asyncio._set_running_loop(loop)


# --- Watching a page --------------------------------------------------------------------------------------


@dataclass
class Watcher:
    """Everything that went wrong on the pages of one browser context since the last `assert_clean()`."""

    origin: str
    problems: list[str] = field(default_factory=list)
    # Every same-origin address the context fetched successfully (paths), e.g. to prove a font was loaded.
    fetched: set[str] = field(default_factory=set)
    # Main-frame navigations so far, and how many had started when each request did.
    navigations: int = 0
    started: dict[Any, int] = field(default_factory=dict)

    def attach(self, page: Any) -> None:
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught script error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._request_failed)
        page.on("requestfinished", lambda request: self.started.pop(request, None))
        page.on("response", self._response)

    def _own(self, url: str) -> bool:
        parts = urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin

    def _console(self, message: Any) -> None:
        if message.type == "error":
            location = message.location or {}
            self.problems.append(f"console error: {message.text} ({location.get('url', '?')})")

    def _request(self, request: Any) -> None:
        if request.is_navigation_request() and request.frame.parent_frame is None:
            self.navigations += 1
        self.started[request] = self.navigations

    def _request_failed(self, request: Any) -> None:
        if not self._own(request.url):
            return
        started = self.started.pop(request, self.navigations)
        # The browser cancelled it: a request still running when the next page was asked for is the
        # reader moving on, not a failure of the portal; so is the favicon, which Chromium fetches for
        # its tab strip after the page has loaded and drops whenever the page changes (the pages'
        # icon links are checked directly, and an error status is still caught by `_response`).
        superseded = started < self.navigations or urlsplit(request.url).path.rsplit("/", 1)[-1].startswith("favicon")
        if "ERR_ABORTED" in (request.failure or "") and superseded:
            return
        self.problems.append(f"request failed: {request.method} {request.url}: {request.failure}")

    def _response(self, response: Any) -> None:
        if not self._own(response.url):
            return
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")
        else:
            self.fetched.add(urlsplit(response.url).path)

    def assert_clean(self, where: str) -> None:
        problems, self.problems = self.problems, []
        assert not problems, f"{where}:\n  " + "\n  ".join(problems)


@dataclass
class Browsing:
    """A page of a fresh browser context, watched, with helpers that fail on anything a reader would notice."""

    page: Any
    watcher: Watcher
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path

    def visit(self, path: str, *, status: int = 200) -> Any:
        """Load `path`, wait for its fonts, and check the answer's status and that nothing went wrong."""
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, path
        assert response.status == status, f"{path}: HTTP {response.status}"
        self.settle()
        self.watcher.assert_clean(path)
        return response

    def settle(self) -> None:
        """Wait until the page's web fonts are loaded (or failed), so screenshots and font checks are final."""
        self.page.wait_for_load_state("load")
        self.page.evaluate("document.fonts.ready.then(() => true)")

    def screenshot(self, name: str) -> Path:
        """A full-page screenshot under artifacts/screenshots/ (see `screenshot_name`)."""
        SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
        target = SCREENSHOTS_DIR / f"{screenshot_name(name)}.png"
        self.page.screenshot(path=str(target), full_page=True)
        return target

    def assert_clean(self, where: str) -> None:
        self.watcher.assert_clean(where)


def screenshot_name(path: str) -> str:
    """`/ur/targets/p1-x/` -> `ur-targets-p1-x`, `/` -> `en-home`, `/search/?q=AI` -> `en-search-q-AI`."""
    address, _, query = path.partition("?")
    language = "ur" if address == "/ur/" or address.startswith("/ur/") else "en"
    rest = address[3:] if language == "ur" else address
    slug = re.sub(r"[^A-Za-z0-9]+", "-", rest).strip("-") or "home"
    if query:
        slug += "-" + re.sub(r"[^A-Za-z0-9]+", "-", query).strip("-")
    return f"{language}-{slug}"


@pytest.fixture
def browsing(site: Site, live_server: Any) -> Iterator[Browsing]:
    """Headless Debian Chromium, a fresh page against the live server with the bundled data, every problem recorded.

    Started after the data is loaded, stopped before the database is flushed (see the module's docstring).
    """
    from playwright.sync_api import sync_playwright

    base_url = live_server.url.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Asia/Karachi")
            context.set_default_timeout(TIMEOUT_MS)
            page = context.new_page()
            watcher = Watcher(origin=base_url)
            watcher.attach(page)
            yield Browsing(page=page, watcher=watcher, base_url=base_url)
        finally:
            browser.close()


# --- The data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """The addresses of every public page of the bundled data, in English (unprefixed)."""

    pillars: list[str]
    targets: list[int]
    milestones: list[int]
    incentives: list[str]
    hubs: list[str]
    # Primary key -> code, to name screenshots the same whatever keys the database handed out.
    codes: dict[str, str] = field(default_factory=dict)

    def name(self, path: str) -> str:
        """`path` with a target's or milestone's key replaced by its code: `/ur/targets/p1-x/`."""
        match = re.fullmatch(r"(/ur)?/(targets|milestones)/(\d+)/", path)
        if match is None:
            return path
        prefix, kind, pk = match.groups()
        return f"{prefix or ''}/{kind}/{self.codes.get(f'{kind}/{pk}', pk)}/"

    def pages(self) -> list[str]:
        """Every public page: the lists, and one page per pillar, target, milestone, incentive and hub."""
        return [
            "/",
            "/pillars/",
            *[f"/pillars/{slug}/" for slug in self.pillars],
            "/targets/",
            *[f"/targets/{pk}/" for pk in self.targets],
            "/milestones/",
            *[f"/milestones/{pk}/" for pk in self.milestones],
            "/incentives/",
            "/incentives/can-i-apply/?who=startup&hub=lahore",
            *[f"/incentives/{slug}/" for slug in self.incentives],
            "/hubs/",
            *[f"/hubs/{slug}/" for slug in self.hubs],
            "/methodology/",
            "/data/",
            "/changes/",
            "/search/?q=AI",
            "/search/?q=",
            # The demonstration: every page can be asked for on the illustrative basis.
            "/?basis=illustrative",
            "/targets/?basis=illustrative",
        ]


def in_language(path: str, language: str) -> str:
    """The address of an English page in `language` (Urdu is under /ur/)."""
    return path if language == "en" else f"/{language}{path}"


@pytest.fixture
def site(live_server: Any) -> Site:
    """The bundled policy with its illustrative figures, recomputed as of today (reloaded for every test)."""
    from hubs.models import Hub
    from incentives.models import Incentive
    from pillars.models import Milestone, Pillar, Target

    call_command("load_policy", "--illustrative", verbosity=0)
    call_command("recompute_indicators", verbosity=0)
    targets = dict(Target.objects.order_by("code").values_list("pk", "code"))
    milestones = dict(Milestone.objects.order_by("code").values_list("pk", "code"))
    return Site(
        pillars=list(Pillar.objects.order_by("number").values_list("slug", flat=True)),
        targets=list(targets),
        milestones=list(milestones),
        incentives=list(Incentive.objects.order_by("slug").values_list("slug", flat=True)),
        hubs=list(Hub.objects.order_by("slug").values_list("slug", flat=True)),
        codes={f"targets/{pk}": code for pk, code in targets.items()}
        | {f"milestones/{pk}": code for pk, code in milestones.items()},
    )
