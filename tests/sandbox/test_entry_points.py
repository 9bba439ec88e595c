"""The settings declaration (``flowroute.sandbox.settings``) drives every entry point.

``python -m flowroute.sandbox`` and ``flowroute sandbox`` offer exactly the declared options, in
the declared order; values given on either reach the server they start; the pytest plugin reads
``flowroute_sandbox_<name>`` ini options and keeps its test defaults; a bad value is one line
naming the option, on every entry point.
"""

from __future__ import annotations

import dataclasses
import inspect
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import httpx2
import pytest
from typer.testing import CliRunner

from flowroute import Flowroute
from flowroute.cli.app import app
from flowroute.sandbox import SandboxControl, SandboxSettings
from flowroute.sandbox.__main__ import main as python_m_main
from flowroute.sandbox.settings import (
    ServeOptions,
    SettingError,
    command_line_options,
    from_command_line,
    options,
)

from ..support import ENTRY_POINTS, serving

pytest_plugins = ["pytester"]

WIDE = {**os.environ, "COLUMNS": "200"}  # help lines unwrapped


def declared_flags() -> list[str]:
    return [option.flag for option in command_line_options()]


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_help_offers_exactly_the_declared_options(command: list[str]) -> None:
    result = subprocess.run(
        [*command, "--help"], capture_output=True, text=True, env=WIDE, check=True, timeout=60
    )
    # The first flag of each option line (argparse: "  --port PORT ...", typer: "│ --port ...").
    listed = re.findall(r"^[\s│]*(--[a-z][a-z-]*)", result.stdout, re.MULTILINE)
    assert [flag for flag in listed if flag != "--help"] == declared_flags()
    negated = {f"--no-{o.flag[2:]}" for o in command_line_options() if o.kind == "flag"}
    assert set(re.findall(r"--[a-z][a-z-]*", result.stdout)) == {
        *declared_flags(),
        *negated,
        "--help",
    }
    # Help texts, metavars and defaults come from the declaration too.
    text = " ".join(result.stdout.replace("│", " ").split())
    for option in command_line_options():
        assert " ".join(option.help.split()) in text, option.name
        assert option.kind == "flag" or option.metavar in text, option.name
        shown = option.shown_default()
        assert option.kind == "flag" or not shown or f"default: {shown}" in text, option.name


def test_the_typer_command_has_a_parameter_per_declared_setting() -> None:
    # `flowroute sandbox` is a group (its subcommands drive a running sandbox); its callback
    # serves when no subcommand is given, and takes the declared settings.
    (group,) = [g for g in app.registered_groups if g.name == "sandbox"]
    assert group.typer_instance is not None and group.typer_instance.registered_callback
    serve = group.typer_instance.registered_callback.callback
    assert serve is not None
    parameters = [name for name in inspect.signature(serve).parameters if name != "context"]
    assert parameters == [option.name for option in command_line_options()]


