"""Parse what Flowroute posts to your callback URLs.

    from flowroute import webhooks

    event = webhooks.parse(request_body_bytes, request_headers)
    if isinstance(event, webhooks.InboundMessage): ...
    elif isinstance(event, webhooks.DeliveryReceipt): ...

Flowroute sends two shapes and both are accepted: JSON:API (``{"data": {"type": "message" |
"delivery_receipt", ...}}``, MMS media under ``included``) and compact (``{"to", "from", "body",
"id"}`` for messages, ``{"attributes": {...}, "id", "type": "delivery_receipt"}`` for receipts).
Type drift in real payloads (amounts as strings, numbers as ints, ``body: null``, timestamps with
0, 2 or 6 fractional digits) is absorbed; unknown fields are kept in ``.raw``.

Flowroute signs nothing: protect the URL (HTTPS, a secret path, or its source IPs). It retries
until it gets a 200, so deduplicate on the message id.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError

from ._core.errors import FlowrouteError
from .types._base import _Document, _Origin
from .types.message import FROM_ALIAS, DeliveryReceipt, Media, Message

__all__ = ["DeliveryReceipt", "InboundMessage", "Media", "WebhookError", "parse"]


class WebhookError(FlowrouteError, ValueError):
    """The body is not a Flowroute messaging webhook."""


class InboundMessage(Message):
    """An SMS or MMS sent to one of your numbers (``media`` filled for MMS). ``from_`` (the
    sender) and ``to`` (your number) are always present, so a reply is
    ``send(to=event.from_, from_=event.to, ...)``."""

    to: str
    from_: str = Field(validation_alias=FROM_ALIAS)


def _load(body: bytes | str | Mapping[str, Any], headers: Mapping[str, str]) -> tuple[Any, bytes]:
    if isinstance(body, Mapping):
        raw = json.dumps(body).encode()
        return dict(body), raw
    raw = body.encode() if isinstance(body, str) else bytes(body)
    encoding = {k.lower(): v for k, v in headers.items()}.get("content-encoding", "")
    if "gzip" in encoding.lower():
        raw = gzip.decompress(raw)
    try:
        return json.loads(raw), raw
    except ValueError as exc:
        raise WebhookError(f"webhook body is not JSON ({exc}); pass the raw request body") from None


def _media(document: dict[str, Any], message: InboundMessage) -> list[Media]:
    included = {
        item.get("id"): item
        for item in document.get("included") or []
        if isinstance(item, dict) and item.get("type") == "media"
    }
    return [Media.model_validate(included.get(item.id, {"id": item.id})) for item in message.media]


def parse(
    body: bytes | str | Mapping[str, Any], headers: Mapping[str, str] | None = None
) -> InboundMessage | DeliveryReceipt:
    """Turn a webhook request body (bytes as received) into a typed event."""
    document, raw = _load(body, headers or {})
    if not isinstance(document, dict):
        raise WebhookError(f"webhook body must be a JSON object, got {type(document).__name__}")
    data = document.get("data")
    resource = data if isinstance(data, dict) else document
    kind = resource.get("type")
    # .raw is the resource object; a compact body is its own resource.
    origin = _Origin(
        _Document(raw if isinstance(data, dict) else json.dumps({"data": document}).encode()), None
    )
    if kind == "delivery_receipt":
        event: InboundMessage | DeliveryReceipt = DeliveryReceipt.model_validate(resource)
    elif kind == "message" or (kind is None and {"to", "from"} <= resource.keys()):
        try:
            message = InboundMessage.model_validate(resource)
        except ValidationError as exc:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in exc.errors())
            raise WebhookError(f"inbound message webhook without a valid {fields}") from None
        if "media_urls" in resource:  # compact MMS
            media = [Media(url=str(url)) for url in resource["media_urls"] or []]
        else:
            media = _media(document, message)
        # Validated again with the media resolved, never copied with unvalidated updates.
        is_mms = message.is_mms or bool(media)
        event = InboundMessage.model_validate({**resource, "media": media, "is_mms": is_mms})
    else:
        raise WebhookError(
            'not a Flowroute messaging webhook: expected {"data": {"type": "message" | '
            '"delivery_receipt", ...}} or a compact {"to", "from", "body", "id"}; got keys '
            f"{sorted(resource)}"
        )
    event.__dict__["origin"] = origin
    return event
