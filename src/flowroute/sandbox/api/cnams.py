"""CNAM records (spec C1-C7): parse the request, call the backend, render."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ..web.caller import caller
from ..web.ids import check_number_id
from ..web.parse import attributes, boolean, page, query_params, read_body, record_id
from ..web.responses import base_url, document, list_links, no_content
from ..wire.cnams import association, cnam_detail, cnam_resource
from ._routing import WireRouter

router = WireRouter()
# Query filters -> ILIKE patterns on the value.
PATTERNS = {"value": "%{}%", "contains": "%{}%", "starts_with": "{}%", "ends_with": "%{}"}


def _cnam_id(ident: str) -> int:
    return record_id(ident, "CNAM record")


@router.get("/v2/cnams")
async def list_cnams(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=10000)
    given = {name: params[name][:64] for name in PATTERNS if params.get(name)}
    echo = list(given.items())
    patterns = {name: PATTERNS[name].format(value) for name, value in given.items()}
    records = backend.cnams.listing(account, patterns=patterns)
    if wanted := params.get("is_approved"):
        approved = boolean(wanted, "is_approved")
        records = [r for r in records if r.is_approved is approved]
        echo.append(("is_approved", wanted))
    base = base_url(request)
    data = [cnam_resource(record, base) for record in records[offset : offset + limit]]
    links = list_links(request, echo, limit, offset, offset + limit < len(records))
    return document({"data": data, "links": links})


@router.get("/v2/cnams/{ident}")
async def get_cnam(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    resource = cnam_detail(backend.cnams.get(account, _cnam_id(ident)), base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.post("/v2/cnams")
async def create_cnam(request: Request) -> Response:
    """JSON (flat or JSON:API) or form-encoded ``value=...`` (what the Python SDK sends)."""
    backend, account = caller(request)
    record = backend.cnams.create(account, attributes(await read_body(request)).get("value"))
    resource = cnam_resource(record, base_url(request))
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.patch("/v2/cnams/{ident}")
async def update_cnam(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    value = attributes(await read_body(request)).get("value")
    record = backend.cnams.update(account, _cnam_id(ident), value)
    resource = cnam_resource(record, base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.delete("/v2/cnams/{ident}")
async def delete_cnam(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    backend.cnams.delete(account, _cnam_id(ident))
    return no_content()


async def associate_cnam(request: Request, number_id: str, ident: str) -> Response:
    backend, account = caller(request)
    check_number_id(number_id)
    number = _cnam_id(ident)
    return document(
        association(number, backend.cnams.associate(account, number_id, number)), status=202
    )


async def unassociate_cnam(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    now = backend.cnams.associate(account, check_number_id(number_id), None)
    return document(association(None, now), status=202)


# Both spellings work: docs and Node use .../cnams; Python, Ruby, PHP and .NET use .../cnam.
for _path in ("cnam", "cnams"):
    router.add(
        f"/v2/numbers/{{number_id}}/relationships/{_path}/{{ident}}", "PATCH", associate_cnam
    )
    router.add(f"/v2/numbers/{{number_id}}/relationships/{_path}", "DELETE", unassociate_cnam)
