"""Routes (spec R1-R8): parse the request, call the backend, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..backend.routes import EDGE_STRATEGIES, LISTED_TYPES, Slot
from ..errors import ApiError, quoted
from ..web.caller import caller
from ..web.ids import check_number_id
from ..web.parse import attributes, page, query_params, read_body, record_id
from ..web.responses import base_url, document, list_links, no_content
from ..wire.routes import edge_strategy, route_resource
from ._routing import WireRouter

router = WireRouter()


@router.get("/v2/routes")
async def list_routes(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    route_type = params.get("route_type") or None
    if route_type is not None and route_type not in LISTED_TYPES:
        raise ApiError(
            400, f"route_type must be one of sip-reg, host, number, uri; got {quoted(route_type)}."
        )
    base = base_url(request)
    items = [route_resource(route, base) for route in backend.routes.listing(account, route_type)]
    echo = [("route_type", route_type)] if route_type else []
    links = list_links(request, echo, limit, offset, offset + limit < len(items))
    return document({"data": items[offset : offset + limit], "links": links})


@router.post("/v2/routes")
async def create_route(request: Request) -> Response:
    backend, account = caller(request)
    route = backend.routes.create(account, attributes(await read_body(request)))
    resource = route_resource(route, base_url(request))
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.get("/v2/routes/edge_strategies")
async def list_edge_strategies(request: Request) -> Response:
    caller(request)
    return document({"data": [edge_strategy(*item) for item in EDGE_STRATEGIES]})


@router.patch("/v2/routes/{route_id}")
async def update_route(request: Request, route_id: str) -> Response:
    backend, account = caller(request)
    ident = record_id(route_id, "Route")
    route = backend.routes.update(account, ident, attributes(await read_body(request)))
    resource = route_resource(route, base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.delete("/v2/routes/{route_id}")
async def delete_route(request: Request, route_id: str) -> Response:
    backend, account = caller(request)
    backend.routes.delete(account, record_id(route_id, "Route"))
    return no_content()


def _slot_routes(slot: Slot) -> None:
    path = f"/v2/numbers/{{number_id}}/relationships/{slot}"

    async def assign(request: Request, number_id: str) -> Response:
        backend, account = caller(request)
        check_number_id(number_id)
        body = attributes(await read_body(request))
        if body.get("id") is None:
            raise ApiError(
                422, 'Body must name the route: {"data": {"type": "route", "id": "<route id>"}}.'
            )
        backend.routes.set_slot(account, number_id, slot, record_id(body["id"], "Route"))
        return no_content()

    async def remove(request: Request, number_id: str) -> Response:
        backend, account = caller(request)
        backend.routes.set_slot(account, check_number_id(number_id), slot, None)
        return no_content()

    router.add(path, "PATCH", assign)
    router.add(path, "DELETE", remove)


_slot_routes("primary_route")
_slot_routes("failover_route")
