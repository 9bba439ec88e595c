"""What every resource backend works with: the store, the virtual clock and the settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, String, Table, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..clock import Clock
from ..errors import ApiError
from ..limits import check_text
from ..settings import SandboxSettings
from ..store.schema import accounts

_ACCOUNT_TIME = select(accounts.c.clock_offset, accounts.c.webhook_format).where(
    accounts.c.id == bindparam("account")
)


@dataclass(frozen=True)
class Context:
    engine: Engine
    clock: Clock
    settings: SandboxSettings

    # Helpers without ``conn`` open their own connection: never call them inside another
    # transaction, since in-memory SQLite shares one connection and closing the inner one
    # rolls back the outer.
    def now(self, account_id: int, conn: Connection | None = None) -> float:
        """The account's virtual time, as epoch seconds."""
        return self.now_and_webhook_format(account_id, conn)[0]

    def now_and_webhook_format(
        self, account_id: int, conn: Connection | None = None
    ) -> tuple[float, str]:
        """The account's virtual time and webhook shape in one query."""
        if conn is None:
            with self.engine.connect() as own:
                return self.now_and_webhook_format(account_id, own)
        offset, shape = conn.execute(_ACCOUNT_TIME, {"account": account_id}).one()
        return self.clock.epoch(float(offset or 0.0)), str(shape or "jsonapi")


def fits(table: Table, values: Mapping[str, Any], names: Mapping[str, str] | None = None) -> None:
    """Check strings against the columns they go to (length, NUL, surrogates) before a write:
    PostgreSQL would refuse them mid-transaction, SQLite would store them silently.
    ``names`` maps a column to the field name the caller used."""
    for column, value in values.items():
        if not isinstance(value, str):
            continue
        name = (names or {}).get(column, column)
        check_text(value, name)
        kind = table.c[column].type
        if isinstance(kind, String) and kind.length is not None and len(value) > kind.length:
            raise ApiError(
                400, f"{name} must be at most {kind.length} characters, got {len(value)}."
            )


def insert_missing(conn: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """INSERT that does nothing when a unique key already holds the row (race-safe: no
    read-then-insert, no aborted transaction on PostgreSQL); True when it inserted."""
    dialect = sqlite_insert if conn.dialect.name == "sqlite" else postgresql_insert
    statement = dialect(table).values(**values).on_conflict_do_nothing()
    # rowcount is not reported for this statement on every driver (psycopg gives -1): RETURNING
    # says for certain whether a row went in.
    return conn.execute(statement.returning(*table.primary_key.columns)).first() is not None
