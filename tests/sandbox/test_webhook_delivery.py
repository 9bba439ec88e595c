"""Webhooks from the sandbox to a real local receiver: inbound texts, receipts, retries, policy."""

from __future__ import annotations

import gzip
import json
import socket
import threading

import pytest

from flowroute import Flowroute, webhooks
from flowroute.sandbox import outbound
from flowroute.sandbox.outbound import EXCERPT_CHARS, excerpt
from flowroute.sandbox.server import SandboxServer, running
from flowroute.sandbox.settings import SandboxSettings

from ..support import Receiver

SUBSCRIBER = "12065550123"


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    return flowroute_sandbox.seed_numbers(1)[0]


def test_sms_round_trip(flowroute_sandbox: SandboxServer, number: str, receiver: Receiver) -> None:
    """A receiver gets an inbound SMS, replies through the SDK, then gets the reply's receipts."""
    client = flowroute_sandbox.client()
    client.callbacks.set("sms", f"{receiver.url}/sms")
    client.callbacks.set("sms_dlr", f"{receiver.url}/dlr")
    replies: list[str] = []

    def reply(body: bytes) -> None:
        event = webhooks.parse(body)
        if isinstance(event, webhooks.InboundMessage):
            sent = client.messages.send(
                to=event.from_ or "", from_=event.to or "", body=f"echo: {event.body}"
            )
            replies.append(sent.id)

    receiver.on_post = reply
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="ping")
    (inbound,) = [webhooks.parse(json.dumps(b)) for b in receiver.bodies("/sms")]
    assert isinstance(inbound, webhooks.InboundMessage) and inbound.body == "ping"
    assert inbound.message_callback_url == f"{receiver.url}/sms"
    assert len(replies) == 1

    flowroute_sandbox.clock.advance(seconds=5)
    receipts = [webhooks.parse(json.dumps(b)) for b in receiver.bodies("/dlr")]
    assert [(r.id, r.level) for r in receipts] == [(replies[0], 1), (replies[0], 2)]  # type: ignore[union-attr]
    assert [m["attributes"]["body"] for m in flowroute_sandbox.outbox()] == ["echo: ping"]


def test_mms_round_trip(flowroute_sandbox: SandboxServer, number: str, receiver: Receiver) -> None:
    client = flowroute_sandbox.client()
    client.callbacks.set("mms", f"{receiver.url}/mms")
    client.callbacks.set("mms_dlr", f"{receiver.url}/mms-dlr")
    receiver.files["/reply.png"] = b"\x89PNG" + b"p" * 500
    photo = {"url": f"{receiver.url}/photo.jpg", "mime_type": "image/jpeg", "file_size": 14832}
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, media=[photo])
    (event,) = [webhooks.parse(json.dumps(b)) for b in receiver.bodies("/mms")]
    assert isinstance(event, webhooks.InboundMessage) and event.is_mms and event.body is None
    assert [(m.url, m.mime_type, m.file_size) for m in event.media] == [
        (photo["url"], "image/jpeg", 14832)
    ]

    sent = client.messages.send(
        to=SUBSCRIBER, from_=number, media_urls=[f"{receiver.url}/reply.png"]
    )
    flowroute_sandbox.clock.advance(seconds=5)
    receipts = [webhooks.parse(json.dumps(b)) for b in receiver.bodies("/mms-dlr")]
    assert {r.id for r in receipts} == {sent.id} and all(r.body == "" for r in receipts)


