"""Starting a foreground sandbox (``flowroute sandbox``, ``python -m flowroute.sandbox``): what
can fail fails in one line before any banner, exit status 2; the banner's SDK and CLI lines
paste and work as written; a strict-auth secret is never printed; without the ``sandbox`` extra
``python -m`` says which extra to install."""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from flowroute import Flowroute
from flowroute.sandbox.remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY

from ..support import ENTRY_POINTS, free_port, wait_until_serving

BIN = Path(sys.executable).parent


def run(command: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=60, check=False
    )


def assert_one_line_failure(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""  # no banner
    assert result.stderr.count("\n") == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_a_busy_port_is_one_line_before_any_banner(command: list[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = run(command, "--port", str(port))
    assert_one_line_failure(
        result, f"cannot listen on 127.0.0.1 port {port}: the port is in use (another sandbox?)"
    )


BAD_PORTS = [
    ("99999", "--port must be at most 65535, got 99999"),
    ("-1", "--port must be at least 0, got -1"),
    ("abc", "--port must be a whole number, got 'abc'"),
]


@pytest.mark.parametrize(("port", "message"), BAD_PORTS, ids=[p for p, _ in BAD_PORTS])
@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_a_bad_port_is_one_line(command: list[str], port: str, message: str) -> None:
    assert_one_line_failure(run(command, f"--port={port}"), message)


def start(command: list[str], *args: str) -> tuple[subprocess.Popen[bytes], str, list[str]]:
    """A foreground sandbox on a free port, its URL, and its banner (read as it is printed:
    the port is held before the banner, so the banner is complete when the server answers)."""
    port = free_port()
    proc = subprocess.Popen(
        [*command, "--port", str(port), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None
    banner: list[str] = []
    while not banner or banner[-1].strip():  # a blank line ends the banner
        line = proc.stdout.readline().decode()
        assert line, "the sandbox exited before printing its banner"
        banner.append(line)
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(proc, f"{base}/_sandbox/health")
    return proc, base, banner


def stop(proc: subprocess.Popen[bytes]) -> str:
    """Stop the sandbox; what it wrote on stdout and stderr after its banner."""
    proc.terminate()
    out, err = proc.communicate(timeout=15)
    return out.decode() + err.decode()


def banner_line(banner: list[str], label: str) -> str:
    (line,) = [line for line in banner if line.strip().startswith(label)]
    return line.split(label, 1)[1].strip()


def cli_env(home: Path) -> dict[str, str]:
    """No credentials from the environment or a saved profile: only what the line says."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWROUTE_", "FR_"))}
    return {**env, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "COLUMNS": "200"}


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_the_banners_sdk_and_cli_lines_work_as_pasted(command: list[str], tmp_path: Path) -> None:
    proc, base, banner = start(command)
    try:
        assert banner[0].strip() == f"Flowroute sandbox on {base}"
        sdk = banner_line(banner, "SDK:")
        assert sdk == (
            f"Flowroute(base_url={base!r}, access_key={DEFAULT_ACCESS_KEY!r}, "
            f"secret_key={DEFAULT_SECRET_KEY!r})"
        )
        with eval(sdk, {"Flowroute": Flowroute}) as client:  # exactly what a user pastes
            assert [route.id for route in client.routes.list()] == ["0"]
            found = list(client.numbers.search(limit=3))
        (program, *args) = shlex.split(banner_line(banner, "CLI:"))
        assert program == "flowroute"
        pasted = subprocess.run(
            [str(BIN / program), *args],
            capture_output=True,
            text=True,
            env=cli_env(tmp_path),
            timeout=60,
            check=False,
        )
        assert pasted.returncode == 0, pasted.stderr
        assert found[0].id in pasted.stdout  # the same account's inventory
        assert f"{base}/_sandbox/" in banner_line(banner, "control API:")
        inbox = banner_line(banner, "inbox:").split()[0]  # where the banner sends a browser
        page = httpx2.get(inbox, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "<title>" in page.text
    finally:
        stop(proc)


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_a_strict_auth_banner_names_the_key_and_where_its_secret_is(
    command: list[str], tmp_path: Path
) -> None:
    keys = tmp_path / "keys"
    keys.write_text("alice:hunter2-never-shown\n")
    proc, base, banner = start(command, "--strict-auth-file", str(keys))
    logged = stop(proc)
    text = "".join(banner)
    assert "hunter2" not in text + logged
    assert banner_line(banner, "SDK:") == (
        f"Flowroute(base_url={base!r}, access_key='alice', secret_key=...)"
    )
    assert banner_line(banner, "CLI:").startswith(f"flowroute --base-url {base} --access-key alice")
    assert banner_line(banner, "secret:") == (
        f"... is the secret given for 'alice' with --strict-auth-file {keys}"
    )


# Runs ``python -m flowroute.sandbox`` as if fastapi, uvicorn and sqlalchemy were not installed.
WITHOUT_EXTRA = """
import runpy, sys
from importlib.abc import MetaPathFinder

class NotInstalled(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in ("fastapi", "uvicorn", "sqlalchemy"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, NotInstalled())
sys.argv = ["flowroute.sandbox", *sys.argv[1:]]
runpy.run_module("flowroute.sandbox", run_name="__main__", alter_sys=True)
"""


def test_python_m_without_the_sandbox_extra_names_it_in_one_line() -> None:
    result = run([sys.executable, "-c", WITHOUT_EXTRA], "--port", str(free_port()))
    assert result.returncode == 2, result.stderr
    assert result.stdout == "" and "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("python -m flowroute.sandbox needs the sandbox extra (")
    assert line.endswith("is not installed): pip install 'flowroute-sdk[sandbox]'")
    # The options and their help need no extra.
    helped = run([sys.executable, "-c", WITHOUT_EXTRA], "--help")
    assert helped.returncode == 0 and "--log-level" in helped.stdout
