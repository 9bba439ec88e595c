"""The inbox's views by path, each with the virtual clock, and what says when they change."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from . import account, conversations, webhooks
from .context import View, Viewer
from .layout import clock

Render = Callable[[Viewer], Awaitable[View]]
# path under the inbox root -> (name in the events URL, renderer)
VIEWS: dict[str, tuple[str, Render]] = {
    "": ("conversations", conversations.render),
    "/webhooks": ("webhooks", webhooks.render),
    "/account": ("account", account.render),
}
BY_NAME = {name: path for path, (name, _) in VIEWS.items()}


async def build(v: Viewer, path: str) -> View:
    view = await VIEWS[path][1](v)
    return view._replace(regions={**view.regions, "clock": clock(v)})


def fingerprint(v: Viewer) -> str:
    """Changes whenever the account's messages, webhooks, numbers, CNAM decisions, clock or
    faults do (a few aggregate queries: cheap enough to poll)."""
    if v.account is None:
        return "-"
    stored: tuple[Any, ...] = v.backend.inbox.fingerprint(v.account)
    faults = tuple((f.id, f.count) for f in v.state.faults.list(v.account.id))
    # Not hash(): string hashes differ between worker processes.
    return hashlib.sha256(repr((stored, faults)).encode()).hexdigest()[:16]
