"""The inbox's HTTP endpoints under ``/_sandbox/ui``, and ``GET /`` for browsers."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from ..errors import ApiError
from ..web.parse import read_body
from ..web.responses import document as json_document
from ..web.responses import error_response
from . import events
from .actions import ACTIONS
from .context import REALM, ROOT, check_same_site, viewer
from .files import static
from .layout import document, message_page
from .media import media
from .views import BY_NAME, VIEWS, build, fingerprint

# Everything the page loads comes from this sandbox; nothing inline runs.
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _failure(exc: ApiError, *, page: bool) -> Response:
    """A page's (HTML) or a stream's (Flowroute JSON) answer to a refused request; a 401
    asks the browser for the account's key and secret."""
    if page:
        title = {401: "Sign in", 404: "Not found"}.get(exc.status, "Cannot show this page")
        detail = (
            "Sign in with the account's access key and secret key."
            if exc.status == 401
            else str(exc.detail)
        )
        response: Response = HTMLResponse(
            message_page(title=title, detail=detail), status_code=exc.status, headers=HEADERS
        )
    else:
        response = error_response(exc.status, exc.detail, exc.title, exc.code)
    if exc.status == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response


def _page(path: str) -> Any:
    name = VIEWS[path][0]

    async def endpoint(request: Request) -> Response:
        try:
            v = viewer(request)
            view = await build(v, path)
        except ApiError as exc:
            return _failure(exc, page=True)
        shown = {k: val for k, val in v.params.items() if k != "account"}
        live = v.link("/events", **{**shown, "view": name, "since": fingerprint(v)})
        return HTMLResponse(document(v, view, path=path, events=live), headers=HEADERS)

    return endpoint


async def stream(request: Request) -> Response:
    try:
        v = viewer(request)
        path = BY_NAME.get(v.params.get("view", ""))
        if path is None:
            raise ApiError(404, "No such inbox view.")
        await build(v, path)  # bad parameters are refused now, not in the middle of a stream
    except ApiError as exc:
        return _failure(exc, page=False)
    return StreamingResponse(
        events.stream(v, path, v.params.get("since")),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


async def act(request: Request) -> Response:
    """A form's action: JSON ``{"notice": ...}``, or Flowroute's error body."""
    check_same_site(request)
    handler = ACTIONS.get(request.path_params["name"])
    if handler is None:
        raise ApiError(404, "No such inbox action.")
    v = viewer(request)
    notice = await handler(v, await read_body(request))
    return json_document({"notice": notice})


async def home(request: Request) -> Response:
    """``GET /`` from a browser goes to the inbox; anything else is the API's 404, as before."""
    if request.method in ("GET", "HEAD") and "text/html" in request.headers.get("accept", ""):
        return RedirectResponse(ROOT, status_code=303)
    raise HTTPException(404)


ROUTES = [
    *(Route(ROOT + path, _page(path), methods=["GET", "HEAD"]) for path in VIEWS),
    Route(ROOT + "/events", stream, methods=["GET"]),
    Route(ROOT + "/media", media, methods=["GET"]),
    Route(ROOT + "/static/{name}", static, methods=["GET", "HEAD"]),
    Route(ROOT + "/actions/{name}", act, methods=["POST"]),
]
HOME = Route("/", home, methods=METHODS)
