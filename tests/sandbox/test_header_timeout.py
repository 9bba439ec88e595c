"""A connection that does not finish its request head within ``header_timeout`` is closed.

Real sockets against real servers on loopback, with a 0.5 s timeout: a silent connection, a
partial request line, headers without their final blank line and a head trickled byte by byte
are all cut at about 0.5 s, while ordinary requests keep being answered; a kept-alive connection
gets the same treatment for its next request, without its idle wait being cut short.
"""

from __future__ import annotations

import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx2
import pytest

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

from ..support import free_port, wait_until_serving

TIMEOUT = 0.5
# Closed "at about TIMEOUT": never before it, and well within a second after it (the margin
# absorbs a loaded machine; a connection that is never closed fails at WAIT).
EARLIEST, LATEST, WAIT = TIMEOUT * 0.9, TIMEOUT + 1.0, 5.0
REQUEST = b"GET /v2/routes HTTP/1.1\r\nHost: localhost\r\n\r\n"  # answered 401: no credentials

PARTIAL_HEADS = {
    "silent": b"",
    "partial request line": b"GET /v2/routes HT",
    "headers without the blank line": b"GET /v2/routes HTTP/1.1\r\nHost: sandbox\r\nAccept: x\r\n",
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with running(SandboxSettings(header_timeout=TIMEOUT)) as server:
        yield server


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def wait_closed(sock: socket.socket) -> None:
    """Return once the server has closed ``sock`` (fails the test after WAIT seconds)."""
    sock.settimeout(WAIT)
    try:
        while sock.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail(f"the server kept the connection open for {WAIT} s")


def read_response(sock: socket.socket) -> bytes:
    """One whole HTTP response from ``sock`` (its head, and a Content-Length body)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(4096)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        body += sock.recv(4096)
    return head


def assert_answered(sandbox: SandboxServer) -> None:
    """An ordinary request on a new connection gets its answer, promptly."""
    started = time.monotonic()
    assert httpx2.get(f"{sandbox.base_url}/v2/routes", timeout=WAIT).status_code == 401
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("sent", PARTIAL_HEADS.values(), ids=PARTIAL_HEADS.keys())
def test_an_unfinished_head_is_closed_after_the_timeout(
    sandbox: SandboxServer, sent: bytes
) -> None:
    sock = connect(sandbox.port)
    started = time.monotonic()
    sock.sendall(sent)
    assert_answered(sandbox)  # meanwhile, on another connection
    wait_closed(sock)
    assert EARLIEST <= time.monotonic() - started <= LATEST
    sock.close()


def test_a_trickled_head_is_closed_however_steadily_it_arrives(sandbox: SandboxServer) -> None:
    sock = connect(sandbox.port)
    started = time.monotonic()
    with pytest.raises(OSError):  # reset or broken pipe once the server has closed it
        for byte in REQUEST[:-2]:  # never the final blank line
            sock.sendall(bytes([byte]))
            time.sleep(0.05)  # twenty bytes a second: every byte is "progress"
    assert EARLIEST <= time.monotonic() - started <= LATEST + 0.1
    sock.close()


def test_a_head_finished_in_time_is_served_and_the_connection_kept(
    sandbox: SandboxServer,
) -> None:
    sock = connect(sandbox.port)
    sock.sendall(REQUEST[:20])
    time.sleep(TIMEOUT / 2)
    sock.sendall(REQUEST[20:])
    assert read_response(sock).startswith(b"HTTP/1.1 401 ")
    # Idle longer than the header timeout: the wait between requests is uvicorn's keep-alive
    # (5 s), not the head timer, so the connection is still there for a second request.
    time.sleep(TIMEOUT + 0.2)
    sock.sendall(REQUEST)
    assert read_response(sock).startswith(b"HTTP/1.1 401 ")
    sock.close()


def test_the_next_head_on_a_kept_alive_connection_is_timed_too(sandbox: SandboxServer) -> None:
    sock = connect(sandbox.port)
    sock.sendall(REQUEST)
    assert read_response(sock).startswith(b"HTTP/1.1 401 ")
    started = time.monotonic()
    sock.sendall(PARTIAL_HEADS["headers without the blank line"])
    wait_closed(sock)
    assert EARLIEST <= time.monotonic() - started <= LATEST
    sock.close()


def test_a_pipelined_half_head_is_timed_from_the_response(sandbox: SandboxServer) -> None:
    sock = connect(sandbox.port)
    sock.sendall(REQUEST + PARTIAL_HEADS["partial request line"])
    assert read_response(sock).startswith(b"HTTP/1.1 401 ")
    started = time.monotonic()
    wait_closed(sock)
    assert time.monotonic() - started <= LATEST
    sock.close()


def test_many_unfinished_heads_do_not_stop_service(sandbox: SandboxServer) -> None:
    heads = list(PARTIAL_HEADS.values())
    socks = [connect(sandbox.port) for _ in range(200)]
    started = time.monotonic()
    for i, sock in enumerate(socks):
        sock.sendall(heads[i % len(heads)])
    assert_answered(sandbox)
    # Every one of them is closed at about the timeout.
    with selectors.DefaultSelector() as selector:
        for sock in socks:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        open_ = set(socks)
        while open_ and time.monotonic() - started < WAIT:
            for key, _ in selector.select(timeout=0.1):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                sock = ready
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                if not data:
                    selector.unregister(sock)
                    open_.discard(sock)
        assert not open_, f"{len(open_)} of 200 connections still open"
    assert time.monotonic() - started <= LATEST + 0.5
    assert_answered(sandbox)
    for sock in socks:
        sock.close()


def test_each_worker_closes_unfinished_heads(postgres_url: str) -> None:
    """``--workers 2``: workers are spawned processes that unpickle the server's config, and
    the protocol with its timeout arrive in it (whichever worker accepts a connection)."""
    port = free_port()
    args = ["--db", postgres_url, "--workers", "2", "--header-timeout", str(TIMEOUT)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowroute.sandbox", *args, "--port", str(port)],
        stderr=subprocess.PIPE,
    )
    try:
        wait_until_serving(proc, f"http://127.0.0.1:{port}/v2/routes")
        socks = [connect(port) for _ in range(8)]
        started = time.monotonic()
        for sock in socks:
            sock.sendall(PARTIAL_HEADS["partial request line"])
        for sock in socks:
            wait_closed(sock)
            sock.close()
        assert EARLIEST <= time.monotonic() - started <= LATEST
    finally:
        proc.terminate()
        proc.wait(timeout=15)
