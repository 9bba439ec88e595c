"""What the sandbox posted to an account's receivers: every attempt, oldest first."""

from __future__ import annotations

from sqlalchemy import select

from ..records import Account, Attempt
from ..store.schema import attempts
from ._context import Context

_ATTEMPT_SELECT = select(*(attempts.c[name] for name in Attempt._fields))


class Webhooks:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def attempts(self, account: Account) -> list[Attempt]:
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(
                _ATTEMPT_SELECT.where(attempts.c.account_id == account.id).order_by(attempts.c.id)
            ).all()
        return [Attempt(*row) for row in rows]
