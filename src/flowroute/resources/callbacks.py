"""Where Flowroute posts inbound messages and delivery receipts: per account or per number."""

from __future__ import annotations

from typing import Literal, Unpack, get_args

from .._core.call import Call
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint
from ..phone import to_nanp
from ..types._base import parse_empty, parse_one
from ..types.message import Callback
from .messages import check_url

CallbackKind = Literal["sms", "mms", "sms_dlr", "mms_dlr"]


def _kind(kind: str) -> str:
    if kind not in get_args(CallbackKind):
        raise InvalidRequestError(
            f"kind must be one of {', '.join(get_args(CallbackKind))}, got {kind!r}"
        )
    return f"{kind}_callback"


class Callbacks(Resource[M]):
    """``client.callbacks``: inbound SMS/MMS and delivery-receipt webhook URLs."""

    @endpoint
    def set(
        self,
        kind: CallbackKind,
        url: str,
        *,
        number: str | int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[None]:
        """Point ``kind`` webhooks at ``url``, for the account or for one ``number``."""
        body = {"callback_url": check_url(url, "url")}
        if number is None:
            return Call("PUT", f"/v2.1/messages/{_kind(kind)}", parse_empty, json=body)
        path = f"/v2/numbers/{to_nanp(number)}/relationships/{_kind(kind)}"
        return Call("POST", path, parse_empty, json={"data": {"attributes": body}})

    @endpoint
    def get(self, kind: CallbackKind, **options: Unpack[RequestOptions]) -> Call[Callback]:
        """The account's ``kind`` callback (NotFoundError when none is set)."""
        return Call("GET", f"/v2.2/messages/{_kind(kind)}", parse_one(Callback))

    @endpoint
    def clear(self, kind: CallbackKind, **options: Unpack[RequestOptions]) -> Call[None]:
        """Remove the account's ``kind`` callback."""
        return Call("DELETE", f"/v2.2/messages/{_kind(kind)}", parse_empty)
