"""The page's own files (stylesheet, script, icons), shipped in the package's ``static/``."""

from __future__ import annotations

import hashlib
from functools import cache
from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError

STATIC_TYPES = {
    "inbox.css": "text/css; charset=utf-8",
    "inbox.js": "text/javascript; charset=utf-8",
    "icon.svg": "image/svg+xml",
    "unavailable.svg": "image/svg+xml",
}


@cache
def load(name: str) -> tuple[bytes, str]:
    data = files("flowroute.sandbox.inbox").joinpath("static", name).read_bytes()
    return data, '"' + hashlib.sha256(data).hexdigest()[:16] + '"'


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC_TYPES:
        raise ApiError(404, "No such file.")
    data, etag = load(name)
    headers = {"ETag": etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=STATIC_TYPES[name], headers=headers)
