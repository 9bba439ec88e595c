"""The control API under ``/_sandbox/``: reset, clock, faults and seeding, on the caller's account.

JSON in and out, same Basic auth as the API. Documented in docs/sandbox.md.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter
from sqlalchemy import delete, insert, select, update
from starlette.requests import Request
from starlette.responses import Response

from .api._context import caller
from .api._http import base_url, document, integer, read_body
from .api._lookup import check_number_id
from .api.cdrs import parse_time
from .api.cnams import cnam_resource, decide
from .api.numbers import assign_number, available
from .cdrs import COLUMNS, csv_time
from .clock import from_epoch, iso_seconds
from .dispatcher import schedule
from .errors import ApiError
from .faults import Fault
from .messaging import (
    callback_url,
    inbound_webhook,
    message_resource,
    message_type,
    record_keyword,
    store_message,
)
from .settings import is_webhook_format
from .state import Account, SandboxState
from .store.schema import (
    accounts,
    attempts,
    call_blocks,
    callbacks,
    calls,
    cdr_exports,
    cnams,
    deliveries,
    e911s,
    messages,
    numbers,
    opt_outs,
    routes,
)

router = APIRouter(prefix="/_sandbox")


def _clock(state: SandboxState, account: Account) -> dict[str, Any]:
    offset = state.clock_offset(account)
    return {
        "now": iso_seconds(state.clock.now(offset)),
        "offset_seconds": offset,
        "speed": state.clock.speed,
    }


@router.post("/reset")
async def reset(request: Request) -> Response:
    state, account = caller(request)
    with state.engine.begin() as conn:
        tables = (
            numbers,
            routes,
            messages,
            callbacks,
            opt_outs,
            deliveries,
            attempts,
            e911s,
            cnams,
            calls,
            call_blocks,
            cdr_exports,
        )
        for table in tables:
            conn.execute(delete(table).where(table.c.account_id == account.id))
        conn.execute(
            update(accounts)
            .where(accounts.c.id == account.id)
            .values(webhook_format=state.settings.webhook_format)
        )
    state.faults.clear(account.access_key)
    state.set_clock_offset(account, 0.0)
    return document({"reset": True, "access_key": account.access_key})


@router.get("/clock")
async def get_clock(request: Request) -> Response:
    state, account = caller(request)
    return document(_clock(state, account))


@router.post("/clock/advance")
async def advance_clock(request: Request) -> Response:
    state, account = caller(request)
    seconds = (await read_body(request)).get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
        raise ApiError(400, f'Send {{"seconds": N}} with N >= 0; got {seconds!r}.')
    state.set_clock_offset(account, state.clock_offset(account) + float(seconds))
    # Whatever fell due (delivery receipts, webhook retries) goes out before we answer.
    await state.dispatcher.run_due(account.id)
    return document(_clock(state, account))


def _fault(body: dict[str, Any]) -> Fault:
    method = str(body.get("method", "*")).upper()
    path = body.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        raise ApiError(400, 'path is required and must start with "/", e.g. "/v2/numbers/*".')
    status = body.get("status")
    if status is not None and (not isinstance(status, int) or not 100 <= status <= 599):
        raise ApiError(400, f"status must be an HTTP status code, got {status!r}.")
    when = body.get("when", "before")
    if when not in ("before", "after"):
        raise ApiError(
            400, 'when must be "before" (nothing happens) or "after" (change committed).'
        )
    delay = body.get("delay", 0)
    if not isinstance(delay, int | float) or not 0 <= delay <= 60:
        raise ApiError(400, "delay must be between 0 and 60 seconds.")
    drop = bool(body.get("drop", False))
    if status is None and not drop and not delay:
        raise ApiError(400, "A fault needs a status, drop: true, or a delay.")
    headers = body.get("headers") or {}
    if not isinstance(headers, dict):
        raise ApiError(400, "headers must be an object of header names to values.")
    return Fault(
        method=method,
        path=path.rstrip("/") or "/",
        count=integer(str(body.get("count", 1)), "count", minimum=1, default=1),
        status=status,
        delay=float(delay),
        drop=drop,
        when=when,
        headers={str(k): str(v) for k, v in headers.items()},
    )


@router.post("/faults")
async def add_fault(request: Request) -> Response:
    state, account = caller(request)
    body = await read_body(request)
    # "public": true applies the fault to requests without credentials (CDR downloads).
    fault = state.faults.add("" if body.get("public") else account.access_key, _fault(body))
    return document({"data": fault.to_dict()}, status=201)


@router.get("/faults")
async def list_faults(request: Request) -> Response:
    state, account = caller(request)
    return document({"data": [f.to_dict() for f in state.faults.list(account.access_key)]})


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    state, account = caller(request)
    state.faults.clear(account.access_key)
    return Response(status_code=204)


@router.post("/seed")
async def seed(request: Request) -> Response:
    """Give the account N purchasable numbers at once (fast set-up for tests)."""
    state, account = caller(request)
    body = await read_body(request)
    count = integer(str(body.get("numbers", 0)), "numbers", minimum=0, default=0)
    if count > 2000:
        raise ApiError(400, "numbers must be at most 2000 per call.")
    with state.engine.begin() as conn:
        pool = available(state.settings.seed, conn, account.id)
        if count > len(pool):
            raise ApiError(409, f"Only {len(pool)} numbers are left in the inventory.")
        for item in pool[:count]:
            assign_number(conn, account.id, item, {})
    return document({"numbers": [p.value for p in pool[:count]]}, status=201)


@router.post("/settings")
async def update_settings(request: Request) -> Response:
    """Per-account switches: ``{"webhook_format": "jsonapi" | "compact"}``."""
    state, account = caller(request)
    shape = (await read_body(request)).get("webhook_format")
    if not is_webhook_format(shape):
        raise ApiError(400, 'webhook_format must be "jsonapi" or "compact".')
    with state.engine.begin() as conn:
        conn.execute(
            update(accounts).where(accounts.c.id == account.id).values(webhook_format=shape)
        )
    return document({"webhook_format": shape})


def _media(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("media") or [{"url": url} for url in body.get("media_urls") or []]
    if not isinstance(items, list) or not all(isinstance(i, dict) and i.get("url") for i in items):
        raise ApiError(
            400, 'media must be a list of {"url", "mime_type", "file_size", "file_name"}.'
        )
    return [
        {
            "url": str(item["url"]),
            "mime_type": item.get("mime_type") or "image/jpeg",
            "file_size": item.get("file_size") or 0,
            "file_name": item.get("file_name") or str(item["url"]).rsplit("/", 1)[-1],
        }
        for item in items
    ]


@router.post("/inbound")
async def inject_inbound(request: Request) -> Response:
    """A text arriving at one of the account's numbers: stored, STOP/START applied, and
    delivered to the number's (else the account's) SMS or MMS callback right away."""
    state, account = caller(request)
    body = await read_body(request)
    sender = _nanp(body.get("from"), "from")
    to = _nanp(body.get("to"), "to")
    text = body.get("body")
    if text is not None and not isinstance(text, str):
        raise ApiError(400, "body must be a string.")
    media = _media(body)
    is_mms = bool(media) or bool(body.get("is_mms"))
    if not is_mms and not text:
        raise ApiError(400, "An inbound SMS needs a body (or send media for an MMS).")
    base = base_url(request)
    with state.engine.begin() as conn:
        now, shape = state.now_and_webhook_format(account, conn)
        kind = message_type(conn, account.id, to)
        if kind is None:
            raise ApiError(404, f"to {to} is not a number on your account.")
        row = store_message(
            conn,
            account_id=account.id,
            direction="inbound",
            sender=sender,
            to=to,
            body=text,
            media=media,
            is_mms=is_mms,
            message_type=kind,
            created_at=now,
        )
        record_keyword(conn, account.id, to, sender, text)
        kind = "mms_callback" if is_mms else "sms_callback"
        url = callback_url(conn, account.id, to, kind)
        if url:
            schedule(
                conn,
                account_id=account.id,
                kind="inbound_mms" if is_mms else "inbound_sms",
                message_id=row.id,
                url=url,
                body=inbound_webhook(row, url, shape, base),
                due_at=row.created_at,
            )
    await state.dispatcher.run_due(account.id)
    resource = message_resource(row, base, "v2.1", state.now(account))
    return document({"data": resource, "callback_url": url}, status=201)


def _nanp(value: Any, name: str) -> str:
    text = str(value or "").strip().lstrip("+")
    if not text:
        raise ApiError(400, f"{name} is required: an 11-digit number such as 12065550100.")
    return check_number_id(text)


@router.get("/outbox")
async def outbox(request: Request) -> Response:
    """Messages the account sent, oldest first (for assertions)."""
    state, account = caller(request)
    base = base_url(request)
    now = state.now(account)
    with state.engine.connect() as conn:
        rows = conn.execute(
            select(messages)
            .where(messages.c.account_id == account.id, messages.c.direction == "outbound")
            .order_by(messages.c.created_at, messages.c.id)
        ).all()
    return document({"data": [message_resource(row, base, "v2.1", now) for row in rows]})


@router.get("/webhooks")
async def webhook_attempts(request: Request) -> Response:
    """Every webhook attempt for the account: url, body, status, outcome, time."""
    state, account = caller(request)
    with state.engine.connect() as conn:
        rows = conn.execute(
            select(attempts).where(attempts.c.account_id == account.id).order_by(attempts.c.id)
        ).all()
    return document(
        {
            "data": [
                {
                    "id": row.id,
                    "delivery_id": row.delivery_id,
                    "kind": row.kind,
                    "message_id": row.message_id,
                    "url": row.url,
                    "body": json.loads(row.body),
                    "at": iso_seconds(from_epoch(row.at)),
                    "status_code": row.status_code,
                    "outcome": row.outcome,
                    "error": row.error,
                }
                for row in rows
            ]
        }
    )


async def _decide(request: Request, ident: str, reason: str | None) -> Response:
    state, account = caller(request)
    with state.engine.begin() as conn:
        now, _ = state.now_and_webhook_format(account, conn)
        row = decide(conn, account.id, ident, now, reason)
        resource = cnam_resource(row, base_url(request), now, state.settings.cnam_approval_delay)
    return document({"data": resource})


@router.post("/cnams/{ident}/approve")
async def approve_cnam(request: Request, ident: str) -> Response:
    """Approve a pending CNAM record now instead of after the review delay."""
    return await _decide(request, ident, None)


@router.post("/cnams/{ident}/reject")
async def reject_cnam(request: Request, ident: str) -> Response:
    """Reject a CNAM record now: ``{"reason": "..."}``."""
    reason = (await read_body(request)).get("reason") or "Rejected by review."
    return await _decide(request, ident, str(reason))


def _window(body: dict[str, Any]) -> tuple[float, float]:
    start = parse_time(body.get("start"), "start")
    end = parse_time(body.get("end"), "end")
    if end <= start:
        raise ApiError(400, "end must be after start.")
    return start, end


@router.post("/calls/generate")
async def generate_calls(request: Request) -> Response:
    """``{"count": N, "start": ..., "end": ..., "seed": S}``: N realistic calls on the account's
    numbers, spread over the window. Stored as one block and generated when exported, so a
    million cost nothing up front."""
    state, account = caller(request)
    body = await read_body(request)
    count = integer(str(body.get("count", 0)), "count", minimum=1, default=1)
    if count > 50_000_000:
        raise ApiError(400, "count must be at most 50,000,000.")
    start, end = _window(body)
    seed = integer(str(body.get("seed", count)), "seed", minimum=0, default=0)
    with state.engine.begin() as conn:
        conn.execute(
            insert(call_blocks).values(
                account_id=account.id, seed=seed, size=count, start_time=start, end_time=end
            )
        )
    return document({"generated": count}, status=201)


@router.post("/calls")
async def add_calls(request: Request) -> Response:
    """``{"records": [{column: value, ...}]}``: exact call records (the 25 CSV columns; any left
    out are blank). ``start_time`` is required."""
    state, account = caller(request)
    records = (await read_body(request)).get("records")
    if not isinstance(records, list) or not records:
        raise ApiError(400, 'Send {"records": [{"start_time": "2026-01-01 10:00:00", ...}]}.')
    values = []
    for record in records:
        if not isinstance(record, dict) or not record.get("start_time"):
            raise ApiError(400, "Every record needs a start_time.")
        unknown = sorted(set(record) - set(COLUMNS))
        if unknown:
            raise ApiError(400, f"Unknown call record fields: {', '.join(unknown)}.")
        began = parse_time(record["start_time"], "start_time")
        row = [str(record.get(name, "")) for name in COLUMNS]
        row[COLUMNS.index("start_time")] = csv_time(began)
        values.append({"account_id": account.id, "start_time": began, "row": row})
    with state.engine.begin() as conn:
        conn.execute(insert(calls), values)
    return document({"added": len(values)}, status=201)
