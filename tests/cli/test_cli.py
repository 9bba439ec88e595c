"""The console script: demo, sandbox, and python -m flowroute.sandbox."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from flowroute import NotFoundError
from flowroute.cli.app import app
from flowroute.sandbox.fresh import SandboxAccount
from flowroute.sandbox.remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from flowroute.sandbox.server import SandboxServer

from ..support import Receiver, free_port, wait_until_serving

BIN = Path(sys.executable).parent


def test_demo_runs_the_walkthrough() -> None:
    env = {**os.environ, "COLUMNS": "120"}
    for name in (
        "FLOWROUTE_ACCESS_KEY",
        "FLOWROUTE_SECRET_KEY",
        "FR_ACCESS_KEY",
        "FR_SECRET_KEY",
        "FLOWROUTE_BASE_URL",
    ):
        env.pop(name, None)
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [BIN / "flowroute", "demo"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for step in (
        "Area codes",
        "Purchasable numbers",
        "Purchase 1",
        "office-pbx",
        "backup-uri",
        "Number details",
        "receipt level 1: smsc submit",
        "receipt level 2: message buffered",
        "inbound from 12065550123: 'Thanks, on my way!'",
        "Message detail records",
        "refused as expected: 400 Bad Request: Could not geocode",
        "approved=False",
        "approved=True",
        "CNAM 1, E911 1",
        "export 1: completed, 20,000 calls",
        "billed minutes",
        "Done.",
    ):
        assert step in result.stdout
    assert "Traceback" not in result.stderr


def _serve(args: list[str | Path]) -> bytes:
    port = free_port()
    proc = subprocess.Popen(
        [*args, "--port", str(port), "--strict-auth", "k:s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        url = f"http://127.0.0.1:{port}/v2/routes"
        wait_until_serving(proc, url)
        assert httpx2.get(url, auth=("k", "s")).status_code == 200
        assert httpx2.get(url, auth=("other", "s")).status_code == 401
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return proc.stdout.read() if proc.stdout else b""


def test_flowroute_sandbox_command_serves() -> None:
    banner = _serve([BIN / "flowroute", "sandbox"])
    assert b"--access-key k --secret-key ... numbers search" in banner  # the secret is not shown


def test_python_m_flowroute_sandbox_serves() -> None:
    _serve([sys.executable, "-m", "flowroute.sandbox"])


def test_bad_strict_auth_is_one_clear_line() -> None:
    result = CliRunner().invoke(app, ["sandbox", "--strict-auth", "nocolon"])
    assert result.exit_code == 2
    assert "KEY:SECRET" in result.output


def test_demo_against_a_running_sandbox(flowroute_sandbox: SandboxAccount) -> None:
    key, secret = flowroute_sandbox.access_key, flowroute_sandbox.secret_key
    flags = ["--access-key", key, "--secret-key", secret]
    result = CliRunner().invoke(app, [*flags, "demo", "--against", flowroute_sandbox.base_url])
    assert result.exit_code == 0, result.output
    assert f"sandbox at {flowroute_sandbox.base_url}" in result.stdout
    assert "inbound from 12065550123" in result.stdout and "approved=True" in result.stdout
    bought = result.stdout.split("The demo's number is ")[1].split(";")[0]
    with flowroute_sandbox.client() as client:
        assert [n.id for n in client.numbers.list()] == [bought]  # on the account it was given
    assert (
        f"Release it with: flowroute --base-url {flowroute_sandbox.base_url} --access-key "
        f"{key} --secret-key SECRET numbers release {bought}\n" in result.stdout
    )  # the secret given on the command line is not echoed


def test_demo_against_a_sandbox_twice_buys_once(
    default_account: SandboxServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flowroute_sandbox = default_account
    # A saved default profile (perhaps production keys) is not used against a sandbox.
    monkeypatch.setenv("FLOWROUTE_CONFIG", str(tmp_path / "config.toml"))
    saved = ["configure", "--access-key", "prod-key-1234", "--secret-key", "prod-secret"]
    assert CliRunner().invoke(app, saved).exit_code == 0
    url = flowroute_sandbox.base_url
    outputs = [CliRunner().invoke(app, ["demo", "--against", url]) for _ in range(2)]
    assert [result.exit_code for result in outputs] == [0, 0], outputs[1].output
    with flowroute_sandbox.client() as client:  # the sandbox's default account
        numbers = [n.id for n in client.numbers.list()]
        assert len(numbers) == 1 and len(list(client.cnams.list())) == 1
        assert len(list(client.e911s.list())) == 1
        aliases = sorted(str(route.alias) for route in client.routes.list())
        assert aliases == ["backup-uri", "office-pbx", "sip-reg"]
        with pytest.raises(NotFoundError):
            client.callbacks.get("sms")  # the demo's receiver is gone; its callbacks too
    with flowroute_sandbox.client(access_key="prod-key-1234") as client:
        assert list(client.numbers.list()) == []
    first, second = (result.stdout for result in outputs)
    assert (
        "this run bought it" in first and f"Reuse {numbers[0]}, bought by an earlier run" in second
    )
    assert "this run reused it" in second and ": completed, 20,000 calls" in second
    release = (
        f"Release it with: flowroute --base-url {url} --access-key {DEFAULT_ACCESS_KEY} "
        f"--secret-key {DEFAULT_SECRET_KEY} numbers release {numbers[0]}\n"
    )
    assert release in first and release in second


def test_demo_against_a_real_api_asks_before_spending(receiver: Receiver) -> None:
    result = CliRunner().invoke(
        app,
        ["--access-key", "k", "--secret-key", "s", "demo", "--against", receiver.url],
        input="n\n",
    )
    assert result.exit_code == 1
    assert "is not a sandbox" in result.stdout and "Spend money" in result.stdout
    assert "nothing was done" in result.stdout
    assert receiver.requests == []  # nothing bought


def test_demo_against_another_api_keeps_the_default_profiles_keys_home(
    receiver: Receiver,
) -> None:
    saved = ["configure", "--access-key", "prod-key", "--secret-key", "prod-secret"]
    assert CliRunner().invoke(app, saved).exit_code == 0
    result = CliRunner().invoke(app, ["demo", "--against", receiver.url, "--yes"])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: --against {receiver.url} is not the base URL of ")
    assert result.stderr.count("\n") == 1 and "prod-secret" not in result.output
    assert receiver.requests == []  # nothing bought, no key sent


def test_console_script_with_environment_credentials(flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    env = {
        **os.environ,
        "FLOWROUTE_ACCESS_KEY": flowroute_sandbox.access_key,
        "FLOWROUTE_SECRET_KEY": flowroute_sandbox.secret_key,
        "FLOWROUTE_BASE_URL": flowroute_sandbox.base_url,
        "FLOWROUTE_CONFIG": "/nonexistent/flowroute.toml",
    }
    listed = subprocess.run(
        [BIN / "flowroute", "numbers", "list", "--json"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert [n["id"] for n in json.loads(listed.stdout)] == [number]
    failed = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [BIN / "flowroute", "routes", "delete", "999"], capture_output=True, text=True, env=env
    )
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("error: ") and "Traceback" not in failed.stderr


def test_shell_completion_is_offered() -> None:
    result = subprocess.run(
        [BIN / "flowroute", "--show-completion", "bash"], capture_output=True, text=True, check=True
    )
    assert "_FLOWROUTE_COMPLETE=complete_bash" in result.stdout


def test_a_database_older_than_the_first_release_is_refused_clearly(tmp_path: Path) -> None:
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as db:
        db.execute("CREATE TABLE numbers (id INTEGER PRIMARY KEY, account_id INTEGER)")
    result = CliRunner().invoke(app, ["sandbox", "--db", str(old), "--port", "0"])
    assert result.exit_code == 2
    assert "made by an older sandbox version (table numbers lacks" in result.stderr
    assert "Traceback" not in result.output


def test_the_previous_releases_database_is_upgraded_and_served(tmp_path: Path) -> None:
    fixture = Path(__file__).parents[1] / "sandbox" / "fixtures" / "sandbox-v1.sqlite3"
    db = tmp_path / "sandbox.db"
    shutil.copy(fixture, db)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowroute.sandbox", "--db", str(db), "--port", str(port)],
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(proc, f"{base}/v2/routes")
        answer = httpx2.get(f"{base}/v2/numbers", auth=("fixture-alpha", "alpha-plain-secret-4711"))
        assert answer.status_code == 200
        assert len(answer.json()["data"]) == 2
    finally:
        proc.terminate()
        stderr = proc.communicate(timeout=15)[1].decode()
    assert "upgraded the database" in stderr
    assert "alpha-plain-secret-4711" not in stderr


def test_an_unreachable_database_is_one_line_without_its_password() -> None:
    url = "postgresql://bench:hunter2@127.0.0.1:1/flowroute"
    result = CliRunner().invoke(app, ["sandbox", "--db", url, "--port", "0"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: cannot use the database postgresql+psycopg://bench:***@"
    )
    assert "hunter2" not in result.output
