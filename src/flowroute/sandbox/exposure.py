"""Who may address the sandbox: on a loopback bind, only requests for a loopback name.

A web page can reach a sandbox listening on loopback through DNS rebinding: its own name is
made to resolve to 127.0.0.1, and the browser then sends the page's requests to the sandbox
with the page's name in ``Host``. A sandbox that is not ``exposed`` therefore answers only
requests whose ``Host`` is ``localhost``, a 127.x.x.x address or ``[::1]`` (any port), and
refuses the rest with 400 and Flowroute's error body before anything else looks at them. An
exposed sandbox (a non-loopback ``--host``, or ``--exposed`` behind a reverse proxy) is meant
to be reached by other names and answers any ``Host``. A request without ``Host`` (HTTP/1.0)
cannot come from a browser and is answered.

A page of another site can also make the browser send requests with credentials it holds for
the sandbox (the Basic auth the inbox signs in with is attached to any later request to the
same origin, form posts from other sites included). So nothing that changes state is accepted
from another site: a POST, PUT, PATCH or DELETE whose ``Sec-Fetch-Site`` is ``cross-site`` or
``same-site``, or whose ``Origin`` names another host, is refused with 403. SDKs, the CLI and
curl send neither header and are never affected.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import SandboxSettings, is_loopback_host
from .web.responses import error_response

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BrowserGuard:
    """ASGI middleware ahead of everything but the request log: 400 for a ``Host`` that is not
    a loopback name unless the sandbox is ``exposed`` (DNS rebinding), and 403 for a
    state-changing request that a page of another site made. One middleware, so a request pays
    for one pass over its headers."""

    def __init__(self, app: ASGIApp, settings: SandboxSettings) -> None:
        self.app = app
        self.exposed = settings.exposed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            refused = self._refusal(scope)
            if refused is not None:
                await refused(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def _refusal(self, scope: Scope) -> ASGIApp | None:
        if not self.exposed:
            for name, value in scope["headers"]:
                if name == b"host" and not is_loopback_host(value.decode("latin-1")):
                    return refusal(value)
        if scope["method"] in SAFE_METHODS:
            return None
        reason = cross_site(scope, exposed=self.exposed)
        if reason is None:
            return None
        return error_response(
            403,
            f"Cross-site request refused ({reason}): a page of another site cannot change this "
            "sandbox. Call it from code (SDK, CLI, curl) or from its own pages.",
            "Forbidden",
        )


def cross_site(scope: Scope, *, exposed: bool) -> str | None:
    """Why the browser that sent this request did so for another site; None if it did not."""
    headers = {name: value.decode("latin-1") for name, value in scope["headers"]}
    fetch_site = headers.get(b"sec-fetch-site")
    if fetch_site in ("cross-site", "same-site"):
        return f"Sec-Fetch-Site: {fetch_site}"
    origin = headers.get(b"origin")
    if origin is None:
        return None
    hosts = {headers.get(b"host")}
    if exposed:  # behind a reverse proxy that rewrites Host, the page's host is forwarded
        hosts.add(headers.get(b"x-forwarded-host"))
    # The host only: behind a TLS proxy the page's scheme is not the one seen here.
    if origin == "null" or urlsplit(origin).netloc not in hosts:
        shown = origin if len(origin) <= 100 else origin[:100] + "..."
        return f"Origin {shown}"
    return None


def refusal(host: bytes) -> ASGIApp:
    shown = host.decode("latin-1")
    shown = shown if len(shown) <= 100 else shown[:100] + "..."
    return error_response(
        400,
        f"Host {shown!r} is not a loopback name: this sandbox listens on loopback and answers "
        "only requests for localhost, 127.x.x.x or [::1] (DNS rebinding protection). To serve "
        "other hosts, start it with --host (and strict auth) or behind a proxy with --exposed.",
    )
