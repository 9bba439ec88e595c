"""What the inbox's forms do, each through the same backend call as its API or control API
counterpart (same validation, limits and webhooks). Each returns a line for the page."""

from __future__ import annotations

import math
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from ..errors import ApiError, quoted
from ..web.fault_input import parse_fault
from ..web.parse import record_id
from .context import Viewer

Action = Callable[[Viewer, dict[str, Any]], Awaitable[str]]


def _text(fields: dict[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is not None and not isinstance(value, str):
        raise ApiError(400, f"{name} must be text.")
    return value or None


async def customer(v: Viewer, fields: dict[str, Any]) -> str:
    """A text from a customer to one of the account's numbers: the control API's inbound."""
    media_url = _text(fields, "media_url")
    inbound: dict[str, Any] = {
        "from": fields.get("from"),
        "to": fields.get("to"),
        "body": _text(fields, "body"),
    }
    if media_url:
        kind = mimetypes.guess_type(media_url)[0] or "image/jpeg"
        inbound["media"] = [{"url": media_url, "mime_type": kind}]
    row, url = v.backend.messages.receive(v.owner, inbound, base=v.base)
    v.state.dispatcher.kick(v.owner.id)
    where = f"posted to {url}" if url else "no callback is set, so no webhook"
    return f"Received by +{row.to_number}; {where}."


async def account(v: Viewer, fields: dict[str, Any]) -> str:
    """A send from the account: the API's send (validation, pricing, rate limit, receipts)."""
    media_url = _text(fields, "media_url")
    outbound = {
        "from": fields.get("from"),
        "to": fields.get("to"),
        "body": _text(fields, "body"),
        "media_urls": [media_url] if media_url else [],
    }
    row = await v.backend.messages.send(v.owner, outbound, version="v2.1", base=v.base)
    return f"Sent to +{row.to_number} ({row.id})."


async def replay(v: Viewer, fields: dict[str, Any]) -> str:
    delivery = record_id(fields.get("delivery"), "Webhook delivery")
    v.backend.inbox.replay(v.owner, delivery)
    v.state.dispatcher.kick(v.owner.id)
    return f"Delivery #{delivery} is being sent again."


async def cnam(v: Viewer, fields: dict[str, Any]) -> str:
    ident = record_id(fields.get("cnam"), "CNAM record")
    decision = fields.get("decision")
    if decision not in ("approve", "reject"):
        raise ApiError(400, 'decision must be "approve" or "reject".')
    reason = (_text(fields, "reason") or "Rejected by review.") if decision == "reject" else None
    record = v.backend.cnams.decide(v.owner, ident, reason)
    return f"CNAM {record.value} {'approved' if reason is None else 'rejected'}."


def _number(value: Any, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"{name} must be a number, got {quoted(value)}.") from None
    if not math.isfinite(number) or number < 0:
        raise ApiError(400, f"{name} must be a finite number of at least 0.")
    return number


async def clock(v: Viewer, fields: dict[str, Any]) -> str:
    if fields.get("seconds") not in (None, ""):
        seconds = _number(fields["seconds"], "seconds")
    else:
        seconds = _number(fields.get("hours"), "hours") * 3600
    v.backend.accounts.advance_clock(v.owner, seconds)
    v.state.dispatcher.kick(v.owner.id)
    return f"The clock moved {seconds / 3600:g} h ahead."


async def fault(v: Viewer, fields: dict[str, Any]) -> str:
    """A fault from the form: the control API's parsing and checks (status 503 when left blank,
    as the form suggests)."""
    defined = parse_fault({**fields, "status": fields.get("status") or "503"}, form=True)
    added = v.state.faults.add(v.owner.id, defined)
    return f"Fault {added.id} added."


async def clear_faults(v: Viewer, fields: dict[str, Any]) -> str:
    v.state.faults.clear(v.owner.id)
    return "Faults cleared."


ACTIONS: dict[str, Action] = {
    "customer": customer,
    "account": account,
    "replay": replay,
    "cnam": cnam,
    "clock": clock,
    "fault": fault,
    "clear-faults": clear_faults,
}
