"""Messages, delivery receipts and messaging webhooks as Flowroute shapes them."""

from __future__ import annotations

from typing import Any

from ..clock import mdr_timestamp
from ..records import Message

SMS_NANODOLLARS = 4_000_000  # $0.0040 per segment

# (seconds after sending, level, status, status_code, description)
Receipt = tuple[float, int, str, int | None, str]
SUBMITTED: Receipt = (1.0, 1, "smsc submit", None, "Message has been sent")
RECEIPT_PLANS: dict[str, list[Receipt]] = {
    "delivered": [SUBMITTED, (3.0, 2, "message buffered", 1003, "Message accepted by Carrier")],
    "failed": [SUBMITTED, (3.0, 2, "message failed", 1004, "Message failed: unknown subscriber")],
    "none": [],
}


def display(nanodollars: int) -> str:
    return f"${nanodollars / 1e9:.4f}"


def wire_number(value: str, version: str) -> str:
    return "+" + value if version == "v2.2" else value


def receipts(row: Message, now: float) -> list[dict[str, Any]]:
    """Receipts that have happened by ``now``, newest first (as Flowroute lists them)."""
    if row.direction != "outbound" or row.is_mms:
        return []
    return [
        {
            "level": level,
            "status": status,
            "status_code": code,
            "status_code_description": description,
            "timestamp": mdr_timestamp(row.created_at + after),
        }
        for after, level, status, code, description in reversed(RECEIPT_PLANS[row.outcome])
        if row.created_at + after <= now
    ]


def media_objects(row: Message, base: str, version: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "media",
            "id": f"{row.id[5:]}-{index + 1}",
            "attributes": {
                "file_name": item.get("file_name"),
                "file_size": item.get("file_size"),
                "mime_type": item.get("mime_type"),
                "url": item["url"],
            },
            "links": {"self": f"{base}/{version}/media/{row.id[5:]}-{index + 1}"},
        }
        for index, item in enumerate(row.media or [])
    ]


def message_resource(row: Message, base: str, version: str, now: float) -> dict[str, Any]:
    done = receipts(row, now)
    status = done[0]["status"] if done else ("delivered" if row.direction == "inbound" else "")
    attributes = {
        "amount_display": display(row.amount_nanodollars),
        "amount_nanodollars": row.amount_nanodollars,
        "body": row.body,
        "delivery_receipts": done,
        "direction": row.direction,
        "from": wire_number(row.from_number, version),
        "is_mms": row.is_mms,
        "message_encoding": row.message_encoding,
        "message_type": row.message_type,
        "status": "" if row.is_mms else status,
        "timestamp": mdr_timestamp(row.created_at),
        "to": wire_number(row.to_number, version),
    }
    if version == "v2.2":
        base_rate = (
            f"{SMS_NANODOLLARS / 1e9:.4f}"
            if not row.is_mms
            else display(row.amount_nanodollars)[1:]
        )
        attributes["price_details"] = {
            "base_rate": base_rate,
            "charged_cost": display(row.amount_nanodollars)[1:],
            "segment_count": row.segments,
            "surcharge_rate": "0.0000",
        }
    resource: dict[str, Any] = {
        "type": "message",
        "id": row.id,
        "attributes": attributes,
        "links": {"self": f"{base}/{version}/messages/{row.id}"},
    }
    if row.is_mms:
        resource["relationships"] = {
            "media": {
                "data": [
                    {"type": "media", "id": m["id"]} for m in media_objects(row, base, version)
                ]
            }
        }
    return resource


def sent(row: Message, base: str, version: str) -> dict[str, Any]:
    """The 202 answer to a send: just the new message's id and link."""
    link = f"{base}/{version}/messages/{row.id}"
    return {"data": {"type": "message", "id": row.id, "links": {"self": link}}}


def callback(kind: str, url: str) -> dict[str, Any]:
    return {
        "data": {
            "type": kind,
            "attributes": {"callback_url": url, "product": kind.split("_", maxsplit=1)[0]},
        }
    }


def inbound_webhook(row: Message, url: str, shape: str, base: str) -> dict[str, Any]:
    if shape == "compact":
        body: dict[str, Any] = {
            "to": row.to_number,
            "from": row.from_number,
            "body": row.body,
            "id": row.id,
        }
        if row.is_mms:
            body["media_urls"] = [item["url"] for item in row.media or []]
        return body
    resource = message_resource(row, base, "v2.1", row.created_at)
    attributes = resource["attributes"]
    attributes["message_callback_url"] = url
    if not row.is_mms:
        # Real inbound SMS webhooks send the amount as a string (spec 1.15).
        attributes["amount_nanodollars"] = str(row.amount_nanodollars)
        del attributes["delivery_receipts"]
    resource.pop("links")
    document: dict[str, Any] = {"data": resource}
    if row.is_mms:
        document["included"] = media_objects(row, base, "v2.2")
    return document


def receipt_webhook(row: Message, receipt: Receipt, shape: str, base: str) -> dict[str, Any]:
    after, level, status, code, description = receipt
    attributes = {
        "body": "" if row.is_mms else row.body,
        "level": level,
        "status": status,
        "status_code": code,
        "status_code_description": description,
        "timestamp": mdr_timestamp(row.created_at + after),
    }
    if shape == "compact":
        attributes = {"to": row.to_number, "from": row.from_number, **attributes}
        return {"attributes": attributes, "id": row.id, "type": "delivery_receipt"}
    return {
        "data": {
            "type": "delivery_receipt",
            "id": row.id,
            "attributes": attributes,
            "links": {"related": f"{base}/v2.1/messages/{row.id}"},
        }
    }
