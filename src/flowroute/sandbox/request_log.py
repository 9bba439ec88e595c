"""One log line per request at INFO: ``GET /v2/numbers 200 3.1 ms``.

The outermost middleware, so every answer is logged, a Host refusal or an injected fault
included. Only the method, the path (no query string; see ``logs``), the status and the time:
no header, so no credential, ever reaches the log.
"""

from __future__ import annotations

import logging
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .logs import logger, shown_path


class RequestLog:
    """ASGI middleware logging each HTTP request once it is answered (or has failed)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # Checked per request, so a quiet server (the tests' warning level) pays nothing more.
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status: int | str = "-"  # no answer began: the client went away first
        logged = False

        def log() -> None:
            nonlocal logged
            logged = True
            took = (time.perf_counter() - started) * 1000
            method, path = scope["method"], shown_path(scope["path"])
            logger.info("%s %s %s %.1f ms", method, path, status, took)

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                log()  # before the last byte leaves: no client sees an answer unlogged
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        except BaseException:
            if status == "-":
                status = 500  # what the server answers for an unhandled error
            if not logged:
                log()
            raise
        if not logged:  # an answer cut short (an injected drop) or never begun
            log()
