"""``pip install flowroute-sdk`` without extras: whatever needs an extra says which, in one line.

Each case runs in a subprocess whose import system refuses the extras' modules, as on a bare
install, and expects exactly one line naming the extra to install, and no traceback.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXTRAS_MODULES = (
    "typer",
    "rich",
    "click",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "orjson",
)

# Installed before anything else runs, so these modules cannot be imported from then on.
BLOCK = f"""
import sys

class _BareInstall:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {EXTRAS_MODULES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, _BareInstall())
"""


def run_bare(code: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-c", BLOCK + code],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def assert_one_hint(result: subprocess.CompletedProcess[str], extra: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if f"flowroute-sdk[{extra}]" in line]
    assert len(lines) == 1, output


def test_blocking_works() -> None:
    result = run_bare("import typer")
    assert "ModuleNotFoundError: No module named 'typer'" in result.stderr


def test_flowroute_command_names_the_cli_extra() -> None:
    # The console script's own entry point, as `flowroute --help` would run it.
    result = run_bare(
        "from importlib.metadata import entry_points\n"
        "[script] = entry_points(group='console_scripts', name='flowroute')\n"
        "sys.argv = ['flowroute', '--help']\n"
        "script.load()()\n"
    )
    assert_one_hint(result, "cli")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "the flowroute command needs the cli extra (typer is not installed): "
        "pip install 'flowroute-sdk[cli]'"
    ]


def test_python_m_flowroute_sandbox_names_the_sandbox_extra() -> None:
    result = run_bare(
        "import runpy\n"
        "sys.argv = ['flowroute.sandbox', '--port', '0']\n"
        "runpy.run_module('flowroute.sandbox', run_name='__main__', alter_sys=True)\n"
    )
    assert_one_hint(result, "sandbox")


def test_pytest_fixture_names_the_sandbox_extra(tmp_path: Path) -> None:
    (tmp_path / "test_uses_fixture.py").write_text(
        "def test_it(flowroute_sandbox):\n    flowroute_sandbox.client()\n"
    )
    result = run_bare(
        "import pytest\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', '--tb=line', '-rN', "
        "'test_uses_fixture.py']))\n",
        cwd=tmp_path,
    )
    assert_one_hint(result, "sandbox")
