"""Every code block in README.md and docs/ runs as written, or says why not.

- ``python`` blocks run in order, one namespace per document (a reader's session), against a
  sandbox given the way the docs tell a reader to: ``FLOWROUTE_BASE_URL`` and the sandbox's
  default keys in the environment, its address for ``http://127.0.0.1:8080``. The account starts
  with one number, as a reader's would. A block that defines ``test_*`` functions runs under
  pytest, with the bundled ``flowroute_sandbox`` fixture.
- ``sh``/``bash``/``console`` blocks run in bash, a command at a time, stopping at the first that
  fails; port 8080 becomes a free port. A command sent to the background (``&``) is waited for:
  a sandbox until it accepts connections, ``flowroute listen --sandbox`` until it has registered.
- ``json``, ``toml`` and ``ini`` blocks must parse; untagged and ``text`` blocks are output.
- ``<!-- not-run: reason -->`` on the line before a block exempts it, with its reason;
  ``<!-- snippet: name -->`` blocks run in tests/test_webhook_snippets.py.
"""

from __future__ import annotations

import configparser
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import tomllib
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from flowroute import Flowroute, NotFoundError
from flowroute.sandbox.remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, SandboxControl
from flowroute.sandbox.server import SandboxServer, running
from flowroute.sandbox.settings import SandboxSettings

ROOT = Path(__file__).parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PYTHON = {"python"}
SHELL = {"sh", "bash", "console", "shell"}
DATA = {"json", "toml", "ini"}
OUTPUT = {"", "text"}
SNIPPETS = {"fastapi", "flask", "django"}  # the tests of tests/test_webhook_snippets.py
DOCS_PORT = "8080"  # the port the docs give `flowroute sandbox`


# docs/cli.md belongs to the CLI's work; these blocks of it cannot run as written today.
@dataclass(frozen=True)
class Block:
    path: str
    line: int
    lang: str
    code: str
    marker: str | None  # the text of a <!-- not-run: ... --> or <!-- snippet: ... --> comment

    @property
    def name(self) -> str:
        return f"{self.path}:{self.line}"

    @property
    def skip_reason(self) -> str | None:
        if self.marker and self.marker.startswith("not-run:"):
            return self.marker.removeprefix("not-run:").strip()
        return None

    @property
    def snippet(self) -> str | None:
        if self.marker and self.marker.startswith("snippet:"):
            return self.marker.removeprefix("snippet:").strip()
        return None

    @property
    def runs_here(self) -> bool:
        return self.marker is None


FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
MARKER = re.compile(r"^\s*<!--\s*((?:not-run|snippet):.*?)\s*-->\s*$")


def blocks_of(document: Path) -> list[Block]:
    lines = document.read_text().splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, lang = opening.groups()
        end = next(i for i in range(index + 1, len(lines)) if lines[i].strip() == "```")
        code = "\n".join(line.removeprefix(indent) for line in lines[index + 1 : end]) + "\n"
        before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")
        marker = MARKER.match(before)
        found.append(
            Block(
                str(document.relative_to(ROOT)),
                index + 1,
                lang,
                code,
                marker.group(1) if marker else None,
            )
        )
        index = end + 1
    return found


ALL_BLOCKS = [block for document in DOCUMENTS for block in blocks_of(document)]


def chosen(kinds: set[str], *, pytest_blocks: bool | None = None) -> list[Block]:
    return [
        b
        for b in ALL_BLOCKS
        if b.lang in kinds
        and b.runs_here
        and (pytest_blocks is None or ("def test_" in b.code) == pytest_blocks)
    ]


def test_every_block_runs_parses_or_says_why_not() -> None:
    assert len(ALL_BLOCKS) > 20  # the parser found the blocks
    for block in ALL_BLOCKS:
        assert block.lang in PYTHON | SHELL | DATA | OUTPUT, (
            f"{block.name}: a ```{block.lang} block; use one of python, sh, json, toml, ini, text"
        )
        if block.marker is not None:
            assert block.skip_reason or block.snippet, f"{block.name}: say why it does not run"
        if block.snippet is not None:
            assert block.snippet in SNIPPETS and block.path == "docs/webhooks.md", block.name
    assert {b.snippet for b in ALL_BLOCKS if b.snippet} == SNIPPETS


@pytest.mark.parametrize("block", chosen(DATA), ids=lambda b: b.name)
def test_data_block_parses(block: Block) -> None:
    if block.lang == "json":
        json.loads(block.code)
    elif block.lang == "toml":
        tomllib.loads(block.code)
    else:
        configparser.ConfigParser(strict=False, interpolation=None).read_string(block.code)


# --- python ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docs_sandbox() -> Iterator[SandboxServer]:
    # Exports complete at once, so sdk.md's cdrs.wait() returns without waiting.
    with running(SandboxSettings(cdr_export_delay=0)) as sandbox:
        yield sandbox


