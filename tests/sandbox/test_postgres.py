"""A shared sandbox: several worker processes over one PostgreSQL database.

Starts a throwaway PostgreSQL cluster on a loopback port; skipped where no server is installed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from flowroute import AuthenticationError, Flowroute

from ..cli.test_cli import free_port, wait_until_serving


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@pytest.fixture(scope="module")
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
    run = lambda *args: subprocess.run([*as_user, *args], check=True, capture_output=True)  # noqa: E731
    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(data / "log"), "start")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


def test_workers_share_state_through_postgres(postgres_url: str) -> None:
    port = free_port()
    args = [sys.executable, "-m", "flowroute.sandbox", "--db", postgres_url, "--workers", "2"]
    proc = subprocess.Popen([*args, "--port", str(port)], stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(proc, f"{base}/v2/routes")
        key = f"pg-{uuid.uuid4().hex[:8]}"
        # A fresh connection per call spreads requests over both workers.
        clients = [
            Flowroute(
                access_key=key,
                secret_key="s",
                base_url=base,
                http_client=httpx2.Client(headers={"Connection": "close"}),
            )
            for _ in range(2)
        ]
        bought = [n.id for n in clients[0].numbers.search(limit=5)]
        for number in bought:
            clients[0].numbers.purchase(number)
        created = [
            clients[1].routes.create(alias=f"r{i}", route_type="host", value="pg.example.com").id
            for i in range(5)
        ]
        for _ in range(6):
            for client in clients:
                assert sorted(n.id for n in client.numbers.list()) == sorted(bought)
                assert [r.id for r in client.routes.list()] == ["0", *created]
        wrong = Flowroute(access_key=key, secret_key="other", base_url=base, max_retries=0)
        with pytest.raises(AuthenticationError, match="Authentication failed"):
            list(wrong.routes.list())
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_workers_need_a_shared_database() -> None:
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-m", "flowroute.sandbox", "--workers", "2", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "needs --db postgresql://" in result.stderr
