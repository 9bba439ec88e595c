"""ASGI middleware in front of everything: the request-body cap, trailing-slash tolerance,
latency and injected faults."""

from __future__ import annotations

import asyncio
import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.routing import Router
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .errors import ApiError, error_body
from .faults import Fault
from .logs import DOWNLOADS, logger, shown_path
from .state import SandboxState
from .web.responses import JSON_API, error_response, http_error_response

DROP_MESSAGE = "ASGI callable returned without completing response."


class SuppressInjectedDrops(logging.Filter):
    """uvicorn logs an error when we cut a response short on purpose; that is not news."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != DROP_MESSAGE


class SandboxMiddleware:
    """Trailing slashes, latency, faults; then the wire API (``wire``) or, for ``/_sandbox``
    and the docs, the FastAPI app."""

    def __init__(self, app: ASGIApp, state: SandboxState, wire: Router) -> None:
        self.app = app
        self.state = state
        self.wire = wire

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"].startswith("/_sandbox"):
            await self.app(scope, receive, send)
            return
        try:
            await self.wire(scope, receive, send)
        except ApiError as exc:
            response = error_response(exc.status, exc.detail, exc.title, exc.code)
            await response(scope, receive, send)
        except HTTPException as exc:
            await http_error_response(Request(scope), exc)(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan events go to the app
            await self.app(scope, receive, send)
            return
        try:
            receive = _capped(scope, receive, self.state.settings.max_body_bytes)
        except ApiError as exc:
            await error_response(exc.status, exc.detail)(scope, receive, send)
            return
        path: str = scope["path"]
        if len(path) > 1 and path.endswith("/"):
            # Clients send /v2.1/messages/?... and /v2/routes/{id}/ (spec section 12).
            path = path.rstrip("/") or "/"
            scope = {**scope, "path": path, "raw_path": path.encode()}
        if self.state.settings.latency and not path.startswith("/_sandbox"):
            await asyncio.sleep(self.state.settings.latency)
        fault = None
        # Control paths first: they never take faults, and a shared database's fault lookup
        # would make /_sandbox/health fail before it could report the database down.
        if not path.startswith("/_sandbox") and self.state.faults.active:
            owner = self._owner(scope, path)
            if owner is not None:
                fault = self.state.faults.take(owner, scope["method"], path)
        if fault is None:
            await self._serve(scope, receive, send)
        else:
            await self._inject(fault, scope, receive, send)

    def _owner(self, scope: Scope, path: str) -> int | None:
        """Whose faults apply: the authenticated caller's (never on a key alone, so a wrong
        secret gets its 401), or for a download URL, the account whose export it is."""
        if path.startswith(DOWNLOADS):
            token = path[len(DOWNLOADS) :].removesuffix(".csv.gz")
            return self.state.backend.accounts.owner_of_download(token)
        account = self.state.try_authenticate(scope)
        return None if account is None else account.id

    async def _inject(self, fault: Fault, scope: Scope, receive: Receive, send: Send) -> None:
        logger.info(
            "fault %d injected on %s %s: %s",
            fault.id,
            scope["method"],
            shown_path(scope["path"]),
            fault.summary(),
        )
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        if fault.when == "before" and fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.when == "after":
            await self._serve(scope, receive, capture)  # the change is committed; answer withheld
            if fault.delay:
                await asyncio.sleep(fault.delay)
        if fault.drop:
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [(b"content-length", b"1024")],
                }
            )
            await send({"type": "http.response.body", "body": b"{", "more_body": True})
            return  # uvicorn closes the connection mid-body
        if fault.status is not None:
            body = error_body(fault.status, f"Injected fault: {fault.status} from the sandbox.")
            headers = [
                (b"content-type", JSON_API.encode()),
                (b"content-length", str(len(body)).encode()),
            ]
            headers += [(k.lower().encode(), v.encode()) for k, v in fault.headers.items()]
            await send({"type": "http.response.start", "status": fault.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        if fault.when == "after":  # delay only: replay the real answer
            for message in captured:
                await send(message)
        else:
            await self._serve(scope, receive, send)


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        f"Request body is larger than the sandbox accepts ({limit} bytes); send less "
        "(MMS media go by URL in media_urls).",
    )


def _capped(scope: Scope, receive: Receive, limit: int) -> Receive:
    """``receive`` that refuses a body over ``limit``: at once from Content-Length, else (a
    chunked body) as soon as the bytes read pass it. Raises ApiError(413) either way."""
    declared = dict(scope["headers"]).get(b"content-length")
    if declared is not None:
        text = declared.decode("latin-1").strip()
        if not text.isdigit() or len(text) > 18:
            raise ApiError(400, "Content-Length must be a whole number of bytes.")
        if int(text) > limit:
            raise _too_large(limit)
    seen = 0

    async def checked() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _too_large(limit)
        return message

    return checked
