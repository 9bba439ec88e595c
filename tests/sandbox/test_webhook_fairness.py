"""Webhook delivery is fair and never blocks: a hung receiver delays only what goes to it.

Real sandboxes (in-process, on loopback) send to real threaded receivers. A hung receiver
accepts a connection, reads the request and never answers until the test lets it go. Virtual
time moves only through the control API; real time is polled with a deadline, never slept on.
The only timing assertions are the two the issue sets: another account's receipt arrives
within 2 s of being due, and an inbound message without ``wait`` is answered within 100 ms.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl
from flowroute.sandbox.dispatcher import PARALLEL, PER_DESTINATION
from flowroute.sandbox.outbound import ATTEMPT_TIMEOUT
from flowroute.sandbox.server import SandboxServer, running
from flowroute.sandbox.settings import SandboxSettings

from ..support import free_port

SUBSCRIBER = "12065550123"
Event = tuple[str, int]  # (message id, receipt level; 0 for an inbound message)


class Receiver:
    """A keep-alive (HTTP/1.1) loopback webhook endpoint. ``hang()`` makes it hold every
    request it reads, unanswered, until ``release()``; it counts the connections open to it."""

    def __init__(self, port: int = 0) -> None:
        self.bodies: list[bytes] = []  # every request read, in arrival order
        self.held = 0  # requests read and not answered
        self.open = 0  # connections accepted and not closed
        self.most_open = 0
        self.most_held = 0
        self._hanging = False
        self._let_go = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver.open += 1
                    receiver.most_open = max(receiver.most_open, receiver.open)

            def finish(self) -> None:
                with receiver._lock:
                    receiver.open -= 1
                super().finish()

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                with receiver._lock:
                    receiver.bodies.append(body)
                    hanging = receiver._hanging
                    if hanging:
                        receiver.held += 1
                        receiver.most_held = max(receiver.most_held, receiver.held)
                if hanging:
                    receiver._let_go.wait(timeout=60)
                    with receiver._lock:
                        receiver.held -= 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            request_queue_size = 128

            def handle_error(self, request: Any, client_address: Any) -> None:
                if not isinstance(sys.exc_info()[1], ConnectionError):  # a sender gave up
                    super().handle_error(request, client_address)

        self.server = Server(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def hang(self) -> None:
        with self._lock:
            self._let_go.clear()
            self._hanging = True

    def release(self) -> None:
        with self._lock:
            self._hanging = False
            self._let_go.set()

    def events(self) -> Counter[Event]:
        with self._lock:
            return Counter(event_of(body) for body in self.bodies)

    def close(self) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def receiver(port: int = 0) -> Iterator[Receiver]:
    r = Receiver(port)
    try:
        yield r
    finally:
        r.close()


def event_of(body: bytes | str) -> Event:
    data = json.loads(body)["data"]
    return data["id"], int(data["attributes"].get("level", 0))


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    """Poll a real receiver or sandbox until ``condition`` holds (never virtual time)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.005)


@dataclass
class Account:
    control: SandboxControl
    client: Flowroute
    number: str


@contextmanager
def account(sandbox: SandboxServer) -> Iterator[Account]:
    """A fresh account on ``sandbox`` with one number."""
    key, secret = f"fair-{uuid.uuid4().hex[:8]}", "fair-secret"
    control = sandbox.control(access_key=key, secret_key=secret)
    client = sandbox.client(access_key=key, secret_key=secret)
    try:
        yield Account(control, client, control.seed_numbers(1)[0])
    finally:
        client.close()
        control.close()


def frozen() -> SandboxSettings:
    return SandboxSettings(clock_speed=0, sms_per_second=1000, mms_per_second=1000)


def delivered(control: SandboxControl) -> list[dict[str, Any]]:
    return [a for a in control.webhooks() if a["outcome"] == "delivered"]


