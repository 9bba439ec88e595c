"""Sandbox GET /v2/numbers requests/s vs a bare Starlette JSON endpoint served by the same uvicorn.

The load generator is a lean asyncio keep-alive client in this process (the server has its own
process), so it costs far less per request than either server.
"""

from __future__ import annotations

import asyncio
import base64
import statistics
import time

from flowroute.sandbox import SandboxControl

KEY, SECRET = "bench-rps", "bench-secret"


async def _worker(host: str, port: int, request: bytes, count: int) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    for _ in range(count):
        writer.write(request)
        headers = await reader.readuntil(b"\r\n\r\n")
        status = headers[9:12]
        if status != b"200":
            raise RuntimeError(f"unexpected status {status!r}")
        length = int(headers.lower().split(b"content-length:")[1].split(b"\r\n")[0])
        await reader.readexactly(length)
    writer.close()


async def _load(base_url: str, path: str, *, connections: int, per_connection: int) -> float:
    host, port = base_url.removeprefix("http://").split(":")
    token = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: Basic {token}\r\n"
        "Accept: application/vnd.api+json\r\n\r\n"
    ).encode()
    await asyncio.gather(
        *(_worker(host, int(port), request, 20) for _ in range(connections))
    )  # warm-up
    start = time.perf_counter()
    await asyncio.gather(
        *(_worker(host, int(port), request, per_connection) for _ in range(connections))
    )
    return connections * per_connection / (time.perf_counter() - start)


def measure(base_url: str, path: str, *, connections: int = 8, per_connection: int = 150) -> float:
    return asyncio.run(
        _load(base_url, path, connections=connections, per_connection=per_connection)
    )


def compare(baseline_url: str, sandbox_url: str, *, rounds: int = 7) -> tuple[float, float]:
    """Median requests/s of the baseline, and ours as that times the median paired ratio
    (adjacent rounds share the machine's momentary speed)."""
    base, ratios = [], []
    for _ in range(rounds):
        b = measure(baseline_url, "/v2/numbers")
        ratios.append(measure(sandbox_url, "/v2/numbers") / b)
        base.append(b)
    median_base = statistics.median(base)
    return median_base, median_base * statistics.median(ratios)


def prepare_sandbox(base_url: str) -> None:
    control = SandboxControl(base_url, access_key=KEY, secret_key=SECRET)
    control.reset()
    control.seed_numbers(10)
    control.close()
