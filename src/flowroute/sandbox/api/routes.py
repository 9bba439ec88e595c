"""Routes (spec R1-R8): inbound voice routes, edge strategies, a number's primary/failover."""

from __future__ import annotations

import re
from typing import Any, Literal

from sqlalchemy import Connection, Row, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..store.schema import numbers, routes
from ._context import caller
from ._http import (
    attributes,
    base_url,
    document,
    list_links,
    no_content,
    page,
    query_params,
    read_body,
)
from ._lookup import check_number_id, owned
from ._routing import WireRouter

router = WireRouter()

ROUTE_TYPES = ("host", "number", "uri")
SIP_REG = {"alias": "sip-reg", "edge_strategy_id": None, "route_type": "sip-reg", "value": None}
EDGE_STRATEGIES = (
    (1, "US-West-OR", "Oregon", "34.210.91.112/28, 34.210.91.112-34.210.91.127", "us-west-or"),
    (2, "US-Central-IL", "Illinois", "34.226.36.48/28, 34.226.36.48-34.226.36.63", "us-central-il"),
    (3, "US-West-CA", "California", "34.226.36.64/28, 34.226.36.64-34.226.36.79", "us-west-ca"),
    (4, "US-East-VA", "North Virginia", "34.226.36.32/28, 34.226.36.32-34.226.36.47", "us-east-va"),
)
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*")
_URI = re.compile(r"sips?:[^@\s]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*")
_NUMBER = re.compile(r"1[2-9]\d{2}[2-9]\d{6}")


def route_resource(row: Row[Any] | None, base: str) -> dict[str, Any]:
    """A route object; ``None`` renders the built-in route ``"0"`` (sip-reg)."""
    if row is None:
        ident, attrs = "0", dict(SIP_REG)
    else:
        ident = str(row.id)
        attrs = {
            "alias": row.alias,
            "edge_strategy_id": row.edge_strategy_id,
            "route_type": row.route_type,
            "value": row.value,
        }
    return {
        "type": "route",
        "id": ident,
        "attributes": attrs,
        "links": {"self": f"{base}/v2/routes/{ident}"},
    }


def _route_id(value: Any) -> int:
    text = str(value).strip() if value is not None else ""
    if not text.isdigit():
        raise ApiError(400, f"Route id must be numeric, got {value!r}.")
    return int(text)


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
        if not str(ident).isdigit() or int(ident) not in {e[0] for e in EDGE_STRATEGIES}:
            raise ApiError(
                422,
                f"edge_strategy_id {ident!r} is not an edge strategy; "
                "see GET /v2/routes/edge_strategies.",
            )
        out["edge_strategy_id"] = int(ident)
    return out


def _check_value(route_type: str | None, value: Any) -> str:
    if route_type is None:
        raise ApiError(422, "route_type is required when value is given.")
    text = str(value) if value is not None else ""
    checks = {
        "host": (_HOST, "an IP or hostname with optional :port, e.g. 24.239.23.40:5060"),
        "number": (_NUMBER, "an 11-digit number with the leading 1, e.g. 16476998778"),
        "uri": (_URI, "a SIP URI such as sip:alice@atlanta.com or sips:bob@example.com:5061"),
    }
    pattern, hint = checks[route_type]
    if not pattern.fullmatch(text):
        raise ApiError(422, f"value {text!r} is not valid for a {route_type} route: use {hint}.")
    return text


def _duplicate(alias: str) -> ApiError:
    return ApiError(403, f"A route with alias {alias!r} already exists on your account.")


def _owned_route(conn: Connection, account_id: int, route_id: int) -> Row[Any]:
    row = conn.execute(
        select(routes).where(routes.c.account_id == account_id, routes.c.id == route_id)
    ).first()
    if row is None:
        raise ApiError(404, f"Route {route_id} was not found on your account.")
    return row


