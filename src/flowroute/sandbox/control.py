"""The control API under ``/_sandbox/``: reset, clock, faults and seeding, on the caller's account.

JSON in and out, same Basic auth as the API. Documented in docs/sandbox.md.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlalchemy import delete
from starlette.requests import Request
from starlette.responses import Response

from .api._context import caller
from .api._http import ApiError, document, integer, read_body
from .api.numbers import assign_number, available
from .clock import iso_seconds
from .faults import Fault
from .state import Account, SandboxState
from .store.schema import numbers, routes

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
        conn.execute(delete(numbers).where(numbers.c.account_id == account.id))
        conn.execute(delete(routes).where(routes.c.account_id == account.id))
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
    fault = state.faults.add(account.access_key, _fault(await read_body(request)))
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