def test_a_hung_receiver_delays_no_other_account() -> None:
    """Real time runs (clock speed 1), so the background loop sends receipts as they fall due.
    Account A's receiver hangs with A's receipts in flight and more of A's queued and falling
    due at the same time as B's; B's receipts still arrive within 2 s of being due. A's hung
    attempts then time out (10 s) and A's next receipts go out in their place."""
    settings = SandboxSettings(clock_speed=1, sms_per_second=1000, mms_per_second=1000)
    with running(settings) as sandbox, receiver() as hung, receiver() as healthy:
        hung.hang()
        with account(sandbox) as a, account(sandbox) as b:
            for i in range(3 * PARALLEL):  # level-1 receipts due in 1 s, level-2 in 3 s
                a.client.messages.send(
                    to=SUBSCRIBER, from_=a.number, body=f"a{i}", dlr_callback=f"{hung.url}/a"
                )
            wait_for(lambda: hung.held == PARALLEL, "account A's receipts to hang")
            for i in range(PARALLEL):  # due together with B's, and claimed before them
                a.client.messages.send(
                    to=SUBSCRIBER, from_=a.number, body=f"a+{i}", dlr_callback=f"{hung.url}/a"
                )
            sent = b.client.messages.send(
                to=SUBSCRIBER, from_=b.number, body="b", dlr_callback=f"{healthy.url}/b"
            )
            sent_at = time.monotonic()  # B's receipts fall due 1 s and 3 s after this, or before
            for level, after in ((1, 1.0), (2, 3.0)):
                wait_for(lambda: (sent.id, level) in healthy.events(), f"B's level-{level}")  # noqa: B023
                late = time.monotonic() - (sent_at + after)
                assert late < 2.0, f"B's level-{level} receipt arrived {late:.2f} s after due"
            assert hung.held == PARALLEL  # A's receipts are still stuck, and only A's
            assert healthy.events() == Counter({(sent.id, 1): 1, (sent.id, 2): 1})
            # A's attempts give up after ATTEMPT_TIMEOUT: recorded as failed (to be retried),
            # and A's next receipts take their slots.
            wait_for(
                lambda: len(a.control.webhooks()) >= PARALLEL,
                "A's attempts to time out",
                timeout=ATTEMPT_TIMEOUT + 20,
            )
            timed_out = a.control.webhooks()
            assert {(w["outcome"], w["error"]) for w in timed_out} == {
                ("failed", f"no answer within {ATTEMPT_TIMEOUT:g} s")
            }
            wait_for(lambda: len(hung.bodies) >= 2 * PARALLEL, "A's next receipts to go out")
            hung.release()


def test_b_inbound_without_wait_answers_at_once_while_its_receiver_hangs() -> None:
    with running(frozen()) as sandbox, receiver() as hung, account(sandbox) as a:
        a.client.callbacks.set("sms", f"{hung.url}/sms")
        hung.hang()
        assert a.control.webhooks() == []  # (a warm connection: only the sandbox is timed)
        took = []
        for i in range(4):
            started = time.perf_counter()
            a.control.inject_inbound(from_=SUBSCRIBER, to=a.number, body=f"#{i}", wait=False)
            took.append(time.perf_counter() - started)
        # Waiting on the hung receiver would take the whole attempt timeout; the bound is far
        # below that yet far above a loaded CI machine's scheduling noise.
        assert max(took) < ATTEMPT_TIMEOUT / 2, (
            f"inbound answered in {[f'{t:.3f}' for t in took]} s"
        )
        # Delivered in the background: all four reached the receiver, which holds them.
        wait_for(lambda: hung.held == 4, "the inbound webhooks to reach the receiver")
        assert a.control.webhooks() == []  # none answered, so none recorded yet
        hung.release()
        wait_for(lambda: len(delivered(a.control)) == 4, "the four attempts to be recorded")
        bodies = [event_of(json.dumps(w["body"])) for w in a.control.webhooks()]
        assert hung.events() == Counter(bodies) and set(hung.events().values()) == {1}


def test_c_wait_true_answers_once_what_fell_due_was_attempted() -> None:
    with running(frozen()) as sandbox, receiver() as hung, account(sandbox) as a:
        a.client.callbacks.set("sms", f"{hung.url}/sms")
        hung.hang()
        answers: list[Any] = []

        def call(action: Callable[[], Any]) -> threading.Thread:
            thread = threading.Thread(target=lambda: answers.append(action()), daemon=True)
            thread.start()
            return thread

        # inject_inbound waits by default: still unanswered while its webhook is held.
        inbound = call(lambda: a.control.inject_inbound(from_=SUBSCRIBER, to=a.number, body="hi"))
        wait_for(lambda: hung.held == 1, "the inbound webhook to reach the receiver")
        assert inbound.is_alive() and answers == []
        hung.release()
        inbound.join(timeout=15)
        assert not inbound.is_alive()
        assert [w["outcome"] for w in a.control.webhooks()] == ["delivered"]  # recorded first

        # So does clock.advance: both receipts (level 1, then level 2) before it answers.
        sent = a.client.messages.send(
            to=SUBSCRIBER, from_=a.number, body="x", dlr_callback=f"{hung.url}/dlr"
        )
        hung.hang()
        advance = call(lambda: a.control.clock.advance(seconds=5))
        wait_for(lambda: hung.held == 1, "the level-1 receipt to reach the receiver")
        assert advance.is_alive() and len(answers) == 1
        hung.release()
        advance.join(timeout=15)
        assert not advance.is_alive() and len(answers) == 2
        receipts = [w for w in a.control.webhooks() if w["kind"] == "dlr"]
        assert [(w["body"]["data"]["attributes"]["level"], w["outcome"]) for w in receipts] == [
            (1, "delivered"),
            (2, "delivered"),
        ]
        assert [event_of(body) for body in hung.bodies[1:]] == [(sent.id, 1), (sent.id, 2)]

        # wait=False answers while the receipts it made due are still held.
        sent = a.client.messages.send(
            to=SUBSCRIBER, from_=a.number, body="y", dlr_callback=f"{hung.url}/dlr"
        )
        hung.hang()
        advance = call(lambda: a.control.clock.advance(seconds=5, wait=False))
        advance.join(timeout=15)
        assert not advance.is_alive() and len(answers) == 3
        wait_for(lambda: hung.held == 1, "the level-1 receipt to reach the receiver")
        hung.release()
        wait_for(lambda: (sent.id, 2) in hung.events(), "the level-2 receipt")
        assert [event_of(body) for body in hung.bodies[3:]] == [(sent.id, 1), (sent.id, 2)]


