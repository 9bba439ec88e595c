"""The official SDK's exceptions: ``APIException`` and ``ErrorException`` with ``.response_code``
and ``.context.response.raw_body``, as the seed demos' error handling expects."""

from __future__ import annotations

import json
from typing import Any

import httpx2


class HttpResponse:
    def __init__(self, response: httpx2.Response) -> None:
        self.status_code = response.status_code
        self.headers = dict(response.headers)
        self.raw_body = response.text


class HttpContext:
    def __init__(self, response: httpx2.Response) -> None:
        self.request = response.request
        self.response = HttpResponse(response)


class APIException(Exception):
    def __init__(self, reason: str, context: HttpContext) -> None:
        super().__init__(reason)
        self.reason = reason
        self.context = context
        self.response_code = context.response.status_code


class ErrorException(APIException):
    """401, 403, 404 and 422 answers, with Flowroute's ``errors`` parsed (as dicts)."""

    def __init__(self, reason: str, context: HttpContext) -> None:
        super().__init__(reason, context)
        try:
            self.errors: list[Any] = json.loads(context.response.raw_body).get("errors", [])
        except (ValueError, AttributeError):
            self.errors = []
