"""Warm start: a new client's first request vs the same request on a warm client.

Both run in one process after the SDK and its models are imported, so the difference is what a
new client costs: building its connection pool (no SSL context for plain HTTP, one shared
context per process for HTTPS) and opening a connection. Wall time, paired rounds, medians.
"""

from __future__ import annotations

import statistics
import time

from flowroute import Flowroute

KEY, SECRET = "bench", "bench"
PATH = "/v2/routes"


def _one(client: Flowroute) -> None:
    client.routes.edge_strategies()


def run(base_url: str, rounds: int = 200) -> tuple[float, float]:
    """Median seconds (warm client's request, new client's first request)."""
    warm = Flowroute(base_url=base_url, access_key=KEY, secret_key=SECRET)
    for _ in range(20):
        _one(warm)  # imports, validators and the connection are warm
    warm_times, new_times = [], []
    for index in range(rounds):
        # ABBA order cancels a steady drift in machine speed.
        for kind in ("warm", "new") if index % 2 == 0 else ("new", "warm"):
            if kind == "warm":
                start = time.perf_counter()
                _one(warm)
                warm_times.append(time.perf_counter() - start)
                continue
            start = time.perf_counter()
            fresh = Flowroute(base_url=base_url, access_key=KEY, secret_key=SECRET)
            _one(fresh)  # construction and first request; closing is not part of it
            new_times.append(time.perf_counter() - start)
            fresh.close()
    warm.close()
    return statistics.median(warm_times), statistics.median(new_times)


if __name__ == "__main__":
    import _servers

    with _servers.sandbox() as base:
        w, n = run(base)
    print(f"warm {w * 1e3:.3f} ms, new client {n * 1e3:.3f} ms, {n / w:.2f}x")
