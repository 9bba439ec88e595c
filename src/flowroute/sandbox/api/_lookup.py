"""Lookups several routers need: a caller's number, validated ids."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Row, select

from ..errors import ApiError
from ..store.schema import numbers

NUMBER_ID = re.compile(r"1[2-9]\d{2}[2-9]\d{6}")


def check_number_id(value: str) -> str:
    if not NUMBER_ID.fullmatch(value):
        raise ApiError(
            400,
            f"'{value}' is not a valid phone number id: use the 11-digit number with the "
            "leading 1, for example 12065550100.",
        )
    return value


def owned(
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
