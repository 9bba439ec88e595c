"""flowroute numbers|routes|messages against the sandbox, through typer's runner."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from flowroute.cli.app import app
from flowroute.sandbox.server import SandboxServer


def cli(sandbox: SandboxServer, *args: str) -> tuple[int, str, str]:
    options = [
        "--access-key",
        sandbox.access_key,
        "--secret-key",
        "sandbox-secret-key",
        "--base-url",
        sandbox.base_url,
    ]
    result = CliRunner().invoke(app, [*options, *args])
    return result.exit_code, result.stdout, result.stderr


def test_buy_route_and_text_from_the_terminal(flowroute_sandbox: SandboxServer) -> None:
    code, out, _ = cli(
        flowroute_sandbox, "numbers", "search", "--starts-with", "206", "--limit", "2", "--json"
    )
    assert code == 0
    number = json.loads(out)[0]["id"]
    assert cli(flowroute_sandbox, "numbers", "buy", number)[0] == 0
    code, out, _ = cli(flowroute_sandbox, "numbers", "list", "--json")
    assert [n["id"] for n in json.loads(out)] == [number]

    code, out, _ = cli(
        flowroute_sandbox, "routes", "create", "pbx", "host", "pbx.example.com", "--json"
    )
    route = json.loads(out)[0]["id"]
    assert cli(flowroute_sandbox, "routes", "set-primary", number, route)[0] == 0
    code, out, _ = cli(flowroute_sandbox, "numbers", "show", number)
    assert code == 0 and "primary_route_id" in out and route in out  # a table for people

    code, out, _ = cli(
        flowroute_sandbox, "messages", "send", "12065550123", "--from", number, "hello"
    )
    assert code == 0 and "mdr2-" in out
    message_id = next(w for w in out.split() if w.startswith("mdr2-"))
    code, out, _ = cli(flowroute_sandbox, "messages", "show", message_id, "--json")
    assert json.loads(out)[0]["body"] == "hello"
    assert cli(flowroute_sandbox, "numbers", "release", number)[0] == 0


def test_errors_are_one_line(flowroute_sandbox: SandboxServer) -> None:
    code, out, err = cli(flowroute_sandbox, "numbers", "show", "123")
    assert code == 1 and "Traceback" not in out + err
    assert err.strip().startswith("error: number '123' is not a valid North American number")
    code, _, err = cli(flowroute_sandbox, "numbers", "show", "12065550100")
    assert code == 1 and "Could not find that resource on your account." in err
    assert len(err.strip().splitlines()) <= 2
