"""Browser-test fixtures: Playwright for Python driving Debian's Chromium against a live Django server.

A plugin of the root conftest (``pytest_plugins``), so that the one session-wide browser serves the
browser tests of tests/browser and of the apps alike (a second ``sync_playwright()`` in the same thread
would fail: "Playwright Sync API inside the asyncio loop"). Import ``log_in`` and ``SCREENSHOTS`` from
here; never import the fixtures themselves into a test module.

Never downloads a browser: it launches /usr/bin/chromium (``apt-get install chromium``). Screenshots of
the pages visited are written to ``test-artifacts/screenshots/`` for people to look at.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("GRIDCHECK_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# Playwright's sync API runs an event loop in this thread; the live server's ORM calls in the
# test body (fixtures) are still synchronous, so let Django run them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `apt-get install chromium` (scripts/setup.sh --dev does)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--lang=zh-CN",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def desk_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a full-page screenshot: ``shot(page, "customer-detail")``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def _shot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


# Waiting for a page: Gridcheck's pages are drawn from the HTML they are served (their charts' data is in
# the page), so a page is ready at its load event, which ``page.goto`` waits for and ``click_to_load``
# waits for after a click. ``wait_for_load_state("networkidle")`` waited for it too, and then for half a
# second without a request, on every page. (Swagger UI fetches the schema after its load event: test_csp
# keeps networkidle.)


def click_to_load(page, target) -> None:
    """Click ``target`` (a selector or a locator) that leads to another page (a link, a form's submit
    button), and wait for that page's load event; fails (after the page's timeout) if no page follows."""
    with page.expect_navigation():
        if isinstance(target, str):
            page.click(target)  # the first element the selector finds, as ``page.click`` always did
        else:
            target.click()


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    click_to_load(page, "button[type=submit]")
