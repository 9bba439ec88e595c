"""What the inbox page reads beyond the resource backends: accounts to switch between,
conversations (messages grouped by account number and other party), webhook deliveries with
their attempts, a cheap change fingerprint for live updates, and replaying a delivery."""

from __future__ import annotations

import time
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, case, func, literal_column, or_, select, update

from ..errors import ApiError
from ..records import MESSAGE_COLUMNS, Account, Attempt, Message
from ..store.schema import accounts, attempts, cnams, deliveries, messages, numbers
from ._context import Context


class Thread(NamedTuple):
    """One conversation: the account's number, the other party, its newest message, size."""

    mine: str
    other: str
    last: Message
    size: int


class Delivery(NamedTuple):
    id: int
    kind: str
    message_id: str | None
    url: str
    body: str
    due_at: float
    tries: int
    state: str  # pending, delivered, failed, blocked
    attempts: tuple[Attempt, ...] = ()


_COLUMNS = tuple(messages.c[name] for name in MESSAGE_COLUMNS)
# Inlined rather than bound, so that PostgreSQL sees GROUP BY and SELECT name the same expression.
_OUTBOUND = messages.c.direction == literal_column("'outbound'")
_MINE = case((_OUTBOUND, messages.c.from_number), else_=messages.c.to_number)
_OTHER = case((_OUTBOUND, messages.c.to_number), else_=messages.c.from_number)
_NEWEST_FIRST = (messages.c.created_at.desc(), messages.c.id.desc())
# A page of threads, newest first: one GROUP BY over the account's messages (a window over
# whole rows was several times slower on SQLite).
_THREADS = (
    select(_MINE, _OTHER, func.max(messages.c.created_at), func.count())
    .where(messages.c.account_id == bindparam("account"))
    .group_by(_MINE, _OTHER)
    .order_by(func.max(messages.c.created_at).desc(), _MINE, _OTHER)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
# The candidates for each thread's newest message: those sent at one of the threads' newest times.
_AT = select(*_COLUMNS).where(
    messages.c.account_id == bindparam("account"),
    messages.c.created_at.in_(bindparam("times", expanding=True)),
)
_IN_THREAD = or_(
    and_(
        _OUTBOUND,
        messages.c.from_number == bindparam("mine"),
        messages.c.to_number == bindparam("other"),
    ),
    and_(
        messages.c.direction == "inbound",
        messages.c.to_number == bindparam("mine"),
        messages.c.from_number == bindparam("other"),
    ),
)
_THREAD = (
    select(*_COLUMNS)
    .where(messages.c.account_id == bindparam("account"), _IN_THREAD)
    .order_by(*_NEWEST_FIRST)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def _of_account(table: Any) -> Any:
    return table.c.account_id == bindparam("account")


# What a page shows changes when one of these does. Counts catch deletions (reset); the last
# attempt id catches every webhook outcome; the offset catches clock advances (receipts due).
_FINGERPRINT = select(
    select(func.count()).select_from(messages).where(_of_account(messages)).scalar_subquery(),
    select(func.max(messages.c.created_at)).where(_of_account(messages)).scalar_subquery(),
    select(func.max(attempts.c.id)).where(_of_account(attempts)).scalar_subquery(),
    select(func.count()).select_from(deliveries).where(_of_account(deliveries)).scalar_subquery(),
    select(func.count()).select_from(numbers).where(_of_account(numbers)).scalar_subquery(),
    select(func.count(cnams.c.decision)).where(_of_account(cnams)).scalar_subquery(),
    select(accounts.c.clock_offset).where(accounts.c.id == bindparam("account")).scalar_subquery(),
)
_DELIVERIES = select(
    *(deliveries.c[name] for name in ("id", "kind", "message_id", "url", "body", "due_at")),
    deliveries.c.attempts,
    deliveries.c.state,
)
_ATTEMPT_COLUMNS = tuple(attempts.c[name] for name in Attempt._fields)


def _thread_of(message: Message) -> tuple[str, str]:
    if message.direction == "outbound":
        return message.from_number, message.to_number
    return message.to_number, message.from_number


class Inbox:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    # --- accounts (a loopback sandbox with open auth lets the page switch between them) -------

    def accounts(self, *, limit: int) -> list[Account]:
        """The newest ``limit`` accounts (a test suite mints one per test: thousands)."""
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(
                select(accounts.c.id, accounts.c.access_key)
                .order_by(accounts.c.id.desc())
                .limit(limit)
            ).all()
        return [Account(*row) for row in rows]

    def account(self, key: str) -> Account | None:
        with self.ctx.engine.connect() as conn:
            row = conn.execute(
                select(accounts.c.id, accounts.c.access_key).where(accounts.c.access_key == key)
            ).first()
        return None if row is None else Account(*row)

    def busiest(self) -> Account | None:
        """The account with the newest message, else the first one created: the page's default."""
        with self.ctx.engine.connect() as conn:
            row = conn.execute(
                select(accounts.c.id, accounts.c.access_key)
                .outerjoin(messages, messages.c.account_id == accounts.c.id)
                .order_by(func.max(messages.c.created_at).desc().nulls_last(), accounts.c.id)
                .group_by(accounts.c.id, accounts.c.access_key)
                .limit(1)
            ).first()
        return None if row is None else Account(*row)

    # --- conversations --------------------------------------------------------------------

    def threads(self, account: Account, *, limit: int, offset: int) -> tuple[list[Thread], bool]:
        """A page of conversations, newest first, and whether another page follows."""
        params = {"account": account.id, "limit": limit + 1, "offset": offset}
        with self.ctx.engine.connect() as conn:
            groups = conn.execute(_THREADS, params).all()
            shown = groups[:limit]
            times = sorted({newest for _, _, newest, _ in shown})
            candidates = conn.execute(_AT, {"account": account.id, "times": times}).all()
        newest: dict[tuple[str, str], Message] = {}
        for row in candidates:
            message = Message(*row)
            key = _thread_of(message)
            best = newest.get(key)
            if best is None or (message.created_at, message.id) > (best.created_at, best.id):
                newest[key] = message
        found = [
            Thread(mine, other, newest[mine, other], size)
            for mine, other, _, size in shown
            if (mine, other) in newest
        ]
        return found, len(groups) > limit

    def thread(
        self, account: Account, *, mine: str, other: str, limit: int, offset: int
    ) -> tuple[list[Message], bool]:
        """A page of one conversation's messages, oldest first (``offset`` counts back from the
        newest), and whether older ones exist."""
        params = {
            "account": account.id,
            "mine": mine,
            "other": other,
            "limit": limit + 1,
            "offset": offset,
        }
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(_THREAD, params).all()
        found = [Message(*row) for row in rows[:limit]]
        found.reverse()
        return found, len(rows) > limit

    def fingerprint(self, account: Account) -> tuple[Any, ...]:
        """Cheap to compute; changes whenever what the inbox shows of the account does (except
        edits in place, which pages pick up on their periodic refresh)."""
        with self.ctx.engine.connect() as conn:
            return tuple(conn.execute(_FINGERPRINT, {"account": account.id}).one())

    # --- webhooks -------------------------------------------------------------------------

    def deliveries(
        self, account: Account, *, failed: bool, limit: int, offset: int
    ) -> tuple[list[Delivery], bool]:
        """A page of deliveries, newest first, each with its attempts (oldest first). ``failed``:
        only those tried at least once and not delivered."""
        query = _DELIVERIES.where(deliveries.c.account_id == account.id)
        if failed:
            query = query.where(deliveries.c.attempts > 0, deliveries.c.state != "delivered")
        query = query.order_by(deliveries.c.id.desc()).limit(limit + 1).offset(offset)
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(query).all()
            ids = [row.id for row in rows[:limit]]
            tried: dict[int, list[Attempt]] = {}
            if ids:
                for row in conn.execute(
                    select(*_ATTEMPT_COLUMNS)
                    .where(attempts.c.account_id == account.id, attempts.c.delivery_id.in_(ids))
                    .order_by(attempts.c.id)
                ):
                    tried.setdefault(row.delivery_id, []).append(Attempt(*row))
        found = [
            Delivery(*row[:8])._replace(attempts=tuple(tried.get(row.id, ())))
            for row in rows[:limit]
        ]
        return found, len(rows) > limit

    def replay(self, account: Account, delivery_id: int) -> None:
        """Send a delivery's body again, now: the dispatcher makes one more attempt (retried
        as usual while it has attempts left). Refused while an attempt is in flight."""
        with self.ctx.engine.begin() as conn:
            now = self.ctx.now(account.id, conn)
            changed = conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == delivery_id,
                    deliveries.c.account_id == account.id,
                    or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < time.time()),
                )
                .values(state="pending", due_at=now)
            ).rowcount
            if changed:
                return
            known = conn.scalar(
                select(deliveries.c.id).where(
                    deliveries.c.id == delivery_id, deliveries.c.account_id == account.id
                )
            )
        if known is None:
            raise ApiError(404, f"Webhook delivery {delivery_id} was not found on your account.")
        raise ApiError(409, f"Webhook delivery {delivery_id} is being sent right now; try again.")
