"""Routes (spec R1-R8): inbound voice routes, edge strategies, a number's primary/failover."""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy import Connection, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError, quoted
from ..records import Account, Route
from ..store.schema import numbers, routes
from ._context import Context, fits
from ._lookup import ROUTE_SELECT, owned_number, route_record

ROUTE_TYPES = ("host", "number", "uri")
LISTED_TYPES = ("sip-reg", *ROUTE_TYPES)
EDGE_STRATEGIES = (
    (1, "US-West-OR", "Oregon", "34.210.91.112/28, 34.210.91.112-34.210.91.127", "us-west-or"),
    (2, "US-Central-IL", "Illinois", "34.226.36.48/28, 34.226.36.48-34.226.36.63", "us-central-il"),
    (3, "US-West-CA", "California", "34.226.36.64/28, 34.226.36.64-34.226.36.79", "us-west-ca"),
    (4, "US-East-VA", "North Virginia", "34.226.36.32/28, 34.226.36.32-34.226.36.47", "us-east-va"),
)
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*", re.ASCII)
_URI = re.compile(r"sips?:[^@\s]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*", re.ASCII)
_NUMBER = re.compile(r"1[2-9]\d{2}[2-9]\d{6}", re.ASCII)
_VALUE_RULES = {
    "host": (_HOST, "an IP or hostname with optional :port, e.g. 24.239.23.40:5060"),
    "number": (_NUMBER, "an 11-digit number with the leading 1, e.g. 16476998778"),
    "uri": (_URI, "a SIP URI such as sip:alice@atlanta.com or sips:bob@example.com:5061"),
}
Slot = Literal["primary_route", "failover_route"]


def _check_value(route_type: str | None, value: Any) -> str:
    if route_type is None:
        raise ApiError(422, "route_type is required when value is given.")
    text = str(value) if value is not None else ""
    pattern, hint = _VALUE_RULES[route_type]
    if len(text) > 256 or not pattern.fullmatch(text):
        raise ApiError(
            422,
            f"value {quoted(text, 80)} is not valid for a {route_type} route: use {hint} (at most "
            "256 characters).",
        )
    return text


def _validate(attrs: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """Check route attributes; raise 422 naming the field and a valid example."""
    out: dict[str, Any] = {}
    if "edge_strategy" in attrs and "edge_strategy_id" not in attrs:
        attrs = {**attrs, "edge_strategy_id": attrs["edge_strategy"]}  # the Python demo's key
    for name in ("alias", "route_type", "value"):
        if not partial and not attrs.get(name):
            raise ApiError(422, f"{name} is required to create a route.")
    if "alias" in attrs:
        alias = attrs["alias"]
        if not isinstance(alias, str) or not alias.strip() or len(alias) > 64:
            raise ApiError(422, "alias must be a non-empty string of at most 64 characters.")
        out["alias"] = alias
    route_type = attrs.get("route_type")
    if route_type is not None:
        if route_type not in ROUTE_TYPES:
            raise ApiError(
                422, f"route_type must be one of host, number, uri (lowercase); got {route_type!r}."
            )
        out["route_type"] = route_type
    if "value" in attrs:
        out["value"] = _check_value(route_type, attrs["value"])
    if attrs.get("edge_strategy_id") is not None:
        ident = attrs["edge_strategy_id"]
        known = {str(e[0]) for e in EDGE_STRATEGIES}
        if isinstance(ident, bool) or str(ident) not in known:
            raise ApiError(
                422,
                f"edge_strategy_id {ident!r} is not an edge strategy; "
                "see GET /v2/routes/edge_strategies.",
            )
        out["edge_strategy_id"] = int(str(ident))
    fits(routes, out)
    return out


def _duplicate(alias: str) -> ApiError:
    return ApiError(403, f"A route with alias {alias!r} already exists on your account.")


def _system_route(route_id: int) -> None:
    if route_id == 0:
        raise ApiError(403, "Route 0 (sip-reg) is built in and cannot be changed or deleted.")


class Routes:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _route(self, conn: Connection, account_id: int, ident: int) -> Route:
        route = route_record(conn, account_id, ident)
        if route is None:
            raise ApiError(404, f"Route {ident} was not found on your account.")
        return route

    def listing(self, account: Account, route_type: str | None) -> list[Route | None]:
        """The account's routes, the built-in sip-reg route (None) first."""
        items: list[Route | None] = [None] if route_type in (None, "sip-reg") else []
        query = ROUTE_SELECT.where(routes.c.account_id == account.id).order_by(routes.c.id)
        if route_type:
            query = query.where(routes.c.route_type == route_type)
        with self.ctx.engine.connect() as conn:
            items.extend(Route(*row) for row in conn.execute(query))
        return items

    def create(self, account: Account, attrs: dict[str, Any]) -> Route:
        values = _validate(attrs, partial=False)
        try:
            with self.ctx.engine.begin() as conn:
                taken = conn.scalar(
                    select(routes.c.id).where(
                        routes.c.account_id == account.id, routes.c.alias == values["alias"]
                    )
                )
                if taken is not None:
                    raise _duplicate(values["alias"])
                ident = conn.execute(
                    insert(routes).values(account_id=account.id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
                return self._route(conn, account.id, ident)
        except IntegrityError:
            raise _duplicate(values["alias"]) from None

    def update(self, account: Account, ident: int, attrs: dict[str, Any]) -> Route:
        _system_route(ident)
        try:
            with self.ctx.engine.begin() as conn:
                current = self._route(conn, account.id, ident)
                if "value" in attrs and "route_type" not in attrs:
                    attrs = {**attrs, "route_type": current.route_type}
                changes = _validate(attrs, partial=True)
                if "alias" in changes and changes["alias"] != current.alias:
                    clash = conn.scalar(
                        select(routes.c.id).where(
                            routes.c.account_id == account.id, routes.c.alias == changes["alias"]
                        )
                    )
                    if clash is not None:
                        raise _duplicate(changes["alias"])
                if "route_type" in changes and "value" not in changes:
                    changes["value"] = _check_value(changes["route_type"], current.value)
                if changes:
                    conn.execute(update(routes).where(routes.c.id == ident).values(**changes))
                return self._route(conn, account.id, ident)
        except IntegrityError:
            raise _duplicate(str(attrs.get("alias"))) from None

    def delete(self, account: Account, ident: int) -> None:
        _system_route(ident)
        with self.ctx.engine.begin() as conn:
            self._route(conn, account.id, ident)
            in_use = conn.scalar(
                select(numbers.c.value)
                .where(
                    numbers.c.account_id == account.id,
                    or_(numbers.c.primary_route_id == ident, numbers.c.failover_route_id == ident),
                )
                .limit(1)
            )
            if in_use is not None:
                raise ApiError(
                    403,
                    "Please disassociate all numbers before deleting.",
                    "This Route has numbers still associated to it.",
                )
            conn.execute(delete(routes).where(routes.c.id == ident))

    def set_slot(self, account: Account, number: str, slot: Slot, ident: int | None) -> None:
        """Point a number's primary or failover route at ``ident`` (0 is sip-reg; None clears)."""
        with self.ctx.engine.begin() as conn:
            owned_number(conn, account.id, number)
            if ident and route_record(conn, account.id, ident) is None:
                raise ApiError(422, f"Route {ident} does not exist on your account.")
            conn.execute(
                update(numbers)
                .where(numbers.c.account_id == account.id, numbers.c.value == number)
                .values({f"{slot}_id": ident})
            )
