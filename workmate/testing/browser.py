"""Playwright fixtures for browser tests, loaded as a pytest plugin by the root conftest.

A browser test is marked `@pytest.mark.browser`, takes the `page` fixture (which brings
pytest-django's `live_server`, and with it `transactional_db`, since the server thread
must see the rows the test commits) and opens URLs relative to the live server:
`page.goto("/people/")`. ./test runs these tests in their own pass with
`CHROMIUM=/usr/bin/chromium DJANGO_ALLOW_ASYNC_UNSAFE=true pytest -m browser`.

We drive Debian's Chromium rather than a browser downloaded by `playwright install`:
the machines that run the suite have no network.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

DEFAULT_CHROMIUM = "/usr/bin/chromium"
# Without network, Chromium's own background connections (updates, sync, field trials,
# QUIC probes) hang and slow every page down; these flags switch them off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 10_000
LAUNCH_TIMEOUT_MS = 30_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session; each test gets its own context."""
    executable = os.environ.get("CHROMIUM", DEFAULT_CHROMIUM)
    if not (os.path.isfile(executable) and os.access(executable, os.X_OK)):
        pytest.fail(
            f"Browser tests need Chromium, but CHROMIUM={executable!r} is not an executable "
            "file. Install it (apt-get install chromium) or point CHROMIUM at it.",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop in this thread, so Django would refuse
    # every ORM call made after the launch, in browser tests and in any test that runs
    # later in the same session; ./test sets this variable, a plain `pytest` gets it here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            headless=True,
            args=CHROMIUM_ARGS,
            timeout=LAUNCH_TIMEOUT_MS,
        )
        yield chromium
        chromium.close()


_call_failed = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator:
    # Remember whether the test body failed, so that `page` can keep a screenshot of it.
    report = yield
    if report.when == "call":
        item.stash[_call_failed] = report.failed
    return report


def new_context(browser: Browser, live_server) -> BrowserContext:
    """A fresh context (no cookies, English, 10 s timeouts) whose URLs start at the live server."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def open_page(browser: Browser, live_server) -> Iterator[Callable[[], Page]]:
    """Opens a further page, in a context of its own (own cookies), for each further person.

    `page` is the first person's; a test with two people signed in at once calls
    `open_page()` for the second and logs in there.
    """
    contexts: list[BrowserContext] = []

    def new_page() -> Page:
        context = new_context(browser, live_server)
        contexts.append(context)
        return context.new_page()

    yield new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server, tmp_path: Path
) -> Iterator[Page]:
    """A page in a fresh context (no cookies, English, 10 s timeouts) on the live server."""
    context = new_context(browser, live_server)
    new_page = context.new_page()
    try:
        yield new_page
        if request.node.stash.get(_call_failed, False):
            shot = tmp_path / "failure.png"
            new_page.screenshot(path=shot, full_page=True)
            print(f"\nScreenshot of the failed page ({new_page.url}): {shot}")
    finally:
        context.close()


def login(page: Page, live_server, email: str, password: str) -> None:
    """Log in through the real login form, as a person would, and land on the home page."""
    page.goto(f"{live_server.url}/login/")
    form = page.locator("main form:has(input[name=password])")
    form.locator("input[name=username]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    expect(page, f"logging in as {email} did not leave the login page").not_to_have_url(
        re.compile(r"/login/")
    )
    # Only a signed-in person's top bar has the log-out form.
    expect(page.locator("form[action$='/logout/']")).to_be_attached()
