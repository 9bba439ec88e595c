"""Shared fixtures. The sandbox itself comes from our pytest plugin (``flowroute_sandbox``)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Iterator

import httpx2
import pytest

from flowroute import AsyncFlowroute, Flowroute
from flowroute.sandbox import SandboxControl
from flowroute.sandbox.server import SandboxServer

from .support import Driver, Receiver


@pytest.fixture(autouse=True)
def restore_flowroute_logger() -> Iterator[None]:
    """``--debug`` and ``FLOWROUTE_LOG`` configure the process's ``flowroute`` logger, as they
    should in a real process; in-process CLI runs must not leak that into later tests."""
    logger = logging.getLogger("flowroute")
    handlers, level = list(logger.handlers), logger.level
    yield
    logger.handlers[:] = handlers
    logger.setLevel(level)


@pytest.fixture(params=["sync", "async"])
def fr(request: pytest.FixtureRequest, flowroute_sandbox: SandboxServer) -> Iterator[Driver]:
    """An SDK client of either flavour on the default sandbox account."""
    if request.param == "sync":
        with flowroute_sandbox.client() as client:
            yield Driver(client, None)
        return
    loop = asyncio.new_event_loop()
    async_client = flowroute_sandbox.async_client()
    try:
        yield Driver(async_client, loop)
    finally:
        loop.run_until_complete(async_client.close())
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
        auth=(flowroute_sandbox.access_key, flowroute_sandbox.secret_key),
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


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()
