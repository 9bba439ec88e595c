"""flowroute.webhooks.parse on every shape Flowroute sends, with real-world type drift."""

from __future__ import annotations

import gzip
import json
import re
from decimal import Decimal
from typing import Any

import pytest

from flowroute import webhooks

# From the spec: an inbound SMS as a real app captured it (amount as a string).
JSONAPI_SMS = {
    "data": {
        "type": "message",
        "id": "mdr2-af84b158ee2b11e8b507c61432586dcd",
        "attributes": {
            "amount_display": "$0.0040",
            "amount_nanodollars": "4000000",
            "body": "SMS Forward Test",
            "direction": "inbound",
            "from": "12067392634",
            "is_mms": False,
            "message_callback_url": "https://example.com/sms",
            "message_encoding": 0,
            "message_type": "longcode",
            "status": "delivered",
            "timestamp": "2017-11-16T23:45:29.37Z",
            "to": 12012673227,
            "brand_new_field": {"added": "later"},
        },
    }
}
JSONAPI_MMS = {
    "data": {
        "id": "mdr2-0123456789abcdef0123456789abcdef",
        "type": "message",
        "attributes": {
            "amount_display": "$0.0195",
            "amount_nanodollars": 19500000,
            "body": None,
            "delivery_receipts": [],
            "direction": "inbound",
            "from": "12345678900",
            "is_mms": True,
            "message_encoding": 0,
            "message_type": "longcode",
            "status": "",
            "timestamp": "2022-09-03T20:40:11.00Z",
            "to": "12065550100",
        },
        "relationships": {"media": {"data": [{"id": "abc-1", "type": "media"}]}},
    },
    "included": [
        {
            "id": "abc-1",
            "type": "media",
            "attributes": {
                "file_name": "image000000.png",
                "file_size": 14832,
                "mime_type": "image/png",
                "url": "https://s3.us-west-2.amazonaws.com/flowroute-messaging-media/abc",
            },
            "links": {"self": "https://api.flowroute.com/v2.2/media/abc-1"},
        }
    ],
}
JSONAPI_DLR = {
    "data": {
        "type": "delivery_receipt",
        "id": "mdr2-39cadeace66e11e7aff806cd7f24ba2d",
        "attributes": {
            "body": "hello",
            "level": 2,
            "status": "message buffered",
            "status_code": "1003",
            "status_code_description": "Message accepted by Carrier",
            "timestamp": "2017-12-21T16:44:35.00Z",
            "carrier_extra": True,
        },
        "links": {
            "related": "https://api.flowroute.com/v2.1/messages/mdr2-39cadeace66e11e7aff806cd7f24ba2d"
        },
    }
}
COMPACT_SMS = {
    "to": "12065550100",
    "from": "12065550123",
    "body": "hi",
    "id": "mdr2-" + "a" * 32,
    "x": 1,
}
COMPACT_MMS = {**COMPACT_SMS, "body": None, "media_urls": ["https://example.com/a.jpg"]}
COMPACT_DLR = {
    "attributes": {
        "to": "12065550123",
        "from": "12065550100",
        "body": "hi",
        "status": "smsc submit",
    },
    "id": "mdr2-" + "b" * 32,
    "type": "delivery_receipt",
}


def test_jsonapi_sms_with_drift_and_unknown_fields() -> None:
    event = webhooks.parse(json.dumps(JSONAPI_SMS).encode(), {"Content-Type": "application/json"})
    assert isinstance(event, webhooks.InboundMessage)
    assert (event.from_, event.to, event.body) == ("12067392634", "12012673227", "SMS Forward Test")
    assert event.amount_nanodollars == 4_000_000 and event.amount_display == Decimal("0.0040")
    assert event.timestamp is not None and event.timestamp.microsecond == 370000
    assert event.attributes["brand_new_field"] == {"added": "later"}
    assert event.to_dict()["brand_new_field"] == {"added": "later"}
    assert not event.is_mms and event.media == []


def test_jsonapi_mms_resolves_included_media() -> None:
    event = webhooks.parse(json.dumps(JSONAPI_MMS))
    assert isinstance(event, webhooks.InboundMessage) and event.is_mms and event.body is None
    (media,) = event.media
    assert (media.id, media.file_name, media.file_size, media.mime_type) == (
        "abc-1",
        "image000000.png",
        14832,
        "image/png",
    )
    assert media.url is not None and media.url.startswith("https://s3.")


def test_jsonapi_dlr() -> None:
    event = webhooks.parse(JSONAPI_DLR)
    assert isinstance(event, webhooks.DeliveryReceipt)
    assert (event.level, event.status_code, event.failed) == (2, 1003, False)
    assert event.raw["attributes"]["carrier_extra"] is True


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (COMPACT_SMS, webhooks.InboundMessage),
        (COMPACT_MMS, webhooks.InboundMessage),
        (COMPACT_DLR, webhooks.DeliveryReceipt),
    ],
)
def test_compact_shapes(body: dict[str, Any], kind: type) -> None:
    event = webhooks.parse(json.dumps(body))
    assert isinstance(event, kind)
    assert event.raw.get("x", event.raw.get("id")) is not None


def test_compact_mms_media_and_dlr_fields() -> None:
    mms = webhooks.parse(json.dumps(COMPACT_MMS))
    assert isinstance(mms, webhooks.InboundMessage) and mms.is_mms
    assert [m.url for m in mms.media] == ["https://example.com/a.jpg"]
    dlr = webhooks.parse(json.dumps(COMPACT_DLR))
    assert isinstance(dlr, webhooks.DeliveryReceipt)
    assert (dlr.to, dlr.from_, dlr.status, dlr.level) == (
        "12065550123",
        "12065550100",
        "smsc submit",
        None,
    )


def test_gzip_body() -> None:
    body = gzip.compress(json.dumps(COMPACT_SMS).encode())
    assert isinstance(webhooks.parse(body, {"Content-Encoding": "gzip"}), webhooks.InboundMessage)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<xml/>", "webhook body is not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"data": {"type": "number", "id": "1"}}', "not a Flowroute messaging webhook"),
        (b'{"hello": "world"}', "got keys ['hello']"),
    ],
)
def test_anything_else_is_a_clear_error(body: bytes, message: str) -> None:
    with pytest.raises(webhooks.WebhookError, match=re.escape(message)):
        webhooks.parse(body)


def test_an_inbound_message_always_has_both_numbers() -> None:
    event = webhooks.parse(
        b'{"to": 12065550100, "from": 12065550123, "body": "hi", "id": "mdr2-a"}'
    )
    assert isinstance(event, webhooks.InboundMessage)
    assert (event.from_, event.to) == ("12065550123", "12065550100")  # str, ready to reply with
    body = b'{"data": {"type": "message", "id": "mdr2-b", "attributes": {"body": "x", "to": "1"}}}'
    with pytest.raises(webhooks.WebhookError, match="without a valid from"):
        webhooks.parse(body)
