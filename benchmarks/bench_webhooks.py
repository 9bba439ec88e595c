"""Webhook dispatch: the sandbox sending delivery receipts to a local receiver vs raw httpx2
posting the same bodies to it, and a 20-account storm with one account's receiver hung.

Sandbox and receiver run in processes of their own; only the raw client runs here. The receiver
is a threaded keep-alive (HTTP/1.1) server that reads each body, counts it per path and answers
200; on its hung port it reads the request and never answers.
"""

from __future__ import annotations

import json
import socket
import statistics
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, ExitStack, contextmanager

import _servers
import httpx2

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl

TO = "12065550123"
SECRET = "bench-secret"

RECEIVER = """
import json, sys, threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

counts = Counter()
lock = threading.Lock()
forever = threading.Event()

class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1" if sys.argv[1] == "keep-alive" else "HTTP/1.0"
    hung = False

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.hung:
            forever.wait()
        with lock:
            counts[self.path] += 1
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        with lock:
            data = json.dumps(counts).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass

class Hung(Receiver):
    hung = True

class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass  # a sender that gave up on the hung port

ports = [int(p) for p in sys.argv[2:] if p != "--port"]
hung = ports[0]
for port in ports[1:-1]:
    server = Server(("127.0.0.1", port), Hung if port == hung else Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
Server(("127.0.0.1", ports[-1]), Receiver).serve_forever()
"""


@contextmanager
def receiver(
    *, extra: int = 0, hung: bool = False, keep_alive: bool = True
) -> Iterator[tuple[str, list[str]]]:
    """A receiver process: its main URL (``GET`` there gives the counts per path) and the URLs
    of ``extra`` more ports, the first of them hung if ``hung``. Not ``keep_alive``: it answers
    in HTTP/1.0 and closes every connection (like http.server by default)."""
    with ExitStack() as held:  # all bound at once, so no port comes up twice
        sockets = [held.enter_context(socket.socket()) for _ in range(extra)]
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        ports = [s.getsockname()[1] for s in sockets]
    mode = "keep-alive" if keep_alive else "close"
    args = [sys.executable, "-c", RECEIVER, mode, str(ports[0] if hung else 0), *map(str, ports)]
    with _servers.process(args, "/") as base:
        yield base, [f"http://127.0.0.1:{port}" for port in ports]


def sandbox() -> AbstractContextManager[str]:
    args = [sys.executable, "-m", "flowroute.sandbox", *_servers.QUIET, "--clock-speed", "0"]
    return _servers.process([*args, "--sms-per-second", "1000000"], "/_sandbox/clock", ("b", "b"))


def counts(http: httpx2.Client, base: str) -> dict[str, int]:
    result: dict[str, int] = http.get(base).json()
    return result


@contextmanager
def account(base: str) -> Iterator[tuple[SandboxControl, Flowroute, str]]:
    """A fresh account with a number: its control handle, a client and the number."""
    key = f"bench-{uuid.uuid4().hex[:8]}"
    control = SandboxControl(base, access_key=key, secret_key=SECRET)
    number = control.seed_numbers(1)[0]
    client = Flowroute(base_url=base, access_key=key, secret_key=SECRET, rate_limit=None)
    try:
        yield control, client, number
    finally:
        client.close()
        control.close()


def advance(control: SandboxControl, *, wait: bool) -> None:
    """Advance 5 s: both receipts of every message sent so far fall due. Passed as a query
    parameter, so a sandbox from before ``wait`` existed (it always waited) runs this too."""
    control.call("POST", f"/clock/advance?wait={str(wait).lower()}", {"seconds": 5})


def _dispatch_round(base: str, url: str, messages: int) -> tuple[float, list[bytes]]:
    """Events/s of the sandbox's dispatch (a clock advance that waits until every receipt has
    been attempted and recorded), and the bodies it sent."""
    with account(base) as (control, client, number):
        for i in range(messages):
            client.messages.send(to=TO, from_=number, body=f"#{i}", dlr_callback=url)
        start = time.perf_counter()
        advance(control, wait=True)
        took = time.perf_counter() - start
        sent = control.webhooks()
    assert len(sent) == 2 * messages and {a["outcome"] for a in sent} == {"delivered"}
    return len(sent) / took, [json.dumps(a["body"]).encode() for a in sent]


