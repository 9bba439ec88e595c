"""Browser fixtures for the inbox: Playwright driving Chromium from the system (Debian's
package), one browser for these tests and a fresh context and page per test.

The browser is required: when Playwright or Chromium is missing the tests fail, naming what to
install (``scripts/ensure-chromium``), rather than skip.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowroute.sandbox.server import SandboxServer

CHROMIUM = os.environ.get("FLOWROUTE_CHROMIUM", "/usr/bin/chromium")
# Root in a container needs --no-sandbox; the rest keep Chromium off the (closed) network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CUSTOMER = "12065550123"
# Screenshots for docs/images are taken while the tests run when this names a directory.
SHOTS = os.environ.get("FLOWROUTE_INBOX_SCREENSHOTS")


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


class Console:
    """What the page reported as errors (console messages and uncaught exceptions)."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.expected: list[str] = []

    def expect(self, text: str) -> None:
        """An error the test causes on purpose (Chromium logs every 4xx answer)."""
        self.expected.append(text)

    def unexpected(self) -> list[str]:
        return [e for e in self.errors if not any(text in e for text in self.expected)]


@pytest.fixture
def console() -> Console:
    return Console()


def open_page(browser: Any, console: Console, **context: Any) -> Any:
    made = browser.new_context(**context)
    page = made.new_page()
    page.set_default_timeout(5000)
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(str(e)))
    return page


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


def inbox(sb: SandboxServer, path: str = "", /, **params: str) -> str:
    """An inbox URL on the default account."""
    query = "&".join(f"{k}={v}" for k, v in {"account": sb.access_key, **params}.items())
    return f"/_sandbox/ui{path}?{query}"


def live(page: Any) -> None:
    """Wait until the page's event stream is connected."""
    page.wait_for_selector("body[data-live=on]", state="attached")


def shot(page: Any, name: str) -> None:
    """Save a screenshot for the docs when FLOWROUTE_INBOX_SCREENSHOTS is set."""
    if SHOTS:
        page.evaluate("window.scrollTo(0, 0); document.getElementById('notice').textContent = ''")
        page.screenshot(path=str(Path(SHOTS) / f"inbox-{name}.png"), full_page=False)


def png(width: int, height: int) -> bytes:
    """A PNG of a blue-green gradient, ``width`` by ``height``."""
    rows = b"".join(
        b"\x00"
        + b"".join(bytes((40, 90 + 120 * x // width, 160 + 60 * y // height)) for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
