"""The Flowroute sandbox: a stateful local Flowroute that speaks the real wire format.

    from flowroute.sandbox import running
    with running() as sb:
        client = sb.client()

Needs the ``sandbox`` extra (fastapi, uvicorn, sqlalchemy); imported lazily so that
``SandboxControl`` works with the core install alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .remote import SandboxControl
from .settings import SandboxSettings

if TYPE_CHECKING:
    from .app import create_app
    from .server import SandboxServer, running

__all__ = ["SandboxControl", "SandboxServer", "SandboxSettings", "create_app", "running"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    if name in ("running", "SandboxServer"):
        from . import server

        return getattr(server, name)
    raise AttributeError(name)
