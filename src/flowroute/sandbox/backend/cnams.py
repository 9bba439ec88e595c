"""CNAM records (spec C1-C7): created pending, reviewed on the virtual clock, attached to
numbers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update

from ...callerid import cnam_value_error
from ..errors import ApiError
from ..records import Account, Cnam
from ..store.schema import cnams, numbers
from ._context import Context, fits
from ._lookup import owned_number, owned_row

# Values the sandbox's reviewers reject (documented in docs/sandbox.md), and why.
PROFANITY = frozenset({"DAMN", "HELL", "CRAP", "SUCKS"})
_PHONE = re.compile(r"\d[\d\s\-.()]{5,}\d", re.ASCII)


def review(value: str) -> str | None:
    """The rejection reason for ``value``, or None when it is approved."""
    if _PHONE.search(value):
        return "Phone numbers are not allowed as a caller ID name."
    if "POLICE" in value:
        return "Misleading: the name impersonates a public authority."
    if PROFANITY & set(re.split(r"[^A-Z]+", value)):
        return "Inappropriate language."
    return None


def cnam_record(row: Row[Any], now: float, delay: float) -> Cnam:
    """The stored record as of ``now``: decided by the control API, else reviewed by itself
    once the approval delay has passed."""
    if row.decision is not None:
        approved, decided, reason = row.decision == "approved", row.decided_at, row.rejection_reason
    elif now < row.created_at + delay:
        approved, decided, reason = False, None, None
    else:
        reason = review(row.value)
        approved, decided = reason is None, row.created_at + delay
    return Cnam(row.id, row.value, row.created_at, approved, decided, reason)


def cnam_value(value: Any) -> str:
    if not isinstance(value, str):
        raise ApiError(422, 'Send {"value": "YOUR NAME"}: the caller ID name, up to 15 characters.')
    if problem := cnam_value_error(value):
        raise ApiError(422, problem[0].upper() + problem[1:] + ".")
    return value.upper()


class Cnams:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _row(
        self, conn: Connection, account_id: int, ident: int, missing: str | None = None
    ) -> Row[Any]:
        row = owned_row(conn, cnams, account_id, ident)
        if row is None:
            raise ApiError(
                404,
                missing or f"CNAM record {ident} was not found on your account.",
                "Resource not found",
            )
        return row

    def _record(self, conn: Connection, account: Account, ident: int) -> Cnam:
        row = self._row(conn, account.id, ident)
        return cnam_record(
            row, self.ctx.now(account.id, conn), self.ctx.settings.cnam_approval_delay
        )

    def listing(self, account: Account, *, patterns: dict[str, str]) -> list[Cnam]:
        """Every record matching the ILIKE ``patterns`` (column value), oldest first."""
        query = select(cnams).where(cnams.c.account_id == account.id)
        for pattern in patterns.values():
            query = query.where(cnams.c.value.ilike(pattern))
        delay = self.ctx.settings.cnam_approval_delay
        with self.ctx.engine.connect() as conn:
            now = self.ctx.now(account.id, conn)
            rows = conn.execute(query.order_by(cnams.c.id)).all()
        return [cnam_record(row, now, delay) for row in rows]

    def get(self, account: Account, ident: int) -> Cnam:
        with self.ctx.engine.connect() as conn:
            record = self._record(conn, account, ident)
            attached = conn.scalars(
                select(numbers.c.value).where(
                    numbers.c.account_id == account.id, numbers.c.cnam_id == ident
                )
            ).all()
        return record._replace(numbers=tuple(attached))

    def create(self, account: Account, value: Any) -> Cnam:
        name = cnam_value(value)
        with self.ctx.engine.begin() as conn:
            now = self.ctx.now(account.id, conn)
            created = conn.execute(
                insert(cnams).values(account_id=account.id, value=name, created_at=now)
            )
            return self._record(conn, account, created.inserted_primary_key[0])  # type: ignore[index]

    def update(self, account: Account, ident: int, value: Any) -> Cnam:
        name = cnam_value(value)
        with self.ctx.engine.begin() as conn:
            if self._record(conn, account, ident).decided_at is not None:
                raise ApiError(
                    403,
                    f"CNAM record {ident} has been reviewed; only pending records can be changed.",
                )
            now = self.ctx.now(account.id, conn)
            conn.execute(
                update(cnams).where(cnams.c.id == ident).values(value=name, created_at=now)
            )
            return self._record(conn, account, ident)

    def delete(self, account: Account, ident: int) -> None:
        with self.ctx.engine.begin() as conn:
            self._row(conn, account.id, ident, "CNAM record not found. Nothing to delete.")
            # Deleting a record detaches it from every number (as on Flowroute).
            conn.execute(update(numbers).where(numbers.c.cnam_id == ident).values(cnam_id=None))
            conn.execute(delete(cnams).where(cnams.c.id == ident))

    def associate(self, account: Account, number: str, ident: int | None) -> float:
        """Attach record ``ident`` (None detaches) to ``number``; returns the virtual now."""
        with self.ctx.engine.begin() as conn:
            now = self.ctx.now(account.id, conn)
            row = owned_number(conn, account.id, number)
            if ident is not None:
                record = self._record(conn, account, ident)
                if not record.is_approved:
                    raise ApiError(
                        422,
                        f"CNAM record {ident} was rejected: {record.rejection_reason}"
                        if record.decided_at is not None
                        else f"CNAM record {ident} is pending approval; numbers can use it once "
                        "approved.",
                    )
                if row.number_type == "toll-free":
                    raise ApiError(
                        422, "CNAM records can only be assigned to long-code (local US) numbers."
                    )
            conn.execute(update(numbers).where(numbers.c.id == row.id).values(cnam_id=ident))
        return now

    def decide(self, account: Account, ident: int, reason: str | None) -> Cnam:
        """Approve (``reason`` None) or reject a record now (control API)."""
        if reason is not None:
            fits(cnams, {"rejection_reason": reason}, {"rejection_reason": "reason"})
        with self.ctx.engine.begin() as conn:
            self._row(conn, account.id, ident)
            now = self.ctx.now(account.id, conn)
            conn.execute(
                update(cnams)
                .where(cnams.c.id == ident)
                .values(
                    decision="rejected" if reason else "approved",
                    decided_at=now,
                    rejection_reason=reason,
                )
            )
            return self._record(conn, account, ident)
