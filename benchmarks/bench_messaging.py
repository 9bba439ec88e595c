"""Messaging throughput: async vs sync sends, limiter accuracy, webhook dispatch rate."""

from __future__ import annotations

import asyncio
import sys
import time
from contextlib import AbstractContextManager

import _servers

from flowroute import AsyncFlowroute, Flowroute, RateLimit, RateLimitError
from flowroute.sandbox import SandboxControl

KEY, SECRET = "bench-msg", "bench-secret"
TO = "12065550123"


def sandbox(*flags: str) -> AbstractContextManager[str]:
    args = [sys.executable, "-m", "flowroute.sandbox", *_servers.QUIET, "--clock-speed", "0"]
    args += flags
    return _servers.process(args, "/v2/routes", (KEY, SECRET))


def _account(base: str) -> str:
    control = SandboxControl(base, access_key=KEY, secret_key=SECRET)
    control.reset()
    number = control.seed_numbers(1)[0]
    control.close()
    return number


def _sync_rate(base: str, number: str, count: int) -> float:
    with Flowroute(base_url=base, access_key=KEY, secret_key=SECRET, rate_limit=None) as client:
        start = time.perf_counter()
        for i in range(count):
            client.messages.send(to=TO, from_=number, body=f"sync {i}")
        return count / (time.perf_counter() - start)


async def _async_rate(base: str, number: str, count: int, in_flight: int) -> float:
    async with AsyncFlowroute(
        base_url=base, access_key=KEY, secret_key=SECRET, rate_limit=None
    ) as client:
        gate = asyncio.Semaphore(in_flight)

        async def one(i: int) -> None:
            async with gate:
                await client.messages.send(to=TO, from_=number, body=f"async {i}")

        start = time.perf_counter()
        await asyncio.gather(*(one(i) for i in range(count)))
        return count / (time.perf_counter() - start)


def async_vs_sync(*, latency: float, count: int = 1000, in_flight: int = 20) -> tuple[float, float]:
    """(sync msgs/s, async msgs/s) for ``count`` SMS each."""
    with sandbox("--latency", str(latency), "--sms-per-second", "1000000") as base:
        number = _account(base)
        _sync_rate(base, number, 20)  # warm up
        sync = _sync_rate(base, number, count)
        asynchronous = asyncio.run(_async_rate(base, number, count, in_flight))
    return sync, asynchronous


def limiter_accuracy(*, seconds: float = 30.0, rate: float = 5.0) -> tuple[float, int]:
    """Achieved SMS/s with the default limiter against Flowroute's own limit, and 429s seen."""
    with sandbox("--sms-per-second", str(rate)) as base:
        number = _account(base)
        refused = sent = 0
        limit = RateLimit(sms_per_second=rate)
        with Flowroute(
            base_url=base, access_key=KEY, secret_key=SECRET, rate_limit=limit, max_retries=0
        ) as client:
            start = time.perf_counter()
            while time.perf_counter() - start < seconds:
                try:
                    client.messages.send(to=TO, from_=number, body=f"paced {sent}")
                    sent += 1
                except RateLimitError:
                    refused += 1
            elapsed = time.perf_counter() - start
    return sent / elapsed, refused
