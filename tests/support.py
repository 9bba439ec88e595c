"""Helpers and sample data the test modules share (test modules never import each other, nor a
conftest: fixtures live in conftest files, everything else here)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple

import httpx2

from flowroute import AsyncPager, Flowroute, SyncPager

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

    ``statuses`` are answered in order (then 200); ``on_post`` may act on each request (e.g.
    reply through the SDK) before it is answered.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        self.files: dict[str, bytes] = {}
        self.on_post: Any = None
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
                self.send_header("Content-Length", "0")
                self.end_headers()

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
