"""Cold start: a fresh interpreter importing flowroute and building a client vs importing httpx2."""

from __future__ import annotations

import compileall
import json
import statistics
import subprocess
import sys
from pathlib import Path

import flowroute

# VmHWM, not getrusage: Linux carries the parent's peak RSS across fork+exec into ru_maxrss.
PROBE = """
import time
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
status = open("/proc/self/status").read().split("VmHWM:")[1]
rss_mib = int(status.split()[0]) / 1024
print(__import__("json").dumps({{"seconds": elapsed, "rss_mib": rss_mib}}))
"""
BASELINE = "import httpx2"
SDK = "import flowroute\nflowroute.Flowroute(access_key='k', secret_key='s')"


def _measure(body: str, runs: int) -> tuple[float, float]:
    seconds, rss = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(body=body)],
            capture_output=True,
            text=True,
            check=True,
        )
        sample = json.loads(out.stdout)
        seconds.append(sample["seconds"])
        rss.append(sample["rss_mib"])
    return statistics.median(seconds), max(rss)


def run(runs: int = 15) -> dict[str, tuple[float, float]]:
    # A wheel install byte-compiles the package; an editable checkout with
    # PYTHONDONTWRITEBYTECODE would recompile on every start, so compile it as pip would.
    compileall.compile_dir(str(Path(flowroute.__file__).parent), quiet=1)
    _measure(SDK, 1)
    # Alternate so that disk cache and CPU frequency effects hit both equally.
    base_t, sdk_t, base_rss, sdk_rss = [], [], [], []
    for _ in range(runs):
        t, r = _measure(BASELINE, 1)
        base_t.append(t)
        base_rss.append(r)
        t, r = _measure(SDK, 1)
        sdk_t.append(t)
        sdk_rss.append(r)
    return {
        "import time (s)": (statistics.median(base_t), statistics.median(sdk_t)),
        "peak RSS (MiB)": (max(base_rss), max(sdk_rss)),
    }
