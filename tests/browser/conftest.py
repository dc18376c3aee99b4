"""Browser tests: Playwright for Python drives Debian's Chromium (/usr/bin/chromium, headless,
never a downloaded browser) through the application served for real on 127.0.0.1, on the test
database of tests/conftest.py.

One server and one browser per pytest process (each xdist worker has its own, on a port the
kernel chooses); a fresh browser context (cookies, viewport) per test. The server is an
application of its own with CSRF on, so every form is posted as a user's browser posts it.
Each test builds its data with tests/factories.py through the `app` fixture, which empties the
tables afterwards.

Screenshots (full page) go to test-artifacts/browser/<module>/<test name>/ (gitignored), at
the steps a test names and, when it fails, of every page it left open.

Whatever the browser reports as an error fails the test that caused it: a console error (a
script that breaks, a file that does not load, what the Content-Security-Policy refuses), an
uncaught exception in a page, an answer 5xx from the server.

Without Chromium or Playwright every test here is skipped (tests/browser/browsing.py, and the
`browser` fixture), and the run ends on a red line that says so (tests/browser/availability.py).
"""

import re
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from app import create_app
from app.config import TestConfig
from app.db import db
from tests.browser.availability import CHROMIUM, why_not

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

# Chromium as a test runner needs it: no sandbox (containers, root), no GPU, /tmp instead of a
# small /dev/shm, and nothing that reaches out to the network on its own.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's waits (an element to appear, a page to load) give up after this long.
TIMEOUT_MS = 15_000
SCREENSHOTS = Path("test-artifacts") / "browser"


class QuietHandler(WSGIRequestHandler):
    """Logs errors only: a line per request would bury a failure's report."""

    def log_request(self, code="-", size="-") -> None:
        pass


@dataclass(frozen=True)
class Server:
    url: str
    app: object


@pytest.fixture(scope="session")
def server(session_app) -> Iterator[Server]:
    """The application served by werkzeug on 127.0.0.1 (port 0: the kernel picks a free one),
    one thread per request, on the session database."""
    _application, settings = session_app
    application = create_app(TestConfig, {**settings, "WTF_CSRF_ENABLED": True})
    http = make_server("127.0.0.1", 0, application, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=http.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Server(f"http://127.0.0.1:{http.server_port}", application)
    finally:
        http.shutdown()
        thread.join()
        http.server_close()
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    if why_not():
        pytest.skip(why_not())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()


# Chromium's line for every answer 4xx or 5xx, the page's own included: a form refused with
# 422 is the application working. The answers themselves are judged instead (`answered`).
HTTP_STATUS_LINE = "Failed to load resource: the server responded with a status of"


@dataclass
class Watched:
    """The browser contexts a test opened and the errors their pages reported."""

    contexts: list["BrowserContext"] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: "BrowserContext") -> None:
        self.contexts.append(context)

        def console(message) -> None:
            if message.type == "error" and not message.text.startswith(HTTP_STATUS_LINE):
                where = message.location.get("url") or (message.page and message.page.url)
                self.errors.append(f"console error at {where}: {message.text}")

        def uncaught(error) -> None:
            self.errors.append(f"uncaught exception at {error.page.url}: {error.error}")

        def answered(response) -> None:
            """A server error anywhere; a 4xx for a file or a script's request, which a page
            needs (a page's own 4xx, such as a refused form's 422, is for the test to judge)."""
            request = response.request
            if response.status >= 500 or (
                response.status >= 400 and request.resource_type != "document"
            ):
                self.errors.append(
                    f"HTTP {response.status} for {request.resource_type} "
                    f"{request.method} {response.url}"
                )

        context.on("console", console)
        context.on("weberror", uncaught)
        context.on("response", answered)

    def settled_errors(self) -> list[str]:
        """The errors, once every open page has delivered its pending events (Playwright's
        synchronous API hands them over while it waits on the browser)."""
        for context in self.contexts:
            for page in context.pages:
                if not page.is_closed():
                    page.evaluate("0")
        return self.errors


PHASES = pytest.StashKey[dict]()
WATCHED = pytest.StashKey[Watched]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so that its fixtures know whether it failed."""
    report = yield
    item.stash.setdefault(PHASES, {})[report.when] = report
    return report


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """A test whose pages reported errors fails, even when all it checked was right; the
    errors go with its report either way."""
    watched = item.stash.get(WATCHED, None)
    try:
        result = yield
    except BaseException:
        if watched and watched.errors:
            item.add_report_section("call", "browser errors", "\n".join(watched.errors))
        raise
    if watched and watched.settled_errors():
        pytest.fail("the browser reported errors:\n" + "\n".join(watched.errors), pytrace=False)
    return result


def _failed(node) -> bool:
    return any(report.failed for report in node.stash.get(PHASES, {}).values())


@pytest.fixture
def screenshots(request, pytestconfig) -> Path:
    """This test's folder of screenshots, emptied of an earlier run's."""
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    folder = pytestconfig.rootpath / SCREENSHOTS / request.node.path.stem / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def watched(request) -> Watched:
    """What the test's browser contexts report; the test fails on any error among it."""
    request.node.stash[WATCHED] = Watched()
    return request.node.stash[WATCHED]


@pytest.fixture
def open_browser(
    request, app, server, browser, screenshots, watched
) -> Iterator[Callable[..., "Page"]]:
    """`open_browser(PHONE)` → a page in a fresh context (its own cookies), in Vietnamese, at
    the address of the served application, its errors watched; pages left open are
    photographed if the test fails."""
    from tests.browser.browsing import DESKTOP

    def open_page(device: dict | None = None) -> "Page":
        context = browser.new_context(
            **(device or DESKTOP),
            base_url=server.url,
            locale="vi-VN",
            timezone_id="Asia/Ho_Chi_Minh",
        )
        context.set_default_timeout(TIMEOUT_MS)
        watched.watch(context)
        return context.new_page()

    yield open_page
    for number, context in enumerate(watched.contexts, start=1):
        if _failed(request.node):
            for page_number, page in enumerate(context.pages, start=1):
                page.screenshot(
                    path=screenshots / f"failure-{number}-{page_number}.png", full_page=True
                )
        context.close()


@pytest.fixture
def shoot(screenshots) -> Callable[["Page", str], Path]:
    """`shoot(page, "saved")` → the full page as 01-saved.png, 02-..., in the test's folder."""
    taken: list[Path] = []

    def take(page: "Page", step: str) -> Path:
        path = screenshots / f"{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=path, full_page=True)
        taken.append(path)
        return path

    return take
