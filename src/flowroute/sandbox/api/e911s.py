"""E911 addresses (spec E1-E9): parse the request, call the backend, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..backend.e911s import SEARCHABLE, clean
from ..web.caller import caller
from ..web.ids import check_number_id
from ..web.parse import attributes, page, query_params, read_body, record_id
from ..web.responses import base_url, document, list_links, no_content
from ..wire.e911s import e911_number, e911_resource
from ._routing import WireRouter

router = WireRouter()


def _single(resource: dict[str, object], status: int = 200) -> Response:
    return document({"data": resource, "links": resource["links"]}, status=status)


@router.get("/v2/e911s")
async def list_e911s(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=2000)
    filters = {name: params[name] for name in (*SEARCHABLE, "state") if params.get(name)}
    found, more = backend.e911s.listing(account, filters, limit=limit, offset=offset)
    base = base_url(request)
    links = list_links(request, filters.items(), limit, offset, more)
    return document({"data": [e911_resource(record, base) for record in found], "links": links})


@router.get("/v2/e911s/{ident}")
async def get_e911(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    record = backend.e911s.get(account, record_id(ident, "E911 record"))
    return _single(e911_resource(record, base_url(request)))


@router.post("/v2/e911s/validate")
async def validate_e911(request: Request) -> Response:
    caller(request)
    clean(attributes(await read_body(request)))
    return no_content()


@router.post("/v2/e911s")
async def create_e911(request: Request) -> Response:
    backend, account = caller(request)
    record = backend.e911s.create(account, attributes(await read_body(request)))
    return _single(e911_resource(record, base_url(request)), status=201)


@router.patch("/v2/e911s/{ident}")
async def update_e911(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    number = record_id(ident, "E911 record")
    record = backend.e911s.update(account, number, attributes(await read_body(request)))
    return _single(e911_resource(record, base_url(request)))


@router.delete("/v2/e911s/{ident}")
async def delete_e911(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    backend.e911s.delete(account, record_id(ident, "E911 record"))
    return no_content()


@router.get("/v2/e911s/{ident}/relationships/numbers")
async def e911_numbers(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    limit, offset = page(query_params(request), maximum=2000)
    found, more = backend.e911s.numbers(
        account, record_id(ident, "E911 record"), limit=limit, offset=offset
    )
    base = base_url(request)
    data = [e911_number(value, alias, base) for value, alias in found]
    return document({"data": data, "links": list_links(request, [], limit, offset, more)})


@router.patch("/v2/numbers/{number_id}/relationships/e911s/{ident}")
async def associate_e911(request: Request, number_id: str, ident: str) -> Response:
    backend, account = caller(request)
    check_number_id(number_id)
    backend.e911s.associate(account, number_id, record_id(ident, "E911 record"))
    return no_content()


@router.delete("/v2/numbers/{number_id}/relationships/e911s")
async def disconnect_e911(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    backend.e911s.associate(account, check_number_id(number_id), None)
    return no_content()
