"""Messaging rules shared by the API and the control endpoints: pricing, delivery-receipt plans,
magic numbers, callback resolution and the shapes of messages and webhooks."""

from __future__ import annotations

import uuid
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select

from ..segments import analyze
from .clock import mdr_timestamp
from .dispatcher import schedule
from .store.schema import callbacks, messages, numbers, opt_outs

SMS_NANODOLLARS = 4_000_000  # $0.0040 per segment
MMS_NANODOLLARS = 19_500_000  # $0.0195 per message
MMS_MAX_BYTES = 767_840

# Magic destinations (last seven digits), documented in docs/sandbox.md.
MAGIC_OPTED_OUT = "5550197"  # refused at send time with code 1110
MAGIC_NO_RECEIPT = "5550198"  # no delivery receipts at all
MAGIC_FAILS = "5550199"  # level 1, then a failed level 2

# (seconds after sending, level, status, status_code, description)
Receipt = tuple[float, int, str, int | None, str]
SUBMITTED: Receipt = (1.0, 1, "smsc submit", None, "Message has been sent")
RECEIPT_PLANS: dict[str, list[Receipt]] = {
    "delivered": [SUBMITTED, (3.0, 2, "message buffered", 1003, "Message accepted by Carrier")],
    "failed": [SUBMITTED, (3.0, 2, "message failed", 1004, "Message failed: unknown subscriber")],
    "none": [],
}

# A message as selected from the store, or as just stored: both expose the columns as attributes.
StoredMessage = Row[Any] | SimpleNamespace

CALLBACK_KINDS = ("sms_callback", "mms_callback", "sms_dlr_callback", "mms_dlr_callback")
CALLBACK_ALIASES = {"dlr_callback": "sms_dlr_callback"}  # deprecated name, still accepted


def new_message_id() -> str:
    return "mdr2-" + uuid.uuid4().hex


def outcome_for(to_number: str) -> str:
    if to_number.endswith(MAGIC_FAILS):
        return "failed"
    if to_number.endswith(MAGIC_NO_RECEIPT):
        return "none"
    return "delivered"


def price(body: str | None, is_mms: bool) -> tuple[int, int, int]:
    """(message_encoding, segments, amount_nanodollars)."""
    info = analyze(body or "")
    if is_mms:
        return info.encoding, 1, MMS_NANODOLLARS
    return info.encoding, info.segments, SMS_NANODOLLARS * info.segments


def display(nanodollars: int) -> str:
    return f"${nanodollars / 1e9:.4f}"


def wire_number(value: str, version: str) -> str:
    return "+" + value if version == "v2.2" else value


# Statements on the send path are built once: SQLAlchemy then reuses their compiled form.
_NUMBER_TYPE = select(numbers.c.number_type).where(
    numbers.c.account_id == bindparam("account"), numbers.c.value == bindparam("number")
)
_SENDER = select(
    numbers.c.number_type,
    select(opt_outs.c.id)
    .where(
        opt_outs.c.account_id == numbers.c.account_id,
        opt_outs.c.number == numbers.c.value,
        opt_outs.c.subscriber == bindparam("subscriber"),
    )
    .exists()
    .label("opted_out"),
).where(numbers.c.account_id == bindparam("account"), numbers.c.value == bindparam("number"))
_CALLBACKS = select(callbacks.c.number, callbacks.c.url).where(
    callbacks.c.account_id == bindparam("account"),
    callbacks.c.kind == bindparam("kind"),
    callbacks.c.number.in_(bindparam("numbers", expanding=True)),
)


def message_type(conn: Connection, account_id: int, number: str) -> str | None:
    """``longcode`` or ``toll-free`` for one of the account's numbers; None if not its number."""
    kind = conn.scalar(_NUMBER_TYPE, {"account": account_id, "number": number})
    if kind is None:
        return None
    return "toll-free" if kind == "toll-free" else "longcode"


# --- rendering -------------------------------------------------------------------------------


def receipts(row: StoredMessage, now: float) -> list[dict[str, Any]]:
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


def media_objects(row: StoredMessage, base: str, version: str) -> list[dict[str, Any]]:
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


