"""CDR exports (spec X1-X4): jobs that finish on the virtual clock, totals, streamed downloads."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from .. import cdrs
from ..clock import from_epoch, iso_seconds
from ..dispatcher import schedule
from ..errors import ApiError
from ..state import SandboxState
from ..store.schema import call_blocks, calls, cdr_exports, numbers
from ._context import caller, sandbox
from ._http import (
    attributes,
    base_url,
    document,
    list_links,
    page,
    query_params,
    read_body,
)
from ._routing import WireRouter

router = WireRouter()
MAX_WINDOW = 92 * 86400
URL_LIFETIME = 3 * 86400
FAILING_ALIAS = "FAIL"  # a number_aliases filter containing this makes the export fail (magic)
OPTIONAL = (
    "number_aliases",
    "number_aliases_contains",
    "destination_numbers",
    "callerid_numbers",
    "custom_x_tags",
    "caller_ip",
    "duration_greater_than",
)


def parse_time(value: Any, name: str) -> float:
    """``2019-01-01 00:00:00`` or ISO 8601; UTC when no offset is given."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(
            422,
            f"filter_parameters.{name} must be a date-time like 2019-01-01 00:00:00, "
            f"got {value!r}.",
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _filters(body: dict[str, Any]) -> tuple[float, float, dict[str, Any]]:
    fields = attributes(body)
    given = fields.get("filter_parameters")
    if not isinstance(given, dict):
        raise ApiError(
            422,
            "filter_parameters is required, with start_call_start_time and start_call_end_time.",
        )
    for name in ("start_call_start_time", "start_call_end_time"):
        if not given.get(name):
            raise ApiError(422, f"filter_parameters.{name} is required.")
    start = parse_time(given["start_call_start_time"], "start_call_start_time")
    end = parse_time(given["start_call_end_time"], "start_call_end_time")
    if end <= start:
        raise ApiError(422, "start_call_end_time must be after start_call_start_time.")
    if end - start > MAX_WINDOW:
        raise ApiError(422, "An export may cover at most 92 days; split it into several exports.")
    unknown = sorted(set(given) - {"start_call_start_time", "start_call_end_time", *OPTIONAL})
    if unknown:
        raise ApiError(422, f"Unknown filter_parameters: {', '.join(unknown)}.")
    return start, end, given


class Sources:
    """What an account's records are made of, read from the store in one go (on the event loop:
    in-memory SQLite shares one connection, so worker threads must not touch the store)."""

    def __init__(self, conn: Connection, account_id: int) -> None:
        self.lines = [
            (value, alias or "")
            for value, alias in conn.execute(
                select(numbers.c.value, numbers.c.alias)
                .where(numbers.c.account_id == account_id)
                .order_by(numbers.c.value)
            )
        ]
        self.explicit = [
            (r.start_time, tuple(r.row))
            for r in conn.execute(
                select(calls).where(calls.c.account_id == account_id).order_by(calls.c.start_time)
            )
        ]
        self.blocks = [
            (b.seed, b.size, b.start_time, b.end_time)
            for b in conn.execute(select(call_blocks).where(call_blocks.c.account_id == account_id))
        ]

    def rows(self, filters: dict[str, Any]) -> Iterator[cdrs.Row]:
        """The export's rows: explicit records and generated blocks, merged in time order."""
        start = parse_time(filters["start_call_start_time"], "start_call_start_time")
        end = parse_time(filters["start_call_end_time"], "start_call_end_time")
        generated = (cdrs.generate(*block, self.lines) for block in self.blocks)
        return cdrs.select([iter(self.explicit), *generated], start, end, filters)


def _status(row: Row[Any], now: float) -> str:
    if now < row.completes_at:
        return "processing"
    return "failed" if row.failure else "completed"


async def _finalize(state: SandboxState, row: Row[Any]) -> Row[Any]:
    """Totals are computed once, the first time the export is seen done: the records are read
    here, summed in a worker thread, and stored back here."""
    with state.engine.connect() as conn:
        sources = Sources(conn, row.account_id)
    summary = await asyncio.to_thread(lambda: cdrs.totals(sources.rows(dict(row.filters))))
    with state.engine.begin() as conn:
        conn.execute(update(cdr_exports).where(cdr_exports.c.id == row.id).values(totals=summary))
        result: Row[Any] = conn.execute(select(cdr_exports).where(cdr_exports.c.id == row.id)).one()
        return result


async def export_resource(
    state: SandboxState, row: Row[Any], base: str, now: float
) -> dict[str, Any]:
    status = _status(row, now)
    if status == "completed" and row.totals is None:
        row = await _finalize(state, row)
    done = status != "processing"
    summary = row.totals or {}
    attributes_: dict[str, Any] = {
        "callback_url": row.callback_url,
        "status": status,
        "download_url": f"{base}/cdr-downloads/{row.token}.csv.gz"
        if status == "completed"
        else None,
        "requested_at": iso_seconds(from_epoch(row.requested_at)),
        "created_at": iso_seconds(from_epoch(row.requested_at)),
        "expires_at": iso_seconds(from_epoch(row.completes_at + URL_LIFETIME))
        if status == "completed"
        else None,
        "filter_parameters": row.filters,
        **{
            k: summary.get(k) if done else None
            for k in (
                "total_cost",
                "call_subtotal",
                "connect_fees",
                "cnamlookup_fees",
                "usf_fees",
                "ccrf",
                "num_calls",
                "billed_minutes",
            )
        },
    }
    if row.failure and done:
        attributes_["failure_reason"] = row.failure
    return {
        "type": "cdrexport",
        "id": str(row.id),
        "attributes": attributes_,
        "links": {"self": f"{base}/v2/cdrs/exports/{row.id}"},
    }


