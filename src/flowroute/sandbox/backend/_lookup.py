"""Lookups several resource backends share: a caller's number, records by id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, Table, select

from ..errors import ApiError
from ..records import E911, E911_COLUMNS, Route
from ..store.schema import e911s, numbers, routes

E911_SELECT = select(e911s.c.id, *(e911s.c[name] for name in E911_COLUMNS[1:]))
ROUTE_SELECT = select(
    routes.c.id, routes.c.alias, routes.c.route_type, routes.c.value, routes.c.edge_strategy_id
)


def owned_number(
    conn: Connection,
    account_id: int,
    value: str,
    *,
    detail: str = "Could not find that resource on your account.",
    status: int = 404,
) -> Row[Any]:
    row = conn.execute(
        select(numbers).where(numbers.c.account_id == account_id, numbers.c.value == value)
    ).first()
    if row is None:
        raise ApiError(status, detail)
    return row


def owned_row(conn: Connection, table: Table, account_id: int, ident: int) -> Row[Any] | None:
    return conn.execute(
        select(table).where(table.c.account_id == account_id, table.c.id == ident)
    ).first()


def e911_record(conn: Connection, account_id: int, ident: int) -> E911 | None:
    row = conn.execute(
        E911_SELECT.where(e911s.c.account_id == account_id, e911s.c.id == ident)
    ).first()
    return None if row is None else E911(*row)


def route_record(conn: Connection, account_id: int, ident: int) -> Route | None:
    row = conn.execute(
        ROUTE_SELECT.where(routes.c.account_id == account_id, routes.c.id == ident)
    ).first()
    return None if row is None else Route(*row)
