"""Start servers in child processes so their CPU never counts against the client being measured."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import httpx2


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
        [sys.executable, "-m", "flowroute.sandbox", "--clock-speed", "1"],
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
