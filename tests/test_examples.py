"""Every script in examples/ runs against the sandbox."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowroute.sandbox.server import SandboxServer

EXAMPLES = sorted((Path(__file__).parent.parent / "examples").glob("*.py"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script: Path, flowroute_sandbox: SandboxServer) -> None:
    env = {
        **os.environ,
        "FLOWROUTE_BASE_URL": flowroute_sandbox.base_url,
        "FLOWROUTE_ACCESS_KEY": flowroute_sandbox.access_key,
        "FLOWROUTE_SECRET_KEY": "sandbox-secret-key",
    }
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
