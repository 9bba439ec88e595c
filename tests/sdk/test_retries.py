"""Retries against injected faults: safe calls retry; purchases never repeat ambiguous requests."""

from __future__ import annotations

import logging
import socket

import httpx2
import pytest

from flowroute import (
    APIConnectionError,
    APITimeoutError,
    AsyncFlowroute,
    Flowroute,
    IndeterminateResultError,
    InternalServerError,
    RateLimitError,
)
from flowroute.sandbox.server import SandboxServer

from ..support import available

NO_WAIT = {"Retry-After": "0"}


def test_get_succeeds_after_injected_503(
    client: Flowroute, flowroute_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", status=503, headers=NO_WAIT)
    with caplog.at_level(logging.INFO, logger="flowroute"):
        routes = list(client.routes.list())
    assert [r.id for r in routes] == ["0"]
    assert "retry 1 of 2 in 0.00s (GET /v2/routes: 503 Service Unavailable)" in caplog.text
    assert flowroute_sandbox.faults.list() == []


async def test_async_get_succeeds_after_two_503s(
    async_client: AsyncFlowroute, flowroute_sandbox: SandboxServer
) -> None:
    flowroute_sandbox.faults.add(
        "GET", "/v2/routes/edge_strategies", status=503, count=2, headers=NO_WAIT
    )
    async with async_client:
        strategies = await async_client.routes.edge_strategies()
    assert strategies


def test_retries_exhausted_raise_the_status_error(
    client: Flowroute, flowroute_sandbox: SandboxServer
) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", status=500, count=5, headers=NO_WAIT)
    with pytest.raises(InternalServerError, match="500 Internal Server Error: Injected fault"):
        list(client.routes.list())
    # Initial attempt + 2 retries consumed three of the five faults.
    assert flowroute_sandbox.faults.list()[0]["count"] == 2


def test_with_options_overrides_retries(
    client: Flowroute, flowroute_sandbox: SandboxServer
) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", status=503, headers=NO_WAIT)
    with pytest.raises(InternalServerError):
        list(client.with_options(max_retries=0).routes.list())
    assert [r.id for r in client.routes.list()] == ["0"]  # the original client still retries


def test_purchase_500_after_commit_is_not_retried(
    client: Flowroute, flowroute_sandbox: SandboxServer
) -> None:
    number = available(client)[0]
    flowroute_sandbox.faults.add(
        "POST", "/v2/numbers/*", status=500, count=2, when="after", headers=NO_WAIT
    )
    with pytest.raises(
        IndeterminateResultError, match=f"the purchase of {number} may have completed"
    ) as info:
        client.numbers.purchase(number)
    assert isinstance(info.value.cause, InternalServerError)
    assert "not retried" in str(info.value)
    # Bought exactly once, and the second fault was never consumed by a retry.
    assert [n.id for n in client.numbers.list()] == [number]
    assert flowroute_sandbox.faults.list()[0]["count"] == 1


def test_purchase_retried_on_429(client: Flowroute, flowroute_sandbox: SandboxServer) -> None:
    number = available(client)[0]
    flowroute_sandbox.faults.add("POST", f"/v2/numbers/{number}", status=429, headers=NO_WAIT)
    assert client.numbers.purchase(number).id == number


def test_purchase_429_exhausted_raises_rate_limit(
    client: Flowroute, flowroute_sandbox: SandboxServer
) -> None:
    number = available(client)[0]
    flowroute_sandbox.faults.add(
        "POST", f"/v2/numbers/{number}", status=429, count=3, headers=NO_WAIT
    )
    with pytest.raises(RateLimitError):
        client.numbers.purchase(number)
    assert list(client.numbers.list()) == []


def test_dropped_connection_on_get_is_retried(flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", drop=True)
    with flowroute_sandbox.client(initial_retry_delay=0) as client:
        assert [r.id for r in client.routes.list()] == ["0"]
    assert flowroute_sandbox.faults.list() == []


def test_dropped_connection_after_purchase_is_indeterminate(
    client: Flowroute, flowroute_sandbox: SandboxServer
) -> None:
    number = available(client)[0]
    flowroute_sandbox.faults.add("POST", "/v2/numbers/*", drop=True, when="after")
    with pytest.raises(IndeterminateResultError, match="may have completed") as info:
        client.numbers.purchase(number)
    assert isinstance(info.value.cause, APIConnectionError)
    assert [n.id for n in client.numbers.list()] == [number]


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_connect_errors_are_retried_for_every_call(caplog: pytest.LogCaptureFixture) -> None:
    client = Flowroute(
        access_key="k",
        secret_key="s",
        base_url=f"http://127.0.0.1:{_dead_port()}",
        initial_retry_delay=0,
    )
    with caplog.at_level(logging.INFO, logger="flowroute"), pytest.raises(APIConnectionError):
        client.numbers.purchase("12065550100")  # never reached the server, so safe to retry
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("retry")]
    assert len(retries) == 2 and "ConnectError" in retries[-1]


def test_timeout_raises_timeout_error(flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", delay=0.3)
    with (
        flowroute_sandbox.client(timeout=0.05, max_retries=0) as client,
        pytest.raises(APITimeoutError),
    ):
        list(client.routes.list())


def test_retry_after_http_date_is_honoured() -> None:
    from flowroute._core.config import resolve_config
    from flowroute._core.retry import backoff

    config = resolve_config(
        access_key="k", secret_key="s", base_url=None, timeout=None, max_retries=2
    )
    dated = httpx2.Response(429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    assert backoff(0, dated, config) == 0.0  # in the past: retry now
    assert backoff(0, httpx2.Response(429, headers={"Retry-After": "3"}), config) == 3.0
    assert 0.25 <= backoff(0, httpx2.Response(503), config) <= 0.5
    assert backoff(10, None, config) <= config.max_retry_delay
