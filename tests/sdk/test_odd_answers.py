"""Every answer maps to a typed outcome: odd statuses and bodies that are not the expected
document raise SDK errors carrying status, headers and raw body (never a pydantic
ValidationError); for a send or a purchase, the may-have-happened error, never retried.

A tiny loopback server of our own writes canned bytes, so any status/body pair can be answered.
"""

from __future__ import annotations

import asyncio
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from flowroute import (
    APIConnectionError,
    APIError,
    AsyncFlowroute,
    Flowroute,
    IndeterminateResultError,
    UnexpectedResponseError,
)

BODIES = {
    "empty": (b"", "application/vnd.api+json"),
    "html": (b"<html><body><h1>502 Bad Gateway</h1>nginx</body></html>", "text/html"),
    "truncated": (b'{"data": {"id": "12065550100", "type": "number", "attri', "application/json"),
    "wrong-shape": (b'{"data": [1, 2, 3], "links": "nope"}', "application/vnd.api+json"),
}
# 2xx the API uses, odd 2xx, 3xx and statuses outside every family. httpx2 never hands back a
# 1xx as the answer: those end as a connection error (test_a_1xx_answer below).
STATUSES = [200, 201, 204, 206, 299, 301, 302, 307, 600]


class Canned:
    """Answers every request with ``status`` and ``body`` as raw bytes, then closes."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b""
        self.content_type = "application/json"
        self.requests: list[bytes] = []
        canned = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = sock.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, rest = data.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":", 1)[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length:")
                    ),
                    0,
                )
                while len(rest) < length:
                    rest += sock.recv(65536)
                canned.requests.append(head)
                sock.sendall(
                    f"HTTP/1.1 {canned.status} Odd\r\n"
                    f"Content-Type: {canned.content_type}\r\n"
                    f"Content-Length: {len(canned.body)}\r\n"
                    "X-Request-Id: req-123\r\nLocation: http://127.0.0.1:9/elsewhere\r\n"
                    "Connection: close\r\n\r\n".encode()
                    + canned.body
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, status: int, body: str) -> None:
        self.status = status
        self.body, self.content_type = BODIES[body]


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    server = Canned()
    yield server
    server.server.shutdown()
    server.server.server_close()


def run(mode: str, url: str, action: Callable[[Any], Any], max_retries: int = 5) -> Any:
    """Run ``action(client)`` on a sync or async client (max_retries high: nothing may retry)."""
    options: dict[str, Any] = {
        "base_url": url,
        "access_key": "k",
        "secret_key": "s",
        "max_retries": max_retries,
        "rate_limit": None,
    }
    if mode == "sync":
        with Flowroute(**options) as client:
            result = action(client)
            return list(result) if hasattr(result, "iter_pages") else result

    async def main() -> Any:
        async with AsyncFlowroute(**options) as client:
            result = action(client)
            if hasattr(result, "iter_pages"):
                return await result.to_list()
            return await result

    return asyncio.run(main())


READS: dict[str, Callable[[Any], Any]] = {
    "retrieve": lambda c: c.numbers.retrieve("12065550100"),
    "list": lambda c: c.numbers.list(limit=5),
}
UNCERTAIN: dict[str, Callable[[Any], Any]] = {
    "send": lambda c: c.messages.send(to="12065550100", from_="12065550199", body="hi"),
    "purchase": lambda c: c.numbers.purchase("12065550100"),
}


def _check(error: APIError, status: int, body: str) -> None:
    assert isinstance(error, UnexpectedResponseError)
    assert error.status_code == status
    assert error.body == (b"" if status == 204 else BODIES[body][0])  # 204 carries no body
    assert error.headers["x-request-id"] == "req-123"
    assert error.request_id == "req-123"


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("call", list(READS))
def test_reads_raise_unexpected_response(
    canned: Canned, mode: str, body: str, status: int, call: str
) -> None:
    canned.answer(status, body)
    before = len(canned.requests)
    with pytest.raises(UnexpectedResponseError) as caught:
        run(mode, canned.url, READS[call])
    _check(caught.value, status, body)
    assert len(canned.requests) - before == 1  # not retried
    assert str(status) in str(caught.value)


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("call", list(UNCERTAIN))
def test_send_and_purchase_are_indeterminate(
    canned: Canned, mode: str, body: str, status: int, call: str
) -> None:
    canned.answer(status, body)
    before = len(canned.requests)
    with pytest.raises(IndeterminateResultError) as caught:
        run(mode, canned.url, UNCERTAIN[call])
    error = caught.value
    assert len(canned.requests) - before == 1  # never retried
    assert "may have completed" in str(error)
    assert error.status_code == status
    assert error.response is not None
    _check(error.cause, status, body)


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_good_answer_still_parses(canned: Canned, mode: str) -> None:
    canned.status, canned.content_type = 201, "application/vnd.api+json"
    canned.body = b'{"data": {"id": "mdr2-abc", "type": "message"}}'
    sent = run(mode, canned.url, UNCERTAIN["send"])
    assert (sent.id, sent.to, sent.body, sent.segments) == ("mdr2-abc", "12065550100", "hi", 1)
    assert sent.raw == {"id": "mdr2-abc", "type": "message"}


@pytest.mark.parametrize("mode", ["sync", "async"])
@pytest.mark.parametrize("status", [101, 103])
def test_a_1xx_answer(canned: Canned, mode: str, status: int) -> None:
    """101 (an upgrade nobody asked for) or 103 then a closed connection: a connection error for
    a read (max_retries=0 here: reads retry those), may-have-happened for a send or purchase."""
    canned.answer(status, "empty")
    with pytest.raises(APIConnectionError):
        run(mode, canned.url, READS["retrieve"], max_retries=0)
    for call in UNCERTAIN.values():
        before = len(canned.requests)
        with pytest.raises(IndeterminateResultError) as caught:
            run(mode, canned.url, call)
        assert isinstance(caught.value.cause, APIConnectionError)
        assert len(canned.requests) - before == 1


@pytest.mark.parametrize(
    "command",
    [
        ["messages", "send", "12065550100", "hi", "--from", "12065550199"],
        ["numbers", "buy", "12065550100"],
    ],
)
def test_cli_exits_4_in_one_line(canned: Canned, command: list[str]) -> None:
    from flowroute.cli.app import app

    canned.answer(200, "html")
    connection = ["--base-url", canned.url, "--access-key", "k", "--secret-key", "s"]
    result = CliRunner().invoke(app, [*connection, *command])
    assert result.exit_code == 4, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "may have completed" in lines[0]