@router.get("/v2/routes")
async def list_routes(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    route_type = params.get("route_type") or None
    if route_type is not None and route_type not in (*ROUTE_TYPES, "sip-reg"):
        raise ApiError(
            400, f"route_type must be one of sip-reg, host, number, uri; got {route_type!r}."
        )
    base = base_url(request)
    items: list[dict[str, Any]] = []
    if route_type in (None, "sip-reg"):
        items.append(route_resource(None, base))
    query = select(routes).where(routes.c.account_id == account.id).order_by(routes.c.id)
    if route_type:
        query = query.where(routes.c.route_type == route_type)
    with state.engine.connect() as conn:
        items.extend(route_resource(row, base) for row in conn.execute(query))
    echo = [("route_type", route_type)] if route_type else []
    links = list_links(request, echo, limit, offset, offset + limit < len(items))
    return document({"data": items[offset : offset + limit], "links": links})


@router.post("/v2/routes")
async def create_route(request: Request) -> Response:
    state, account = caller(request)
    attrs = _validate(attributes(await read_body(request)), partial=False)
    try:
        with state.engine.begin() as conn:
            taken = conn.scalar(
                select(routes.c.id).where(
                    routes.c.account_id == account.id, routes.c.alias == attrs["alias"]
                )
            )
            if taken is not None:
                raise _duplicate(attrs["alias"])
            ident = conn.execute(
                insert(routes).values(account_id=account.id, **attrs)
            ).inserted_primary_key
            row = _owned_route(conn, account.id, ident[0])  # type: ignore[index]
    except IntegrityError:
        raise _duplicate(attrs["alias"]) from None
    resource = route_resource(row, base_url(request))
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.get("/v2/routes/edge_strategies")
async def list_edge_strategies(request: Request) -> Response:
    caller(request)
    data = [
        {
            "type": "edge_strategy",
            "id": ident,
            "attributes": {
                "description": "Data will be sent preferentially from our edge systems in "
                f"{region}. "
                "We will fall back to other regions if necessary.",
                "firewall_rules": rules,
                "name": name,
                "naptr": f"{naptr}.sip.flowroute.com",
            },
        }
        for ident, name, region, rules, naptr in EDGE_STRATEGIES
    ]
    return document({"data": data})


def _system_route(route_id: int) -> None:
    if route_id == 0:
        raise ApiError(403, "Route 0 (sip-reg) is built in and cannot be changed or deleted.")


@router.patch("/v2/routes/{route_id}")
async def update_route(request: Request, route_id: str) -> Response:
    state, account = caller(request)
    ident = _route_id(route_id)
    _system_route(ident)
    body = attributes(await read_body(request))
    try:
        with state.engine.begin() as conn:
            current = _owned_route(conn, account.id, ident)
            if "value" in body and "route_type" not in body:
                body["route_type"] = current.route_type
            changes = _validate(body, partial=True)
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
            row = _owned_route(conn, account.id, ident)
    except IntegrityError:
        raise _duplicate(str(body.get("alias"))) from None
    resource = route_resource(row, base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.delete("/v2/routes/{route_id}")
async def delete_route(request: Request, route_id: str) -> Response:
    state, account = caller(request)
    ident = _route_id(route_id)
    _system_route(ident)
    with state.engine.begin() as conn:
        _owned_route(conn, account.id, ident)
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
    return no_content()


Slot = Literal["primary_route", "failover_route"]


async def _set_slot(request: Request, number_id: str, slot: Slot, assign: bool) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    route_id: int | None = None
    if assign:
        body = attributes(await read_body(request))
        if body.get("id") is None:
            raise ApiError(
                422, 'Body must name the route: {"data": {"type": "route", "id": "<route id>"}}.'
            )
        route_id = _route_id(body["id"])
    with state.engine.begin() as conn:
        owned(conn, account.id, number_id)
        if route_id:
            exists = conn.scalar(
                select(routes.c.id).where(
                    routes.c.account_id == account.id, routes.c.id == route_id
                )
            )
            if exists is None:
                raise ApiError(422, f"Route {route_id} does not exist on your account.")
        conn.execute(
            update(numbers)
            .where(numbers.c.account_id == account.id, numbers.c.value == number_id)
            .values({f"{slot}_id": route_id})
        )
    return no_content()


def _slot_routes(slot: Slot) -> None:
    path = f"/v2/numbers/{{number_id}}/relationships/{slot}"

    async def assign(request: Request, number_id: str) -> Response:
        return await _set_slot(request, number_id, slot, assign=True)

    async def remove(request: Request, number_id: str) -> Response:
        return await _set_slot(request, number_id, slot, assign=False)

    router.add(path, "PATCH", assign)
    router.add(path, "DELETE", remove)


_slot_routes("primary_route")
_slot_routes("failover_route")
