"""The sandbox's errors: what any layer raises, rendered as Flowroute's ``{"errors": [...]}``."""

from __future__ import annotations

import json
import uuid
from typing import Any

import orjson

TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    409: "Conflict",
    413: "Payload Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


class ApiError(Exception):
    """Raised by the backend and the handlers; rendered as Flowroute's error body."""

    def __init__(
        self,
        status: int,
        detail: str | dict[str, Any],
        title: str | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title
        self.code = code


def error_body(
    status: int, detail: str | dict[str, Any], title: str | None = None, code: int | None = None
) -> bytes:
    error: dict[str, Any] = {
        "detail": detail,
        "id": str(uuid.uuid4()),
        "status": status,
        "title": title or TITLES.get(status, "Error"),
    }
    if code is not None:
        error["code"] = code  # Flowroute's messaging error code, e.g. 1110 for an opt-out
    try:
        return orjson.dumps({"errors": [error]})
    except orjson.JSONEncodeError:  # a detail quoting a lone surrogate: escape, never fail
        return json.dumps({"errors": [error]}).encode()


def quoted(value: object, width: int = 40) -> str:
    """``value`` as an error message quotes it: repr'd, cut to ``width`` characters."""
    if isinstance(value, str):
        return repr(value if len(value) <= width else value[:width] + "...")
    text = repr(value)
    return text if len(text) <= width else text[:width] + "..."
