"""Browser-test harness: Debian's Chromium driven by Playwright against a live Cistern.

The app is served by pytest-django's ``live_server`` (a real HTTP server in a thread, on the
test database; static files served by the staticfiles finders). Each test gets a clean database
(``transactional_db``), so data a test creates is committed and visible to the server.

Playwright never downloads a browser here: it launches the system Chromium
(``CISTERN_CHROMIUM``, default ``/usr/bin/chromium``). When a test fails, a screenshot of every
page it opened is saved to ``test-results/``.
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from cistern.staff.roles import Role
from tests.factories.staff import CAST, PASSWORD, staff_user

# Playwright's sync API keeps an asyncio loop in the test thread; Django would otherwise refuse
# the (synchronous) ORM calls that fixtures make there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CISTERN_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 720}
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
TIMEOUT_MS = 10_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the item so fixtures can tell whether the test failed."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


def _failed(request: pytest.FixtureRequest) -> bool:
    return any(
        getattr(getattr(request.node, f"report_{when}", None), "failed", False)
        for when in ("setup", "call")
    )


def _screenshot_name(nodeid: str, index: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])
    return f"{stem}{'' if index == 0 else f'-{index}'}.png"


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium", pytrace=False)
    chromium = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()


@pytest.fixture
def new_page(
    browser: Browser, live_server: Any, transactional_db: None, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Page]]:
    """``new_page()``: a fresh 1280x720 page in its own context (its own cookies).

    Every page opened through it is screenshotted into test-results/ if the test fails.
    """
    contexts: list[BrowserContext] = []

    def make() -> Page:
        context = browser.new_context(viewport=VIEWPORT, base_url=str(live_server))
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    pages = [page for context in contexts for page in context.pages]
    if _failed(request):
        RESULTS_DIR.mkdir(exist_ok=True)
        for index, page in enumerate(pages):
            page.screenshot(path=str(RESULTS_DIR / _screenshot_name(request.node.nodeid, index)))
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[[], Page]) -> Page:
    """A blank 1280x720 page; relative URLs (``page.goto("/")``) go to the live server."""
    return new_page()


def sign_in(page: Page, role: Role) -> Page:
    """Sign in through the real login form as the cast member for ``role``."""
    staff_user(role)
    page.goto("/staff/login/")
    page.fill("#id_username", CAST[role][0])
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if "/staff/login/" in page.url:
        errors = page.locator(".errorlist").all_inner_texts()
        raise AssertionError(f"Signing in as {CAST[role][0]} failed: {errors or page.title()}")
    return page


@pytest.fixture
def signed_in_page(new_page: Callable[[], Page]) -> Callable[[Role], Page]:
    """``signed_in_page(Role.CSR_I)``: a new page, signed in as that role, on the workspace."""

    def make(role: Role) -> Page:
        return sign_in(new_page(), role)

    return make
