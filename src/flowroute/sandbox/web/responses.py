"""Responses shared by every router: Flowroute error bodies, JSON:API documents and
limit/offset pagination links."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..errors import error_body

JSON_API = "application/vnd.api+json"


def error_response(
    status: int, detail: str | dict[str, Any], title: str | None = None, code: int | None = None
) -> Response:
    body = error_body(status, detail, title, code)
    return Response(body, status_code=status, media_type=JSON_API)


def document(doc: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(doc), status_code=status, media_type=JSON_API)


def no_content() -> Response:
    return Response(status_code=204)


def base_url(request: Request) -> str:
    """``http://host:port`` as the client addressed us (for absolute links), computed once."""
    scope = request.scope
    cached: str | None = scope.get("flowroute.base_url")
    if cached is None:
        host = request.headers.get("host")
        if not host:
            server = scope.get("server") or ("localhost", 80)
            host = f"{server[0]}:{server[1]}"
        root = scope.get("root_path", "")
        cached = scope["flowroute.base_url"] = f"{scope['scheme']}://{host}{root}"
    return cached


def list_links(
    request: Request,
    echo: Iterable[tuple[str, str]],
    limit: int,
    offset: int,
    has_next: bool,
) -> dict[str, str]:
    """Absolute ``self`` (and ``next`` only when another page exists), echoing the filters."""
    path = f"{base_url(request)}{request.url.path.rstrip('/')}?"
    filters = [(k, v) for k, v in echo if v is not None]
    links = {"self": path + urlencode([*filters, ("limit", limit), ("offset", offset)])}
    if has_next:
        links["next"] = path + urlencode([*filters, ("limit", limit), ("offset", offset + limit)])
    return links


def http_error_response(request: Request, exc: HTTPException) -> Response:
    """Routing errors (unknown path, wrong method) in Flowroute's error shape."""
    if exc.status_code == 405:
        return error_response(405, "The method is not allowed for the requested URL.")
    if exc.status_code == 404:
        return error_response(404, f"No such endpoint: {request.method} {request.url.path}.")
    return error_response(exc.status_code, str(exc.detail))
