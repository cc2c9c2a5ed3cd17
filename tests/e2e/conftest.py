"""Browser journeys: Playwright for Python driving Debian's Chromium against pytest-django's live_server.

- `browser` (session): Chromium from /usr/bin/chromium, headless. Missing → the tests are skipped
  with the reason (CI turns skips into failures and installs it: `apt-get install -y chromium`).
- `page` / `phone_page` / `page_without_javascript`: a fresh browser context (no cookies) on the
  live server, desktop or phone sized, or with JavaScript off; a JavaScript error fails the test.
- `assert_accessible(page, where)`: axe-core (vendor/axe.min.js) with no serious or critical
  violations (`tests/e2e/accessibility.py`).

The reference data that a transactional test's flush removes is loaded again by the hooks in
tests/conftest.py (for every transactional test, not only browser tests).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.accessibility import assert_accessible as _assert_accessible

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000

# --- the browser ------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"Debian's Chromium is not installed at {CHROMIUM} (install it: apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread; Django's ORM refuses to run
    # while a loop exists. The ORM calls here are ordinary synchronous test code, so allow them
    # for as long as the browser lives.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
            # Test code that ran while Playwright was active used database connections of its own
            # (Django keeps them per context); close them here, or PostgreSQL refuses to drop the
            # test database because "other users" are still connected.
            from django.db import connections

            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser: Any, live_server: Any, request: pytest.FixtureRequest, **options: Any) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    if errors:
        pytest.fail("JavaScript errors on the page:\n" + "\n".join(errors))


@pytest.fixture
def page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop-sized page in a fresh context, addresses relative to the live server."""
    yield from _new_page(browser, live_server, request, viewport=DESKTOP, locale="en-GB")


@pytest.fixture
def phone_page(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A phone-sized page (390 × 844, touch) in a fresh context."""
    yield from _new_page(browser, live_server, request, viewport=PHONE, is_mobile=True, has_touch=True,
                         device_scale_factor=2, locale="fi-FI")


@pytest.fixture
def page_without_javascript(browser: Any, live_server: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A desktop-sized page with JavaScript turned off: everything must still work."""
    yield from _new_page(browser, live_server, request, viewport=DESKTOP, locale="en-GB",
                         java_script_enabled=False)


@pytest.fixture
def assert_accessible() -> Callable[..., None]:
    """`assert_accessible(page, "where")`: no serious or critical axe-core violations."""
    return _assert_accessible
