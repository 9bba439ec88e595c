"""``make bench``: every benchmark, each printed as a ratio against a baseline measured in the same
run. Targets come from the issues; results are recorded in docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _servers
import bench_cdrs
import bench_client_cpu
import bench_cold_start
import bench_fixture
import bench_inbox
import bench_messaging
import bench_sandbox_rps
import bench_warm_start
import bench_webhooks
import bench_workers

ROWS: list[tuple[str, str, str, str, str, str]] = []


def row(
    name: str,
    baseline: float,
    ours: float,
    unit: str,
    target: str,
    *,
    higher_is_better: bool = False,
) -> None:
    ratio = ours / baseline
    ok = ratio >= float(target[2:]) if higher_is_better else ratio <= float(target[2:])
    ROWS.append(
        (
            name,
            f"{baseline:.4g} {unit}",
            f"{ours:.4g} {unit}",
            f"{ratio:.2f}x",
            target,
            "yes" if ok else "NO",
        )
    )


def main() -> None:
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    with _servers.sandbox() as base:
        for name, (raw, sdk) in bench_client_cpu.run(base).items():
            row(
                f"client CPU per call, {name} (vs raw httpx2)", raw * 1e6, sdk * 1e6, "µs", "<=1.10"
            )
        warm, new = bench_warm_start.run(base)
        row(
            "warm start: new client's first request (vs warm client)",
            warm * 1e3,
            new * 1e3,
            "ms",
            "<=1.50",
        )
    loop, per_test = bench_fixture.run()
    overhead = (per_test - loop) * 1e3
    ROWS.append(
        (
            f"pytest fixture: {bench_fixture.TESTS} tests, one call each (vs the calls in a loop)",
            f"{loop * 1e3:.3g} ms",
            f"{per_test * 1e3:.3g} ms",
            f"+{overhead:.2f} ms/test",
            "<=+2 ms/test",
            "yes" if overhead <= 2 else "NO",
        )
    )
    cold = bench_cold_start.run()
    base_t, sdk_t = cold["import time (s)"]
    row("cold start: import + client (vs import httpx2)", base_t * 1e3, sdk_t * 1e3, "ms", "<=1.20")
    base_rss, sdk_rss = cold["peak RSS (MiB)"]
    ROWS.append(
        (
            "cold start peak RSS",
            f"{base_rss:.1f} MiB",
            f"{sdk_rss:.1f} MiB",
            "-",
            "<=29 MiB",
            "yes" if sdk_rss <= 29 else "NO",
        )
    )
    with _servers.bare_starlette() as bare, _servers.sandbox() as base:
        bench_sandbox_rps.prepare_sandbox(base)
        bare_rps, sandbox_rps = bench_sandbox_rps.compare(bare, base)
    row(
        "sandbox GET /v2/numbers req/s (vs bare Starlette)",
        bare_rps,
        sandbox_rps,
        "req/s",
        ">=0.50",
        higher_is_better=True,
    )
    workers = bench_workers.run()
    row(
        "PostgreSQL sandbox, mixed API req/s: 2 workers (vs 1)",
        workers["req/s, 1 worker"],
        workers["req/s, 2 workers"],
        "req/s",
        ">=1.00",
        higher_is_better=True,
    )
    row(
        "PostgreSQL sandbox CPU per request, all processes: 2 workers (vs 1)",
        workers["sandbox CPU µs/request, 1 worker"],
        workers["sandbox CPU µs/request, 2 workers"],
        "µs",
        "<=1.15",
    )

    sync, asynchronous = bench_messaging.async_vs_sync(latency=0.02)
    row(
        "1000 SMS, 20 ms latency: async 20 in flight (vs sync sequential)",
        sync,
        asynchronous,
        "msg/s",
        ">=15.0",
        higher_is_better=True,
    )
    sync, asynchronous = bench_messaging.async_vs_sync(latency=0.0)
    row(
        "1000 SMS, no added latency: async (vs sync)",
        sync,
        asynchronous,
        "msg/s",
        ">=1.00",
        higher_is_better=True,
    )
    achieved, refused = bench_messaging.limiter_accuracy()
    ROWS.append(
        (
            "limiter at 5 SMS/s for 30 s: achieved rate, 429s",
            "5 msg/s",
            f"{achieved:.3f} msg/s, {refused} x 429",
            f"{achieved / 5:.3f}x",
            "within 2%, 0 x 429",
            "yes" if abs(achieved / 5 - 1) <= 0.02 and refused == 0 else "NO",
        )
    )
    direct, dispatched = bench_webhooks.dispatch_vs_raw()
    row(
        "webhook dispatch, 1000 receipts to a local receiver (vs raw httpx2 posting them)",
        direct,
        dispatched,
        "events/s",
        ">=0.50",
        higher_is_better=True,
    )
    direct, dispatched = bench_webhooks.dispatch_vs_raw(keep_alive=False)
    row(  # no target: a TCP connect per webhook, on both sides (docs/benchmarks.md)
        "webhook dispatch, the same to a receiver closing every connection (vs raw httpx2)",
        direct,
        dispatched,
        "events/s",
        ">=0.00",
        higher_is_better=True,
    )
    calm, stormy = bench_webhooks.storm()
    row(
        "20-account webhook storm, one receiver hung: others' rate (vs none hung)",
        calm,
        stormy,
        "events/s",
        ">=0.80",
        higher_is_better=True,
    )

    cdr = bench_cdrs.run()
    row(
        f"download of a {cdr['rows']:,}-row CDR export (vs raw httpx2 stream to disk)",
        cdr["raw_mb_s"],
        cdr["sdk_mb_s"],
        "MB/s",
        ">=0.90",
        higher_is_better=True,
    )
    ROWS.append(
        (
            "download + iter_records of the same export: client RSS growth",
            "-",
            f"{cdr['growth_mib']:.1f} MiB ({cdr['rows_s']:,.0f} rows/s)",
            "-",
            "<=30 MiB",
            "yes" if cdr["growth_mib"] <= 30 else "NO",
        )
    )

    ROWS.extend(bench_inbox.rows())

    header = ("benchmark", "baseline", "flowroute", "ratio", "target", "met")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *ROWS]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
