"""Seed demo code runs against the sandbox with only the import line changed."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

from flowroute.sandbox.server import SandboxServer

HERE = Path(__file__).parent


def run_seed(script: str, sandbox: SandboxServer) -> str:
    env = {
        **os.environ,
        "FLOWROUTE_BASE_URL": sandbox.base_url,
        "FR_ACCESS_KEY": f"seed-{uuid.uuid4().hex[:8]}",
        "FR_SECRET_KEY": "seed-secret",
    }
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, str(HERE / script)], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_number_route_message_demo(flowroute_sandbox: SandboxServer) -> None:
    out = run_seed("seed_number_route_message.py", flowroute_sandbox)
    assert "--Purchase a Phone Number" in out and out.strip().endswith("done")
    assert "404" in out and "Could not find that resource on your account." in out


def test_e911_cnam_cdr_demos(flowroute_sandbox: SandboxServer) -> None:
    out = run_seed("seed_e911_cnam_cdr.py", flowroute_sandbox)
    assert "--Create a CNAM Record" in out and out.strip().endswith("done")
    assert "'portable': ['+14252081174']" in out


def test_seed_001_python2_readme_walkthrough(flowroute_sandbox: SandboxServer) -> None:
    out = run_seed("seed_001_readme_walkthrough.py", flowroute_sandbox)
    assert out.count("204: No Content") == 2 and out.strip().endswith("done")
    assert "'id': 'mdr2-" in out  # the MMS was accepted (202) and is found again by its id
    assert "'is_mms': True" in out
