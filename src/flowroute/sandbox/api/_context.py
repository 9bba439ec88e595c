"""What every handler starts with: the app state and the authenticated caller."""

from __future__ import annotations

from starlette.requests import Request

from ..state import Account, SandboxState


def sandbox(request: Request) -> SandboxState:
    state: SandboxState = request.app.state.sandbox
    return state


def caller(request: Request) -> tuple[SandboxState, Account]:
    state = sandbox(request)
    return state, state.authenticate(request)
