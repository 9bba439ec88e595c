"""A minimal router for the wire API: plain Starlette routes, no dependency injection.

The API handlers parse requests themselves (every body shape the SDKs send), so FastAPI's
per-request dependency solving and response serialisation would be pure overhead on the hottest
paths. The control API keeps FastAPI routes (and OpenAPI docs).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

Handler = Callable[..., Awaitable[Response]]


class WireRouter:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, path: str, method: str, handler: Handler, **fixed: Any) -> None:
        """Route ``method path`` to ``handler(request, **path_params, **fixed)``."""

        async def endpoint(request: Request) -> Response:
            return await handler(request, **request.path_params, **fixed)

        name = "_".join([handler.__name__, *map(str, fixed.values())])
        self.routes.append(Route(path, endpoint, methods=[method], name=name))

    def _decorator(self, path: str, method: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.add(path, method, handler)
            return handler

        return register

    def get(self, path: str) -> Callable[[Handler], Handler]:
        return self._decorator(path, "GET")

    def post(self, path: str) -> Callable[[Handler], Handler]:
        return self._decorator(path, "POST")

    def patch(self, path: str) -> Callable[[Handler], Handler]:
        return self._decorator(path, "PATCH")

    def delete(self, path: str) -> Callable[[Handler], Handler]:
        return self._decorator(path, "DELETE")
