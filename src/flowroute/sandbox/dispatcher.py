"""Webhooks out of the sandbox: scheduled deliveries on the virtual clock, Flowroute's retry
schedule (the first try and four more, 30 s apart, until a 200) and a record of every attempt;
what may be contacted, and how, is ``outbound.py``'s business.

Deliveries live in the database. A worker leases a batch before sending it (one UPDATE, atomic
per row, so two workers never own one delivery), and a lease ends by itself: a worker that dies
mid-send strands nothing. Delivery is at least once: a webhook whose attempt was in flight when
its worker died goes out again.

Sending never holds anything up: a background loop claims what falls due as real time passes,
and a clock advance or an inbound message claims what it made due at once, without waiting for
it (unless asked to: ``run_due``). Attempts run concurrently, a bounded number at a time per
account and per destination, chosen in turn across accounts, so a hung receiver delays only the
webhooks that go to it. See docs/decisions/0007-webhook-dispatch.md.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

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
from .outbound import ATTEMPT_TIMEOUT, Attempted, Outbound
from .settings import SandboxSettings
from .store.schema import accounts, attempts, deliveries

logger = logging.getLogger("flowroute.sandbox")

RETRY_INTERVAL = 30.0
MAX_ATTEMPTS = 5
POLL_INTERVAL = 0.1
BATCH = 200  # deliveries one claim takes (oldest first); an account claims again when low
PARALLEL = 16  # attempts in flight per account
PER_DESTINATION = 16  # attempts in flight per receiver (scheme, host and port), all accounts
# Attempts in flight in this process: below the outbound client's 100 connections, so no attempt
# ever waits for a connection (its timeout running) behind attempts to a hung receiver.
MAX_IN_FLIGHT = 64
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


@lru_cache(maxsize=4096)
def destination(url: str) -> str:
    """The receiver a webhook goes to, as bounded in flight: scheme, host and port."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = port or {"http": 80, "https": 443}.get(scheme)
    return f"{scheme}://[{host}]:{port}" if ":" in host else f"{scheme}://{host}:{port}"


def _claimable(table: FromClause) -> list[ColumnElement[bool]]:
    """Pending, due at the account's virtual ``now``, and unleased at real time ``wall``."""
    return [
        table.c.account_id == bindparam("account"),
        table.c.state == "pending",
        table.c.due_at <= bindparam("now"),
        or_(table.c.lease_until.is_(None), table.c.lease_until < bindparam("wall")),
    ]


# Statements built once: the hot path only binds values.
_CANDIDATE = deliveries.alias("candidate")
_CLAIM = (
    update(deliveries)
    .where(
        deliveries.c.id.in_(
            select(_CANDIDATE.c.id)
            .where(*_claimable(_CANDIDATE))
            .order_by(_CANDIDATE.c.due_at, _CANDIDATE.c.id)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        ),
        *_claimable(deliveries),
    )
    .values(lease_until=bindparam("lease"))
)
_CLAIM_RETURNING = _CLAIM.returning(*deliveries.c)
_CLAIMED = select(deliveries).where(deliveries.c.lease_until == bindparam("lease"))
_OFFSET = select(accounts.c.clock_offset).where(accounts.c.id == bindparam("account"))
# Accounts with something due and unleased, with their clock offsets (virtual now = base + it).
_DUE_ACCOUNTS = (
    select(deliveries.c.account_id, accounts.c.clock_offset)
    .distinct()
    .select_from(deliveries.join(accounts, accounts.c.id == deliveries.c.account_id))
    .where(
        deliveries.c.state == "pending",
        deliveries.c.due_at <= bindparam("base") + accounts.c.clock_offset,
        or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < bindparam("wall")),
    )
)
_RECORD_ATTEMPT = insert(attempts)
# The attempt happened, so it is recorded whatever follows; the delivery is updated only if this
# claim still owns it: the lease is ours (or was released, so nobody's) and no other attempt was
# recorded since it was claimed.
_RECORD_OUTCOME = (
    update(deliveries)
    .where(
        deliveries.c.id == bindparam("row_id"),
        deliveries.c.attempts == bindparam("tried"),
        or_(
            deliveries.c.lease_until == bindparam("lease"),
            deliveries.c.lease_until.is_(None),
        ),
    )
    .values(
        attempts=bindparam("tries"),
        lease_until=None,
        state=bindparam("next_state"),
        due_at=bindparam("next_due"),
    )
)
_RELEASE = (
    update(deliveries)
    .where(deliveries.c.id == bindparam("row_id"), deliveries.c.lease_until == bindparam("lease"))
    .values(lease_until=None)
)


