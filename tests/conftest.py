"""Shared fixtures. The sandbox itself comes from our pytest plugin (``flowroute_sandbox``)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from flowroute import AsyncFlowroute, AsyncPager, Flowroute, SyncPager
from flowroute.sandbox import SandboxControl
from flowroute.sandbox.server import SandboxServer


class Driver:
    """Runs the same test code through the sync or the async client over real HTTP.

    Calls return plain results in both modes: coroutines are awaited on a private event loop and
    pagers are drained into lists.
    """

    def __init__(self, target: Any, loop: asyncio.AbstractEventLoop | None) -> None:
        self._target = target
        self._loop = loop

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value):
            return lambda *a, **k: self._resolve(value(*a, **k))
        return Driver(value, self._loop)

    def _resolve(self, result: Any) -> Any:
        if isinstance(result, SyncPager):
            return list(result)
        if isinstance(result, AsyncPager):
            assert self._loop is not None
            return self._loop.run_until_complete(result.to_list())
        if asyncio.iscoroutine(result):
            assert self._loop is not None
            return self._loop.run_until_complete(result)
        return result


@pytest.fixture(params=["sync", "async"])
def fr(request: pytest.FixtureRequest, flowroute_sandbox: SandboxServer) -> Iterator[Driver]:
    """An SDK client of either flavour on the default sandbox account."""
    if request.param == "sync":
        with flowroute_sandbox.client() as client:
            yield Driver(client, None)
        return
    loop = asyncio.new_event_loop()
    client = flowroute_sandbox.async_client()
    try:
        yield Driver(client, loop)
    finally:
        loop.run_until_complete(client.close())
        loop.close()


@pytest.fixture
def client(flowroute_sandbox: SandboxServer) -> Iterator[Flowroute]:
    with flowroute_sandbox.client() as c:
        yield c


@pytest.fixture
def async_client(flowroute_sandbox: SandboxServer) -> AsyncFlowroute:
    return flowroute_sandbox.async_client()


@pytest.fixture
def raw(flowroute_sandbox: SandboxServer) -> Iterator[httpx2.Client]:
    """A plain HTTP client with the default account's credentials, for wire-shape tests."""
    with httpx2.Client(
        base_url=flowroute_sandbox.base_url,
        auth=(flowroute_sandbox.access_key, "sandbox-secret-key"),
    ) as http:
        yield http


@pytest.fixture
def other_account(flowroute_sandbox: SandboxServer) -> Iterator[tuple[SandboxControl, Flowroute]]:
    """A fresh, separate account on the same sandbox."""
    key, secret = f"other-{uuid.uuid4().hex[:8]}", "other-secret"
    control = flowroute_sandbox.control(access_key=key, secret_key=secret)
    with flowroute_sandbox.client(access_key=key, secret_key=secret) as client:
        yield control, client
    control.reset()
    control.close()


def available(client: Flowroute, count: int = 1, **filters: Any) -> list[str]:
    """Ids of purchasable numbers."""
    return [n.id for n in client.numbers.search(limit=count, **filters)]
