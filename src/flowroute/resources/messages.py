"""Messages v2.1/v2.2: send SMS and MMS, look up message detail records."""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, date, datetime
from typing import Literal, Unpack
from urllib.parse import urlsplit

from .._core.call import Call, PageCall, query
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint, paginated
from ..phone import to_e164, to_nanp
from ..segments import above, analyze
from ..types._base import parse_one, parse_page
from ..types.message import Message, SentMessage
from ._params import non_negative

ApiVersion = Literal["v2.1", "v2.2"]
DEFAULT_MAX_SEGMENTS = 10  # a runaway body (a log file, a loop) is refused, not billed
MAX_PAGE = 1000  # Flowroute sets no maximum; keep pages a sensible size
logger = logging.getLogger("flowroute")


def check_url(value: str, name: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequestError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def _version(value: str) -> ApiVersion:
    if value == "v2.1":
        return "v2.1"
    if value == "v2.2":
        return "v2.2"
    raise InvalidRequestError(f"api_version must be 'v2.1' or 'v2.2', got {value!r}")


def _when(value: date | datetime | str, name: str) -> str:
    """Dates as Flowroute takes them: YYYY-MM-DD, or ISO 8601 with an offset (UTC if naive)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        raise InvalidRequestError(
            f"{name} must be a date, a datetime or an ISO 8601 string, got {value!r}"
        ) from None
    return value


def _check_segments(body: str, max_segments: int | None, on_too_long: str) -> int:
    info = analyze(body)
    message = None if max_segments is None else above(info, max_segments)
    if message is not None:
        if on_too_long == "error":
            raise InvalidRequestError(
                message + "; shorten it or raise max_segments (None lifts the limit)"
            )
        warnings.warn(message, stacklevel=4)
        logger.warning(message)
    return info.segments


class Messages(Resource[M]):
    """``client.messages``: send SMS/MMS and read message detail records."""

    @endpoint
    def send(
        self,
        *,
        to: str | int,
        from_: str | int,
        body: str | None = None,
        media_urls: list[str] | None = None,
        is_mms: bool | None = None,
        dlr_callback: str | None = None,
        api_version: ApiVersion = "v2.1",
        max_segments: int | None = DEFAULT_MAX_SEGMENTS,
        on_too_long: Literal["error", "warn"] = "error",
        **options: Unpack[RequestOptions],
    ) -> Call[SentMessage]:
        """Send an SMS, or an MMS when ``media_urls`` or ``is_mms`` is given.

        Never sent twice: retried only when it cannot have reached Flowroute or on 429, paced by
        the client's rate limit (5 SMS/s, 1 MMS/s by default). An unclear failure raises
        ``IndeterminateResultError`` carrying what was sent.

        An SMS body longer than ``max_segments`` (default 10; each segment is billed) raises
        ``InvalidRequestError`` before any request, naming its segment count and estimated cost;
        ``on_too_long="warn"`` sends it with a warning instead, ``max_segments=None`` lifts it.
        """
        version = _version(api_version)
        wire = to_e164 if version == "v2.2" else to_nanp
        media = [check_url(u, "each media_urls entry") for u in media_urls or []]
        mms = bool(is_mms) or bool(media)
        if body is not None and not isinstance(body, str):
            raise InvalidRequestError(f"body must be a string, got {type(body).__name__}")
        if not mms and not (body or "").strip():
            raise InvalidRequestError("body is required for an SMS (or pass media_urls / is_mms)")
        segments = None if mms else _check_segments(body or "", max_segments, on_too_long)
        attributes: dict[str, object] = {
            "to": wire(to, field="to"),
            "from": wire(from_, field="from_"),
        }
        if body is not None:
            attributes["body"] = body
        if mms:
            attributes["is_mms"] = True
        if media:
            attributes["media_urls"] = media
        if dlr_callback is not None:
            attributes["dlr_callback"] = check_url(dlr_callback, "dlr_callback")
        payload = {"data": {"type": "message", "attributes": attributes}}

        # What was sent wins over the answer's copy; the model is built by one validation.
        sent = {
            **attributes,
            "media_urls": media,
            "is_mms": mms,
            "segments": segments,
            "api_version": version,
        }
        kind = "MMS" if mms else "SMS"
        return Call(
            "POST",
            f"/{version}/messages",
            parse_one(SentMessage, sent),
            json=payload,
            idempotent=False,
            action=f"sending the {kind} to {attributes['to']}",
            throttle=kind.lower(),
        )

    @paginated
    def list(
        self,
        *,
        start_date: date | datetime | str,
        end_date: date | datetime | str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        api_version: ApiVersion = "v2.1",
        **options: Unpack[RequestOptions],
    ) -> PageCall[Message]:
        """Message detail records from ``start_date`` (required) to ``end_date``, in UTC."""
        params = query(
            start_date=_when(start_date, "start_date"),
            end_date=_when(end_date, "end_date") if end_date is not None else None,
            offset=non_negative("offset", offset),
        )
        path = f"/{_version(api_version)}/messages"
        return PageCall(path, params, parse_page(Message), MAX_PAGE, limit, page_size)

    @endpoint
    def retrieve(
        self,
        message_id: str,
        *,
        api_version: ApiVersion = "v2.1",
        **options: Unpack[RequestOptions],
    ) -> Call[Message]:
        """One message detail record, with its delivery receipts so far."""
        if not message_id.startswith("mdr") or not message_id.replace("-", "").isalnum():
            raise InvalidRequestError(
                "message_id must look like 'mdr2-39cadeace66e11e7aff806cd7f24ba2d', "
                f"got {message_id!r}"
            )
        return Call("GET", f"/{_version(api_version)}/messages/{message_id}", parse_one(Message))
