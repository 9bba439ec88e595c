"""Start servers in child processes so their CPU never counts against the client being measured."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2

# Benchmarked sandboxes log warnings only: the per-request INFO line would be measured against
# baselines that log nothing, and an unread stderr pipe would fill and stall the server.
QUIET = ("--log-level", "warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def process(args: list[str], probe: str, auth: tuple[str, str] | None = None) -> Iterator[str]:
    """Run ``args`` (which must listen on the port appended) and yield its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [*args, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx2.get(base + probe, auth=auth)
                break
            except httpx2.ConnectError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        proc.stderr.read().decode() if proc.stderr else "server died"
                    ) from None
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def sandbox() -> AbstractContextManager[str]:
    return process(
        [sys.executable, "-m", "flowroute.sandbox", "--clock-speed", "1", *QUIET],
        "/v2/routes",
        ("bench", "bench"),
    )


BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

# The same page the sandbox answers (ten numbers), so both serve an equal-sized JSON document.
ITEM = {"type": "number", "id": "12012000000", "attributes": {"alias": None,
        "cnam_lookups_enabled": True, "inbound_rate": 0.012, "iso_country": "US",
        "messaging_enabled": False, "monthly_cost": 1.25, "note": None, "number_type": "longcode",
        "rate_center": "oradell", "rate_type": "local", "setup_cost": 1.0, "state": "nj",
        "status": "PURCHASED", "tier": "Standard", "value": "12012000000"},
        "links": {"self": "http://127.0.0.1/v2/numbers/12012000000"}}

async def numbers(request):
    return JSONResponse({"data": [ITEM] * 10, "links": {"self": str(request.url)}})

app = Starlette(routes=[Route("/v2/numbers", numbers)])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[-1]), log_level="warning", access_log=False)
"""


def bare_starlette() -> AbstractContextManager[str]:
    return process([sys.executable, "-c", BARE_APP], "/v2/numbers")


def _postgres_bin(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(candidates[-1]) if candidates else None


@dataclass
class Postgres:
    """A running throwaway cluster: its URL (database ``postgres``) and postmaster's pid."""

    url: str
    pid: int

    def create_database(self, name: str) -> str:
        """A new empty database in this cluster; returns its URL."""
        import psycopg  # the postgres extra; only benchmarks that start a cluster need it

        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def postgres(*settings: str) -> Iterator[Postgres]:
    """Start a throwaway PostgreSQL cluster on a loopback port (``settings`` are extra
    ``name=value`` server settings) and remove it afterwards. PostgreSQL refuses to run as root,
    so as root it runs as the postgres account."""
    initdb, pg_ctl = _postgres_bin("initdb"), _postgres_bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    data = Path(tempfile.mkdtemp(prefix="flowroute-bench-pg-"))
    if as_user:
        shutil.chown(data, "postgres")
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True)

    run(initdb, "-D", str(data), "-A", "trust", "-U", "postgres")
    options = " ".join(
        [f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off"]
        + [f"-c {setting}" for setting in settings]
    )
    run(pg_ctl, "-D", str(data), "-o", options, "-w", "-l", str(data / "log"), "start")
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        yield Postgres(f"postgresql://postgres@127.0.0.1:{port}/postgres", pid)
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(data, ignore_errors=True)


@contextmanager
def sandbox_process(*flags: str, auth: tuple[str, str]) -> Iterator[tuple[str, int]]:
    """``python -m flowroute.sandbox *flags`` on a free port: yields its base URL and pid (the
    uvicorn parent; with --workers above 1 the workers are its children)."""
    port = free_port()
    args = [sys.executable, "-m", "flowroute.sandbox", *flags, *QUIET, "--port", str(port)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx2.get(base + "/v2/routes", auth=auth, timeout=30)
                break
            except httpx2.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        proc.stderr.read().decode() if proc.stderr else "sandbox died"
                    ) from None
                time.sleep(0.05)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=20)
