"""One exception hierarchy for everything the SDK raises.

Kept free of pydantic so ``import flowroute`` stays light: Flowroute's ``errors[]`` entries are
parsed into small dataclasses.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, NamedTuple

if TYPE_CHECKING:
    import httpx2

    from ..types.cdr import CdrExport

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ErrorDetail",
    "ExportFailedError",
    "ExportWaitTimeout",
    "FlowrouteError",
    "IndeterminateResultError",
    "InternalServerError",
    "InvalidRequestError",
    "MethodNotAllowedError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnexpectedResponseError",
    "UnprocessableEntityError",
    "UnsupportedMediaTypeError",
]


class FlowrouteError(Exception):
    """Base class of every error raised by this package."""


class ConfigurationError(FlowrouteError):
    """The client was set up wrongly (for example, no credentials). Raised before any request."""


class InvalidRequestError(FlowrouteError, ValueError):
    """An argument is invalid; caught by the SDK before anything was sent."""


class ExportFailedError(FlowrouteError):
    """A CDR export job ended ``failed`` (``cdrs.wait``); ``export`` is the job."""

    def __init__(self, export: CdrExport) -> None:
        reason = export.failure_reason or "Flowroute gave no reason"
        super().__init__(f"CDR export {export.id} failed: {reason}")
        self.export = export


class ExportWaitTimeout(FlowrouteError, TimeoutError):
    """``cdrs.wait`` gave up before the export finished (it may still finish: check later)."""


class ErrorDetail(NamedTuple):
    """One entry of Flowroute's ``errors`` list; ``detail`` may be a string or an object."""

    detail: str | dict[str, Any] | None
    id: str | None = None
    status: int | None = None
    title: str | None = None
    code: int | None = None  # messaging error code, e.g. 1110: the recipient opted out

    @property
    def message(self) -> str:
        """The detail as one readable line (object-valued details are flattened)."""
        if isinstance(self.detail, dict):
            return "; ".join(_flatten(self.detail)) or json.dumps(self.detail)
        return self.detail or self.title or ""


def _flatten(detail: dict[str, Any], prefix: str = "") -> list[str]:
    # {"data":{"attributes":{"zip":["too short"]}}} -> ["zip: too short"]
    out: list[str] = []
    for key, value in detail.items():
        name = key if key not in ("data", "attributes") else ""
        path = f"{prefix}.{name}".strip(".") if name else prefix
        if isinstance(value, dict):
            out.extend(_flatten(value, path))
        elif isinstance(value, list):
            out.extend(f"{path}: {item}" if path else str(item) for item in value)
        else:
            out.append(f"{path}: {value}" if path else str(value))
    return out


def parse_error_details(body: bytes) -> list[ErrorDetail]:
    """Read ``errors[]`` from a response body; tolerate anything that is not Flowroute's shape."""
    try:
        doc = json.loads(body) if body else None
    except ValueError:
        doc = None
    raw = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(raw, list):
        return []
    details = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        status = item.get("status")
        details.append(
            ErrorDetail(
                detail=item.get("detail"),
                id=str(item["id"]) if item.get("id") is not None else None,
                status=int(status)
                if isinstance(status, int | str) and str(status).isdigit()
                else None,
                title=item.get("title"),
                code=item.get("code") if isinstance(item.get("code"), int) else None,
            )
        )
    return details


class APIError(FlowrouteError):
    """Anything that went wrong talking to the API."""

    def __init__(self, message: str, *, request: httpx2.Request | None) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class _Answered:
    """What every error built from an answer carries: the status, headers and raw body."""

    response: httpx2.Response

    @property
    def headers(self) -> httpx2.Headers:
        return self.response.headers

    @property
    def body(self) -> bytes:
        """The response body exactly as received (possibly empty, HTML or cut short)."""
        return self.response.content

    @property
    def request_id(self) -> str | None:
        """The server's request id header, when it sent one (quote it to support)."""
        return request_id(self.response.headers)


def request_id(headers: httpx2.Headers) -> str | None:
    return next((headers[h] for h in REQUEST_ID_HEADERS if h in headers), None)


REQUEST_ID_HEADERS = ("x-request-id", "x-fr-request-id", "request-id", "x-amzn-requestid")


