"""Helpers and sample data the test modules share (test modules never import each other, nor a
conftest: fixtures live in conftest files, everything else here)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple

import httpx2

from flowroute import AsyncPager, Flowroute, SyncPager
from flowroute.sandbox import SandboxControl

# A valid E911 address (Flowroute's own e911_demo.py uses Suite 600 and 700 at this street).
ADDRESS = {
    "label": "HQ",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_number": "1218",
    "street_name": "3rd Ave",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98101",
}
# Another valid one (the official SDK's README uses this street).
OFFICE_ADDRESS = {
    "label": "Office",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_number": "645",
    "street_name": "Elliott Ave W",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98119",
}


class Driver:
    """Runs the same test code through the sync or the async client over real HTTP.

    Calls return plain results in both modes: coroutines are awaited on a private event loop and
    pagers are drained into lists.
    """

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):
            return lambda *a, **k: self._resolve(value(*a, **k))
        return Driver(value, self._loop)

    def _resolve(self, result: Any) -> Any:
        if isinstance(result, SyncPager):
            return list(result)
        if isinstance(result, AsyncPager):
            assert self._loop is not None
            return self._loop.run_until_complete(result.to_list())
        if asyncio.iscoroutine(result):
            assert self._loop is not None
            return self._loop.run_until_complete(result)
        return result


def available(client: Flowroute, count: int = 1, **filters: Any) -> list[str]:
    """Ids of purchasable numbers."""
    return [n.id for n in client.numbers.search(limit=count, **filters)]


class Receiver:
    """A real HTTP server on loopback standing in for a customer's webhook endpoint.

    ``statuses`` are answered in order (then 200), each with the body ``answer`` (and the
    headers ``answer_headers``); ``on_post`` may act on each request (e.g. reply through the
    SDK) before it is answered.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.files: dict[str, bytes] = {}
        self.on_post: Any = None
        self.answer = b""
        self.answer_headers: dict[str, str] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    receiver.requests.append((self.path, dict(self.headers), body))
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                if receiver.on_post is not None and status == 200:
                    receiver.on_post(body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(receiver.answer)))
                for name, value in receiver.answer_headers.items():
                    self.send_header(name, value)
                self.end_headers()
                # The sandbox reads only the start of a long answer and hangs up.
                with contextlib.suppress(ConnectionError):
                    self.wfile.write(receiver.answer)

            def do_GET(self) -> None:
                data = receiver.files.get(self.path)
                self.send_response(200 if data is not None else 404)
                self.send_header("Content-Length", str(len(data or b"")))
                self.end_headers()
                self.wfile.write(data or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, path: str | None = None) -> list[dict[str, Any]]:
        return [json.loads(b) for p, _, b in self.requests if path is None or p == path]


def assert_error(response: httpx2.Response, status: int, detail: str) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/vnd.api+json"
    (error,) = response.json()["errors"]
    assert error["status"] == status
    assert detail in str(error["detail"])
    uuid.UUID(error["id"])
    return error  # type: ignore[no-any-return]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(command: list[str], *args: str) -> Iterator[str]:
    """A sandbox command line (``python -m flowroute.sandbox`` or ``flowroute sandbox``) on a
    free port until the block ends; yields its base URL. Its stderr is read only if it fails to
    start: give it ``--log-level warning`` when it will serve many requests."""
    port = free_port()
    proc = subprocess.Popen(
        [*command, "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(proc, f"{base}/v2/routes")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def wait_until_serving(proc: subprocess.Popen[bytes], url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx2.get(url)
            return
        except httpx2.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(proc.stderr.read().decode() if proc.stderr else "") from None
            time.sleep(0.05)


class Result(NamedTuple):
    code: int
    out: str
    err: str


Run = Callable[..., Result]


def invoke(*args: str, input: str | None = None) -> Result:
    """Run the ``flowroute`` command in-process (typer's runner)."""
    from typer.testing import CliRunner

    from flowroute.cli.app import app

    result = CliRunner().invoke(app, list(args), input=input)
    return Result(result.exit_code, result.stdout, result.stderr)


# --- the inbox's browser tests ---------------------------------------------------------

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


def open_page(browser: Any, console: Console, **context: Any) -> Any:
    made = browser.new_context(**context)
    page = made.new_page()
    page.set_default_timeout(5000)
    page.on("console", lambda m: console.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.errors.append(str(e)))
    return page


def inbox(sb: SandboxControl, path: str = "", /, **params: str) -> str:
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


# --- the command lines ------------------------------------------------------------------

BIN = Path(sys.executable).parent
PYTHON_M = [sys.executable, "-m", "flowroute.sandbox"]
FLOWROUTE_SANDBOX = [str(BIN / "flowroute"), "sandbox"]
ENTRY_POINTS = {"python -m flowroute.sandbox": PYTHON_M, "flowroute sandbox": FLOWROUTE_SANDBOX}


# The CLI's E911 options for OFFICE_ADDRESS, labelled HQ.
ADDRESS_FLAGS = [
    part
    for name, value in {**OFFICE_ADDRESS, "label": "HQ"}.items()
    for part in (f"--{name.replace('_', '-')}", value)
]


def as_json(cli: Run, *args: str) -> Any:
    """A CLI command's --json output, parsed (the command must succeed)."""
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def bought(cli: Run) -> str:
    """A number bought through the CLI."""
    number: str = as_json(cli, "numbers", "search", "--starts-with", "206", "--limit", "1")[0]["id"]
    assert cli("numbers", "buy", number).code == 0
    return number
