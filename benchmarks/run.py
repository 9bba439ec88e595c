"""``make bench``: every benchmark, each printed as a ratio against a baseline measured in the same
run. Targets come from the issues; results are recorded in docs/benchmarks.md."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import _servers
import bench_client_cpu
import bench_cold_start
import bench_sandbox_rps

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

    header = ("benchmark", "baseline", "flowroute", "ratio", "target", "met")
    widths = [max(len(r[i]) for r in [header, *ROWS]) for i in range(len(header))]
    for r in [header, tuple("-" * w for w in widths), *ROWS]:
        print("| " + " | ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) + " |")


if __name__ == "__main__":
    main()