def _event(row_id: int, status: str, at: float) -> dict[str, Any]:
    stamp = from_epoch(at).isoformat()
    return {
        "data": {
            "id": str(uuid.uuid4()),
            "type": "cdrexport_status_change",
            "timestamp": stamp,
            "attributes": {
                "at": stamp,
                "event_type": "status_change",
                "message": f"CDR export #{row_id} has {status}.",
                "resource_id": str(row_id),
                "resource_type": "cdrexports",
                "status": status,
                "type": "event",
                "version": "1.0",
            },
        }
    }


@router.post("/v2/cdrs/exports")
async def create_export(request: Request) -> Response:
    state, account = caller(request)
    body = await read_body(request)
    _, _, filters = _filters(body)
    callback = attributes(body).get("callback_url")
    aliases = filters.get("number_aliases") or []
    failure = (
        "The export failed: the sandbox fails exports filtered on an alias containing FAIL."
        if any(FAILING_ALIAS in str(a) for a in aliases)
        else None
    )
    base = base_url(request)
    with state.engine.begin() as conn:
        now, _ = state.now_and_webhook_format(account, conn)
        done_at = now + state.settings.cdr_export_delay
        created = conn.execute(
            insert(cdr_exports).values(
                account_id=account.id,
                token=secrets.token_urlsafe(24),
                callback_url=callback,
                filters=filters,
                requested_at=now,
                completes_at=done_at,
                failure=failure,
            )
        )
        ident = created.inserted_primary_key[0]  # type: ignore[index]
        if callback:
            status = "failed" if failure else "completed"
            schedule(
                conn,
                account_id=account.id,
                kind="cdr_export",
                message_id=None,
                url=str(callback),
                body=_event(ident, status, done_at),
                due_at=done_at,
            )
        row = conn.execute(select(cdr_exports).where(cdr_exports.c.id == ident)).one()
    resource = await export_resource(state, row, base, now)
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.get("/v2/cdrs/exports")
async def list_exports(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    wanted = params.get("status")
    if wanted and wanted not in ("processing", "completed", "failed"):
        raise ApiError(400, f"status must be processing, completed or failed; got {wanted!r}.")
    base = base_url(request)
    with state.engine.connect() as conn:
        now, _ = state.now_and_webhook_format(account, conn)
        exported = conn.execute(
            select(cdr_exports)
            .where(cdr_exports.c.account_id == account.id)
            .order_by(cdr_exports.c.id)
        ).all()
    chosen = [r for r in exported if not wanted or _status(r, now) == wanted]
    items = []
    for row in chosen[offset : offset + limit]:
        resource = await export_resource(state, row, base, now)
        resource["id"] = int(resource["id"])  # list items carry integer ids...
        items.append({"data": resource})  # ...each wrapped in its own "data", as Flowroute does
    echo = [("status", wanted)] if wanted else []
    return document(
        {
            "data": items,
            "links": list_links(request, echo, limit, offset, offset + limit < len(chosen)),
        }
    )


@router.get("/v2/cdrs/exports/{ident}")
async def get_export(request: Request, ident: str) -> Response:
    state, account = caller(request)
    if not ident.isdigit():
        raise ApiError(400, f"Export id must be numeric, got {ident!r}.")
    with state.engine.connect() as conn:
        now, _ = state.now_and_webhook_format(account, conn)
        row = conn.execute(
            select(cdr_exports).where(
                cdr_exports.c.account_id == account.id, cdr_exports.c.id == int(ident)
            )
        ).first()
    if row is None:
        raise ApiError(404, f"CDR export {ident} was not found on your account.")
    resource = await export_resource(state, row, base_url(request), now)
    return document({"data": resource, "links": resource["links"]})


@router.get("/cdr-downloads/{token}.csv.gz")
async def download(request: Request, token: str) -> Response:
    """The pre-signed download: no credentials, expires three (virtual) days after completion."""
    state = sandbox(request)
    with state.engine.connect() as conn:
        row = conn.execute(select(cdr_exports).where(cdr_exports.c.token == token)).first()
        if row is None:
            raise ApiError(404, "No such download.")
        now = state.clock.epoch(state.clock_offset_by_id(row.account_id))
    if _status(row, now) != "completed":
        raise ApiError(404, "This export has no download.")
    if now > row.completes_at + URL_LIFETIME:
        raise ApiError(
            403, "Request has expired: download URLs last 3 days; create a new export.", "Forbidden"
        )
    with state.engine.connect() as conn:
        sources = Sources(conn, row.account_id)
    body = cdrs.gzip_csv(sources.rows(dict(row.filters)))  # generated as the client reads
    return StreamingResponse(
        body,
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="cdr-export-{row.id}.csv.gz"'},
    )