@dataclass(eq=False, slots=True)
class _Job:
    """One claimed delivery, from its claim until its attempt is recorded or it is handed back."""

    row: Any  # the deliveries row as claimed
    lease: float
    offset: float  # the account's clock offset at the claim
    key: str  # its message: one message's webhooks go one after another
    destination: str
    at: float = 0.0  # virtual time the attempt started
    answered: bool = False  # its answer is in; _record finishes it


Answer = tuple[_Job, Attempted]


class Dispatcher:
    """Sends due deliveries: a background loop, ``kick`` and ``run_due`` from the control API.

    Claimed deliveries wait in per-account, per-destination queues; a scheduler starts them,
    taking accounts in turn (and each account's destinations in turn), while the account has
    fewer than PARALLEL attempts in flight, the destination fewer than PER_DESTINATION (or its
    share of MAX_IN_FLIGHT when many are busy) and the process fewer than MAX_IN_FLIGHT. A queue
    whose destination is full never holds up another. A message's deliveries go one after
    another, in the order they fell due, so a level-1 receipt never comes after its level-2 from
    one process. Outcomes are recorded in batches, one transaction for all the answers that
    arrive in one turn of the event loop.
    """

    def __init__(
        self, engine: Engine, clock: Clock, settings: SandboxSettings, outbound: Outbound
    ) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self.outbound = outbound
        self._task: asyncio.Task[None] | None = None
        self._held: dict[int, float] = {}  # delivery id -> lease, for what this process holds
        self._last_lease = 0.0
        self._closing = False  # stopping: only what a control request asked for still starts
        self._stopping = False  # stopped: nothing starts
        self._reset()

    def _reset(self) -> None:
        """Empty the in-process bookkeeping (it is bound to one event loop)."""
        self._jobs: dict[int, _Job] = {}  # delivery id -> its job, queued, waiting or running
        self._work: dict[int, int] = {}  # account -> its jobs here
        self._chains: dict[str, deque[_Job]] = {}  # message -> its jobs, first one ready/running
        # account -> destination -> jobs ready to start, in the order they are served
        self._ready: OrderedDict[int, OrderedDict[str, deque[_Job]]] = OrderedDict()
        self._busy: dict[str, int] = {}  # destination -> jobs ready or running
        self._running: dict[asyncio.Task[None], _Job] = {}
        self._in_flight = 0  # attempts started and not yet answered, in the process
        self._in_flight_account: dict[int, int] = {}
        self._in_flight_destination: dict[str, int] = {}
        self._answers: list[Answer] = []  # answered, not yet recorded
        self._recording = False  # a _record is scheduled
        self._releases: dict[int, float] = {}  # delivery id -> lease, to hand back together
        self._more: set[int] = set()  # accounts whose last claim was full: claim when low
        self._idle: dict[int, list[asyncio.Future[None]]] = {}  # account -> run_due waiting
        self._driven: dict[int, int] = {}  # account -> run_due calls in progress
        self._kicks: dict[int, asyncio.Task[int]] = {}  # account -> its background run_due

    async def start(self) -> None:
        self._closing = self._stopping = False
        self._reset()
        if not self.settings.shared_database:
            # Only this process uses the file: any lease in it was left by a run that is gone.
            released = release_all_claims(self.engine)
            if released:
                logger.warning(
                    "%d webhook(s) in flight when the sandbox stopped go out again", released
                )
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        """Claim nothing more for the background loop; for up to STOP_GRACE seconds, let the
        attempts in flight finish (and be recorded) and what control requests asked for go out;
        then cancel what is still running and release every lease still held, so nothing stays
        claimed and the next start sends what is left."""
        self._closing = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        try:
            deadline = time.monotonic() + STOP_GRACE
            while True:
                work: set[asyncio.Task[Any]] = {*self._kicks.values(), *self._running}
                left = deadline - time.monotonic()
                if not work or left <= 0:
                    break
                await asyncio.wait(work, timeout=left, return_when=asyncio.FIRST_COMPLETED)
            self._stopping = True
            late: set[asyncio.Task[Any]] = {*self._kicks.values(), *self._running}
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
            self._record()  # what was answered is recorded before anything is handed back
            for waiting in self._idle.values():
                for future in waiting:
                    if not future.done():
                        future.set_result(None)
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
        while not self._closing:
            try:
                self._poll()
            except Exception:  # keep delivering whatever one bad row does
                logger.exception("webhook dispatcher failed")
            await asyncio.sleep(POLL_INTERVAL)

    def _poll(self) -> None:
        """Claim for every account with something due and unclaimed (unless it has plenty
        queued here already), then start what may start. Never waits for an attempt."""
        params = {"base": self.clock.epoch(), "wall": time.time()}
        with self.engine.connect() as conn:
            due = conn.execute(_DUE_ACCOUNTS, params).all()
        for account_id, offset in due:
            if self._work.get(account_id, 0) <= PARALLEL:
                self._claim(account_id, float(offset or 0.0))
        self._dispatch()

    def kick(self, account_id: int) -> None:
        """Send what is due for the account now, in the background (``run_due`` without the
        wait). A clean stop still lets it finish, for up to STOP_GRACE seconds."""
        if self._closing:
            return
        task = self._kicks.get(account_id)
        if task is not None and not task.done():
            # The last kick is waiting for what it started; what fell due since goes now too.
            if self._work.get(account_id, 0) <= PARALLEL:
                self._claim(account_id)
                self._dispatch()
            return
        task = asyncio.create_task(self.run_due(account_id))
        self._kicks[account_id] = task
        task.add_done_callback(self._kick_done)

    def _kick_done(self, task: asyncio.Task[int]) -> None:
        for account_id, kicked in list(self._kicks.items()):
            if kicked is task:
                del self._kicks[account_id]
        if not task.cancelled() and task.exception() is not None:
            logger.error("sending due webhooks failed", exc_info=task.exception())

    async def run_due(self, account_id: int | None = None) -> int:
        """Send everything due now (for one account or all); returns how many it claimed.

        It returns once nothing due is left unsent by this process, including what another
        caller here (the background loop, a kick) had already claimed.
        """
        if account_id is None:
            params = {"base": self.clock.epoch(), "wall": time.time()}
            with self.engine.connect() as conn:
                due = {row.account_id for row in conn.execute(_DUE_ACCOUNTS, params)}
            results = await asyncio.gather(
                *(self.run_due(account) for account in sorted(due | set(self._work))),
                return_exceptions=True,
            )
            for result in results:  # every account ran to its end before an error is raised
                if isinstance(result, BaseException):
                    raise result
            return sum(result for result in results if not isinstance(result, BaseException))
        claimed = 0
        self._driven[account_id] = self._driven.get(account_id, 0) + 1
        try:
            while not self._stopping:
                got = self._claim(account_id) if self._work.get(account_id, 0) <= PARALLEL else 0
                claimed += got
                self._dispatch()
                if not self._work.get(account_id):
                    if not got:
                        break
                    await asyncio.sleep(0)  # what it claimed was handed straight back
                    continue
                # More is claimed as the account's queue runs low (_top_up); look again once
                # all it has here is done, since a failure may have freed a row.
                waiting = asyncio.get_running_loop().create_future()
                self._idle.setdefault(account_id, []).append(waiting)
                await waiting
        finally:
            self._driven[account_id] -= 1
            if not self._driven[account_id]:
                del self._driven[account_id]
        return claimed

    # --- claims ------------------------------------------------------------------------------

    def _claim(self, account_id: int, offset: float | None = None) -> int:
        """Lease up to BATCH due deliveries of the account and queue them; returns how many.

        One UPDATE takes them, and it re-checks each row as it reaches it (pending, due and
        unleased), so two workers never own one delivery. On PostgreSQL the rows it picks are
        locked (FOR UPDATE SKIP LOCKED: a concurrent claim takes other rows rather than wait for
        these); SQLite runs one write at a time.
        """
        if self._stopping or (self._closing and not self._driven.get(account_id)):
            return 0
        if offset is None:
            with self.engine.connect() as conn:
                offset = float(conn.scalar(_OFFSET, {"account": account_id}) or 0.0)
        wall = time.time()
        # The lease doubles as this claim's token: it only grows within a process, so no two
        # claims here hold the same value, and a lease another worker took over is never ours.
        lease = max(wall + LEASE, math.nextafter(self._last_lease, math.inf))
        self._last_lease = lease
        params = {
            "account": account_id,
            "now": self.clock.epoch(offset),
            "wall": wall,
            "lease": lease,
        }
        with self.engine.begin() as conn:
            if conn.dialect.update_returning:
                rows = list(conn.execute(_CLAIM_RETURNING, params))
            else:  # SQLite before 3.35: read back what this claim took, in its write transaction
                conn.execute(_CLAIM, params)
                rows = list(conn.execute(_CLAIMED, {"lease": lease}))
        rows.sort(key=lambda row: (row.due_at, row.id))
        if len(rows) >= BATCH:
            self._more.add(account_id)
        else:
            self._more.discard(account_id)
        for row in rows:
            self._track(row, lease, offset)
        return len(rows)

    def _track(self, row: Any, lease: float, offset: float) -> None:
        self._held[row.id] = lease
        job = self._jobs.get(row.id)
        if job is not None:  # still queued here when its lease ran out: it is renewed
            job.row, job.lease, job.offset = row, lease, offset
            return
        key = row.message_id or f"delivery-{row.id}"
        job = _Job(row, lease, offset, key, destination(row.url))
        self._jobs[row.id] = job
        self._work[row.account_id] = self._work.get(row.account_id, 0) + 1
        chain = self._chains.get(key)
        if chain:
            chain.append(job)  # after the message's earlier webhook is attempted
        else:
            self._chains[key] = deque((job,))
            self._make_ready(job)

    def _top_up(self) -> None:
        """Claim more for accounts whose last claim was full, once their queue runs low."""
        for account_id in list(self._more):
            if self._work.get(account_id, 0) <= PARALLEL:
                self._claim(account_id)

    # --- the scheduler -----------------------------------------------------------------------

    def _make_ready(self, job: _Job) -> None:
        account_id = job.row.account_id
        queues = self._ready.get(account_id)
        if queues is None:
            queues = self._ready[account_id] = OrderedDict()
        queue = queues.get(job.destination)
        if queue is None:
            queue = queues[job.destination] = deque()
        queue.append(job)
        self._busy[job.destination] = self._busy.get(job.destination, 0) + 1

    def _dispatch(self) -> None:
        """Start what may start: the least recently served account first, then its least
        recently served destination with room; a full destination is skipped, never waited on.
        Synchronous, so nothing changes between a decision and the attempt it starts."""
        while self._ready and self._in_flight < MAX_IN_FLIGHT and not self._stopping:
            # A destination gets at most its share of the process when many are busy, so
            # several hung receivers cannot take every slot.
            bound = min(PER_DESTINATION, max(1, MAX_IN_FLIGHT // len(self._busy)))
            picked: tuple[int, OrderedDict[str, deque[_Job]], str] | None = None
            for account_id, queues in self._ready.items():
                if self._in_flight_account.get(account_id, 0) >= PARALLEL:
                    continue
                if self._closing and not self._driven.get(account_id):
                    continue
                for where in queues:
                    if self._in_flight_destination.get(where, 0) < bound:
                        picked = account_id, queues, where
                        break
                if picked is not None:
                    break
            if picked is None:
                break
            account_id, queues, where = picked
            queue = queues[where]
            job = queue.popleft()
            if queue:
                queues.move_to_end(where)
            else:
                del queues[where]
            if queues:
                self._ready.move_to_end(account_id)
            else:
                del self._ready[account_id]
            self._begin(job)
        self._hand_back()

    def _begin(self, job: _Job) -> None:
        if time.time() + ATTEMPT_TIMEOUT + LEASE_MARGIN > job.lease:
            # Not started: rather than start an attempt the lease might not outlast, hand it
            # back (with the message's later webhooks, to keep their order) to be claimed afresh.
            self._not_busy(job.destination)
            self._done_with(job, "unsent")
            return
        account_id = job.row.account_id
        job.at = self.clock.epoch(job.offset)
        self._in_flight += 1
        self._in_flight_account[account_id] = self._in_flight_account.get(account_id, 0) + 1
        where = job.destination
        self._in_flight_destination[where] = self._in_flight_destination.get(where, 0) + 1
        task = asyncio.create_task(self._attempt(job))
        self._running[task] = job
        task.add_done_callback(self._attempt_done)

    async def _attempt(self, job: _Job) -> None:
        row = job.row
        attempted = await self.outbound.deliver(row.url, row.body)
        # No await from here on: a stop that cancels this attempt cancels it before it has an
        # answer, never between the answer and its record (written on the event loop's next
        # turn, with the other answers that came in meanwhile; stop() writes what is left).
        self._answers.append((job, attempted))
        job.answered = True
        if not self._recording:
            self._recording = True
            asyncio.get_running_loop().call_soon(self._record)
        self._landed(job)  # its slots are free: what waits for them starts now
        self._dispatch()

    def _attempt_done(self, task: asyncio.Task[None]) -> None:
        job = self._running.pop(task)
        if task.cancelled() or task.exception() is None:
            return  # answered (and _record finishes it), or cancelled by stop(), which hands back
        logger.error("webhook delivery %s failed", job.row.id, exc_info=task.exception())
        if job.answered:
            return  # what failed came after the answer, which _record finishes
        self._landed(job)
        self._done_with(job, "unrecorded")
        self._hand_back()
        self._dispatch()

    def _record(self) -> None:
        """Record every answer that came in: one transaction for all of them. Then move each
        message on to its next webhook, claim more where queues ran low, and start what may."""
        self._recording = False
        answers, self._answers = self._answers, []
        if not answers:
            return
        tried: list[dict[str, Any]] = []
        outcomes: list[dict[str, Any]] = []
        for job, attempted in answers:
            outcome = attempted.outcome
            row = job.row
            tries = row.attempts + 1
            retry = outcome == "failed" and tries < MAX_ATTEMPTS
            tried.append(
                {
                    "account_id": row.account_id,
                    "delivery_id": row.id,
                    "kind": row.kind,
                    "message_id": row.message_id,
                    "url": row.url,
                    "body": row.body,
                    "at": job.at,
                    "status_code": attempted.status,
                    "outcome": outcome,
                    "error": attempted.error,
                    "latency_ms": attempted.latency_ms,
                    "response_excerpt": attempted.excerpt,
                }
            )
            outcomes.append(
                {
                    "row_id": row.id,
                    "tried": row.attempts,
                    "lease": job.lease,
                    "tries": tries,
                    "next_state": "pending" if retry else outcome,
                    "next_due": job.at + RETRY_INTERVAL if retry else row.due_at,
                }
            )
        try:
            with self.engine.begin() as conn:
                conn.execute(_RECORD_ATTEMPT, tried)
                conn.execute(_RECORD_OUTCOME, outcomes)
            recorded = True
        except Exception:  # their leases stay held and run out: the webhooks go out again
            logger.exception("could not record %d webhook attempt(s)", len(answers))
            recorded = False
        for job, *_ in answers:
            if recorded:
                self._held.pop(job.row.id, None)
            self._done_with(job, "recorded" if recorded else "unrecorded")
        try:
            self._top_up()
        except Exception:
            logger.exception("webhook dispatcher failed")
        self._dispatch()

    def _landed(self, job: _Job) -> None:
        """The job's attempt is over: its slots are free."""
        account_id, where = job.row.account_id, job.destination
        self._in_flight -= 1
        self._in_flight_account[account_id] -= 1
        if not self._in_flight_account[account_id]:
            del self._in_flight_account[account_id]
        self._in_flight_destination[where] -= 1
        if not self._in_flight_destination[where]:
            del self._in_flight_destination[where]
        self._not_busy(where)

    def _not_busy(self, where: str) -> None:
        self._busy[where] -= 1
        if not self._busy[where]:
            del self._busy[where]

    def _done_with(self, job: _Job, how: Literal["recorded", "unsent", "unrecorded"]) -> None:
        """Finish ``job``, the first of its message's webhooks here. Recorded: the message's
        next webhook may start. Otherwise the rest are handed back unsent, so none of them goes
        out ahead of it; an unsent job is handed back too, while an unrecorded one (its attempt
        happened, or may have) keeps its lease until that runs out or stop() releases it."""
        chain = self._chains[job.key]
        chain.popleft()
        self._forget(job)
        if how == "recorded" and chain:
            self._make_ready(chain[0])
            return
        if how == "unsent":
            self._releases[job.row.id] = job.lease
        for later in chain:
            self._releases[later.row.id] = later.lease
            self._forget(later)
        del self._chains[job.key]

    def _forget(self, job: _Job) -> None:
        del self._jobs[job.row.id]
        account_id = job.row.account_id
        self._work[account_id] -= 1
        if not self._work[account_id]:
            del self._work[account_id]
            for future in self._idle.pop(account_id, ()):
                if not future.done():
                    future.set_result(None)

    def _hand_back(self) -> None:
        if not self._releases:
            return
        held, self._releases = self._releases, {}
        try:
            self._release(held)
        except Exception:  # their leases run out by themselves
            logger.exception("could not hand back %d webhook(s)", len(held))

    def _release(self, held: dict[int, float]) -> None:
        """Give claimed deliveries back unsent (each only while its lease is still ours)."""
        if held:
            with self.engine.begin() as conn:
                conn.execute(_RELEASE, [{"row_id": i, "lease": lease} for i, lease in held.items()])
        for delivery_id in held:
            self._held.pop(delivery_id, None)
