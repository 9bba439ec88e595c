"""Browser fixtures for the inbox: Playwright driving Chromium from the system (Debian's
package), one browser for these tests and a fresh context and page per test.

The browser is required: when Playwright or Chromium is missing the tests fail, naming what to
install (``scripts/ensure-chromium``), rather than skip.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import CHROMIUM, CHROMIUM_ARGS, Console, open_page


@pytest.fixture(scope="package")
def browser() -> Iterator[Any]:
    # Package scope: the browser closes once these tests are done, before any other package's
    # tests run (Playwright's sync API keeps an event loop of its own meanwhile).
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail(
            "the inbox tests need Playwright: pip install playwright (see scripts/ensure-chromium)",
            pytrace=False,
        )
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"the inbox tests need Chromium at {CHROMIUM}: run scripts/ensure-chromium (as root "
            "it installs Debian's chromium) or set FLOWROUTE_CHROMIUM to a Chromium binary",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def console() -> Console:
    return Console()


@pytest.fixture
def page(
    browser: Any, console: Console, flowroute_sandbox: SandboxServer, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """A page on the test sandbox (its default account reset), 1280 px wide."""
    opened = open_page(
        browser,
        console,
        base_url=flowroute_sandbox.base_url,
        viewport={"width": 1280, "height": 900},
    )
    yield opened
    opened.context.close()
    assert console.unexpected() == [], f"console errors in {request.node.name}"


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    """One of the default account's numbers."""
    return flowroute_sandbox.seed_numbers(1)[0]
