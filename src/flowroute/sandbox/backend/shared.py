"""Send limits and injected faults kept in the database, for sandboxes whose worker processes
share it (PostgreSQL): every worker counts the same attempts and takes from the same faults. A
single-process sandbox keeps both in memory instead (``ratelimit.SendLimiter``,
``faults.FaultBook``); these offer the same methods."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, Row, delete, exists, func, insert, select, update

from ..faults import Fault
from ..ratelimit import WINDOW
from ..store.schema import accounts, faults, send_attempts


class StoredSendLimiter:
    """Flowroute's per-account send limits, counted in ``send_attempts`` across workers."""

    def __init__(self, engine: Engine, per_second: dict[str, float]) -> None:
        self.engine = engine
        self._limits = per_second

    def allow(self, account_id: int, kind: str) -> bool:
        """Record an attempt; False when it exceeds the limit for ``kind`` ("sms" or "mms")."""
        now = time.time()
        window = (send_attempts.c.account_id == account_id, send_attempts.c.kind == kind)
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # One account's attempts are counted one at a time, whichever worker gets them.
                conn.execute(
                    select(accounts.c.id).where(accounts.c.id == account_id).with_for_update()
                )
            conn.execute(delete(send_attempts).where(*window, send_attempts.c.at <= now - WINDOW))
            seen = conn.scalar(select(func.count()).select_from(send_attempts).where(*window)) or 0
            conn.execute(insert(send_attempts).values(account_id=account_id, kind=kind, at=now))
        return seen + 1 <= self._limits[kind]


def _fault(row: Row[Any]) -> Fault:
    return Fault(
        method=row.method,
        path=row.path,
        count=row.remaining,
        status=row.status,
        delay=row.delay,
        drop=row.drop,
        when=row.when,
        headers=dict(row.headers),
        id=row.id,
    )


class StoredFaults:
    """Faults per account in the ``faults`` table; ``take`` consumes one use atomically."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, account_id: int, fault: Fault) -> Fault:
        with self.engine.begin() as conn:
            fault.id = conn.execute(
                insert(faults).values(
                    account_id=account_id,
                    method=fault.method,
                    path=fault.path,
                    remaining=fault.count,
                    status=fault.status,
                    delay=fault.delay,
                    drop=fault.drop,
                    when=fault.when,
                    headers=fault.headers,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        return fault

    def list(self, account_id: int) -> list[Fault]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(faults)
                .where(faults.c.account_id == account_id, faults.c.remaining > 0)
                .order_by(faults.c.id)
            ).all()
        return [_fault(row) for row in rows]

    def clear(self, account_id: int) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(faults).where(faults.c.account_id == account_id))

    @property
    def active(self) -> bool:
        """Any fault pending for anyone (checked before authenticating on every request)."""
        with self.engine.connect() as conn:
            return bool(conn.scalar(select(exists().where(faults.c.remaining > 0))))

    def take(self, account_id: int, method: str, path: str) -> Fault | None:
        with self.engine.begin() as conn:
            for fault in map(
                _fault,
                conn.execute(
                    select(faults)
                    .where(faults.c.account_id == account_id, faults.c.remaining > 0)
                    .order_by(faults.c.id)
                ),
            ):
                if not fault.matches(method, path):
                    continue
                # Another worker may take the last use first: only a decrement that happened
                # counts, so each use is taken exactly once.
                taken = conn.execute(
                    update(faults)
                    .where(faults.c.id == fault.id, faults.c.remaining > 0)
                    .values(remaining=faults.c.remaining - 1)
                ).rowcount
                if taken:
                    conn.execute(
                        delete(faults).where(faults.c.id == fault.id, faults.c.remaining <= 0)
                    )
                    return fault
        return None