def message_resource(row: StoredMessage, base: str, version: str, now: float) -> dict[str, Any]:
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


# --- callbacks ---------------------------------------------------------------------------------


def set_callback(
    conn: Connection, account_id: int, number: str, kind: str, url: str | None
) -> None:
    conn.execute(
        delete(callbacks).where(
            callbacks.c.account_id == account_id,
            callbacks.c.number == number,
            callbacks.c.kind == kind,
        )
    )
    if url is not None:
        conn.execute(
            insert(callbacks).values(account_id=account_id, number=number, kind=kind, url=url)
        )


def callback_url(conn: Connection, account_id: int, number: str, kind: str) -> str | None:
    """The number's own callback of ``kind``, else the account's."""
    params = {"account": account_id, "kind": kind, "numbers": [number, ""]}
    rows = dict(conn.execute(_CALLBACKS, params).all())
    return rows.get(number) or rows.get("")


# --- webhooks ----------------------------------------------------------------------------------


def inbound_webhook(row: StoredMessage, url: str, shape: str, base: str) -> dict[str, Any]:
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


def receipt_webhook(row: StoredMessage, receipt: Receipt, shape: str, base: str) -> dict[str, Any]:
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


def schedule_receipts(conn: Connection, row: StoredMessage, shape: str, base: str) -> None:
    kind = "mms_dlr_callback" if row.is_mms else "sms_dlr_callback"
    url = row.dlr_callback or callback_url(conn, row.account_id, row.from_number, kind)
    if not url:
        return
    for receipt in RECEIPT_PLANS[row.outcome]:
        schedule(
            conn,
            account_id=row.account_id,
            kind="dlr",
            message_id=row.id,
            url=url,
            body=receipt_webhook(row, receipt, shape, base),
            due_at=row.created_at + receipt[0],
        )


def record_keyword(
    conn: Connection, account_id: int, number: str, subscriber: str, text: str | None
) -> None:
    """STOP (a single word, any case) opts the subscriber out of this number; START/UNSTOP in."""
    keyword = (text or "").strip().upper()
    match = (
        opt_outs.c.account_id == account_id,
        opt_outs.c.number == number,
        opt_outs.c.subscriber == subscriber,
    )
    if keyword == "STOP":
        if conn.scalar(select(opt_outs.c.id).where(*match)) is None:
            conn.execute(
                insert(opt_outs).values(account_id=account_id, number=number, subscriber=subscriber)
            )
    elif keyword in ("START", "UNSTOP"):
        conn.execute(delete(opt_outs).where(*match))


def sender_status(
    conn: Connection, account_id: int, number: str, subscriber: str
) -> tuple[str | None, bool]:
    """One query on the send path: the number's message type (None when it is not the
    account's) and whether ``subscriber`` has opted out of it."""
    params = {"account": account_id, "number": number, "subscriber": subscriber}
    row = conn.execute(_SENDER, params).first()
    if row is None:
        return None, False
    return ("toll-free" if row.number_type == "toll-free" else "longcode"), bool(row.opted_out)


def store_message(
    conn: Connection,
    *,
    account_id: int,
    direction: str,
    sender: str,
    to: str,
    body: str | None,
    media: list[dict[str, Any]],
    is_mms: bool,
    message_type: str,
    created_at: float,
    dlr_callback: str | None = None,
) -> SimpleNamespace:
    """Price and insert a message; returns it with the attributes a selected row has."""
    encoding, segments, amount = price(body, is_mms)
    values = {
        "id": new_message_id(),
        "account_id": account_id,
        "direction": direction,
        "from_number": sender,
        "to_number": to,
        "body": body,
        "is_mms": is_mms,
        "media": media,
        "message_encoding": encoding,
        "segments": segments,
        "amount_nanodollars": amount,
        "message_type": message_type,
        "created_at": created_at,
        "dlr_callback": dlr_callback,
        # Only what we send has receipts to play out (magic destinations pick the ending).
        "outcome": outcome_for(to) if direction == "outbound" else "delivered",
    }
    conn.execute(insert(messages), values)
    return SimpleNamespace(**values)