def _raw_round(url: str, bodies: list[bytes]) -> float:
    """Posts/s of a plain ``httpx2.Client`` sending the bodies one after another."""
    headers = {"Content-Type": "application/json", "User-Agent": "Go-http-client/1.1"}
    with httpx2.Client() as raw:
        raw.post(url, content=bodies[0], headers=headers)  # connected, like the sandbox's pool
        start = time.perf_counter()
        for body in bodies:
            response = raw.post(url, content=body, headers=headers)
            assert response.status_code == 200
        return len(bodies) / (time.perf_counter() - start)


def dispatch_vs_raw(
    *, messages: int = 500, rounds: int = 9, keep_alive: bool = True
) -> tuple[float, float]:
    """(raw httpx2 posts/s, sandbox dispatch events/s) to the same receiver: the median raw
    rate, and ours as that times the median ratio of adjacent rounds."""
    with sandbox() as base, receiver(extra=1, keep_alive=keep_alive) as (_, (port,)):
        url = f"{port}/receipts"
        _dispatch_round(base, url, 50)  # warm up both sides
        raws, ratios = [], []
        for _ in range(rounds):
            ours, bodies = _dispatch_round(base, url, messages)
            raw = _raw_round(url, bodies)
            raws.append(raw)
            ratios.append(ours / raw)
    median_raw = statistics.median(raws)
    return median_raw, median_raw * statistics.median(ratios)


def _storm_round(*, hung: bool, accounts: int, events: int) -> float:
    """Events/s at which the accounts with a working receiver get their receipts when every
    account's clock is advanced at once (the hung account's first), each account posting to a
    receiver of its own."""
    per_account = events // accounts // 2  # messages, two receipts each
    with sandbox() as base, receiver(extra=accounts, hung=hung) as (main, urls), ExitStack() as es:
        handles = [es.enter_context(account(base)) for _ in range(accounts)]
        for index, (_, client, number) in enumerate(handles):
            for i in range(per_account):
                url = f"{urls[index]}/account-{index}"
                client.messages.send(to=TO, from_=number, body=f"{index}/{i}", dlr_callback=url)
        others = (accounts - 1) * per_account * 2
        with httpx2.Client() as http, ThreadPoolExecutor(accounts) as pool:
            start = time.perf_counter()
            # From threads, so a sandbox whose advance waits still advances them all at once.
            for control, _, _ in handles:
                pool.submit(advance, control, wait=False)
            while True:
                got = counts(http, main)
                if sum(n for path, n in got.items() if path != "/account-0") >= others:
                    break
                time.sleep(0.005)
            took = time.perf_counter() - start
    return others / took


def storm(*, accounts: int = 20, events: int = 1000, rounds: int = 3) -> tuple[float, float]:
    """(events/s with no receiver hung, events/s with one hung) delivered to the other 19
    accounts' receivers: median of each, the second as the first times the median ratio."""
    healthy, ratios = [], []
    for _ in range(rounds):
        normal = _storm_round(hung=False, accounts=accounts, events=events)
        ratios.append(_storm_round(hung=True, accounts=accounts, events=events) / normal)
        healthy.append(normal)
    median = statistics.median(healthy)
    return median, median * statistics.median(ratios)


if __name__ == "__main__":
    raw, ours = dispatch_vs_raw()
    print(f"dispatch: raw {raw:.0f}/s, sandbox {ours:.0f}/s, {ours / raw:.2f}x")
    raw, ours = dispatch_vs_raw(keep_alive=False)
    print(f"dispatch, connection closed: raw {raw:.0f}/s, sandbox {ours:.0f}/s, {ours / raw:.2f}x")
    normal, hung = storm()
    print(f"storm: {normal:.0f}/s, one receiver hung {hung:.0f}/s, {hung / normal:.2f}x")
