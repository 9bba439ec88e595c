"""A 1M-row CDR export: download throughput vs a raw httpx2 stream of the same URL, and the
client's memory growth while downloading and parsing every record."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _servers
import httpx2

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl

KEY, SECRET = "bench-cdr", "bench-secret"
ROWS = 1_000_000

CHILD = """
import json, sys, time
from flowroute import Flowroute
from flowroute.resources.cdrs import iter_records

def rss(field):
    return int(open("/proc/self/status").read().split(field + ":")[1].split()[0]) / 1024

client = Flowroute(base_url=sys.argv[1], access_key=sys.argv[2], secret_key=sys.argv[3])
client.cdrs.retrieve(sys.argv[4])  # warm up imports and the connection first
before = rss("VmRSS")
start = time.perf_counter()
path = client.cdrs.download(sys.argv[4], sys.argv[5])
rows = sum(1 for _ in iter_records(path))
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - start,
                  "growth_mib": rss("VmHWM") - before}))
"""


def run(rows: int = ROWS) -> dict[str, float]:
    args = [sys.executable, "-m", "flowroute.sandbox", *_servers.QUIET, "--clock-speed", "0"]
    with (
        _servers.process(args, "/v2/routes", (KEY, SECRET)) as base,
        tempfile.TemporaryDirectory() as tmp,
    ):
        control = SandboxControl(base, access_key=KEY, secret_key=SECRET)
        control.reset()
        control.seed_numbers(20)
        control.generate_calls(rows, start="2026-01-01", end="2026-01-31", seed=1)
        client = Flowroute(base_url=base, access_key=KEY, secret_key=SECRET, timeout=600)
        export = client.cdrs.create(start="2026-01-01", end="2026-01-31")
        control.clock.advance(seconds=10)
        done = client.cdrs.wait(export.id, timeout=600)  # the sandbox totals the export here
        assert done.download_url is not None

        raw_path = Path(tmp) / "raw.csv.gz"
        start = time.perf_counter()
        with (
            httpx2.stream("GET", done.download_url, timeout=600) as response,
            raw_path.open("wb") as out,
        ):
            for chunk in response.iter_raw():
                out.write(chunk)
        raw_seconds = time.perf_counter() - start

        start = time.perf_counter()
        sdk_path = client.cdrs.download(export.id, Path(tmp) / "sdk.csv.gz")
        sdk_seconds = time.perf_counter() - start
        size = sdk_path.stat().st_size

        target = str(Path(tmp) / "child.csv.gz")
        child = subprocess.run(
            [sys.executable, "-c", CHILD, base, KEY, SECRET, export.id, target],
            capture_output=True,
            text=True,
            check=True,
        )
        parsed = json.loads(child.stdout)
        client.close()
        control.close()
    return {
        "raw_mb_s": size / raw_seconds / 1e6,
        "sdk_mb_s": size / sdk_seconds / 1e6,
        "rows": parsed["rows"],
        "rows_s": parsed["rows"] / parsed["seconds"],
        "growth_mib": parsed["growth_mib"],
    }
