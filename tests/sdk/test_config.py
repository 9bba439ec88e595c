"""Credentials, base URL, reprs and per-instance identity."""

from __future__ import annotations

import logging

import httpx2
import pytest

from flowroute import AsyncFlowroute, AuthenticationError, ConfigurationError, Flowroute
from flowroute.sandbox.server import SandboxServer

SECRET = "s3cr3t-value-never-printed"
ENV = (
    "FLOWROUTE_ACCESS_KEY",
    "FLOWROUTE_SECRET_KEY",
    "FR_ACCESS_KEY",
    "FR_SECRET_KEY",
    "FLOWROUTE_BASE_URL",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("cls", [Flowroute, AsyncFlowroute])
def test_missing_credentials_name_the_variables(cls: type[Flowroute]) -> None:
    with pytest.raises(ConfigurationError) as info:
        cls()
    message = str(info.value)
    for name in ("access_key", "secret_key", "FLOWROUTE_ACCESS_KEY", "FR_SECRET_KEY"):
        assert name in message


def test_environment_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FR_ACCESS_KEY", "seed-key")
    monkeypatch.setenv("FR_SECRET_KEY", "seed-secret")
    assert Flowroute().access_key == "seed-key"
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", "new-key")
    monkeypatch.setenv("FLOWROUTE_SECRET_KEY", "new-secret")
    monkeypatch.setenv("FLOWROUTE_BASE_URL", "http://127.0.0.1:9/")
    client = Flowroute()
    assert (client.access_key, client.base_url) == ("new-key", "http://127.0.0.1:9")
    assert Flowroute(access_key="arg", secret_key="x").access_key == "arg"


@pytest.mark.parametrize("url", ["ftp://example.com", "not a url", "http://key:secret@127.0.0.1"])
def test_bad_base_url(url: str) -> None:
    with pytest.raises(ConfigurationError, match="base_url"):
        Flowroute(access_key="k", secret_key=SECRET, base_url=url)


def test_bad_max_retries() -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        Flowroute(access_key="k", secret_key="s", max_retries=-1)


def test_secrets_never_shown(
    flowroute_sandbox: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    client = flowroute_sandbox.client(access_key="12345678", secret_key=SECRET)
    assert SECRET not in repr(client) and "12345678" not in repr(client)
    assert SECRET not in repr(client.config) and SECRET not in repr(client._runner)
    other = flowroute_sandbox.client(access_key="12345678", secret_key="wrong-secret")
    with caplog.at_level(logging.DEBUG):
        list(client.routes.list())
        with pytest.raises(AuthenticationError) as info:
            list(other.routes.list())
    assert "Authentication failed." in str(info.value)
    assert "'authorization': '<redacted>'" in caplog.text  # headers are logged, redacted
    assert SECRET not in caplog.text and "wrong-secret" not in caplog.text
    assert "Basic " not in caplog.text and "wrong-secret" not in str(info.value)


def test_two_clients_keep_their_own_identity(flowroute_sandbox: SandboxServer) -> None:
    first = flowroute_sandbox.client(access_key="identity-a", secret_key="a")
    second = flowroute_sandbox.client(access_key="identity-b", secret_key="b")
    first.routes.create(alias="only-in-a", route_type="host", value="a.example.com")
    assert "only-in-a" not in {r.alias for r in second.routes.list()}
    assert "only-in-a" in {r.alias for r in first.routes.list()}
    flowroute_sandbox.control(access_key="identity-a", secret_key="a").reset()


def test_requests_with_bodies_carry_content_type(flowroute_sandbox: SandboxServer) -> None:
    seen: list[tuple[str, str | None]] = []
    http = httpx2.Client(
        event_hooks={"request": [lambda r: seen.append((r.method, r.headers.get("content-type")))]}
    )
    (number,) = flowroute_sandbox.seed_numbers(1)
    with flowroute_sandbox.client(http_client=http) as client:
        route = client.routes.create(alias="ct", route_type="host", value="ct.example.com")
        client.numbers.update(number, alias="ct")
        client.routes.set_primary(number, route=route.id)
        client.routes.update(route.id, alias="ct2")
    assert seen and all(ct == "application/vnd.api+json" for _, ct in seen)
    http.close()


def test_client_context_manager_closes_pool(flowroute_sandbox: SandboxServer) -> None:
    # A client of its own: the fixture's clients share the session's pool, which stays open.
    key, secret = flowroute_sandbox.access_key, flowroute_sandbox.secret_key
    with Flowroute(
        base_url=flowroute_sandbox.base_url, access_key=key, secret_key=secret
    ) as client:
        list(client.routes.list())
        pool = client._runner.pool
        assert pool._client is not None
    assert pool._client is None


def test_constructing_a_client_opens_no_connection_pool() -> None:
    client = Flowroute(access_key="k", secret_key="s")
    assert client._runner.pool._client is None
