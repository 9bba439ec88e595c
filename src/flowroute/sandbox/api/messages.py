"""Messages v2.1/v2.2 (spec M1-M6) and messaging callbacks (M4-M6, N11): parse the request,
call the backend, render."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from ..backend.messages import callback_kind
from ..errors import ApiError, quoted
from ..limits import checked_url
from ..web.caller import caller
from ..web.ids import check_number_id
from ..web.parse import attributes, integer, query_params, read_body
from ..web.responses import base_url, document, no_content
from ..wire.messages import callback, message_resource, sent
from ._routing import WireRouter

router = WireRouter()
VERSIONS = ("v2.1", "v2.2")
_RUBY_HASH = re.compile(r':?"?callback_url"?\s*=>\s*"([^"]*)"')


async def send_message(request: Request, version: str) -> Response:
    backend, account = caller(request)
    fields = attributes(await read_body(request))
    base = base_url(request)
    row = await backend.messages.send(account, fields, version=version, base=base)
    return document(sent(row, base, version), status=202)


def _date(value: str | None, name: str) -> float | None:
    if not value:
        return None
    try:
        if len(value) > 40:
            raise ValueError
        parsed = (
            datetime.fromisoformat(value.replace("Z", "+00:00"))
            if "T" in value or " " in value
            else datetime.combine(date.fromisoformat(value), datetime.min.time())
        )
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.timestamp()
    except (ValueError, OverflowError):
        raise ApiError(
            400,
            f"{name} must be YYYY-MM-DD or an ISO 8601 date-time such as "
            f"2026-01-31T00:00:00Z, got {quoted(value)}.",
        ) from None


async def list_messages(request: Request, version: str) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    start = _date(params.get("start_date"), "start_date")
    if start is None:
        raise ApiError(400, "start_date is required: YYYY-MM-DD or an ISO 8601 date-time (UTC).")
    end = _date(params.get("end_date"), "end_date")
    limit = integer(params.get("limit"), "limit", minimum=1, default=10, maximum=10000)
    offset = integer(params.get("offset"), "offset", minimum=0, default=0)
    found, more = backend.messages.listing(
        account, start=start, end=end, limit=limit, offset=offset
    )
    base = base_url(request)
    now = backend.ctx.now(account.id)
    data = [message_resource(row, base, version, now) for row in found]
    links: dict[str, str] = {}
    if more:
        echo = [("limit", limit), ("start_date", datetime.fromtimestamp(start, UTC).isoformat())]
        if end is not None:
            echo.append(("end_date", datetime.fromtimestamp(end, UTC).isoformat()))
        links["next"] = (
            f"{base}/{version}/messages?{urlencode([*echo, ('offset', offset + limit)])}"
        )
    return document({"data": data, "links": links})


async def _callback_url_from(request: Request) -> str:
    raw = await request.body()
    match = _RUBY_HASH.search(raw.decode("utf-8", "replace"))
    if match and not raw.lstrip().startswith(b'{"'):  # the Ruby SDK sends Hash#to_s, not JSON
        return checked_url(match.group(1), "callback_url")
    fields = attributes(await read_body(request))
    if not fields.get("callback_url"):
        raise ApiError(422, 'Send {"callback_url": "https://..."} (flat or under data.attributes).')
    return checked_url(fields["callback_url"], "callback_url")


async def get_message_or_callback(request: Request, version: str, ident: str) -> Response:
    backend, account = caller(request)
    if ident.startswith("mdr"):
        row = backend.messages.get(account, ident)
        now = backend.ctx.now(account.id)
        return document({"data": message_resource(row, base_url(request), version, now)})
    kind = callback_kind(ident)
    url = backend.messages.callback(account, kind)
    if url is None:
        raise ApiError(404, f"No {kind} is set on your account.")
    return document(callback(kind, url))


async def put_callback(request: Request, version: str, ident: str) -> Response:
    backend, account = caller(request)
    kind = callback_kind(ident)
    backend.messages.set_callback(account, kind, await _callback_url_from(request))
    return no_content()


async def delete_callback(request: Request, version: str, ident: str) -> Response:
    backend, account = caller(request)
    backend.messages.set_callback(account, callback_kind(ident), None)
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
    backend, account = caller(request)
    check_number_id(number_id)
    kind = callback_kind(callback_type)
    url = await _callback_url_from(request)
    backend.messages.set_callback(account, kind, url, number=number_id)
    return no_content()
