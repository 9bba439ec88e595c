"""What the ``flowroute_sandbox`` fixture costs a test: 500 tests each making one call through it
(a fresh account, a new client, closed at teardown) vs the same 500 calls in a loop on one
client, both inside one pytest process against the same sandbox.

The per-test time runs from the end of the loop (the sandbox is up) to the last test's teardown,
so it holds pytest's own per-test work, the fixture and the call; interpreter start-up and the
sandbox's start are once per session and left out. Both are process CPU time, the client's and
the in-process sandbox's together: on a loaded machine wall time measures the neighbours.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

TESTS = 500

CONFTEST = f"""
import json, os, time
import pytest

TESTS = {TESTS}
FIRST, LAST = [], []


@pytest.fixture(scope="session", autouse=True)
def loop_baseline(flowroute_sandbox_server):
    # The same calls on one client in a loop: the baseline, in this process.
    with flowroute_sandbox_server.client() as client:
        for _ in range(50):
            list(client.numbers.list())  # warm
        start = time.process_time()
        for _ in range(TESTS):
            list(client.numbers.list())
        os.environ["BENCH_LOOP"] = str((time.process_time() - start) / TESTS)
    FIRST.append(time.process_time())  # the sandbox is up: from here on, only the tests


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    LAST[:] = [time.process_time()]


def pytest_sessionfinish(session):
    per_test = (LAST[0] - FIRST[0]) / TESTS
    with open(os.environ["BENCH_OUT"], "w") as out:
        json.dump({{"loop": float(os.environ["BENCH_LOOP"]), "per_test": per_test}}, out)
"""

SUITE = f"""
import pytest


@pytest.mark.parametrize("n", range({TESTS}))
def test_one_call(flowroute_sandbox, n):
    client = flowroute_sandbox.client()
    assert list(client.numbers.list()) == []
"""


def run() -> tuple[float, float]:
    """Seconds (one call in a loop, one test through the fixture making that call)."""
    with tempfile.TemporaryDirectory(prefix="flowroute-bench-fixture-") as folder:
        root = Path(folder)
        (root / "conftest.py").write_text(CONFTEST)
        (root / "test_suite.py").write_text(SUITE)
        (root / "pytest.ini").write_text(
            "[pytest]\nasyncio_default_fixture_loop_scope = function\n"
        )
        out = root / "result.json"
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(root)],
            cwd=root,
            env={**os.environ, "BENCH_OUT": str(out)},
            check=True,
            capture_output=True,
        )
        result = json.loads(out.read_text())
    return result["loop"], result["per_test"]