def reader_environment(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    for name in list(os.environ):
        if name.startswith(("FLOWROUTE_", "FR_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(home)


PYTHON_DOCUMENTS = sorted({b.path for b in chosen(PYTHON, pytest_blocks=False)})


@pytest.mark.parametrize("path", PYTHON_DOCUMENTS)
def test_python_blocks_run_in_order(
    path: str, docs_sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reader_environment(monkeypatch, tmp_path)
    monkeypatch.setenv("FLOWROUTE_BASE_URL", docs_sandbox.base_url)
    monkeypatch.setenv("FLOWROUTE_ACCESS_KEY", DEFAULT_ACCESS_KEY)
    monkeypatch.setenv("FLOWROUTE_SECRET_KEY", DEFAULT_SECRET_KEY)
    docs_sandbox.reset()
    docs_sandbox.seed_numbers(1)
    namespace: dict[str, Any] = {"__name__": "__main__"}
    for block in chosen(PYTHON, pytest_blocks=False):
        if block.path != path:
            continue
        code = block.code.replace(f"http://127.0.0.1:{DOCS_PORT}", docs_sandbox.base_url)
        try:
            exec(compile(code, block.name, "exec"), namespace)
        except Exception:
            pytest.fail(f"{block.name} failed:\n{traceback.format_exc()}", pytrace=False)


@pytest.mark.parametrize("block", chosen(PYTHON, pytest_blocks=True), ids=lambda b: b.name)
def test_pytest_block_passes(block: Block, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    reader_environment(monkeypatch, tmp_path)
    (tmp_path / "test_from_docs.py").write_text(block.code)
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_from_docs.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    tests = len(re.findall(r"^def test_", block.code, re.M))
    assert result.returncode == 0 and f"{tests} passed" in result.stdout, result.stdout


# --- shell -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def commands(code: str) -> Iterator[str]:
    """The block's commands, continuation lines joined."""
    pending = ""
    for line in code.splitlines():
        pending += line + "\n"
        if not line.endswith("\\"):
            yield pending
            pending = ""
    if pending:
        yield pending


BACKGROUND = re.compile(r"(?<!&)&\s*(#.*)?$")


def wait_for(ready: Callable[[], bool], session: subprocess.Popen[str]) -> bool:
    """True once ready; False if the session ended first (a command failed) or after 30 s."""
    deadline = time.monotonic() + 30
    while not ready():
        if session.poll() is not None or time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # a process starting up: nothing to advance, only to wait for
    return True


def accepts(port: int) -> Callable[[], bool]:
    def check() -> bool:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    return check


def registered(base_url: str) -> Callable[[], bool]:
    def check() -> bool:
        with Flowroute(
            base_url=base_url, access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY
        ) as client:
            try:
                client.callbacks.get("sms")
            except NotFoundError:
                return False
            return True

    return check


@dataclass
class ShellRun:
    returncode: int
    output: str
    base_url: str  # where port 8080 went


@contextmanager
def shell(block: Block, tmp_path: Path) -> Iterator[ShellRun]:
    """Runs the block; yields while what it left in the background still runs, then ends it."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLOWROUTE_", "FR_"))}
    env |= {"HOME": str(tmp_path), "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"}
    log = tmp_path / "output.txt"
    with log.open("w") as output:
        session = subprocess.Popen(
            ["bash", "--noprofile", "--norc"],
            stdin=subprocess.PIPE,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
            cwd=tmp_path,
            env=env,
            start_new_session=True,  # one process group: the block's background jobs end with it
        )
    assert session.stdin is not None
    try:
        script = ["set -euo pipefail\n", *commands(block.code.replace(DOCS_PORT, str(port)))]
        for command in script:
            try:
                session.stdin.write(command)
                session.stdin.flush()
            except BrokenPipeError:  # bash stopped at a failing command
                break
            if not BACKGROUND.search(command.rstrip()):
                continue
            if "flowroute sandbox" in command:
                ready = accepts(port)
            elif "flowroute listen" in command and "--sandbox" in command:
                ready = registered(base_url)
            else:
                raise AssertionError(f"{block.name}: no way to tell when {command!r} is ready")
            if not wait_for(ready, session):
                assert session.poll() is not None, f"{command.strip()!r} never got ready"
                break
        with contextlib.suppress(BrokenPipeError):
            session.stdin.close()
        returncode = session.wait(timeout=120)
        yield ShellRun(returncode, log.read_text(), base_url)
    finally:
        with contextlib.suppress(ProcessLookupError):  # nothing left in the group
            os.killpg(session.pid, signal.SIGTERM)
        session.wait(timeout=10)


def after_readme_terminal(run: ShellRun) -> None:
    """The block bought the number it found and texted from it, with `listen` registered."""
    with Flowroute(
        base_url=run.base_url, access_key=DEFAULT_ACCESS_KEY, secret_key=DEFAULT_SECRET_KEY
    ) as client:
        [number] = client.numbers.list()
        assert number.id.startswith("1206")
        assert str(client.callbacks.get("sms").callback_url).startswith("http://127.0.0.1:")
    control = SandboxControl(run.base_url)
    [sent] = control.outbox()
    control.close()
    assert sent["attributes"]["from"] == number.id and sent["attributes"]["body"] == "Hello"


CHECKS: dict[str, Callable[[ShellRun], None]] = {"README.md": after_readme_terminal}


@pytest.mark.parametrize("block", chosen(SHELL), ids=lambda b: b.name)
def test_shell_block_runs(block: Block, tmp_path: Path) -> None:
    with shell(block, tmp_path) as run:
        assert run.returncode == 0, f"{block.name}:\n{run.output}"
        if block.path in CHECKS:
            CHECKS[block.path](run)


def test_readme_terminal_block_is_checked() -> None:
    assert [b.path for b in chosen(SHELL)].count("README.md") == 1