def test_per_number_callback_overrides_account(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    client = flowroute_sandbox.client()
    client.callbacks.set("sms", f"{receiver.url}/account")
    client.callbacks.set("sms", f"{receiver.url}/number", number=number)
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    assert [p for p, _, _ in receiver.requests] == ["/number"]


def test_per_message_dlr_callback(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    client = flowroute_sandbox.client()
    client.callbacks.set("sms_dlr", f"{receiver.url}/account-dlr")
    sent = client.messages.send(
        to=SUBSCRIBER, from_=number, body="x", dlr_callback=f"{receiver.url}/mine"
    )
    flowroute_sandbox.clock.advance(seconds=5)
    assert [p for p, _, _ in receiver.requests] == ["/mine", "/mine"]
    assert receiver.bodies()[0]["data"]["id"] == sent.id


def test_receiver_down_then_up(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    Flowroute(
        base_url=flowroute_sandbox.base_url,
        access_key=flowroute_sandbox.access_key,
        secret_key=flowroute_sandbox.secret_key,
    ).callbacks.set("sms", f"{receiver.url}/sms")
    receiver.statuses = [503, 500]
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="are you there?")
    assert len(receiver.requests) == 1
    flowroute_sandbox.clock.advance(seconds=29)
    assert len(receiver.requests) == 1  # retries are 30 s apart
    flowroute_sandbox.clock.advance(seconds=1)
    flowroute_sandbox.clock.advance(seconds=30)
    attempts = flowroute_sandbox.webhooks()
    assert [(a["status_code"], a["outcome"]) for a in attempts] == [
        (503, "failed"),
        (500, "failed"),
        (200, "delivered"),
    ]
    assert "Flowroute wants 200" in attempts[0]["error"]
    assert len({json.dumps(a["body"]) for a in attempts}) == 1  # the same body each time
    flowroute_sandbox.clock.advance(seconds=300)
    assert len(receiver.requests) == 3  # nothing after the 200


def test_an_attempt_records_its_latency_and_the_start_of_the_answer(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    flowroute_sandbox.client().callbacks.set("sms", f"{receiver.url}/sms")
    receiver.statuses = [503]
    receiver.answer = b'{"ok": true}\r\n\tthanks\x00\x1b[0m <b>x</b>'
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    flowroute_sandbox.clock.advance(seconds=30)
    failed, delivered = flowroute_sandbox.webhooks()
    assert (failed["outcome"], delivered["outcome"]) == ("failed", "delivered")
    for attempt in (failed, delivered):  # control characters but newline and tab are left out
        assert attempt["response_excerpt"] == '{"ok": true}\n\tthanks[0m <b>x</b>'
        assert isinstance(attempt["latency_ms"], float) and attempt["latency_ms"] >= 0
    assert failed["latency_ms"] < 10_000  # a real answer, not the attempt timeout


def test_a_long_or_binary_answer_is_cut_to_the_excerpt(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    flowroute_sandbox.client().callbacks.set("sms", f"{receiver.url}/sms")
    answers = [
        (b"\xff\xfe" + "é".encode() * 4_000_000, {}),  # 8 MB; only its start is read
        (gzip.compress(b"hello " * 1_000_000), {"Content-Encoding": "gzip"}),
        (b"", {}),
    ]
    for answer, headers in answers:
        receiver.answer, receiver.answer_headers = answer, headers
        flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    binary, zipped, empty = (a["response_excerpt"] for a in flowroute_sandbox.webhooks())
    assert binary == "\ufffd\ufffd" + "é" * (EXCERPT_CHARS - 2)
    assert zipped == ("hello " * 40)[:EXCERPT_CHARS]
    assert empty == ""  # an answer with no body: not None, which means no answer at all
    assert [a["outcome"] for a in flowroute_sandbox.webhooks()] == ["delivered"] * 3


def test_an_excerpt_leaves_out_a_character_cut_at_the_end() -> None:
    assert excerpt("ab€".encode()[:-1]) == "ab"
    assert excerpt("a\x7f\x85b\x0bc\u2028".encode()) == "abc\u2028"  # C0, DEL and C1


def test_gives_up_after_five_attempts(
    flowroute_sandbox: SandboxServer, number: str, receiver: Receiver
) -> None:
    flowroute_sandbox.client().callbacks.set("sms", f"{receiver.url}/sms")
    receiver.statuses = [500] * 10
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="lost")
    for _ in range(6):
        flowroute_sandbox.clock.advance(seconds=30)
    assert len(receiver.requests) == 5  # the first try and four retries
    assert [a["outcome"] for a in flowroute_sandbox.webhooks()] == ["failed"] * 5


def test_external_hosts_are_not_contacted(flowroute_sandbox: SandboxServer, number: str) -> None:
    client = flowroute_sandbox.client()
    client.callbacks.set("sms", "https://hooks.example.com/sms")
    result = flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    assert result["data"]["id"].startswith("mdr2-")  # the API call itself succeeds
    (attempt,) = flowroute_sandbox.webhooks()
    assert attempt["outcome"] == "blocked" and attempt["status_code"] is None
    assert attempt["latency_ms"] is None and attempt["response_excerpt"] is None  # never sent
    assert "hooks.example.com is not a loopback address" in attempt["error"]
    assert "--allow-external-hosts" in attempt["error"]
    sent = client.messages.send(
        to=SUBSCRIBER, from_=number, media_urls=["https://cdn.example.com/x.png"]
    )
    assert sent.is_mms  # media on other hosts is not fetched, and the send still succeeds


def test_compact_shape(flowroute_sandbox: SandboxServer, number: str, receiver: Receiver) -> None:
    flowroute_sandbox.set_webhook_format("compact")
    client = flowroute_sandbox.client()
    client.callbacks.set("sms", f"{receiver.url}/sms")
    client.callbacks.set("sms_dlr", f"{receiver.url}/dlr")
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="compact please")
    sent = client.messages.send(to=SUBSCRIBER, from_=number, body="ok")
    flowroute_sandbox.clock.advance(seconds=5)
    inbound = receiver.bodies("/sms")[0]
    assert set(inbound) == {"to", "from", "body", "id"} and inbound["body"] == "compact please"
    receipt = receiver.bodies("/dlr")[0]
    assert (
        receipt["type"] == "delivery_receipt" and receipt["id"] == sent.id and "data" not in receipt
    )
    assert isinstance(webhooks.parse(json.dumps(receipt)), webhooks.DeliveryReceipt)


def test_reset_restores_the_default_shape(
    flowroute_sandbox: SandboxServer, receiver: Receiver
) -> None:
    flowroute_sandbox.set_webhook_format("compact")
    flowroute_sandbox.reset()
    [number] = flowroute_sandbox.seed_numbers(1)
    with flowroute_sandbox.client() as client:
        client.callbacks.set("sms", f"{receiver.url}/sms")
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
    assert receiver.bodies("/sms")[0]["data"]["type"] == "message"


def test_webhook_format_setting_is_the_default_for_new_accounts(receiver: Receiver) -> None:
    settings = SandboxSettings(clock_speed=0, webhook_format="compact")
    with running(settings) as sandbox, sandbox.client() as client:
        [number] = sandbox.seed_numbers(1)
        client.callbacks.set("sms", f"{receiver.url}/sms")
        sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="compact by default")
    assert receiver.bodies("/sms")[0]["body"] == "compact by default"
    with pytest.raises(ValueError, match="jsonapi"):
        SandboxSettings(webhook_format="xml")  # type: ignore[arg-type]


def test_a_200_whose_body_stalls_is_delivered_with_what_arrived(
    flowroute_sandbox: SandboxServer, number: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The receiver answers 200 and the start of a body, then holds the connection open. Once the
    # status is in, the attempt is judged by it: not a failure to retry when time runs out.
    monkeypatch.setattr(outbound, "ATTEMPT_TIMEOUT", 0.5)  # the sandbox runs in this process
    released = threading.Event()
    listener = socket.create_server(("127.0.0.1", 0))

    def answer_then_stall() -> None:
        connection, _ = listener.accept()
        with connection:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nstarted")
            released.wait(timeout=30)

    threading.Thread(target=answer_then_stall, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/sms"
        flowroute_sandbox.client().callbacks.set("sms", url)
        flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="hi")
        (attempt,) = flowroute_sandbox.webhooks()
    finally:
        released.set()
        listener.close()
    assert (attempt["outcome"], attempt["status_code"]) == ("delivered", 200)
    assert attempt["response_excerpt"] == "started"
