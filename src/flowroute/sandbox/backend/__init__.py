"""The sandbox's backend: per resource, the rules and the SQL, returning plain typed records
(``..records``). The only layer that reads or writes state; the wire API, the control API and
anything else (a web page) call it, never each other.

    backend = Backend(Context(engine, clock, settings), limiter=..., media_size=...)
    backend.routes.create(account, {...}) -> Route
"""

from __future__ import annotations

from ..ratelimit import Limiter
from ._context import Context
from .accounts import Accounts
from .cdrs import Cdrs
from .cnams import Cnams
from .e911s import E911s
from .inbox import Inbox
from .messages import MediaSize, Messages
from .numbers import Numbers
from .routes import Routes
from .webhooks import Webhooks

__all__ = ["Backend", "Context"]


class Backend:
    def __init__(self, ctx: Context, *, limiter: Limiter, media_size: MediaSize) -> None:
        self.ctx = ctx
        self.accounts = Accounts(ctx)
        self.numbers = Numbers(ctx)
        self.routes = Routes(ctx)
        self.e911s = E911s(ctx)
        self.cnams = Cnams(ctx)
        self.messages = Messages(ctx, limiter, media_size)
        self.cdrs = Cdrs(ctx)
        self.webhooks = Webhooks(ctx)
        self.inbox = Inbox(ctx)
