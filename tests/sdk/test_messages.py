"""Messaging through the SDK, sync and async, over real HTTP against the sandbox."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest

from flowroute import (
    BadRequestError,
    IndeterminateResultError,
    InternalServerError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from flowroute.sandbox.server import SandboxServer
from flowroute.types.message import Message, SentMessage

from ..support import Driver, Receiver

SUBSCRIBER = "12065550123"


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    return flowroute_sandbox.seed_numbers(1)[0]


def test_send_sms_and_read_its_record(
    fr: Driver, number: str, flowroute_sandbox: SandboxServer
) -> None:
    sent = fr.messages.send(to="+1 (206) 555-0123", from_=number, body="Hello from the SDK")
    assert isinstance(sent, SentMessage) and sent.id.startswith("mdr2-") and len(sent.id) == 37
    assert (sent.to, sent.from_, sent.segments, sent.is_mms) == (SUBSCRIBER, number, 1, False)

    record = fr.messages.retrieve(sent.id)
    assert isinstance(record, Message)
    assert record.direction == "outbound" and record.body == "Hello from the SDK"
    assert record.amount_nanodollars == 4_000_000 and str(record.amount_display) == "0.0040"
    assert record.delivery_receipts == []  # nothing yet: the fixture's clock is frozen

    flowroute_sandbox.clock.advance(seconds=5)
    receipts = fr.messages.retrieve(sent.id).delivery_receipts
    assert [(r.level, r.status, r.status_code) for r in receipts] == [
        (2, "message buffered", 1003),
        (1, "smsc submit", None),
    ]


def test_send_v2_2_uses_e164(fr: Driver, number: str) -> None:
    sent = fr.messages.send(to=SUBSCRIBER, from_=number, body="hi", api_version="v2.2")
    assert (sent.to, sent.from_) == (f"+{SUBSCRIBER}", f"+{number}")
    record = fr.messages.retrieve(sent.id, api_version="v2.2")
    assert record.to == f"+{SUBSCRIBER}"
    assert record.price_details == {
        "base_rate": "0.0040",
        "charged_cost": "0.0040",
        "segment_count": 1,
        "surcharge_rate": "0.0000",
    }


def test_unicode_is_billed_by_ucs2_segments(fr: Driver, number: str) -> None:
    sent = fr.messages.send(to=SUBSCRIBER, from_=number, body="é" * 71)
    record = fr.messages.retrieve(sent.id)
    assert (sent.segments, record.message_encoding, record.amount_nanodollars) == (2, 8, 8_000_000)


def test_send_mms_with_media(fr: Driver, number: str, receiver: Receiver) -> None:
    receiver.files["/cat.jpg"] = b"\xff\xd8" + b"x" * 2000
    sent = fr.messages.send(
        to=SUBSCRIBER, from_=number, body="look", media_urls=[f"{receiver.url}/cat.jpg"]
    )
    assert sent.is_mms and sent.media_urls == [f"{receiver.url}/cat.jpg"]
    record = fr.messages.retrieve(sent.id)
    assert record.is_mms and record.amount_nanodollars == 19_500_000 and len(record.media) == 1
    text_only = fr.messages.send(to=SUBSCRIBER, from_=number, body="text-only MMS", is_mms=True)
    assert fr.messages.retrieve(text_only.id).is_mms


def test_mms_over_the_size_limit_is_422(fr: Driver, number: str, receiver: Receiver) -> None:
    receiver.files["/big.mp4"] = b"v" * 800_000
    with pytest.raises(UnprocessableEntityError, match="over 767840 byte limit"):
        fr.messages.send(to=SUBSCRIBER, from_=number, media_urls=[f"{receiver.url}/big.mp4"])


def test_list_by_date_range(fr: Driver, number: str, flowroute_sandbox: SandboxServer) -> None:
    first = fr.messages.send(to=SUBSCRIBER, from_=number, body="one")
    flowroute_sandbox.clock.advance(days=2)
    second = fr.messages.send(to=SUBSCRIBER, from_=number, body="two")
    now = flowroute_sandbox.clock.now()
    everything = fr.messages.list(start_date=now - timedelta(days=3))
    assert [m.id for m in everything] == [first.id, second.id]
    assert [m.id for m in fr.messages.list(start_date=(now - timedelta(days=1)).date())] == [
        second.id
    ]
    older = fr.messages.list(start_date=now - timedelta(days=3), end_date=now - timedelta(days=1))
    assert [m.id for m in older] == [first.id]
    assert fr.messages.list(start_date=datetime(2001, 1, 1), end_date="2001-01-02") == []


def test_list_pages_follow_next(fr: Driver, number: str, flowroute_sandbox: SandboxServer) -> None:
    ids = [fr.messages.send(to=SUBSCRIBER, from_=number, body=f"m{i}").id for i in range(5)]
    listed = fr.messages.list(start_date="2000-01-01", page_size=2)
    assert sorted(m.id for m in listed) == sorted(ids)
    assert len(fr.messages.list(start_date="2000-01-01", limit=3)) == 3


def test_callbacks_account_and_number(fr: Driver, number: str) -> None:
    fr.callbacks.set("sms", "https://example.com/sms")
    fr.callbacks.set("mms_dlr", "https://example.com/mms-dlr")
    assert fr.callbacks.get("sms").callback_url == "https://example.com/sms"
    assert fr.callbacks.get("mms_dlr").kind == "mms_dlr_callback"
    fr.callbacks.set("sms", "https://example.com/number-sms", number=number)
    fr.callbacks.clear("sms")
    with pytest.raises(NotFoundError, match="No sms_callback is set"):
        fr.callbacks.get("sms")


def test_bad_input_is_refused_before_sending(fr: Driver, number: str) -> None:
    with pytest.raises(InvalidRequestError, match="to '12345' is not a valid North American"):
        fr.messages.send(to="12345", from_=number, body="x")
    with pytest.raises(InvalidRequestError, match=r"\+44 20 7946 0958"):
        fr.messages.send(to="+44 20 7946 0958", from_=number, body="x")
    with pytest.raises(InvalidRequestError, match="body is required for an SMS"):
        fr.messages.send(to=SUBSCRIBER, from_=number, body="   ")
    with pytest.raises(InvalidRequestError, match="dlr_callback must be an http"):
        fr.messages.send(to=SUBSCRIBER, from_=number, body="x", dlr_callback="not a url")
    with pytest.raises(InvalidRequestError, match="kind must be one of sms, mms, sms_dlr, mms_dlr"):
        fr.callbacks.set("voice", "https://example.com")
    with pytest.raises(InvalidRequestError, match="start_date must be"):
        fr.messages.list(start_date="last tuesday")


def test_max_segments_refuses_or_warns(fr: Driver, number: str) -> None:
    long_body = "x" * 300  # 3 segments of 140
    with pytest.raises(InvalidRequestError, match=r"3 SMS segments .* above max_segments=2"):
        fr.messages.send(to=SUBSCRIBER, from_=number, body=long_body, max_segments=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sent = fr.messages.send(
            to=SUBSCRIBER, from_=number, body=long_body, max_segments=2, on_too_long="warn"
        )
    assert sent.segments == 3 and "above max_segments=2" in str(caught[0].message)


def test_from_must_be_your_number(fr: Driver) -> None:
    with pytest.raises(PermissionDeniedError, match="is not a number on your account"):
        fr.messages.send(to=SUBSCRIBER, from_="12065550100", body="x")


def test_opt_out_and_back_in(fr: Driver, number: str, flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="stop")
    with pytest.raises(BadRequestError, match="opted out") as info:
        fr.messages.send(to=SUBSCRIBER, from_=number, body="still there?")
    assert info.value.code == 1110
    flowroute_sandbox.inject_inbound(from_=SUBSCRIBER, to=number, body="START")
    assert fr.messages.send(to=SUBSCRIBER, from_=number, body="welcome back").id


def test_magic_destinations(fr: Driver, number: str, flowroute_sandbox: SandboxServer) -> None:
    with pytest.raises(BadRequestError) as info:
        fr.messages.send(to="12065550197", from_=number, body="x")
    assert info.value.code == 1110
    fails = fr.messages.send(to="12065550199", from_=number, body="x")
    silent = fr.messages.send(to="12065550198", from_=number, body="x")
    flowroute_sandbox.clock.advance(seconds=10)
    final = fr.messages.retrieve(fails.id).delivery_receipts[0]
    assert final.level == 2 and final.failed and final.status == "message failed"
    assert fr.messages.retrieve(silent.id).delivery_receipts == []


def test_send_500_after_accept_is_not_retried(
    flowroute_sandbox: SandboxServer, number: str
) -> None:
    flowroute_sandbox.faults.add("POST", "/v2.1/messages", status=500, when="after", count=3)
    with flowroute_sandbox.client() as client, pytest.raises(IndeterminateResultError) as info:
        client.messages.send(to=SUBSCRIBER, from_=number, body="exactly once")
    assert f"sending the SMS to {SUBSCRIBER} may have completed" in str(info.value)
    assert isinstance(info.value.cause, InternalServerError)
    assert info.value.payload["data"]["attributes"]["body"] == "exactly once"
    assert [m["attributes"]["body"] for m in flowroute_sandbox.outbox()] == ["exactly once"]


def test_message_ids_are_validated(fr: Driver) -> None:
    with pytest.raises(InvalidRequestError, match="message_id must look like"):
        fr.messages.retrieve("../numbers")
    with pytest.raises(NotFoundError):
        fr.messages.retrieve("mdr2-" + "0" * 32)


def test_now_is_reported_in_utc(flowroute_sandbox: SandboxServer) -> None:
    assert flowroute_sandbox.clock.now().tzinfo is not None
    assert (
        abs((flowroute_sandbox.clock.now() - datetime.now(UTC)).total_seconds()) < 3600 * 24 * 400
    )


def test_ten_segments_is_the_default_limit(
    fr: Driver, number: str, flowroute_sandbox: SandboxServer
) -> None:
    eleven = "x" * (140 * 10 + 1)
    with pytest.raises(InvalidRequestError) as refused:
        fr.messages.send(to=SUBSCRIBER, from_=number, body=eleven)
    assert isinstance(refused.value, ValueError) and flowroute_sandbox.outbox() == []
    assert "11 SMS segments" in str(refused.value) and "above max_segments=10" in str(refused.value)
    assert "about $0.0440 at $0.0040 per segment" in str(refused.value)
    assert fr.messages.send(to=SUBSCRIBER, from_=number, body="x" * 1400).segments == 10
    lifted = fr.messages.send(to=SUBSCRIBER, from_=number, body=eleven, max_segments=None)
    assert lifted.segments == 11
