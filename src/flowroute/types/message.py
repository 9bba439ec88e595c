"""Messages (MDRs), delivery receipts, media, and what a send returns."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AliasChoices, AliasPath, BeforeValidator, ConfigDict, Field

from ._base import FlowrouteModel


def _dollars(value: Any) -> Any:
    # amount_display arrives as "$0.0040" (documented as a float).
    if isinstance(value, str):
        return value.strip().lstrip("$") or None
    return value


Dollars = Annotated[Decimal | None, BeforeValidator(_dollars)]


# "from" is a keyword, so the attribute is from_; this is where Flowroute puts its value.
FROM_ALIAS = AliasChoices("from", AliasPath("attributes", "from"))


def _from_field() -> Any:
    return Field(default=None, validation_alias=FROM_ALIAS)


class DeliveryReceipt(FlowrouteModel):
    """A delivery receipt: inside a message's ``delivery_receipts`` or a DLR webhook.

    ``level`` 1 is the hand-off to the carrier, 2 what happened after. ``status_code`` is an int
    (1003 "Message accepted by Carrier") or None; webhooks sometimes send it as a string.
    """

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str | None = None  # the message id, on webhooks
    level: int | None = None
    status: str | None = None
    status_code: int | None = None
    status_code_description: str | None = None
    timestamp: datetime | None = None
    body: str | None = None
    to: str | None = None
    from_: str | None = _from_field()

    @property
    def failed(self) -> bool:
        return self.level == 2 and self.status_code not in (None, 1000, 1003)


class Media(FlowrouteModel):
    """An MMS attachment. Inbound media URLs are temporary: download them promptly."""

    id: str | None = None
    url: str | None = None
    file_name: str | None = None
    file_size: int | None = None
    mime_type: str | None = None


class Message(FlowrouteModel):
    """A message detail record (MDR), sent or received."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    to: str | None = None
    from_: str | None = _from_field()
    body: str | None = None
    direction: str | None = None
    is_mms: bool | None = None
    status: str | None = None
    message_type: str | None = None
    message_encoding: int | None = None
    timestamp: datetime | None = None
    amount_nanodollars: int | None = None
    amount_display: Dollars = None
    delivery_receipts: list[DeliveryReceipt] = Field(default_factory=list)
    message_callback_url: str | None = None
    price_details: dict[str, Any] | None = None
    # Media ids from relationships; webhooks.parse fills in the rest from ``included``.
    media: list[Media] = Field(
        default_factory=list,
        validation_alias=AliasChoices("media", AliasPath("relationships", "media", "data")),
    )


class SentMessage(FlowrouteModel):
    """What ``messages.send`` returns: Flowroute's message id plus what was sent."""

    id: str
    to: str | None = None
    from_: str | None = _from_field()
    body: str | None = None
    is_mms: bool = False
    media_urls: list[str] = Field(default_factory=list)
    segments: int | None = None
    api_version: str = "v2.1"


class Callback(FlowrouteModel):
    """An account-level callback URL (``kind`` like ``sms_callback``)."""

    kind: str | None = Field(default=None, validation_alias=AliasChoices("kind", "type"))
    callback_url: str | None = None
    product: str | None = None
