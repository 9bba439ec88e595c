"""Send limits: the sandbox answers 429 above them; the SDK's limiter keeps a burst under them."""

from __future__ import annotations

import asyncio
import itertools
import time
import uuid
from collections.abc import Iterator

import httpx2
import pytest

from flowroute import RateLimit, RateLimitError
from flowroute._core.ratelimit import SendWindow
from flowroute.sandbox import SandboxSettings, running
from flowroute.sandbox.server import SandboxServer

TO = "12065550123"


@pytest.fixture(scope="module")
def limited() -> Iterator[SandboxServer]:
    with running(SandboxSettings(clock_speed=0, sms_per_second=10, mms_per_second=10)) as sb:
        yield sb


@pytest.fixture
def sender(limited: SandboxServer) -> Iterator[tuple[str, str]]:
    """A fresh account (its own limit window on the server) and one of its numbers."""
    key = f"rate-{uuid.uuid4().hex[:8]}"
    control = limited.control(access_key=key, secret_key="s")
    yield key, control.seed_numbers(1)[0]
    control.close()


def test_sandbox_answers_429_above_the_limit(sender: str) -> None:
    with running(SandboxSettings(clock_speed=0)) as real:  # Flowroute's own 5 SMS a second
        (number,) = real.seed_numbers(1)
        body = {"to": TO, "from": number, "body": "burst"}
        with httpx2.Client(
            base_url=real.base_url, auth=(real.access_key, "sandbox-secret-key")
        ) as raw:
            statuses = [raw.post("/v2.1/messages", json=body).status_code for _ in range(7)]
            over = raw.post("/v2.1/messages", json=body)
    assert statuses[:5] == [202] * 5 and 429 in statuses[5:]
    assert over.status_code == 429
    (error,) = over.json()["errors"]
    assert error["status"] == 429 and "limit is 5 per second" in error["detail"]


async def _burst(
    sb: SandboxServer, account: tuple[str, str], limit: RateLimit | None, count: int = 20
) -> list[object]:
    key, number = account
    async with sb.async_client(
        access_key=key, secret_key="s", rate_limit=limit, max_retries=0
    ) as client:
        sends = [client.messages.send(to=TO, from_=number, body=f"#{i}") for i in range(count)]
        return list(await asyncio.gather(*sends, return_exceptions=True))


def test_limiter_keeps_a_burst_under_the_limit(
    limited: SandboxServer, sender: tuple[str, str]
) -> None:
    results = asyncio.run(_burst(limited, sender, RateLimit(sms_per_second=10)))
    assert not [r for r in results if isinstance(r, BaseException)]
    assert len(limited.control(access_key=sender[0], secret_key="s").outbox()) == 20


def test_without_the_limiter_the_burst_hits_429(
    limited: SandboxServer, sender: tuple[str, str]
) -> None:
    results = asyncio.run(_burst(limited, sender, None))
    refused = [r for r in results if isinstance(r, RateLimitError)]
    sent = limited.control(access_key=sender[0], secret_key="s").outbox()
    assert refused and len(refused) + len(sent) == 20


def test_sync_and_async_clients_share_one_window(
    limited: SandboxServer, sender: tuple[str, str]
) -> None:
    limit = RateLimit(sms_per_second=10)
    key, number = sender
    sync = limited.client(access_key=key, secret_key="s", rate_limit=limit, max_retries=0)
    for i in range(5):
        sync.messages.send(to=TO, from_=number, body=f"sync {i}")
    results = asyncio.run(_burst(limited, sender, limit, 10))  # same key: shares the window
    assert not [r for r in results if isinstance(r, BaseException)]


def test_sends_are_spaced_and_wait_for_the_window() -> None:
    window = SendWindow(5)
    tickets = [window.reserve() for _ in range(6)]
    gaps = [b.slot - a.slot for a, b in itertools.pairwise(tickets)]
    assert all(0.2 < gap < 0.21 for gap in gaps)  # 1/5 s plus the margin
    assert tickets[5].previous is tickets[0]
    assert 1.0 < tickets[5].wait() < 1.02  # its own slot, a second after the first
    tickets[0].finished = time.monotonic() + 0.5  # ...and it took half a second to finish
    assert tickets[5].wait() >= 1.49  # so the sixth waits a full second after that


def test_bad_rate_limit() -> None:
    from flowroute import ConfigurationError, Flowroute

    with pytest.raises(ConfigurationError, match="rate_limit=None to turn it off"):
        Flowroute(access_key="k", secret_key="s", rate_limit=RateLimit(sms_per_second=0))
