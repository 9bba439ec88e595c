"""Webhooks out of the sandbox: scheduled deliveries on the virtual clock, Flowroute's retry
schedule (the first try and four more, 30 s apart, until a 200), a record of every attempt, and
the outbound policy (loopback addresses only unless ``--allow-external-hosts``).

Deliveries live in the database and are claimed before sending, so several workers never send
one twice. They go out from a background loop, and at once when a test advances the clock or
injects an inbound message.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import httpx2
from sqlalchemy import Connection, Engine, insert, or_, select, update

from .clock import Clock
from .settings import SandboxSettings
from .store.schema import accounts, attempts, deliveries

logger = logging.getLogger("flowroute.sandbox")

RETRY_INTERVAL = 30.0
MAX_ATTEMPTS = 5
POLL_INTERVAL = 0.1
BATCH = 200
LEASE = 60.0  # seconds a claim holds before another worker may take the delivery over
PARALLEL = 16
HEADERS = {"Content-Type": "application/json", "User-Agent": "Go-http-client/1.1"}


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def blocked_reason(settings: SandboxSettings, url: str) -> str | None:
    """Why the sandbox will not contact ``url`` (None when it will)."""
    if settings.allow_external_hosts or is_loopback(url):
        return None
    host = urlsplit(url).hostname or url
    return (
        f"not contacted: {host} is not a loopback address; start the sandbox with "
        "--allow-external-hosts to reach other hosts"
    )


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


class Dispatcher:
    def __init__(self, engine: Engine, clock: Clock, settings: SandboxSettings) -> None:
        self.engine = engine
        self.clock = clock
        self.settings = settings
        self._client: httpx2.AsyncClient | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(timeout=10.0, follow_redirects=False)
        return self._client

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _loop(self) -> None:
        while True:
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
        """Send everything due now (for one account or all); returns how many were attempted."""
        sent = 0
        for account in [account_id] if account_id is not None else self._accounts_with_work():
            now = self.clock.epoch(self._clock_offset(account))
            while batch := self._claim_batch(account, now):
                # Different messages go out in parallel; one message's webhooks stay in order
                # (a level-1 receipt before its level-2).
                by_message: dict[str | None, list[Any]] = {}
                for row in batch:
                    by_message.setdefault(row.message_id or f"delivery-{row.id}", []).append(row)
                gate = asyncio.Semaphore(PARALLEL)
                await asyncio.gather(
                    *(self._attempt_in_order(rows, now, gate) for rows in by_message.values())
                )
                sent += len(batch)
        return sent

    def _clock_offset(self, account_id: int) -> float:
        with self.engine.connect() as conn:
            offset = conn.scalar(select(accounts.c.clock_offset).where(accounts.c.id == account_id))
        return float(offset or 0.0)

    async def _attempt_in_order(self, rows: list[Any], now: float, gate: asyncio.Semaphore) -> None:
        async with gate:
            for row in rows:
                await self._attempt(row, now)

    def _claim_batch(self, account_id: int, now: float) -> list[Any]:
        """Due deliveries this process now owns (claimed atomically, so no worker sends twice)."""
        with self.engine.begin() as conn:
            candidates = conn.execute(
                select(deliveries)
                .where(
                    deliveries.c.account_id == account_id,
                    deliveries.c.state == "pending",
                    or_(deliveries.c.lease_until.is_(None), deliveries.c.lease_until < time.time()),
                    deliveries.c.due_at <= now,
                )
                .order_by(deliveries.c.due_at, deliveries.c.id)
                .limit(BATCH)
            ).all()
            return [
                row
                for row in candidates
                if conn.execute(
                    update(deliveries)
                    .where(
                        deliveries.c.id == row.id,
                        or_(
                            deliveries.c.lease_until.is_(None),
                            deliveries.c.lease_until < time.time(),
                        ),
                    )
                    .values(lease_until=time.time() + LEASE)
                ).rowcount
            ]

    async def _attempt(self, row: Any, now: float) -> None:
        reason = blocked_reason(self.settings, row.url)
        status: int | None = None
        error = reason
        if reason is None:
            try:
                response = await self.client.post(row.url, content=row.body, headers=HEADERS)
                status = response.status_code
                if status != 200:
                    error = f"receiver answered {status}; Flowroute wants 200"
            except httpx2.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
        outcome = "blocked" if reason else ("delivered" if status == 200 else "failed")
        tries = row.attempts + 1
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
            retry = outcome == "failed" and tries < MAX_ATTEMPTS
            conn.execute(
                update(deliveries)
                .where(deliveries.c.id == row.id)
                .values(
                    attempts=tries,
                    lease_until=None,
                    state="pending" if retry else outcome,
                    due_at=now + RETRY_INTERVAL if retry else row.due_at,
                )
            )

    async def media_size(self, url: str) -> int | None:
        """Bytes behind a media URL, or None when policy forbids fetching it."""
        if blocked_reason(self.settings, url):
            return None
        size = 0
        async with self.client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
        return size
