"""Playwright fixtures for the browser tests (``pytest -m browser``).

Chromium is Debian's ``/usr/bin/chromium`` (``make test`` installs it with apt);
Playwright is used as a driver only. ``playwright install`` downloads a browser
build of its own, which the 政务外网 and CI cannot reach, so it is never run.

The pages talk to pytest-django's ``live_server``, which makes every test using
them transactional: the server thread must see the rows the test wrote.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from shequ.core.tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 812}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser() -> Iterator:
    """One headless Chromium for the whole run."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `apt-get install chromium` (make test does it as root)"
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread, and
    # Django refuses ORM calls from a thread with a running loop. The test
    # thread only sets up rows and reads them back, never concurrently.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield chromium
    finally:
        chromium.close()
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def _sqlite_flush_past_triggers() -> Iterator[None]:
    """Let the live-server tests' flush empty tables that have guard triggers.

    A transactional test ends with a flush, which on SQLite is a DELETE per
    table; the append-only triggers on the audit tables (rightly) refuse it.
    During the flush only, the triggers are dropped and created again.
    """
    from django.db.backends.sqlite3.base import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            triggers = [(name, sql) for name, table, sql in cursor.fetchall() if table in tables]
        drops = [f"DROP TRIGGER {self.quote_name(name)}" for name, _ in triggers]
        return drops + statements + [sql for _, sql in triggers]

    DatabaseOperations.sql_flush = sql_flush
    try:
        yield
    finally:
        DatabaseOperations.sql_flush = original


def _open_page(browser, **context_options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **context_options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []  # JavaScript errors and failed requests, as readable lines

    def on_response(response) -> None:
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"HTTP {response.status} {response.url}")

    def on_request_failed(request) -> None:
        # ERR_ABORTED is a request cut short by the next navigation, not a fault.
        if request.failure != "net::ERR_ABORTED":
            problems.append(f"request failed: {request.url} {request.failure}")

    def on_console(message) -> None:
        # Chromium reports what the Content-Security-Policy blocked on the console.
        if message.type == "error" and "Content Security Policy" in message.text:
            problems.append(f"CSP: {message.text}")

    page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
    page.on("console", on_console)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.problems = problems
    return context, page


@pytest.fixture
def page(browser, live_server, _sqlite_flush_past_triggers) -> Iterator:
    """A desktop-sized tab; ``page.problems`` lists JS errors and failed requests."""
    context, tab = _open_page(browser, viewport=DESKTOP)
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def phone_page(browser, live_server, _sqlite_flush_past_triggers) -> Iterator:
    """A 375×812 phone screen, as most residents see Shequ."""
    context, tab = _open_page(
        browser, viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    try:
        yield tab
    finally:
        context.close()


@pytest.fixture
def login(live_server) -> Callable:
    """``login(page, username)`` signs in through the login form (the ``people``
    fixture's users share factories.PASSWORD), gives an administrator's
    second factor as an authenticator app would, and waits for the home page."""

    def sign_in(tab, username: str, password: str = PASSWORD) -> None:
        tab.goto(f"{live_server.url}/login/")
        tab.fill("#id_username", username)
        tab.fill("#id_password", password)
        with tab.expect_navigation():
            tab.locator("main form button[type=submit]").click()
        give_code(tab, username)
        if "/login/" in tab.url:
            raise AssertionError(f"login as {username} failed: still on {tab.url}")

    return sign_in


def give_code(tab, username: str) -> None:
    """On the second step of an administrator's login, type the code the
    account's device shows now (enrolling it, the first time)."""
    if not tab.url.endswith("/login/otp/"):
        return
    from shequ.core.tests.otp import fresh_code

    tab.fill("#id_code", fresh_code(username))
    with tab.expect_navigation():
        tab.locator("main form button[type=submit]").click()


def overflowing(tab) -> list[str]:
    """Elements whose right edge runs past a phone's screen, and the page's own width."""
    return tab.evaluate(
        """(width) => {
            const out = [];
            if (document.documentElement.scrollWidth > width)
                out.push('page ' + document.documentElement.scrollWidth);
            for (const el of document.querySelectorAll('body *')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > width + 1) out.push(el.tagName + '#' + el.id + ' ' + r.right);
            }
            return out;
        }""",
        PHONE["width"],
    )
