"""CDR exports (spec X1-X4) and the call records behind them: jobs that finish on the virtual
clock, totals computed once, downloads streamed from generated and explicit records."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from .. import cdrs as call_records
from ..clock import from_epoch
from ..dispatcher import schedule
from ..errors import ApiError, quoted
from ..limits import INT64_MAX, checked_url
from ..records import Account, Export
from ..store.schema import call_blocks, calls, cdr_exports, numbers
from ..wire.cdrs import URL_LIFETIME
from ._context import Context

MAX_WINDOW = 92 * 86400
FAILING_ALIAS = "FAIL"  # a number_aliases filter containing this makes the export fail (magic)
MAX_GENERATED = 50_000_000
MAX_RECORDS_PER_CALL = 10_000
WINDOW = ("start_call_start_time", "start_call_end_time")
# Optional filters and what each must be: a list of strings, a string, or a whole number.
OPTIONAL: dict[str, type] = {
    "number_aliases": list,
    "number_aliases_contains": str,
    "destination_numbers": list,
    "callerid_numbers": list,
    "custom_x_tags": list,
    "caller_ip": str,
    "duration_greater_than": int,
}
MAX_FILTER_ITEMS = 1000
# Call times the sandbox stores (every one renders as a CSV time).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()
LATEST = datetime(9999, 12, 31, tzinfo=UTC).timestamp()


def parse_time(value: Any, name: str, *, status: int = 422, stored: bool = False) -> float:
    """``2019-01-01 00:00:00`` or ISO 8601; UTC when no offset is given. A ``stored`` time (a
    call's) must render as a CSV time: within years 1 to 9999 in UTC."""
    try:
        if not isinstance(value, str) or len(value) > 40:
            raise ValueError
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        seconds = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
        if stored and not EARLIEST <= seconds < LATEST:
            raise ValueError
        return seconds
    except (ValueError, OverflowError):
        within = " from year 1 to 9999 in UTC" if stored else ""
        raise ApiError(
            status,
            f"{name} must be a date-time{within} like 2019-01-01 00:00:00, got "
            f"{quoted(value, 60)}.",
        ) from None


def _names(unknown: list[str]) -> str:
    """The first few unknown field names, for an error message."""
    return ", ".join(name[:40] for name in unknown[:5])


def _check_optional(name: str, value: Any) -> None:
    kind = OPTIONAL[name]
    where = f"filter_parameters.{name}"
    if kind is int:
        text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
        if not text.isascii() or not text.isdigit() or int(text) > INT64_MAX:
            raise ApiError(422, f"{where} must be a whole number of seconds >= 0, got {value!r}.")
    elif kind is str:
        if not isinstance(value, str) or len(value) > 256:
            raise ApiError(422, f"{where} must be text of at most 256 characters.")
    elif (
        not isinstance(value, list)
        or len(value) > MAX_FILTER_ITEMS
        or not all(isinstance(item, str) and len(item) <= 256 for item in value)
    ):
        raise ApiError(
            422,
            f'{where} must be a list of at most {MAX_FILTER_ITEMS} strings, e.g. ["12065550100"].',
        )


def check_filters(given: Any) -> tuple[float, float, dict[str, Any]]:
    """The export's window and filters, every value type-checked (an export that is accepted
    can always be listed, finished and downloaded)."""
    if not isinstance(given, dict):
        raise ApiError(
            422,
            "filter_parameters is required, with start_call_start_time and start_call_end_time.",
        )
    for name in WINDOW:
        if not given.get(name):
            raise ApiError(422, f"filter_parameters.{name} is required.")
    start = parse_time(given[WINDOW[0]], f"filter_parameters.{WINDOW[0]}")
    end = parse_time(given[WINDOW[1]], f"filter_parameters.{WINDOW[1]}")
    if end <= start:
        raise ApiError(422, "start_call_end_time must be after start_call_start_time.")
    if end - start > MAX_WINDOW:
        raise ApiError(422, "An export may cover at most 92 days; split it into several exports.")
    unknown = sorted(set(given) - {*WINDOW, *OPTIONAL})
    if unknown:
        raise ApiError(422, f"Unknown filter_parameters: {_names(unknown)}.")
    for name, value in given.items():
        if name in OPTIONAL and value is not None:
            _check_optional(name, value)
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

    def rows(self, filters: dict[str, Any]) -> Iterator[call_records.Row]:
        """The export's rows: explicit records and generated blocks, merged in time order."""
        start, end, _ = check_filters(filters)
        generated = (call_records.generate(*block, self.lines) for block in self.blocks)
        return call_records.select([iter(self.explicit), *generated], start, end, filters)


def _status(row: Row[Any], now: float) -> str:
    if now < row.completes_at:
        return "processing"
    return "failed" if row.failure else "completed"


def _record(row: Row[Any], now: float) -> Export:
    return Export(
        id=row.id,
        status=_status(row, now),
        token=row.token,
        callback_url=row.callback_url,
        filters=row.filters,
        requested_at=row.requested_at,
        completes_at=row.completes_at,
        failure=row.failure,
        totals=row.totals,
    )


def _status_event(ident: int, status: str, at: float) -> dict[str, Any]:
    """The body of the export's completion callback."""
    stamp = from_epoch(at).isoformat()
    return {
        "data": {
            "id": str(uuid.uuid4()),
            "type": "cdrexport_status_change",
            "timestamp": stamp,
            "attributes": {
                "at": stamp,
                "event_type": "status_change",
                "message": f"CDR export #{ident} has {status}.",
                "resource_id": str(ident),
                "resource_type": "cdrexports",
                "status": status,
                "type": "event",
                "version": "1.0",
            },
        }
    }


class Cdrs:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def _finished(self, row: Row[Any], now: float) -> Export:
        """Totals are computed once, the first time the export is seen done: the records are
        read here, summed in a worker thread, and stored back here."""
        if _status(row, now) != "completed" or row.totals is not None:
            return _record(row, now)
        with self.ctx.engine.connect() as conn:
            sources = Sources(conn, row.account_id)
        summary = await asyncio.to_thread(
            lambda: call_records.totals(sources.rows(dict(row.filters)))
        )
        with self.ctx.engine.begin() as conn:
            conn.execute(
                update(cdr_exports).where(cdr_exports.c.id == row.id).values(totals=summary)
            )
        return _record(row, now)._replace(totals=summary)

    async def create(self, account: Account, fields: dict[str, Any]) -> Export:
        _, _, filters = check_filters(fields.get("filter_parameters"))
        callback = fields.get("callback_url")
        if callback is not None:
            callback = checked_url(callback, "callback_url")
        aliases = filters.get("number_aliases") or []
        failure = (
            "The export failed: the sandbox fails exports filtered on an alias containing FAIL."
            if any(FAILING_ALIAS in a for a in aliases)
            else None
        )
        with self.ctx.engine.begin() as conn:
            now = self.ctx.now(account.id, conn)
            done_at = now + self.ctx.settings.cdr_export_delay
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
                schedule(
                    conn,
                    account_id=account.id,
                    kind="cdr_export",
                    message_id=None,
                    url=callback,
                    body=_status_event(ident, "failed" if failure else "completed", done_at),
                    due_at=done_at,
                )
            row = conn.execute(select(cdr_exports).where(cdr_exports.c.id == ident)).one()
        return await self._finished(row, now)

    async def listing(
        self, account: Account, status: str | None, *, limit: int, offset: int
    ) -> tuple[list[Export], bool]:
        with self.ctx.engine.connect() as conn:
            now = self.ctx.now(account.id, conn)
            exported = conn.execute(
                select(cdr_exports)
                .where(cdr_exports.c.account_id == account.id)
                .order_by(cdr_exports.c.id)
            ).all()
        chosen = [r for r in exported if not status or _status(r, now) == status]
        page = [await self._finished(row, now) for row in chosen[offset : offset + limit]]
        return page, offset + limit < len(chosen)

    async def get(self, account: Account, ident: int) -> Export:
        with self.ctx.engine.connect() as conn:
            now = self.ctx.now(account.id, conn)
            row = conn.execute(
                select(cdr_exports).where(
                    cdr_exports.c.account_id == account.id, cdr_exports.c.id == ident
                )
            ).first()
        if row is None:
            raise ApiError(404, f"CDR export {ident} was not found on your account.")
        return await self._finished(row, now)

    def download(self, token: str) -> tuple[Export, Iterator[call_records.Row]]:
        """The pre-signed download: no credentials, expires three (virtual) days after
        completion. Returns the export and its rows, generated as they are read."""
        with self.ctx.engine.connect() as conn:
            row = conn.execute(select(cdr_exports).where(cdr_exports.c.token == token)).first()
            if row is None:
                raise ApiError(404, "No such download.")
            now = self.ctx.now(row.account_id, conn)
            if _status(row, now) != "completed":
                raise ApiError(404, "This export has no download.")
            if now > row.completes_at + URL_LIFETIME:
                raise ApiError(
                    403,
                    "Request has expired: download URLs last 3 days; create a new export.",
                    "Forbidden",
                )
            sources = Sources(conn, row.account_id)
        return _record(row, now), sources.rows(dict(row.filters))

    # --- call records (control API) ----------------------------------------------------------

    def generate_calls(
        self, account: Account, *, count: int, start: float, end: float, seed: int
    ) -> None:
        """``count`` realistic calls over [start, end), stored as one block and generated when
        exported, so a million cost nothing up front."""
        if not 1 <= count <= MAX_GENERATED:
            raise ApiError(400, f"count must be from 1 to {MAX_GENERATED:,}.")
        with self.ctx.engine.begin() as conn:
            conn.execute(
                insert(call_blocks).values(
                    account_id=account.id, seed=seed, size=count, start_time=start, end_time=end
                )
            )

    def add_calls(self, account: Account, records: Any) -> int:
        """Exact call records (the 25 CSV columns; any left out are blank)."""
        if not isinstance(records, list) or not 1 <= len(records) <= MAX_RECORDS_PER_CALL:
            raise ApiError(
                400,
                'Send {"records": [{"start_time": "2026-01-01 10:00:00", ...}]} with 1 to '
                f"{MAX_RECORDS_PER_CALL} records.",
            )
        values = []
        for record in records:
            if not isinstance(record, dict) or not record.get("start_time"):
                raise ApiError(400, "Every record needs a start_time.")
            unknown = sorted(set(record) - set(call_records.COLUMNS))
            if unknown:
                raise ApiError(400, f"Unknown call record fields: {_names(unknown)}.")
            began = parse_time(record["start_time"], "start_time", status=400, stored=True)
            row = []
            for name in call_records.COLUMNS:
                value = record.get(name, "")
                if not isinstance(value, str | int | float) or len(str(value)) > 256:
                    raise ApiError(
                        400, f"Call record field {name} must be text up to 256 characters."
                    )
                row.append(str(value))
            row[call_records.INDEX["start_time"]] = call_records.csv_time(began)
            values.append({"account_id": account.id, "start_time": began, "row": row})
        with self.ctx.engine.begin() as conn:
            conn.execute(insert(calls), values)
        return len(values)
