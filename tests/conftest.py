"""Shared fixtures. The sandbox itself comes from our pytest plugin (``flowroute_sandbox``)."""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

from flowroute import AsyncFlowroute, AsyncPager, Flowroute, SyncPager
from flowroute.sandbox import SandboxControl
from flowroute.sandbox.server import SandboxServer


@pytest.fixture(autouse=True)
def restore_flowroute_logger() -> Iterator[None]:
    """``--debug`` and ``FLOWROUTE_LOG`` configure the process's ``flowroute`` logger, as they
    should in a real process; in-process CLI runs must not leak that into later tests."""
    logger = logging.getLogger("flowroute")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


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


@pytest.fixture(params=["sync", "async"])
def fr(request: pytest.FixtureRequest, flowroute_sandbox: SandboxServer) -> Iterator[Driver]:
    """An SDK client of either flavour on the default sandbox account."""
    if request.param == "sync":
        with flowroute_sandbox.client() as client:
            yield Driver(client, None)
        return
    loop = asyncio.new_event_loop()
    client = flowroute_sandbox.async_client()
    try:
        yield Driver(client, loop)
    finally:
        loop.run_until_complete(client.close())
        loop.close()


@pytest.fixture
def client(flowroute_sandbox: SandboxServer) -> Iterator[Flowroute]:
    with flowroute_sandbox.client() as c:
        yield c


@pytest.fixture
def async_client(flowroute_sandbox: SandboxServer) -> AsyncFlowroute:
    return flowroute_sandbox.async_client()


@pytest.fixture
def raw(flowroute_sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    """A plain HTTP client with the default account's credentials, for wire-shape tests."""
    with httpx2.Client(
        base_url=flowroute_sandbox.base_url,
        auth=(flowroute_sandbox.access_key, flowroute_sandbox.secret_key),
    ) as http:
        yield http


@pytest.fixture
def other_account(flowroute_sandbox: SandboxServer) -> Iterator[tuple[SandboxControl, Flowroute]]:
    """A fresh, separate account on the same sandbox."""
    key, secret = f"other-{uuid.uuid4().hex[:8]}", "other-secret"
    control = flowroute_sandbox.control(access_key=key, secret_key=secret)
    with flowroute_sandbox.client(access_key=key, secret_key=secret) as client:
        yield control, client
    control.reset()
    control.close()


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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()
