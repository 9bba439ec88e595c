"""Per-call options, raw responses, default headers, app info, FLOWROUTE_LOG and constructor
type checks, over real HTTP (the sandbox, or a loopback server that echoes what it received)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx2
import pytest

import flowroute
from flowroute import (
    NOT_GIVEN,
    APITimeoutError,
    AsyncFlowroute,
    Flowroute,
    NotFoundError,
    NotGiven,
    Page,
    RateLimit,
    RawResponse,
)
from flowroute.sandbox.server import SandboxServer

from ..support import Driver


class Echo:
    """Records each request (path with query, headers, body) and answers a fixed number."""

    def __init__(self, delay: threading.Event | None = None) -> None:
        self.seen: list[tuple[str, dict[str, str], bytes]] = []
        echo = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                echo.seen.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if "slow" in self.path and delay is not None:
                    delay.wait(5)
                data = b'{"data": {"id": "12065550100", "type": "number"}}'
                self.send_response(201 if self.command == "POST" else 200)
                self.send_header("Content-Type", "application/vnd.api+json")
                self.send_header("X-Request-Id", "echo-1")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PATCH = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def echo() -> Iterator[Echo]:
    server = Echo()
    yield server
    server.server.shutdown()
    server.server.server_close()


@pytest.fixture(params=["sync", "async"])
def echo_client(request: pytest.FixtureRequest, echo: Echo) -> Iterator[Driver]:
    options: dict[str, Any] = {
        "base_url": echo.url,
        "access_key": "k",
        "secret_key": "s",
        "default_headers": {"X-Team": "billing"},
        "app_info": "myapp/1.2",
        "rate_limit": False,
    }
    if request.param == "sync":
        with Flowroute(**options) as client:
            yield Driver(client, None)
        return
    loop = asyncio.new_event_loop()
    async_client = AsyncFlowroute(**options)
    yield Driver(async_client, loop)
    loop.run_until_complete(async_client.close())
    loop.close()


def test_extra_headers_query_body_and_client_headers(echo: Echo, echo_client: Driver) -> None:
    echo_client.numbers.purchase(
        "12065550100",
        messaging_enabled=True,
        extra_headers={"X-Trace": "t-1"},
        extra_query={"dry_run": "1"},
        extra_body={"note": "x"},
    )
    path, headers, body = echo.seen[-1]
    assert path == "/v2/numbers/12065550100?dry_run=1"
    assert headers["x-trace"] == "t-1" and headers["x-team"] == "billing"
    assert headers["user-agent"] == "flowroute-sdk-python/0.1.0 myapp/1.2"
    assert headers["authorization"].startswith("Basic ")
    assert json.loads(body) == {"messaging_enabled": True, "note": "x"}


def test_extra_query_reaches_every_page(echo: Echo, echo_client: Driver) -> None:
    # The echo answers a single resource: wrong-shaped for a list, so the first page fails,
    # but the request shows the option was applied.
    with pytest.raises(flowroute.UnexpectedResponseError):
        echo_client.numbers.list(limit=3, extra_query={"x": "1"})
    assert echo.seen[-1][0].startswith("/v2/numbers?") and "x=1" in echo.seen[-1][0]


def test_per_call_timeout_applies(flowroute_sandbox: SandboxServer) -> None:
    released = threading.Event()
    slow = Echo(delay=released)
    try:
        c = Flowroute(base_url=slow.url, access_key="k", secret_key="s", max_retries=0)
        with c, pytest.raises(APITimeoutError):
            c.numbers.retrieve("12065550100", extra_query={"slow": "1"}, timeout=0.05)
    finally:
        released.set()
        slow.server.shutdown()
        slow.server.server_close()


def test_per_call_options_through_the_sandbox(fr: Driver) -> None:
    strategies = fr.routes.edge_strategies(timeout=10.0, extra_headers={"X-A": "b"})
    assert strategies
    assert fr.routes.list(limit=2, timeout=httpx2.Timeout(10.0), extra_query={"q": "1"}) is not None


def test_raw_response_sync(client: Flowroute) -> None:
    raw = client.with_raw_response.routes.edge_strategies()
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/")
    assert [s.to_dict() for s in raw.parse()] == [
        s.to_dict() for s in client.routes.edge_strategies()
    ]
    assert raw.parse() is raw.parse()  # parsed once
    page = client.with_raw_response.routes.list(limit=1).parse()
    assert isinstance(page, Page) and len(page.items) <= 1
    with pytest.raises(NotFoundError) as caught:
        client.with_raw_response.numbers.retrieve("12065550142")
    assert caught.value.status_code == 404


def test_raw_response_async(async_client: AsyncFlowroute) -> None:
    async def main() -> None:
        async with async_client:
            raw = await async_client.with_raw_response.routes.edge_strategies(timeout=5.0)
            assert raw.status_code == 200
            warm = await async_client.routes.edge_strategies()
            assert [s.to_dict() for s in raw.parse()] == [s.to_dict() for s in warm]
            page = (await async_client.with_raw_response.routes.list(limit=1)).parse()
            assert isinstance(page, Page)

    asyncio.run(main())


def test_raw_response_request_id(echo: Echo) -> None:
    with Flowroute(base_url=echo.url, access_key="k", secret_key="s") as client:
        raw = client.with_raw_response.numbers.retrieve("12065550100")
        assert raw.request_id == "echo-1"
        assert raw.parse().id == "12065550100"
        assert "RawResponse 200" in repr(raw)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"timeout": "30"}, "timeout must be a number of seconds"),
        ({"timeout": True}, "timeout must be a number of seconds"),
        ({"rate_limit": 5}, "rate_limit must be a flowroute.RateLimit"),
        ({"rate_limit": {"sms_per_second": 5}}, "rate_limit must be a flowroute.RateLimit"),
        ({"default_headers": {"X": 1}}, "default_headers must be a mapping of str to str"),
    ],
)
def test_wrong_types_fail_at_construction(kwargs: dict[str, Any], expected: str) -> None:
    for cls in (Flowroute, AsyncFlowroute):
        with pytest.raises(TypeError, match=expected):
            cls(access_key="k", secret_key="s", **kwargs)


def test_http_client_of_the_wrong_kind() -> None:
    expected = r"must be an httpx2.AsyncClient.*AsyncFlowroute"
    with httpx2.Client() as sync_http, pytest.raises(TypeError, match=expected):
        AsyncFlowroute(access_key="k", secret_key="s", http_client=sync_http)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"must be an httpx2.Client, got builtins.object"):
        Flowroute(access_key="k", secret_key="s", http_client=object())  # type: ignore[arg-type]


def test_an_httpx_client_is_named() -> None:
    import httpx  # the other library, which openai and twilio users pass (a dev dependency)

    with httpx.Client() as other, pytest.raises(TypeError, match="httpx2, not httpx"):
        Flowroute(access_key="k", secret_key="s", http_client=other)  # type: ignore[arg-type]


def test_rate_limit_false_means_off_and_not_given_is_typed() -> None:
    assert Flowroute(access_key="k", secret_key="s", rate_limit=False).config.rate_limit is None
    assert Flowroute(access_key="k", secret_key="s", rate_limit=RateLimit(10, 2)).config.rate_limit
    assert isinstance(NOT_GIVEN, NotGiven) and NotGiven() is NOT_GIVEN and not NOT_GIVEN
    client = Flowroute(access_key="k", secret_key="s", timeout=NOT_GIVEN)
    assert client.config.timeout == 30.0
    assert client.with_options(timeout=None).config.timeout is None
    with pytest.raises(TypeError):
        client.routes.edge_strategies(timeout="soon")  # type: ignore[arg-type]


@pytest.mark.parametrize(("level", "shown"), [("debug", True), ("info", False), ("", False)])
def test_flowroute_log(flowroute_sandbox: SandboxServer, level: str, shown: bool) -> None:
    code = f"""
import flowroute
with flowroute.Flowroute(base_url={flowroute_sandbox.base_url!r},
        access_key={flowroute_sandbox.access_key!r}, secret_key={flowroute_sandbox.secret_key!r}) as c:
    c.routes.edge_strategies()
"""
    env = {"FLOWROUTE_LOG": level, "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, env=env
    )
    assert out.returncode == 0, out.stderr
    assert ("GET http" in out.stderr) is shown
    assert "Basic " not in out.stderr  # credentials redacted


def test_pager_repr(client: Flowroute) -> None:
    text = repr(client.numbers.list(limit=5, starts_with=206))
    assert "SyncPager GET /v2/numbers" in text and "limit=5" in text and "'206'" in text
