"""Sandbox test fixtures: a throwaway PostgreSQL cluster, and sandboxes on either database.

``postgres_url`` starts one cluster for the whole session on a loopback port (skipped where no
PostgreSQL server is installed); ``any_db_sandbox`` runs a test once on SQLite and once on it.
"""

from __future__ import annotations

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

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

from ..support import free_port


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
        pytest.skip("PostgreSQL server binaries are not installed")
    # PostgreSQL refuses to run as root: use the postgres account when we are root.
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user and not shutil.which("runuser"):
        pytest.skip("running as root without runuser")
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
