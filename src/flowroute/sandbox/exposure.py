"""Who may address the sandbox: on a loopback bind, only requests for a loopback name.

A web page can reach a sandbox listening on loopback through DNS rebinding: its own name is
made to resolve to 127.0.0.1, and the browser then sends the page's requests to the sandbox
with the page's name in ``Host``. A sandbox that is not ``exposed`` therefore answers only
requests whose ``Host`` is ``localhost``, a 127.x.x.x address or ``[::1]`` (any port), and
refuses the rest with 400 and Flowroute's error body before anything else looks at them. An
exposed sandbox (a non-loopback ``--host``, or ``--exposed`` behind a reverse proxy) is meant
to be reached by other names and answers any ``Host``. A request without ``Host`` (HTTP/1.0)
cannot come from a browser and is answered.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .settings import SandboxSettings, is_loopback_host
from .web.responses import error_response


class LoopbackHostGuard:
    """ASGI middleware: 400 for an HTTP request whose ``Host`` is not a loopback name, unless
    the sandbox is ``exposed``."""

    def __init__(self, app: ASGIApp, settings: SandboxSettings) -> None:
        self.app = app
        self.active = not settings.exposed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.active and scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"host" and not is_loopback_host(value.decode("latin-1")):
                    await refusal(value)(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def refusal(host: bytes) -> ASGIApp:
    shown = host.decode("latin-1")
    shown = shown if len(shown) <= 100 else shown[:100] + "..."
    return error_response(
        400,
        f"Host {shown!r} is not a loopback name: this sandbox listens on loopback and answers "
        "only requests for localhost, 127.x.x.x or [::1] (DNS rebinding protection). To serve "
        "other hosts, start it with --host (and strict auth) or behind a proxy with --exposed.",
    )
