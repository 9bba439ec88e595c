"""The sandbox inbox: a small server-rendered web page at ``/_sandbox/ui`` (``GET /`` from a
browser redirects there) showing an account's conversations, webhooks and resources, with live
updates and forms to act as either side. It reads and acts through the backend only.

No build step and no network fetch: the HTML is rendered here (``html.py`` escapes every value),
and the CSS and script ship in ``static/``. See docs/decisions/0019-sandbox-inbox.md.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Router

from .routes import HOME, ROUTES

__all__ = ["install"]


def install(app: Starlette, wire: Router) -> None:
    """Serve the inbox from ``app`` (under ``/_sandbox``) and ``GET /`` from the ``wire``
    router (which serves every path outside ``/_sandbox``)."""
    app.router.routes.extend(ROUTES)
    wire.routes.append(HOME)
