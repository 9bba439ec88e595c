"""CLI tests run with no credentials in the environment and a private profile file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import Run, invoke

CREDENTIAL_VARIABLES = (
    "FLOWROUTE_ACCESS_KEY",
    "FLOWROUTE_SECRET_KEY",
    "FR_ACCESS_KEY",
    "FR_SECRET_KEY",
    "FLOWROUTE_BASE_URL",
    "FLOWROUTE_PROFILE",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    for name in CREDENTIAL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    config = tmp_path / "config" / "flowroute.toml"
    monkeypatch.setenv("FLOWROUTE_CONFIG", str(config))
    monkeypatch.setenv("COLUMNS", "200")  # wide tables: assertions see whole cells
    yield config


@pytest.fixture
def cli(flowroute_sandbox: SandboxServer) -> Run:
    """``cli("numbers", "list")``: the command on the sandbox's default account."""
    credentials = (
        "--access-key",
        flowroute_sandbox.access_key,
        "--secret-key",
        flowroute_sandbox.secret_key,
        "--base-url",
        flowroute_sandbox.base_url,
    )
    return lambda *args, input=None: invoke(*credentials, *args, input=input)


@pytest.fixture
def default_account(flowroute_sandbox_server: SandboxServer) -> Iterator[SandboxServer]:
    """The sandbox's default account (the pair commands use when given no keys), emptied
    before and after the test: for the commands that pick those keys themselves."""
    flowroute_sandbox_server.reset()
    yield flowroute_sandbox_server
    flowroute_sandbox_server.reset()
