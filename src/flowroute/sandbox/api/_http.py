"""Wire helpers shared by every router: Flowroute error bodies, JSON:API responses, request
bodies in every shape the official SDKs send, and limit/offset pagination links."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError, error_body

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


async def read_body(request: Request) -> dict[str, Any]:
    """The body as a dict: JSON under any (or no) Content-Type, or form-encoded."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        form: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True):
            form.setdefault(key, []).append(value)
        return {k: v[0] if len(v) == 1 else v for k, v in form.items()}
    try:
        body = json.loads(raw)
        if isinstance(body, str):  # a JSON document sent as a JSON string (.NET SDK)
            body = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"Request body is not valid JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "Request body must be a JSON object.")
    return body


def attributes(body: dict[str, Any]) -> dict[str, Any]:
    """Flatten JSON:API ``{"data": {"id", "type", "attributes": {...}}}`` or a compact body."""
    data = body.get("data", body)
    if not isinstance(data, dict):
        raise ApiError(400, "Request body 'data' must be an object.")
    attrs = data.get("attributes", {})
    if not isinstance(attrs, dict):
        raise ApiError(400, "Request body 'attributes' must be an object.")
    flat = {k: v for k, v in data.items() if k != "attributes"}
    flat.update(attrs)
    return flat


def query_params(request: Request) -> dict[str, str]:
    """Query parameters, ignoring the bare ``null``/empty entries some SDKs send."""
    return {k: v for k, v in request.query_params.items() if k != "null" and k}


def boolean(value: Any, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ApiError(400, f"{name} must be true or false, got {value!r}.")


def integer(value: str | None, name: str, *, minimum: int, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ApiError(400, f"{name} must be an integer, got {value!r}.") from None
    if number < minimum:
        raise ApiError(400, f"{name} must be at least {minimum}, got {number}.")
    return number


def page(params: dict[str, str], *, default: int = 10, maximum: int) -> tuple[int, int]:
    limit = integer(params.get("limit"), "limit", minimum=1, default=default)
    if limit > maximum:
        raise ApiError(400, f"limit must be at most {maximum} for this endpoint, got {limit}.")
    return limit, integer(params.get("offset"), "offset", minimum=0, default=0)


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
