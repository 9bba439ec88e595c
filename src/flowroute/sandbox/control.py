"""The control API under ``/_sandbox/``: reset, clock, faults, seeding, inbound texts, CNAM
review and call records, on the caller's account, through the backend.

JSON in and out, same Basic auth as the API. Documented in docs/sandbox.md.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import Response

from .backend.accounts import MAX_MINTED
from .backend.cdrs import parse_time
from .clock import from_epoch, iso_seconds
from .errors import ApiError, quoted
from .limits import ID_MAX
from .records import Clock
from .web.caller import caller, sandbox
from .web.fault_input import parse_fault
from .web.parse import integer, read_body, record_id
from .web.responses import base_url, document
from .wire.cnams import cnam_resource
from .wire.messages import message_resource

router = APIRouter(prefix="/_sandbox")


def _clock(clock: Clock) -> dict[str, Any]:
    return {
        "now": iso_seconds(from_epoch(clock.now)),
        "offset_seconds": clock.offset,
        "speed": clock.speed,
    }


@router.post("/reset")
async def reset(request: Request) -> Response:
    """Delete the account's numbers, routes and messages, clear its faults, rewind its clock."""
    backend, account = caller(request)
    backend.accounts.reset(account)
    sandbox(request).faults.clear(account.id)
    return document({"reset": True, "access_key": account.access_key})


@router.get("/clock")
async def get_clock(request: Request) -> Response:
    """The account's virtual time: now, how far it was moved ahead, and its speed."""
    backend, account = caller(request)
    return document(_clock(backend.accounts.clock(account)))


# ``?wait=true``: answer only once what fell due for the account has been attempted. Declared
# for the OpenAPI description; read by _wait once the caller is authenticated.
Wait = Annotated[
    str | None,
    Query(
        description="true: answer only once every webhook this made due has been attempted "
        "(and recorded in GET /_sandbox/webhooks). false (the default): answer at once; the "
        "webhooks go out in the background.",
        examples=["true"],
    ),
]


def _wait(value: str | None) -> bool:
    if value is None or value.lower() in ("false", "0"):
        return False
    if value.lower() in ("true", "1"):
        return True
    raise ApiError(400, f"wait must be true or false; got {quoted(value)}.")


async def _send_due(request: Request, account_id: int, wait: bool) -> None:
    dispatcher = sandbox(request).dispatcher
    if wait:
        await dispatcher.run_due(account_id)
    else:
        dispatcher.kick(account_id)


