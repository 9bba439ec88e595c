"""Inbound voice routes: create, list, update, delete, and a number's primary/failover route."""

from __future__ import annotations

import builtins
import re
from typing import Literal, Unpack, get_args

from .._core.call import Call, PageCall, query
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint, paginated
from ..phone import to_nanp
from ..types._base import parse_empty, parse_list, parse_one, parse_page
from ..types.route import EdgeStrategy, Route
from ._params import non_negative, path_id

CreatableRouteType = Literal["host", "number", "uri"]
ListableRouteType = Literal["host", "number", "uri", "sip-reg"]
Slot = Literal["primary_route", "failover_route"]

_HOST = re.compile(r"[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*")
_URI = re.compile(r"sips?:[^@\s]+@[A-Za-z0-9.\-]+(:\d{1,5})?(;[A-Za-z]+=[A-Za-z0-9]+)*")


def _route_type(value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise InvalidRequestError(
            f"route_type must be one of {', '.join(allowed)} (lowercase), got {value!r}"
        )
    return value


def check_route_value(route_type: str, value: str) -> str:
    """Validate a route value for its type; number routes are normalised to 1NPANXXXXXX."""
    if route_type == "number":
        return to_nanp(value, field="value for a number route")
    pattern, example = (
        (_HOST, "'24.239.23.40:5060' or 'sip.example.com'")
        if route_type == "host"
        else (_URI, "'sip:alice@atlanta.com' or 'sips:bob@example.com:5061;transport=tls'")
    )
    if not pattern.fullmatch(value):
        raise InvalidRequestError(
            f"value {value!r} is not a valid {route_type} route, e.g. {example}"
        )
    return value


def _attributes(
    alias: str | None, route_type: str | None, value: str | None, edge_strategy_id: int | None
) -> dict[str, object]:
    if alias is not None and not alias.strip():
        raise InvalidRequestError("alias must not be empty: routes need a unique friendly name")
    if route_type is not None:
        _route_type(route_type, get_args(CreatableRouteType))
    if value is not None:
        if route_type is None:
            raise InvalidRequestError("pass route_type= together with value= so it can be checked")
        value = check_route_value(route_type, value)
    attributes = {
        "alias": alias,
        "route_type": route_type,
        "value": value,
        "edge_strategy_id": edge_strategy_id,
    }
    return {k: v for k, v in attributes.items() if v is not None}


def _assign(number: str | int, slot: Slot, route: str | int | None) -> Call[None]:
    path = f"/v2/numbers/{to_nanp(number)}/relationships/{slot}"
    if route is None:
        return Call("DELETE", path, parse_empty)
    body = {"data": {"type": "route", "id": path_id("route", route)}}
    return Call("PATCH", path, parse_empty, json=body)


class Routes(Resource[M]):
    """``client.routes``: where inbound calls to your numbers go."""

    @paginated
    def list(
        self,
        *,
        route_type: ListableRouteType | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[Route]:
        """Your routes, including the built-in ``"0"`` sip-reg route."""
        if route_type is not None:
            _route_type(route_type, get_args(ListableRouteType))
        params = query(route_type=route_type, offset=non_negative("offset", offset))
        return PageCall("/v2/routes", params, parse_page(Route), 200, limit, page_size)

    @endpoint
    def create(
        self,
        *,
        alias: str,
        route_type: CreatableRouteType,
        value: str,
        edge_strategy_id: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[Route]:
        """Create a host (IP/host[:port]), number (11-digit) or uri (sip:user@host) route."""
        attributes = _attributes(alias, route_type, value, edge_strategy_id)
        body = {"data": {"type": "route", "attributes": attributes}}
        return Call(
            "POST",
            "/v2/routes",
            parse_one(Route),
            json=body,
            idempotent=False,
            action=f"creating route {alias!r}",
        )

    @endpoint
    def update(
        self,
        route_id: str | int,
        *,
        alias: str | None = None,
        route_type: CreatableRouteType | None = None,
        value: str | None = None,
        edge_strategy_id: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[Route]:
        """Change any of a route's fields."""
        attributes = _attributes(alias, route_type, value, edge_strategy_id)
        if not attributes:
            raise InvalidRequestError(
                "update needs at least one of alias=, route_type=, value=, edge_strategy_id="
            )
        body = {
            "data": {"type": "route", "id": path_id("route_id", route_id), "attributes": attributes}
        }
        return Call(
            "PATCH", f"/v2/routes/{path_id('route_id', route_id)}", parse_one(Route), json=body
        )

    @endpoint
    def delete(self, route_id: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Delete a route; refused (403) while any number uses it."""
        return Call("DELETE", f"/v2/routes/{path_id('route_id', route_id)}", parse_empty)

    @endpoint
    def edge_strategies(
        self, **options: Unpack[RequestOptions]
    ) -> Call[builtins.list[EdgeStrategy]]:
        """Flowroute's points of presence a route can prefer."""
        return Call("GET", "/v2/routes/edge_strategies", parse_list(EdgeStrategy))

    @endpoint
    def set_primary(
        self, number: str | int, *, route: str | int, **options: Unpack[RequestOptions]
    ) -> Call[None]:
        """Send the number's inbound calls to ``route`` first."""
        return _assign(number, "primary_route", route)

    @endpoint
    def set_failover(
        self, number: str | int, *, route: str | int, **options: Unpack[RequestOptions]
    ) -> Call[None]:
        """Use ``route`` when the primary route fails."""
        return _assign(number, "failover_route", route)

    @endpoint
    def clear_primary(self, number: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Remove the number's primary route."""
        return _assign(number, "primary_route", None)

    @endpoint
    def clear_failover(self, number: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Remove the number's failover route."""
        return _assign(number, "failover_route", None)
