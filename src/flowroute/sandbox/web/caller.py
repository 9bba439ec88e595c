"""What every handler starts with: the backend and the authenticated caller."""

from __future__ import annotations

from starlette.requests import Request

from ..backend import Backend
from ..records import Account
from ..state import SandboxState


def sandbox(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def caller(request: Request) -> tuple[Backend, Account]:
    state = sandbox(request)
    return state.backend, state.authenticate(request.scope)
