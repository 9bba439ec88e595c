"""What the sandbox says about itself, without credentials: ``GET /_sandbox/`` (the control
API's index), ``GET /_sandbox/docs`` (an offline HTML reference) and ``GET /_sandbox/health``.
"""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from .. import __version__
from .docs_page import POLICY, control_index, render
from .errors import error_body
from .logs import logger
from .store.schema import accounts
from .web.caller import sandbox
from .web.responses import document

router = APIRouter(prefix="/_sandbox")


def _openapi(request: Request) -> dict[str, Any]:
    built: dict[str, Any] = request.app.openapi()
    return built


def _quality(accept: str, wanted: tuple[str, ...]) -> float:
    """The highest q the Accept header gives any of ``wanted`` (0 when none is listed)."""
    best = 0.0
    for entry in accept.split(","):
        media, *params = (part.strip() for part in entry.split(";"))
        if media.lower() not in wanted:
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        best = max(best, q)
    return best


def prefers_html(accept: str) -> bool:
    """A browser (``text/html`` ranked above JSON and ``*/*``); curl and SDKs get JSON."""
    json_types = ("application/json", "application/vnd.api+json", "*/*")
    return _quality(accept, ("text/html",)) > _quality(accept, json_types)


def _page(request: Request) -> Response:
    # The policy makes "fetches nothing" hold in the browser too, whatever the page contains.
    headers = {"Content-Security-Policy": POLICY}
    return HTMLResponse(render(_openapi(request)), headers=headers)


@router.get("")
async def index(request: Request) -> Response:
    """This list of the control API's endpoints (method, path, summary); as HTML (the docs page)
    when the Accept header prefers text/html."""
    if prefers_html(request.headers.get("accept", "")):
        return _page(request)
    return document(
        {
            "endpoints": control_index(_openapi(request)),
            "docs": "/_sandbox/docs",
            "openapi": "/_sandbox/openapi.json",
        }
    )


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> Response:
    return _page(request)


@router.get("/health")
async def health(request: Request) -> Response:
    """Liveness and the database: 200 ``{"status": "ok"}``, or 503 if the database cannot be
    read. No credentials needed."""
    try:
        with sandbox(request).engine.connect() as conn:
            conn.execute(select(accounts.c.id).limit(1)).all()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        logger.warning("health check: the database cannot be read: %s", reason)
        # Flowroute's error body, plus the fields a health probe reads.
        errors = orjson.loads(error_body(503, f"The sandbox's database cannot be read: {reason}"))
        return document({"status": "unavailable", "database": "unreachable", **errors}, 503)
    return document({"status": "ok", "database": "ok", "version": __version__})
