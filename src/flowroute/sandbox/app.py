"""``create_app(settings)``: the sandbox as an ASGI app (FastAPI over a SQLAlchemy store)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Router

from . import control, discovery, inbox
from .api import cdrs, cnams, e911s, messages, numbers, porting, routes
from .errors import ApiError
from .exposure import BrowserGuard
from .logs import shown_path
from .middleware import SandboxMiddleware
from .openapi import add_wire_paths
from .request_log import RequestLog
from .settings import SandboxSettings
from .state import SandboxState
from .web.responses import error_response, http_error_response

logger = logging.getLogger("flowroute.sandbox")


def create_app(settings: SandboxSettings | None = None) -> FastAPI:
    state = SandboxState(settings or SandboxSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await state.start()
        try:
            yield
        finally:
            await state.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Flowroute sandbox",
        description="A stateful local Flowroute API. Control endpoints live under /_sandbox/.",
        redirect_slashes=False,
        docs_url=None,  # Swagger UI loads from a CDN: discovery serves an offline page instead
        redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.sandbox = state
    app.include_router(discovery.router)
    app.include_router(control.router)
    generated_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        # FastAPI sees only the control API; the wire routes are described by hand.
        if app.openapi_schema is None:
            app.openapi_schema = add_wire_paths(generated_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    # The Flowroute API itself is served by the middleware straight from a Starlette router,
    # ahead of FastAPI's per-request machinery (see docs/decisions/0002-sandbox-stack.md).
    resources = (numbers, routes, messages, e911s, cnams, porting, cdrs)
    wire = Router(routes=[route for module in resources for route in module.router.routes])
    inbox.install(app, wire)  # the web page at /_sandbox/ui, and GET / for browsers
    app.add_middleware(SandboxMiddleware, state=state, wire=wire)
    app.add_middleware(BrowserGuard, settings=state.settings)  # before anything else
    app.add_middleware(RequestLog)  # outermost, so even a refused Host is logged

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> Response:
        return error_response(exc.status, exc.detail, exc.title, exc.code)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return http_error_response(request, exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        return error_response(400, "; ".join(str(e.get("msg")) for e in exc.errors()))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A sandbox bug must still look like Flowroute: an error body, never a traceback.
        logger.exception("sandbox error on %s %s", request.method, shown_path(request.url.path))
        return error_response(500, f"The sandbox failed unexpectedly ({type(exc).__name__}).")

    return app


def app_from_environment() -> FastAPI:
    """App factory for worker processes: ``uvicorn --factory`` with settings from the env."""
    return create_app(SandboxSettings.from_environment())