def test_every_setting_converts_from_the_command_line(tmp_path: Path) -> None:
    """Both command lines call from_command_line; a non-default value for every declared
    setting arrives in SandboxSettings or ServeOptions."""
    given = {
        "host": "127.0.0.2",
        "port": "9",
        "workers": "3",
        "log_level": "debug",
        "strict_auth_file": str(tmp_path / "pairs"),
        "allow_any_key": True,
        "db": "sandbox.db",
        "strict_auth": ["k:s", "k2:s2"],
        "seed": "7",
        "clock_speed": "0",
        "allow_external_hosts": True,
        "exposed": True,
        "allow_webhook_host": ["hooks.example.com:8443", "10.0.0.5"],
        "sms_per_second": "2.5",
        "mms_per_second": "3",
        "latency": "0.25",
        "cnam_approval_delay": "60",
        "cdr_export_delay": "1",
        "webhook_format": "compact",
        "max_body_bytes": "2048",
        "header_timeout": "0.5",
    }
    assert set(given) == {o.name for o in command_line_options()}  # a new setting: add it here
    (tmp_path / "pairs").write_text("k3:s3\n")
    server, settings = from_command_line(given, environ={})
    assert server == ServeOptions(
        host="127.0.0.2",
        port=9,
        workers=3,
        log_level="debug",
        strict_auth_file=str(tmp_path / "pairs"),
        allow_any_key=True,
    )
    assert settings == SandboxSettings(
        db="sandbox.db",
        strict_auth={"k": "s", "k2": "s2", "k3": "s3"},
        seed=7,
        clock_speed=0,
        allow_external_hosts=True,
        exposed=True,
        allow_webhook_host=("hooks.example.com:8443", "10.0.0.5"),
        sms_per_second=2.5,
        mms_per_second=3,
        latency=0.25,
        cnam_approval_delay=60,
        cdr_export_delay=1,
        webhook_format="compact",
        max_body_bytes=2048,
        header_timeout=0.5,
    )
    for field in dataclasses.fields(SandboxSettings):
        assert getattr(settings, field.name) != field.default, field.name
    assert from_command_line({}, environ={}) == (ServeOptions(), SandboxSettings())
    with pytest.raises(SettingError, match=r"^--seed must be a whole number, got 'x'$"):
        from_command_line({"seed": "x"})


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_command_line_values_reach_the_running_sandbox(command: list[str]) -> None:
    args = ["--clock-speed", "0", "--cdr-export-delay", "1", "--sms-per-second", "1"]
    with serving(command, *args, "--header-timeout", "0.5") as base:
        control = SandboxControl(base, access_key="entry", secret_key="s")
        assert control.call("GET", "/clock")["speed"] == 0  # default 1
        (number,) = control.seed_numbers(1)
        with Flowroute(access_key="entry", secret_key="s", base_url=base) as client:
            export = client.cdrs.create(start="2026-01-01", end="2026-01-02")
            control.clock.advance(seconds=1)  # enough for 1 s, not for the default 5 s
            assert client.cdrs.retrieve(export.id).status == "completed"
        with httpx2.Client(base_url=base, auth=("entry", "s")) as raw:
            body = {"to": "12065550123", "from": number, "body": "hi"}
            answers = [raw.post("/v2.1/messages", json=body) for _ in range(2)]
        assert answers[1].status_code == 429 and "the limit is 1 per second" in answers[1].text
        control.close()
        # --header-timeout reaches the foreground server: a half-sent head is cut at 0.5 s.
        with socket.create_connection(("127.0.0.1", int(base.rsplit(":", 1)[1]))) as sock:
            started = time.monotonic()
            sock.sendall(b"GET /v2/routes HTTP/1.1\r\nHost: x\r\n")
            sock.settimeout(5)
            assert sock.recv(1024) == b""
            assert 0.45 <= time.monotonic() - started <= 1.5


BAD_VALUES = [
    (["--sms-per-second", "-1"], "--sms-per-second must be above 0, got -1"),
    (["--mms-per-second", "0"], "--mms-per-second must be above 0, got 0"),
    (["--clock-speed", "nan"], "--clock-speed must be a finite number, got nan"),
    (["--header-timeout", "inf"], "--header-timeout must be a finite number, got inf"),
    (["--latency", "-0.5"], "--latency must be at least 0, got -0.5"),
    (["--max-body-bytes", "1.5"], "--max-body-bytes must be a whole number, got '1.5'"),
    (["--port", "70000"], "--port must be at most 65535, got 70000"),
    (["--workers", "0"], "--workers must be at least 1, got 0"),
    (["--webhook-format", "xml"], "--webhook-format must be one of jsonapi, compact, got 'xml'"),
    (["--log-level", "loud"], "--log-level must be one of critical, error, warning, info"),
    (["--strict-auth", "k:s", "--strict-auth", "nocolon"], "--strict-auth expects KEY:SECRET"),
]


