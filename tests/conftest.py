"""Shared fixtures. The sandbox itself comes from our pytest plugin (``flowroute_sandbox``);
here: SDK clients of both flavours, a webhook receiver, a throwaway PostgreSQL cluster
(``postgres_url``, one for the session, skipped where no PostgreSQL server is installed) and
sandboxes on either database (``any_db_sandbox`` runs a test once on SQLite and once on it)."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx2
import pytest
from sqlalchemy import create_engine

from flowroute import AsyncFlowroute, Flowroute
from flowroute.sandbox import SandboxControl, SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

from .support import Driver, Receiver, free_port


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


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not initdb or not pg_ctl:
        pytest.fail(
            "PostgreSQL's server binaries (initdb, pg_ctl) are not installed: run "
            "scripts/ensure-postgres (make test does)",
            pytrace=False,
        )
    # PostgreSQL refuses to run as root: use the postgres account when we are root.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user and not shutil.which("runuser"):
        pytest.fail(
            "PostgreSQL refuses to run as root and runuser (util-linux) is missing",
            pytrace=False,
        )
    data = Path(tempfile.mkdtemp(prefix="flowroute-pg-"))
    if as_user:
        shutil.chown(data, "postgres")
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True)

    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(data / "log"), "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_sandbox(postgres_url: str) -> Iterator[SandboxServer]:
    """An in-process sandbox storing its state in PostgreSQL (frozen clock, high send limits)."""
    settings = SandboxSettings(
        db=postgres_url, clock_speed=0, sms_per_second=1000, mms_per_second=1000
    )
    with running(settings) as server:
        yield server


@pytest.fixture(params=["sqlite", "postgres"])
def any_db_sandbox(request: pytest.FixtureRequest) -> SandboxServer:
    """The test's sandbox, reset: the shared SQLite one, then the PostgreSQL one."""
    name = "flowroute_sandbox_server" if request.param == "sqlite" else "postgres_sandbox"
    server: SandboxServer = request.getfixturevalue(name)
    server.reset()
    return server


@contextmanager
def _own_database(postgres_url: str, prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(
        postgres_url.replace("postgresql://", "postgresql+psycopg://", 1),
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield postgres_url.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE {name} WITH (FORCE)")
        admin.dispose()


@pytest.fixture
def postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of its own on the session's PostgreSQL cluster, dropped afterwards."""
    with _own_database(postgres_url, "test") as url:
        yield url


@pytest.fixture(scope="module")
def module_postgres_database(postgres_url: str) -> Iterator[str]:
    """A database of its own for a whole test module."""
    with _own_database(postgres_url, "module") as url:
        yield url


@pytest.fixture(scope="module")
def clients() -> Iterator[dict[str, httpx2.Client]]:
    """One keep-alive client per sandbox for a module: making a client costs more than a
    request."""
    made: dict[str, httpx2.Client] = {}
    yield made
    for client in made.values():
        client.close()


@pytest.fixture
def http(any_db_sandbox: SandboxServer, clients: dict[str, httpx2.Client]) -> httpx2.Client:
    """A keep-alive client on the sandbox's default account (just reset by any_db_sandbox)."""
    server = any_db_sandbox
    if server.base_url not in clients:
        clients[server.base_url] = httpx2.Client(
            base_url=server.base_url, auth=(server.access_key, server.secret_key), timeout=30
        )
    return clients[server.base_url]
