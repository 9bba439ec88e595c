"""Webhooks out of the sandbox: scheduled deliveries on the virtual clock, Flowroute's retry
schedule (the first try and four more, 30 s apart, until a 200), a record of every attempt, and
the outbound policy (loopback addresses only unless ``--allow-external-hosts``).

Deliveries live in the database. A worker leases a batch before sending it (one UPDATE, atomic
per row, so two workers never own one delivery), and a lease ends by itself: a worker that dies
mid-send strands nothing. Delivery is at least once: a webhook whose attempt was in flight when
its worker died goes out again. They go out from a background loop, and at once when a test
advances the clock or injects an inbound message. See docs/decisions/0007-webhook-dispatch.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    FromClause,
    bindparam,
    insert,
    or_,
    select,
    update,
)

from .clock import Clock
from .outbound import ATTEMPT_TIMEOUT, Outbound
from .settings import SandboxSettings
from .store.schema import accounts, attempts, deliveries

logger = logging.getLogger("flowroute.sandbox")

RETRY_INTERVAL = 30.0
MAX_ATTEMPTS = 5
POLL_INTERVAL = 0.1
BATCH = 200
PARALLEL = 16
# A claim is a lease until a real (wall-clock) epoch second, kept in deliveries.lease_until.
LEASE = 60.0  # how long a claim holds before another worker may take the delivery over
LEASE_MARGIN = 5.0  # what a lease keeps beyond the longest attempt: recording it, clock skew
STOP_GRACE = 5.0  # how long a clean stop lets attempts in flight finish before releasing them
# The invariant: an attempt starts only while its lease has ATTEMPT_TIMEOUT + LEASE_MARGIN left,
# and none outlives ATTEMPT_TIMEOUT, so no lease expires under an attempt still running.
if ATTEMPT_TIMEOUT + LEASE_MARGIN >= LEASE:
    raise RuntimeError("a webhook lease must outlast the longest attempt")


def schedule(
    conn: Connection,
    *,
    account_id: int,
    kind: str,
    message_id: str | None,
    url: str,
    body: dict[str, Any],
    due_at: float,
) -> None:
    conn.execute(
        insert(deliveries).values(
            account_id=account_id,
            kind=kind,
            message_id=message_id,
            url=url,
            body=json.dumps(body),
            due_at=due_at,
        )
    )


def release_all_claims(engine: Engine) -> int:
    """Free every delivery's lease and return how many were held.

    Only when nothing else sends from this database: a sandbox starting on SQLite (one process
    per file) does it itself; ``serve()`` does it once before it starts PostgreSQL workers. What
    a killed process held then goes out at once instead of when its lease runs out.
    """
    with engine.begin() as conn:
        held = deliveries.c.lease_until.is_not(None)
        return conn.execute(update(deliveries).where(held).values(lease_until=None)).rowcount


def _claimable(
    table: FromClause, account_id: int, now: float, wall: float
) -> list[ColumnElement[bool]]:
    """Pending, due at virtual time ``now``, and unleased at real time ``wall``."""
    return [
        table.c.account_id == account_id,
        table.c.state == "pending",
        table.c.due_at <= now,
        or_(table.c.lease_until.is_(None), table.c.lease_until < wall),
    ]


_RELEASE = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("row_id"), deliveries.c.lease_until == bindparam("lease"))
    .values(lease_until=None)
)


class Dispatcher:
    """Sends due deliveries: a background loop, plus ``run_due`` from the control API.

    Each attempt is a task of its own, PARALLEL at a time per account; a message's attempts run
    one after another, in the order they fell due, so a level-1 receipt never comes after its
    level-2 from one process.
    """

    def __init__(
        self, engine: Engine, clock: Clock, settings: SandboxSettings, outbound: Outbound
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self.outbound = outbound
        self._task: asyncio.Task[None] | None = None
        self._gates: dict[int, asyncio.Semaphore] = {}  # per account: attempts running at once
        self._sending: dict[int, set[asyncio.Task[bool]]] = {}  # per account: queued or running
        self._latest: dict[str, asyncio.Task[bool]] = {}  # per message: its last queued attempt
        self._held: dict[int, float] = {}  # delivery id -> lease, for what this process holds
        self._last_lease = 0.0
        self._stopping = False

    async def start(self) -> None:
        self._stopping = False
        self._gates, self._sending, self._latest = {}, {}, {}  # bound to this event loop
        if not self.settings.shared_database:
            # Only this process uses the file: any lease in it was left by a run that is gone.
            released = release_all_claims(self.engine)
            if released:
                logger.warning(
                    "%d webhook(s) in flight when the sandbox stopped go out again", released
                )
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Claim nothing more; let attempts in flight finish (and be recorded) for up to
        STOP_GRACE seconds, cancel what is still running, and release every lease still held,
        so nothing stays claimed and the next start sends what is left."""
        self._stopping = True
        work: set[asyncio.Task[Any]] = {task for tasks in self._sending.values() for task in tasks}
        if self._task is not None:
            work.add(self._task)
            self._task = None
        try:
            if work:
                _, late = await asyncio.wait(work, timeout=STOP_GRACE)
                for task in late:
                    task.cancel()
                await asyncio.gather(*late, return_exceptions=True)
            if self._held:
                logger.warning(
                    "%d webhook(s) not sent before the sandbox stopped go out after it starts",
                    len(self._held),
                )
                self._release(dict(self._held))
        except Exception:  # the database is gone: the leases run out by themselves instead
            logger.exception("could not release the webhooks this sandbox held")
        finally:
            await self.outbound.aclose()

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self.run_due()
            except Exception:  # keep delivering whatever one bad row does
                logger.exception("webhook dispatcher failed")
            await asyncio.sleep(POLL_INTERVAL)

    def _accounts_with_work(self) -> list[int]:
        with self.engine.connect() as conn:
            query = select(deliveries.c.account_id).where(deliveries.c.state == "pending")
            return sorted(set(conn.scalars(query)))

    async def run_due(self, account_id: int | None = None) -> int:
        """Send everything due now (for one account or all); returns how many it claimed.

        It returns once nothing due is left unsent by this process, including what another
        caller here (the background loop) had already claimed.
        """
        if account_id is not None:
            return await self._pump(account_id)
        results = await asyncio.gather(
            *(self._pump(account) for account in self._accounts_with_work()),
            return_exceptions=True,
        )
        for result in results:  # every account ran to its end before an error is raised
            if isinstance(result, BaseException):
                raise result
        return sum(result for result in results if not isinstance(result, BaseException))

    async def _pump(self, account_id: int) -> int:
        """Claim and queue what is due for the account, claiming more whenever the queue is
        down to PARALLEL, until nothing is due and nothing is in flight."""
        sending = self._sending.setdefault(account_id, set())
        claimed = 0
        while not self._stopping:
            # No await from the claim to the queueing: nothing here can be claimed and lost.
            now = self.clock.epoch(self._clock_offset(account_id))
            lease, rows = self._claim(account_id, now)
            for row in rows:
                self._queue(account_id, row, now, lease)
            claimed += len(rows)
            if not sending:
                break
            # With something claimed, top up once the queue runs low; with nothing, wait until
            # all in flight is done, then look once more (a failure may have freed a row).
            while sending and (len(sending) > PARALLEL or not rows):
                await asyncio.wait(set(sending), return_when=asyncio.FIRST_COMPLETED)
        return claimed

    def _clock_offset(self, account_id: int) -> float:
        with self.engine.connect() as conn:
            offset = conn.scalar(select(accounts.c.clock_offset).where(accounts.c.id == account_id))
        return float(offset or 0.0)

    def _claim(self, account_id: int, now: float) -> tuple[float, list[Any]]:
        """Lease up to BATCH due deliveries; returns the lease and the rows, oldest first.

        One UPDATE takes them, and it re-checks each row as it reaches it (pending, due and
        unleased), so two workers never own one delivery. On PostgreSQL the rows it picks are
        locked (FOR UPDATE SKIP LOCKED: a concurrent claim takes other rows rather than wait for
        these); SQLite runs one write at a time.
        """
        wall = time.time()
        # The lease doubles as this claim's token: it only grows within a process, so no two
        # claims here hold the same value, and a lease another worker took over is never ours.
        lease = max(wall + LEASE, math.nextafter(self._last_lease, math.inf))
        self._last_lease = lease
        candidate = deliveries.alias("candidate")
        pick = (
            select(candidate.c.id)
            .where(*_claimable(candidate, account_id, now, wall))
            .order_by(candidate.c.due_at, candidate.c.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        claim = (
            update(deliveries)
            .where(deliveries.c.id.in_(pick), *_claimable(deliveries, account_id, now, wall))
            .values(lease_until=lease)
        )
        with self.engine.begin() as conn:
            if conn.dialect.update_returning:
                rows = list(conn.execute(claim.returning(*deliveries.c)))
            else:  # SQLite before 3.35: read back what this claim took, in its write transaction
                conn.execute(claim)
                rows = list(
                    conn.execute(select(deliveries).where(deliveries.c.lease_until == lease))
                )
        rows.sort(key=lambda row: (row.due_at, row.id))
        self._held.update((row.id, lease) for row in rows)
        return lease, rows

    def _queue(self, account_id: int, row: Any, now: float, lease: float) -> None:
        key = row.message_id or f"delivery-{row.id}"
        task = asyncio.create_task(
            self._send_after(self._latest.get(key), account_id, row, now, lease)
        )
        self._latest[key] = task
        sending = self._sending[account_id]
        sending.add(task)

        def done(finished: asyncio.Task[bool]) -> None:
            sending.discard(finished)
            if self._latest.get(key) is finished:
                del self._latest[key]
            if not finished.cancelled() and finished.exception() is not None:
                logger.error("webhook delivery %s failed", row.id, exc_info=finished.exception())

        task.add_done_callback(done)

    async def _send_after(
        self, before: asyncio.Task[bool] | None, account_id: int, row: Any, now: float, lease: float
    ) -> bool:
        """Attempt ``row`` once the message's previous attempt is over; False if it was handed
        back unsent instead."""
        went = True
        if before is not None:
            await asyncio.wait({before})
            went = not before.cancelled() and before.exception() is None and before.result()
        if self._stopping:
            return False  # stop() releases it with the rest
        if not went:
            self._release({row.id: lease})  # its predecessor did not go: keep the order
            return False
        async with self._gates.setdefault(account_id, asyncio.Semaphore(PARALLEL)):
            if self._stopping:
                return False  # stop() releases it with the rest
            if time.time() + ATTEMPT_TIMEOUT + LEASE_MARGIN > lease:
                # Not started: rather than start an attempt the lease might not outlast, hand
                # it back to be claimed afresh.
                self._release({row.id: lease})
                return False
            await self._attempt(row, now, lease)
        return True

    async def _attempt(self, row: Any, now: float, lease: float) -> None:
        outcome, status, error = await self.outbound.deliver(row.url, row.body)
        # No await from here on: a stop that cancels this attempt cancels it before it has an
        # answer, never between the answer and its record.
        tries = row.attempts + 1
        retry = outcome == "failed" and tries < MAX_ATTEMPTS
        with self.engine.begin() as conn:
            conn.execute(
                insert(attempts).values(
                    account_id=row.account_id,
                    delivery_id=row.id,
                    kind=row.kind,
                    message_id=row.message_id,
                    url=row.url,
                    body=row.body,
                    at=now,
                    status_code=status,
                    outcome=outcome,
                    error=error,
                )
            )
            # The attempt happened, so it is recorded whatever follows; the delivery is updated
            # only if this claim still owns it: the lease is ours (or was released, so nobody's)
            # and no other attempt was recorded since it was claimed.
            conn.execute(
                update(deliveries)
                .where(
                    deliveries.c.id == row.id,
                    deliveries.c.attempts == row.attempts,
                    or_(deliveries.c.lease_until == lease, deliveries.c.lease_until.is_(None)),
                )
                .values(
                    attempts=tries,
                    lease_until=None,
                    state="pending" if retry else outcome,
                    due_at=now + RETRY_INTERVAL if retry else row.due_at,
                )
            )
        self._held.pop(row.id, None)

    def _release(self, held: dict[int, float]) -> None:
        """Give claimed deliveries back unsent (each only while its lease is still ours)."""
        if held:
            with self.engine.begin() as conn:
                conn.execute(_RELEASE, [{"row_id": i, "lease": lease} for i, lease in held.items()])
        for delivery_id in held:
            self._held.pop(delivery_id, None)
