"""No webhook is lost when the sandbox dies or stops in the middle of sending them.

A real sandbox process on a SQLite file sends a few hundred delivery receipts to a slow loopback
receiver and is killed (SIGKILL) or stopped (SIGTERM) while they are in flight, then started
again on the same file. The receiver must get every receipt, every delivery must end delivered
with nothing left claimed, every attempt that completed must be recorded, and what was already
delivered must not go out again. Delivery is at least once: only a webhook whose attempt was in
flight at a kill -9 may arrive twice.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2
from sqlalchemy import create_engine, text

from flowroute.sandbox.dispatcher import PARALLEL, STOP_GRACE
from flowroute.sandbox.server import running
from flowroute.sandbox.settings import SandboxSettings

from ..support import free_port

MESSAGES = 100  # two receipts each (levels 1 and 2), all due at once after a 10 s advance
ANSWER_DELAY = 0.02  # the receiver's time per request
SUBSCRIBER = "12065550123"
AUTH = ("restart-test", "restart-secret")
Receipt = tuple[str, int]  # (message id, level)
APP_SHUTDOWN = "Waiting for application shutdown."  # uvicorn's log line: the dispatcher stops


class SlowReceiver:
    """A threaded loopback webhook endpoint answering 200 after ANSWER_DELAY. ``hold()`` keeps
    requests waiting, unanswered (the sender's attempts stay in flight), until ``let_go()``."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []  # every complete request, in arrival order
        self.waiting: list[bytes] = []  # those held unanswered right now
        self._hold_from: int | None = None
        self._released = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, like the receivers customers run

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:  # the sandbox died mid-request: nothing to answer
                    return
                with receiver._lock:
                    receiver.bodies.append(body)
                    hold = receiver._hold_from
                    held = hold is not None and len(receiver.bodies) > hold
                    if held:
                        receiver.waiting.append(body)
                if held:
                    receiver._released.wait(timeout=30)
                    with receiver._lock:
                        receiver.waiting.remove(body)
                time.sleep(ANSWER_DELAY)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # 16 parallel connects must not overflow the backlog

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a killed sandbox
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/dlr"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hold(self, after: int = 0) -> None:
        """Answer the next ``after`` requests, then hold every one after them."""
        with self._lock:
            self._released.clear()
            self._hold_from = len(self.bodies) + after

    def let_go(self) -> None:
        with self._lock:
            self._hold_from = None
            self._released.set()

    def seen(self) -> int:
        with self._lock:
            return len(self.bodies)

    def held(self) -> set[Receipt]:
        with self._lock:
            return {receipt_of(body) for body in self.waiting}

    def receipts(self) -> Counter[Receipt]:
        with self._lock:
            return Counter(receipt_of(body) for body in self.bodies)

    def close(self) -> None:
        self.let_go()
        self.server.shutdown()
        self.server.server_close()


def receipt_of(body: bytes | str) -> Receipt:
    data = json.loads(body)["data"]
    return data["id"], data["attributes"]["level"]


@contextmanager
def slow_receiver() -> Iterator[SlowReceiver]:
    receiver = SlowReceiver()
    try:
        yield receiver
    finally:
        receiver.close()


def send_receipted_messages(
    http: httpx2.Client, receiver: SlowReceiver, count: int = MESSAGES
) -> set[Receipt]:
    """Buy a number, point its receipts at ``receiver`` and send ``count`` texts from it;
    returns the receipts they should produce."""
    number = http.get("/v2/numbers/available", params={"limit": 1}).json()["data"][0]["id"]
    http.post(f"/v2/numbers/{number}").raise_for_status()
    callback = {"callback_url": receiver.url}
    http.put("/v2.1/messages/sms_dlr_callback", json=callback).raise_for_status()
    expected: set[Receipt] = set()
    for i in range(count):
        sent = http.post("/v2.1/messages", json={"to": SUBSCRIBER, "from": number, "body": f"#{i}"})
        assert sent.status_code == 202, sent.text
        expected |= {(sent.json()["data"]["id"], level) for level in (1, 2)}
    return expected


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 15.0) -> None:
    """Poll a real process or receiver until ``condition`` holds (never virtual time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


class Sandbox:
    """``python -m flowroute.sandbox`` on ``db``: a frozen clock and high send limits."""

    def __init__(self, db: Path, log: Path) -> None:
        self.log = log
        self.base = f"http://127.0.0.1:{free_port()}"
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "flowroute.sandbox", "--db", str(db)),
                    *("--port", self.base.rsplit(":", 1)[1], "--clock-speed", "0"),
                    *("--sms-per-second", "10000"),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.http = httpx2.Client(base_url=self.base, auth=AUTH, timeout=30)
        wait_for(self._serving, f"the sandbox to serve\n{self.output()}", timeout=30)

    def _serving(self) -> bool:
        assert self.proc.poll() is None, self.output()
        with suppress(httpx2.TransportError):
            return self.http.get("/_sandbox/clock").status_code == 200
        return False

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def advance_in_background(self) -> list[int]:
        """Advance the clock 10 s (the sandbox sends what fell due before it answers) from a
        thread; the list gets the answer's status, if the sandbox lives to give one."""
        answered: list[int] = []

        def advance() -> None:
            with suppress(httpx2.TransportError), httpx2.Client(auth=AUTH, timeout=60) as http:
                reply = http.post(f"{self.base}/_sandbox/clock/advance", json={"seconds": 10})
                answered.append(reply.status_code)

        threading.Thread(target=advance, daemon=True).start()
        return answered

    def terminate(self, then: Callable[[], None], once: str) -> float:
        """SIGTERM; ``then()`` once the log shows ``once``; returns the seconds from then until
        the process had stopped cleanly."""
        self.proc.send_signal(signal.SIGTERM)
        wait_for(lambda: once in self.output(), f"{once!r} in the log")
        started = time.monotonic()
        then()
        # uvicorn re-raises the signal once it has shut down cleanly.
        assert self.proc.wait(timeout=STOP_GRACE + 10) in (0, -signal.SIGTERM), self.output()
        took = time.monotonic() - started
        assert "Application shutdown complete." in self.output()
        return took

    def close(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def sandbox(db: Path, log: Path) -> Iterator[Sandbox]:
    server = Sandbox(db, log)
    try:
        yield server
    finally:
        server.close()


@dataclass
class Stored:
    """The deliveries and attempts tables, read straight from the sandbox's file."""

    # id -> (receipt, state, attempts, lease_until)
    deliveries: dict[int, tuple[Receipt, str, int, float | None]]
    attempts: list[tuple[int, int, str]]  # (id, delivery id, outcome)

    @classmethod
    def read(cls, db: Path) -> Stored:
        with closing(sqlite3.connect(db)) as conn:
            rows = conn.execute("SELECT id, body, state, attempts, lease_until FROM deliveries")
            deliveries = {i: (receipt_of(b), s, n, lease) for i, b, s, n, lease in rows}
            attempts = conn.execute("SELECT id, delivery_id, outcome FROM attempts ORDER BY id")
            return cls(deliveries, [tuple(row) for row in attempts])

    def where(self, state: str) -> set[int]:
        return {i for i, (_, s, _, _) in self.deliveries.items() if s == state}

    def leased(self) -> set[int]:
        return {i for i, (_, _, _, lease) in self.deliveries.items() if lease is not None}

    def receipts(self, ids: set[int]) -> set[Receipt]:
        return {self.deliveries[i][0] for i in ids}


def test_kill_9_then_sigterm_mid_recovery_loses_no_webhook(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with slow_receiver() as receiver:
        # 1. kill -9 while the clock advance is sending receipts, PARALLEL of them in flight
        # (received by the receiver, not yet answered).
        with sandbox(db, tmp_path / "first.log") as first:
            expected = send_receipted_messages(first.http, receiver)
            receiver.hold(after=60)
            first.advance_in_background()
            wait_for(lambda: len(receiver.held()) >= PARALLEL, "attempts in flight")
            first.proc.kill()
            first.proc.wait()
        in_flight = receiver.held()
        receiver.let_go()
        seen_at_kill = receiver.seen()
        at_kill = Stored.read(db)
        assert len(at_kill.deliveries) == len(expected) == 2 * MESSAGES
        assert in_flight <= at_kill.receipts(at_kill.leased())  # their claims died with it
        assert at_kill.receipts(at_kill.where("delivered")).isdisjoint(in_flight)
        print(
            f"kill -9: {seen_at_kill} requests received, {len(in_flight)} of them in flight; "
            f"{len(at_kill.where('delivered'))} recorded delivered, {len(at_kill.leased())} "
            f"claimed by the dead process, {len(at_kill.where('pending'))} pending"
        )

        # 2. The restart sends the rest at once, without waiting for the dead process's leases
        # to run out and without any clock advance. SIGTERM while PARALLEL attempts are in
        # flight: they finish and are recorded; what it had claimed but not started is released.
        receiver.hold()
        with sandbox(db, tmp_path / "second.log") as second:
            wait_for(lambda: len(receiver.held()) == PARALLEL, "the restart to resume sending")
            stop_took = second.terminate(then=receiver.let_go, once=APP_SHUTDOWN)
        assert stop_took < STOP_GRACE
        seen_at_stop = receiver.seen()
        at_stop = Stored.read(db)
        assert not at_stop.leased(), "a clean stop leaves nothing claimed"
        assert at_stop.where("pending"), "the stop should land before everything is sent"
        resumed = at_stop.attempts[len(at_kill.attempts) :]
        assert len(resumed) == seen_at_stop - seen_at_kill  # every completed attempt recorded
        assert all(outcome == "delivered" for _, _, outcome in resumed)
        print(
            f"restart then SIGTERM: {len(resumed)} sent and recorded, "
            f"{len(at_stop.where('pending'))} released unsent, stop took {stop_took:.2f} s"
        )

        # 3. A third start delivers the rest; nothing delivered before goes out again.
        with sandbox(db, tmp_path / "third.log") as third:
            wait_for(lambda: set(receiver.receipts()) >= expected, "every receipt")
            # wait=true: answered once all that was due has been attempted and recorded.
            advance = third.http.post(
                "/_sandbox/clock/advance", params={"wait": "true"}, json={"seconds": 0}
            )
            advance.raise_for_status()
            logged = third.http.get("/_sandbox/webhooks").json()["data"]
        final = Stored.read(db)
        received = receiver.receipts()
        assert set(received) == expected
        assert final.where("delivered") == set(final.deliveries) and not final.leased()
        # Each delivery has exactly one recorded attempt, and it delivered: an attempt is
        # recorded once it has its answer, and a recorded delivery is never sent again.
        assert sorted(delivery for _, delivery, _ in final.attempts) == sorted(final.deliveries)
        assert all(tries == 1 for _, _, tries, _ in final.deliveries.values())
        assert [(a["id"], a["delivery_id"], a["outcome"]) for a in logged] == final.attempts
        assert {receipt_of(json.dumps(a["body"])) for a in logged} == expected
        # Exactly what was in flight at the kill (received, never answered) arrived twice.
        assert {receipt for receipt, count in received.items() if count > 1} == in_flight
        assert set(received.values()) == {1, 2}
        assert receiver.seen() == len(final.attempts) + len(in_flight)
        print(
            f"third start: {receiver.seen() - seen_at_stop} sent; all {len(expected)} delivered, "
            f"{len(in_flight)} twice (those in flight at the kill)"
        )


def test_sigterm_mid_dispatch_finishes_and_leaves_nothing_claimed(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with slow_receiver() as receiver, sandbox(db, tmp_path / "sandbox.log") as server:
        expected = send_receipted_messages(server.http, receiver, count=120)
        receiver.hold()
        answered = server.advance_in_background()
        wait_for(lambda: len(receiver.held()) >= PARALLEL, "attempts in flight")
        # uvicorn lets the request in flight finish before it shuts the app down.
        stop_took = server.terminate(then=receiver.let_go, once="Shutting down")
        # The request in flight was answered once everything it had to send had gone out.
        assert answered == [200]
        stored = Stored.read(db)
        assert not stored.leased(), "a clean stop leaves nothing claimed"
        assert stored.where("delivered") == set(stored.deliveries)
        assert receiver.receipts() == Counter(dict.fromkeys(expected, 1))  # each exactly once
        assert sorted(delivery for _, delivery, _ in stored.attempts) == sorted(stored.deliveries)
        print(f"SIGTERM: all {len(expected)} delivered once, stop took {stop_took:.2f} s")


def test_sandboxes_sharing_postgres_send_each_webhook_once(postgres_url: str) -> None:
    """Two sandboxes on one PostgreSQL database send the same account's due deliveries at
    once: a clock advance on one claims a first batch (BATCH = 200 of the 240) and sends it
    inline while the other's background loop claims the rest, and both keep claiming as they
    go. Each delivery is owned by exactly one of them: every receipt arrives exactly once."""
    settings = SandboxSettings(db=postgres_url, clock_speed=0, sms_per_second=10000)
    key = f"pg-race-{uuid.uuid4().hex[:8]}"
    with slow_receiver() as receiver, running(settings) as one, running(settings) as two:
        with httpx2.Client(base_url=one.base_url, auth=(key, "s"), timeout=30) as http:
            expected = send_receipted_messages(http, receiver, count=120)
            advance = http.post(
                "/_sandbox/clock/advance", params={"wait": "true"}, json={"seconds": 10}
            )
            advance.raise_for_status()
            wait_for(lambda: receiver.seen() >= len(expected), "every receipt")
            with httpx2.Client(base_url=two.base_url, auth=(key, "s")) as other:
                logged = other.get("/_sandbox/webhooks").json()["data"]
        assert receiver.receipts() == Counter(dict.fromkeys(expected, 1))
        assert len({a["delivery_id"] for a in logged}) == len(logged) == len(expected)
        assert {a["outcome"] for a in logged} == {"delivered"}
        engine = create_engine(postgres_url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            left = conn.scalar(
                text(
                    "SELECT count(*) FROM deliveries JOIN accounts ON accounts.id = account_id "
                    "WHERE access_key = :key AND (lease_until IS NOT NULL OR state <> 'delivered')"
                ),
                {"key": key},
            )
        engine.dispose()
        assert left == 0