@pytest.mark.parametrize(("args", "message"), BAD_VALUES, ids=[a[0] for a, _ in BAD_VALUES])
def test_a_bad_value_is_one_line_on_both_command_lines(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        python_m_main(args)
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert err.startswith(f"python -m flowroute.sandbox: error: {message}")
    assert err.count("\n") == 1

    result = CliRunner().invoke(app, ["sandbox", *args])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {message}") and result.stderr.count("\n") == 1
    assert result.stdout == ""  # nothing started, no banner


@pytest.mark.parametrize("command", ENTRY_POINTS.values(), ids=ENTRY_POINTS.keys())
def test_a_bad_value_never_shows_a_secret(command: list[str]) -> None:
    result = subprocess.run(
        [*command, "--strict-auth", "key:hunter2", "--strict-auth", "other:", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--strict-auth expects KEY:SECRET, got 'other':..." in result.stderr
    assert "hunter2" not in result.stderr + result.stdout
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_settings_made_in_code_are_checked_by_the_same_declaration() -> None:
    with pytest.raises(ValueError, match=r"^sms_per_second must be above 0, got -1$"):
        SandboxSettings(sms_per_second=-1)
    with pytest.raises(ValueError, match=r"^header_timeout must be a finite number"):
        SandboxSettings(header_timeout=float("nan"))
    with pytest.raises(ValueError, match=r"^port must be at most 65535"):
        ServeOptions(port=65536)
    assert "hunter2" not in repr(SandboxSettings(strict_auth={"k": "hunter2"}))


PLUGIN_TEST = """
from flowroute.sandbox import SandboxSettings

def test_settings(flowroute_sandbox, flowroute_sandbox_server):
    print("SETTINGS", flowroute_sandbox_server.settings)
    print("SPEED", flowroute_sandbox.call("GET", "/clock")["speed"])
"""


def run_plugin(pytester: pytest.Pytester, ini: str) -> pytest.RunResult:
    pytester.makeini(f"[pytest]\nasyncio_default_fixture_loop_scope = function\n{ini}")
    pytester.makepyfile(PLUGIN_TEST)
    return pytester.runpytest("-s", "-p", "no:cacheprovider")


def settings_printed(result: pytest.RunResult) -> str:
    result.assert_outcomes(passed=1)
    return "\n".join(result.outlines)


def test_the_pytest_plugin_reads_ini_options(pytester: pytest.Pytester) -> None:
    ini = """
flowroute_sandbox_clock_speed = 2.5
flowroute_sandbox_cdr_export_delay = 1
flowroute_sandbox_webhook_format = compact
flowroute_sandbox_allow_external_hosts = true
flowroute_sandbox_strict_auth =
    sandbox-access-key:sandbox-secret-key
    other:s
"""
    out = settings_printed(run_plugin(pytester, ini))
    assert "clock_speed=2.5" in out and "SPEED 2.5" in out  # the running sandbox has it
    assert "cdr_export_delay=1.0" in out and "webhook_format='compact'" in out
    assert "allow_external_hosts=True" in out
    assert "sms_per_second=1000.0, mms_per_second=1000.0" in out  # test defaults kept
    assert "sandbox-secret-key" not in out  # strict_auth is not in the repr


def test_the_pytest_plugin_keeps_its_test_defaults(pytester: pytest.Pytester) -> None:
    out = settings_printed(run_plugin(pytester, ""))
    expected = dataclasses.replace(
        SandboxSettings(), clock_speed=0.0, sms_per_second=1000.0, mms_per_second=1000.0
    )
    assert f"SETTINGS {expected!r}" in out and "SPEED 0.0" in out
    for option in options(SandboxSettings):
        assert option.test_default == getattr(expected, option.name)


def test_a_bad_ini_value_stops_the_run_with_one_line(pytester: pytest.Pytester) -> None:
    result = run_plugin(pytester, "flowroute_sandbox_sms_per_second = -5\n")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    errors = [line for line in result.errlines if line.strip()]
    assert errors == ["ERROR: flowroute_sandbox_sms_per_second must be above 0, got -5"]
