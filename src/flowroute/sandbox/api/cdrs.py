"""CDR exports (spec X1-X4): parse the request, call the backend, render; and the downloads."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from .. import cdrs as call_records
from ..errors import ApiError, quoted
from ..web.caller import caller, sandbox
from ..web.parse import attributes, page, query_params, read_body, record_id
from ..web.responses import base_url, document, list_links
from ..wire.cdrs import export_list_item, export_resource
from ._routing import WireRouter

router = WireRouter()
STATUSES = ("processing", "completed", "failed")


@router.post("/v2/cdrs/exports")
async def create_export(request: Request) -> Response:
    backend, account = caller(request)
    export = await backend.cdrs.create(account, attributes(await read_body(request)))
    resource = export_resource(export, base_url(request))
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.get("/v2/cdrs/exports")
async def list_exports(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    wanted = params.get("status") or None
    if wanted is not None and wanted not in STATUSES:
        raise ApiError(
            400, f"status must be processing, completed or failed; got {quoted(wanted)}."
        )
    found, more = await backend.cdrs.listing(account, wanted, limit=limit, offset=offset)
    base = base_url(request)
    echo = [("status", wanted)] if wanted else []
    return document(
        {
            "data": [export_list_item(export, base) for export in found],
            "links": list_links(request, echo, limit, offset, more),
        }
    )


@router.get("/v2/cdrs/exports/{ident}")
async def get_export(request: Request, ident: str) -> Response:
    backend, account = caller(request)
    export = await backend.cdrs.get(account, record_id(ident, "CDR export"))
    resource = export_resource(export, base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.get("/cdr-downloads/{token}.csv.gz")
async def download(request: Request, token: str) -> Response:
    """The pre-signed download: no credentials, expires three (virtual) days after completion."""
    export, rows = sandbox(request).backend.cdrs.download(token)
    return StreamingResponse(
        call_records.gzip_csv(rows),  # generated as the client reads
        media_type="application/gzip",
        headers={"Content-Disposition": f'attachment; filename="cdr-export-{export.id}.csv.gz"'},
    )