class UnexpectedResponseError(_Answered, APIError):
    """The API answered, but not with what this call expects.

    A 2xx whose body is not the expected document (empty, an HTML page from a proxy, truncated or
    wrong-shaped JSON), or a status the API never uses for this (1xx, 3xx, 206...). Never
    retried. ``status_code``, ``headers``, ``body`` and ``response`` hold what came back;
    ``__cause__`` is the parsing error, if any.
    """

    def __init__(self, message: str, *, response: httpx2.Response) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code


class APIConnectionError(APIError):
    """The request could not be completed: DNS, refused connection, reset, TLS..."""


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class IndeterminateResultError(APIError):
    """A purchase or message send failed in a way that does not tell whether it took effect.

    Flowroute has no idempotency keys, so the SDK never retries these: check the resource before
    trying again. ``cause`` is the underlying status or connection error.
    """

    def __init__(
        self, message: str, *, request: httpx2.Request | None, cause: APIError, payload: Any = None
    ) -> None:
        super().__init__(message, request=request)
        self.cause = cause
        self.payload = payload  # what was sent (the message body, for a send)

    @property
    def response(self) -> httpx2.Response | None:
        """The answer that left the outcome unclear (None if the connection failed)."""
        answer: httpx2.Response | None = getattr(self.cause, "response", None)
        return answer

    @property
    def status_code(self) -> int | None:
        return self.response.status_code if self.response is not None else None


class APIStatusError(_Answered, APIError):
    """The API answered with a 4xx or 5xx status."""

    status_code: int

    def __init__(
        self, message: str, *, response: httpx2.Response, errors: list[ErrorDetail]
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.errors = errors

    @property
    def code(self) -> int | None:
        """Flowroute's messaging error code, when there is one (1110: recipient opted out)."""
        return next((e.code for e in self.errors if e.code is not None), None)

    @property
    def error_id(self) -> str | None:
        """Flowroute's error id, to quote to their support."""
        return next((e.id for e in self.errors if e.id), None)


class BadRequestError(APIStatusError):
    status_code = 400


class AuthenticationError(APIStatusError):
    status_code = 401


class PermissionDeniedError(APIStatusError):
    status_code = 403


class NotFoundError(APIStatusError):
    status_code = 404


class MethodNotAllowedError(APIStatusError):
    status_code = 405


class UnsupportedMediaTypeError(APIStatusError):
    status_code = 415


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    status_code = 429


class InternalServerError(APIStatusError):
    status_code = 500


_BY_STATUS: dict[int, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PermissionDeniedError,
        NotFoundError,
        MethodNotAllowedError,
        UnsupportedMediaTypeError,
        UnprocessableEntityError,
        RateLimitError,
    )
}


def status_error(response: httpx2.Response) -> APIStatusError:
    """Build the right APIStatusError subclass for a 4xx/5xx response."""
    errors = parse_error_details(response.content)
    cls = _BY_STATUS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    reason = "; ".join(e.message for e in errors if e.message) or response.reason_phrase
    ids = ", ".join(e.id for e in errors if e.id)
    request = response.request
    message = f"{response.status_code} {response.reason_phrase}: {reason}"
    message += f" ({request.method} {request.url.path})"
    if ids:
        message += f" [error id {ids}]"
    return cls(message, response=response, errors=errors)


EXPECTED_STATUSES = frozenset({200, 201, 202, 204})


def unexpected_status(response: httpx2.Response) -> UnexpectedResponseError:
    """For an answer outside 4xx/5xx that is not one of the statuses the API answers with."""
    request = response.request
    return UnexpectedResponseError(
        f"unexpected answer {response.status_code} {response.reason_phrase} "
        f"({request.method} {request.url.path}): {_peek(response)}",
        response=response,
    )


def unexpected_body(response: httpx2.Response, problem: Exception) -> UnexpectedResponseError:
    """For a 2xx whose body is not the document the call expects."""
    request = response.request
    reason = str(problem).splitlines()[0] if str(problem) else type(problem).__name__
    return UnexpectedResponseError(
        f"{response.status_code} {response.reason_phrase} but the body is not the expected "
        f"document ({request.method} {request.url.path}): {reason}; body {_peek(response)}",
        response=response,
    )


def _peek(response: httpx2.Response) -> str:
    content = response.content
    if not content:
        return "empty"
    kind = response.headers.get("content-type", "no content type")
    text = content[:80].decode("utf-8", "replace").replace("\n", " ")
    more = "..." if len(content) > 80 else ""
    return f"{len(content)} bytes of {kind}: {text!r}{more}"
