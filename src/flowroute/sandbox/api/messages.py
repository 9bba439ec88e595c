"""Messages v2.1/v2.2 (spec M1-M6) and messaging callbacks (M4-M6, N11)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..messaging import (
    CALLBACK_ALIASES,
    CALLBACK_KINDS,
    MAGIC_OPTED_OUT,
    MMS_MAX_BYTES,
    callback_url,
    message_resource,
    schedule_receipts,
    sender_status,
    set_callback,
    store_message,
)
from ..state import SandboxState
from ..store.schema import messages
from ._context import caller
from ._http import (
    attributes,
    base_url,
    boolean,
    document,
    integer,
    no_content,
    query_params,
    read_body,
)
from ._lookup import check_number_id, owned
from ._routing import WireRouter

router = WireRouter()
VERSIONS = ("v2.1", "v2.2")
_RUBY_HASH = re.compile(r':?"?callback_url"?\s*=>\s*"([^"]*)"')


def _number(value: Any, name: str, version: str) -> str:
    text = str(value).strip() if value is not None else ""
    digits = text[1:] if text.startswith("+") else text
    if not re.fullmatch(r"1[2-9]\d{2}[2-9]\d{6}", digits):
        form = "+12065550100" if version == "v2.2" else "12065550100"
        raise ApiError(
            422, f"{name} {text!r} is not a valid North American number; send it as {form}."
        )
    return digits


def _url(value: Any, name: str) -> str:
    text = str(value or "")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ApiError(422, f"{name} must be an http(s) URL, got {value!r}.")
    return text


def _is_mms(fields: dict[str, Any]) -> bool:
    flag = fields.get("is_mms")
    forced = boolean(flag, "is_mms") if flag is not None and flag != "" else False
    return forced or bool(fields.get("media_urls"))


async def _check_media(
    state: SandboxState, urls: list[str], body: str | None
) -> list[dict[str, Any]]:
    total = len((body or "").encode())
    media = []
    for url in urls:
        try:
            size = await state.dispatcher.media_size(url)
        except Exception as exc:  # any fetch failure is the sender's problem, as on Flowroute
            raise ApiError(
                422, f'Error fetching media: could not fetch "{url}" ({type(exc).__name__}).'
            ) from None
        if size is not None:
            total += size
            if total > MMS_MAX_BYTES:
                raise ApiError(
                    422,
                    f'Error fetching media: File at "{url}" is over {MMS_MAX_BYTES} byte limit.',
                )
        media.append(
            {
                "url": url,
                "file_size": size,
                "file_name": urlsplit(url).path.rsplit("/", 1)[-1] or None,
                "mime_type": None,
            }
        )
    return media


async def send_message(request: Request, version: str) -> Response:
    state, account = caller(request)
    fields = attributes(await read_body(request))
    is_mms = _is_mms(fields)
    if not state.limiter.allow(account.id, "mms" if is_mms else "sms"):
        limit = state.settings.mms_per_second if is_mms else state.settings.sms_per_second
        raise ApiError(
            429,
            f"Too many {'MMS' if is_mms else 'SMS'} requests: the limit is {limit:g} per second.",
        )
    to = _number(fields.get("to"), "to", version)
    sender = _number(fields.get("from"), "from", version)
    body = fields.get("body")
    if body is not None and not isinstance(body, str):
        raise ApiError(422, "body must be a string.")
    media_urls = fields.get("media_urls") or []
    if not isinstance(media_urls, list) or not all(isinstance(u, str) for u in media_urls):
        raise ApiError(422, "media_urls must be a list of URLs.")
    media_urls = [_url(u, "each media_urls entry") for u in media_urls]
    if not is_mms and not (body or "").strip():
        raise ApiError(422, "body is required for an SMS (send media_urls or is_mms for MMS).")
    if is_mms and not body and not media_urls:
        raise ApiError(422, "An MMS needs a body or media_urls.")
    dlr = _url(fields["dlr_callback"], "dlr_callback") if fields.get("dlr_callback") else None
    media = await _check_media(state, media_urls, body) if is_mms else []
    base = base_url(request)
    with state.engine.begin() as conn:
        now, shape = state.now_and_webhook_format(account, conn)
        kind, blocked = sender_status(conn, account.id, sender, to)
        if kind is None:
            raise ApiError(403, f"from {sender} is not a number on your account.")
        if to.endswith(MAGIC_OPTED_OUT) or blocked:
            raise ApiError(
                400,
                f"Message rejected: {to} has opted out of messages from {sender} (replied STOP).",
                code=1110,
            )
        row = store_message(
            conn,
            account_id=account.id,
            direction="outbound",
            sender=sender,
            to=to,
            body=body,
            media=media,
            is_mms=is_mms,
            message_type=kind,
            created_at=now,
            dlr_callback=dlr,
        )
        schedule_receipts(conn, row, shape, base)
    link = f"{base}/{version}/messages/{row.id}"
    return document(
        {"data": {"type": "message", "id": row.id, "links": {"self": link}}}, status=202
    )


def _date(value: str | None, name: str) -> float | None:
    if not value:
        return None
    try:
        parsed = (
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            if "T" in value or " " in value
            else datetime.combine(date.fromisoformat(value), datetime.min.time())
        )
    except ValueError:
        raise ApiError(
            400,
            f"{name} must be YYYY-MM-DD or an ISO 8601 date-time such as "
            f"2026-01-31T00:00:00Z, got {value!r}.",
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.timestamp()


async def list_messages(request: Request, version: str) -> Response:
    state, account = caller(request)
    params = query_params(request)
    start = _date(params.get("start_date"), "start_date")
    if start is None:
        raise ApiError(400, "start_date is required: YYYY-MM-DD or an ISO 8601 date-time (UTC).")
    end = _date(params.get("end_date"), "end_date")
    limit = integer(params.get("limit"), "limit", minimum=1, default=10)
    offset = integer(params.get("offset"), "offset", minimum=0, default=0)
    query = select(messages).where(
        messages.c.account_id == account.id, messages.c.created_at >= start
    )
    if end is not None:
        query = query.where(messages.c.created_at <= end)
    query = query.order_by(messages.c.created_at, messages.c.id).limit(limit + 1).offset(offset)
    base = base_url(request)
    now = state.now(account)
    with state.engine.connect() as conn:
        rows = conn.execute(query).all()
    data = [message_resource(row, base, version, now) for row in rows[:limit]]
    links: dict[str, str] = {}
    if len(rows) > limit:
        echo = [("limit", limit), ("start_date", datetime.fromtimestamp(start, UTC).isoformat())]
        if end is not None:
            echo.append(("end_date", datetime.fromtimestamp(end, UTC).isoformat()))
        links["next"] = (
            f"{base}/{version}/messages?{urlencode([*echo, ('offset', offset + limit)])}"
        )
    return document({"data": data, "links": links})


def _callback_kind(value: str) -> str:
    kind = CALLBACK_ALIASES.get(value, value)
    if kind not in CALLBACK_KINDS:
        raise ApiError(
            400,
            f"Unknown callback type {value!r}: use one of {', '.join(CALLBACK_KINDS)} "
            "(or dlr_callback).",
        )
    return kind


async def _callback_url_from(request: Request) -> str:
    raw = await request.body()
    match = _RUBY_HASH.search(raw.decode("utf-8", "replace"))
    if match and not raw.lstrip().startswith(b'{"'):  # the Ruby SDK sends Hash#to_s, not JSON
        return _url(match.group(1), "callback_url")
    fields = attributes(await read_body(request))
    if not fields.get("callback_url"):
        raise ApiError(422, 'Send {"callback_url": "https://..."} (flat or under data.attributes).')
    return _url(fields["callback_url"], "callback_url")


async def get_message_or_callback(request: Request, version: str, ident: str) -> Response:
    state, account = caller(request)
    base = base_url(request)
    if ident.startswith("mdr"):
        with state.engine.connect() as conn:
            row = conn.execute(
                select(messages).where(messages.c.account_id == account.id, messages.c.id == ident)
            ).first()
        if row is None:
            raise ApiError(404, f"Message {ident} was not found on your account.")
        return document({"data": message_resource(row, base, version, state.now(account))})
    kind = _callback_kind(ident)
    with state.engine.connect() as conn:
        url = callback_url(conn, account.id, "", kind)
    if url is None:
        raise ApiError(404, f"No {kind} is set on your account.")
    return document(
        {"data": {"type": kind, "attributes": {"callback_url": url, "product": kind.split("_")[0]}}}
    )


async def put_callback(request: Request, version: str, ident: str) -> Response:
    state, account = caller(request)
    kind = _callback_kind(ident)
    url = await _callback_url_from(request)
    with state.engine.begin() as conn:
        set_callback(conn, account.id, "", kind, url)
    return no_content()


async def delete_callback(request: Request, version: str, ident: str) -> Response:
    state, account = caller(request)
    kind = _callback_kind(ident)
    with state.engine.begin() as conn:
        set_callback(conn, account.id, "", kind, None)
    return no_content()


for _version in VERSIONS:
    router.add(f"/{_version}/messages", "POST", send_message, version=_version)
    router.add(f"/{_version}/messages", "GET", list_messages, version=_version)
    path = f"/{_version}/messages/{{ident}}"
    router.add(path, "GET", get_message_or_callback, version=_version)
    router.add(path, "PUT", put_callback, version=_version)
    router.add(path, "DELETE", delete_callback, version=_version)


@router.post("/v2/numbers/{number_id}/relationships/{callback_type}")
async def set_number_callback(request: Request, number_id: str, callback_type: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    kind = _callback_kind(callback_type)
    url = await _callback_url_from(request)
    with state.engine.begin() as conn:
        owned(conn, account.id, number_id)
        set_callback(conn, account.id, number_id, kind, url)
    return no_content()