@router.post("/clock/advance")
async def advance_clock(request: Request, wait: Wait = None) -> Response:
    """Whatever falls due (delivery receipts, webhook retries) goes out in the background at
    once; with ``?wait=true`` the answer waits until it has all been attempted."""
    backend, account = caller(request)
    waiting = _wait(wait)
    seconds = (await read_body(request)).get("seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise ApiError(400, f'Send {{"seconds": N}} with N >= 0; got {quoted(seconds)}.')
    clock = backend.accounts.advance_clock(account, float(seconds))
    await _send_due(request, account.id, waiting)
    return document(_clock(clock))


@router.post("/faults")
async def add_fault(request: Request) -> Response:
    """Add a fault: the caller's next matching requests fail, wait or lose their connection.
    It applies to the downloads of the caller's CDR exports too (``"public"`` is accepted for
    older clients; downloads need it no more)."""
    _, account = caller(request)
    fault = sandbox(request).faults.add(account.id, parse_fault(await read_body(request)))
    return document({"data": fault.to_dict()}, status=201)


@router.get("/faults")
async def list_faults(request: Request) -> Response:
    """The account's injected faults still pending, oldest first."""
    _, account = caller(request)
    return document({"data": [f.to_dict() for f in sandbox(request).faults.list(account.id)]})


@router.delete("/faults")
async def clear_faults(request: Request) -> Response:
    """Remove every fault the account injected."""
    _, account = caller(request)
    sandbox(request).faults.clear(account.id)
    return Response(status_code=204)


@router.post("/accounts")
async def mint_accounts(request: Request) -> Response:
    """New empty accounts with random keys and secrets, one per test. ``{"count": N}`` (1 to
    100, default 1); the pytest fixture takes a batch at a time. No credentials needed: on an
    open sandbox any new key makes an account anyway; under strict auth it answers 403."""
    body = await read_body(request)
    count = integer(body.get("count", 1), "count", minimum=1, default=1, maximum=MAX_MINTED)
    state = sandbox(request)
    minted = state.backend.accounts.mint(count)
    settings = state.settings
    return document(
        {
            "data": [{"access_key": key, "secret_key": secret} for key, secret in minted],
            "send_limits": {
                "sms_per_second": settings.sms_per_second,
                "mms_per_second": settings.mms_per_second,
            },
        },
        status=201,
    )


@router.post("/seed")
async def seed(request: Request) -> Response:
    """Give the account N purchasable numbers at once (fast set-up for tests)."""
    backend, account = caller(request)
    body = await read_body(request)
    count = integer(body.get("numbers", 0), "numbers", minimum=0, default=0)
    return document({"numbers": backend.numbers.seed(account, count)}, status=201)


@router.post("/settings")
async def update_settings(request: Request) -> Response:
    """Per-account switches: the shape of the account's webhooks. ``{"webhook_format":
    "jsonapi" | "compact"}``."""
    backend, account = caller(request)
    shape = backend.accounts.set_webhook_format(
        account, (await read_body(request)).get("webhook_format")
    )
    return document({"webhook_format": shape})


@router.post("/inbound")
async def inject_inbound(request: Request, wait: Wait = None) -> Response:
    """A text arriving at one of the account's numbers, posted to its callback. Stored,
    STOP/START applied, and delivered to the number's (else the account's) SMS or MMS callback
    right away, in the background; with ``?wait=true`` the answer waits until that has been
    attempted."""
    backend, account = caller(request)
    waiting = _wait(wait)
    base = base_url(request)
    row, url = backend.messages.receive(account, await read_body(request), base=base)
    await _send_due(request, account.id, waiting)
    resource = message_resource(row, base, "v2.1", backend.ctx.now(account.id))
    return document({"data": resource, "callback_url": url}, status=201)


@router.get("/outbox")
async def outbox(request: Request) -> Response:
    """Messages the account sent, oldest first (for assertions)."""
    backend, account = caller(request)
    base = base_url(request)
    now = backend.ctx.now(account.id)
    rows = backend.messages.outbox(account)
    return document({"data": [message_resource(row, base, "v2.1", now) for row in rows]})


@router.get("/webhooks")
async def webhook_attempts(request: Request) -> Response:
    """Every webhook attempt of the account: status, outcome, latency, the receiver's answer.
    Each with its url, body, time and error (or block reason), oldest first."""
    backend, account = caller(request)
    data = [
        {
            "id": attempt.id,
            "delivery_id": attempt.delivery_id,
            "kind": attempt.kind,
            "message_id": attempt.message_id,
            "url": attempt.url,
            "body": json.loads(attempt.body),
            "at": iso_seconds(from_epoch(attempt.at)),
            "status_code": attempt.status_code,
            "outcome": attempt.outcome,
            "error": attempt.error,
            "latency_ms": attempt.latency_ms,
            "response_excerpt": attempt.response_excerpt,
        }
        for attempt in backend.webhooks.attempts(account)
    ]
    return document({"data": data})


async def _decide(request: Request, ident: str, reason: str | None) -> Response:
    backend, account = caller(request)
    record = backend.cnams.decide(account, record_id(ident, "CNAM record"), reason)
    return document({"data": cnam_resource(record, base_url(request))})


@router.post("/cnams/{ident}/approve")
async def approve_cnam(request: Request, ident: str) -> Response:
    """Approve a pending CNAM record now instead of after the review delay."""
    return await _decide(request, ident, None)


@router.post("/cnams/{ident}/reject")
async def reject_cnam(request: Request, ident: str) -> Response:
    """Reject a CNAM record now. ``{"reason": "..."}``, else "Rejected by review."."""
    reason = (await read_body(request)).get("reason") or "Rejected by review."
    if not isinstance(reason, str):
        raise ApiError(400, "reason must be text.")
    return await _decide(request, ident, reason)


def _window(body: dict[str, Any]) -> tuple[float, float]:
    start = parse_time(body.get("start"), "start", status=400, stored=True)
    end = parse_time(body.get("end"), "end", status=400, stored=True)
    if end <= start:
        raise ApiError(400, "end must be after start.")
    return start, end


@router.post("/calls/generate")
async def generate_calls(request: Request) -> Response:
    """Generate realistic call records on the account's numbers. ``{"count": N, "start": ...,
    "end": ..., "seed": S}``: N calls spread over the window. Stored as one block and
    generated when exported, so a million cost nothing up front."""
    backend, account = caller(request)
    body = await read_body(request)
    count = integer(body.get("count", 0), "count", minimum=1, default=1)
    start, end = _window(body)
    seed = integer(body.get("seed", count), "seed", minimum=0, default=0, maximum=ID_MAX)
    backend.cdrs.generate_calls(account, count=count, start=start, end=end, seed=seed)
    return document({"generated": count}, status=201)


@router.post("/calls")
async def add_calls(request: Request) -> Response:
    """Add exact call records. ``{"records": [{column: value, ...}]}``: the 25 CSV columns (any
    left out are blank); ``start_time`` is required."""
    backend, account = caller(request)
    added = backend.cdrs.add_calls(account, (await read_body(request)).get("records"))
    return document({"added": added}, status=201)
