"""A shared sandbox: several worker processes over one PostgreSQL database.

Starts a throwaway PostgreSQL cluster on a loopback port; skipped where no server is installed.
"""

from __future__ import annotations

import subprocess
import sys
import uuid

import httpx2
import pytest

from flowroute import AuthenticationError, Flowroute

from ..support import free_port, wait_until_serving


def test_workers_share_state_through_postgres(postgres_url: str) -> None:
    port = free_port()
    args = [sys.executable, "-m", "flowroute.sandbox", "--db", postgres_url, "--workers", "2"]
    args += ["--log-level", "warning"]  # stderr is read only on failure
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