def test_d_receiver_down_then_up_gets_every_event_once_per_successful_attempt() -> None:
    port = free_port()  # nothing listens here until the receiver comes up
    with running(frozen()) as sandbox, account(sandbox) as a:
        url = f"http://127.0.0.1:{port}"
        a.client.callbacks.set("sms", f"{url}/sms")
        a.client.callbacks.set("sms_dlr", f"{url}/dlr")
        for i in range(5):
            a.client.messages.send(to=SUBSCRIBER, from_=a.number, body=f"out {i}")
        a.control.clock.advance(seconds=5, wait=False)  # ten receipts fall due
        for i in range(5):  # and five inbound messages, at the same virtual time
            a.control.inject_inbound(from_=SUBSCRIBER, to=a.number, body=f"in {i}", wait=False)
        wait_for(lambda: len(a.control.webhooks()) == 15, "15 attempts at a receiver that is down")
        down = a.control.webhooks()
        assert {w["outcome"] for w in down} == {"failed"}
        assert all(w["status_code"] is None and w["error"] for w in down)
        expected = {event_of(json.dumps(w["body"])) for w in down}
        assert len(expected) == 15

        with receiver(port) as up:
            a.control.clock.advance(seconds=29, wait=True)
            assert up.bodies == []  # retries are 30 s apart
            a.control.clock.advance(seconds=1, wait=False)
            wait_for(lambda: set(up.events()) == expected, "every event after the receiver is up")
            wait_for(lambda: len(delivered(a.control)) == 15, "the deliveries to be recorded")
            a.control.clock.advance(seconds=300)  # nothing left to retry
            attempts = a.control.webhooks()
            successes = Counter(
                event_of(json.dumps(w["body"])) for w in attempts if w["outcome"] == "delivered"
            )
            # Each event arrived exactly as often as an attempt at it succeeded: once.
            assert up.events() == successes == Counter(dict.fromkeys(expected, 1))
            assert len(attempts) == 30 and len(up.bodies) == 15
            # One message's receipts stay in order: level 1 before level 2.
            order = [event_of(body) for body in up.bodies]
            for message, level in order:
                if level == 2:
                    assert order.index((message, 1)) < order.index((message, 2))


def test_e_one_destination_never_holds_more_than_its_bound() -> None:
    """Three accounts send 3 x PER_DESTINATION webhooks to one hung receiver (one destination,
    different paths): it never has more than PER_DESTINATION connections open, while a fourth
    account's webhooks to another receiver go straight through."""
    with running(frozen()) as sandbox, receiver() as hung, receiver() as healthy:
        hung.hang()
        with account(sandbox) as a, account(sandbox) as b, account(sandbox) as c:
            for index, each in enumerate((a, b, c)):
                each.client.callbacks.set("sms", f"{hung.url}/account-{index}")
                for i in range(PER_DESTINATION):
                    each.control.inject_inbound(
                        from_=SUBSCRIBER, to=each.number, body=f"{index}/{i}", wait=False
                    )
            wait_for(lambda: hung.held == PER_DESTINATION, "the receiver to fill up")
            with account(sandbox) as d:
                d.client.callbacks.set("sms", f"{healthy.url}/d")
                d.control.inject_inbound(from_=SUBSCRIBER, to=d.number, body="d")  # waits
                assert [w["outcome"] for w in d.control.webhooks()] == ["delivered"]
            assert hung.held == hung.most_held == hung.most_open == PER_DESTINATION
            hung.release()
            total = 3 * PER_DESTINATION
            wait_for(lambda: len(hung.bodies) == total, "every webhook to the released receiver")
            for each in (a, b, c):
                wait_for(lambda: len(delivered(each.control)) == PER_DESTINATION, "the records")  # noqa: B023
            assert sum(hung.events().values()) == len(set(hung.events())) == total
            assert hung.most_open == PER_DESTINATION  # released, it was still never exceeded


def test_wait_must_be_true_or_false(flowroute_sandbox: SandboxServer) -> None:
    before = flowroute_sandbox.clock.now()
    for path in ("/clock/advance?wait=maybe", "/inbound?wait=2"):
        try:
            flowroute_sandbox.call("POST", path, {"seconds": 60})
        except RuntimeError as error:
            assert "wait must be true or false" in str(error)
        else:
            raise AssertionError(f"{path} was accepted")
    assert flowroute_sandbox.clock.now() == before  # checked before anything happened
