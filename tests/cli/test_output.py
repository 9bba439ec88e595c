"""What people and scripts read: help at 80 columns, one money format, upper-case states, wire
names in --json, empty listings, confirmations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from flowroute.cli.app import app
from flowroute.sandbox.server import SandboxServer

from ..support import ADDRESS_FLAGS, Run, as_json, bought, invoke


def commands(command: Any, path: list[str]) -> Iterator[tuple[list[str], Any]]:
    yield path, command
    for name, sub in getattr(command, "commands", {}).items():
        yield from commands(sub, [*path, name])


EVERY_COMMAND = list(commands(typer.main.get_command(app), []))


@pytest.mark.parametrize(
    ("path", "command"), EVERY_COMMAND, ids=[" ".join(p) or "flowroute" for p, _ in EVERY_COMMAND]
)
def test_help_fits_80_columns_with_whole_option_names(path: list[str], command: Any) -> None:
    result = CliRunner().invoke(app, [*path, "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    assert "…" not in result.output  # rich cuts what does not fit with an ellipsis
    assert all(len(line) <= 80 for line in result.output.splitlines())
    names = [o for p in command.params for o in (*p.opts, *p.secondary_opts) if o[0] == "-"]
    for name in names:
        assert re.search(rf"(^|[\s,/]){re.escape(name)}([\s,/=]|$)", result.output, re.M), name


def test_cnam_create_help_lists_the_allowed_characters() -> None:
    text = " ".join(CliRunner().invoke(app, ["cnam", "create", "--help"]).output.split())
    assert "up to 15 characters with at least one letter; also digits, spaces" in text
    assert "the marks - _ . , @ + & ' / \"" in text.replace(" │ ", " ")


def test_money_and_states(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    code, out, _ = cli("numbers", "search", "--starts-with", "206", "--limit", "3")
    rows = [line for line in out.splitlines() if "│ 1206" in line]
    assert code == 0 and len(rows) == 3
    for row in rows:
        assert " WA " in row  # upper-case, as people write states
        assert len(re.findall(r" \$\d+\.\d\d ", row)) == 2  # setup and monthly, $1.00 style
    number = bought(cli)
    sent = as_json(cli, "messages", "send", "12065550123", "hi", "--from", number)
    code, out, _ = cli("messages", "show", sent["id"])
    assert "│ amount_display   │ $0.0040" in out  # a per-message price keeps 4 decimals


def test_json_uses_wire_names_without_invented_nulls(
    cli: Run, flowroute_sandbox: SandboxServer
) -> None:
    number = bought(cli)
    sent = as_json(cli, "messages", "send", "12065550123", "hi", "--from", number)
    assert sent["from"] == number and "from_" not in sent
    flowroute_sandbox.clock.advance(seconds=5)
    record = as_json(cli, "messages", "show", sent["id"])
    assert record["from"] == number and "from_" not in record
    receipts = record["delivery_receipts"]
    assert len(receipts) == 2
    for receipt in receipts:
        assert not {"type", "id", "body", "to", "from", "from_"} & set(receipt), receipt


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("numbers", "list"), "No numbers on this account."),
        (("cnam", "list"), "No CNAM records on this account."),
        (("e911", "list"), "No E911 addresses on this account."),
        (("messages", "list", "--start", "2020-01-01"), "No messages in that period."),
        (("cdrs", "list"), "No CDR exports."),
        (("sandbox", "faults", "list"), "No faults."),
        (("sandbox", "webhooks"), "No webhooks yet."),
    ],
)
def test_empty_listings_say_so(cli: Run, args: tuple[str, ...], says: str) -> None:
    assert cli(*args) == (0, says + "\n", "")
    assert json.loads(cli(*args, "--json").out) == []


def test_release_asks_and_names_what_is_attached(
    cli: Run, flowroute_sandbox: SandboxServer
) -> None:
    number = bought(cli)
    route = as_json(cli, "routes", "create", "pbx", "host", "pbx.example.com")["id"]
    assert cli("routes", "set-primary", number, route).code == 0
    e911 = as_json(cli, "e911", "create", *ADDRESS_FLAGS)["id"]
    assert cli("e911", "associate", e911, number).code == 0

    code, out, err = cli("numbers", "release", number, input="n\n")
    assert code == 1 and "released" not in out  # (the runner echoes the typed answer)
    assert f"Release {number}; it loses primary route pbx (id {route}), E911 address {e911}?" in err
    assert err.endswith(f"error: {number} was not released\n")
    assert [n["id"] for n in as_json(cli, "numbers", "list")] == [number]

    assert cli("numbers", "release", number, input="y\n").out.endswith(f"released {number}\n")
    other = bought(cli)
    assert cli("numbers", "release", other, "--yes") == (0, f"released {other}\n", "")
    assert cli("numbers", "list").out == "No numbers on this account.\n"


def test_callbacks_show_every_kind_and_for_a_number(cli: Run) -> None:
    number = bought(cli)
    assert cli("callbacks", "set", "sms", "http://127.0.0.1:9/sms").code == 0
    shown = as_json(cli, "callbacks", "show")
    assert shown == [
        {"kind": "sms", "callback_url": "http://127.0.0.1:9/sms"},
        {"kind": "mms", "callback_url": None},
        {"kind": "sms_dlr", "callback_url": None},
        {"kind": "mms_dlr", "callback_url": None},
    ]
    code, out, err = cli("callbacks", "show", "--number", number)
    assert code == 0 and "http://127.0.0.1:9/sms" in out and "(none)" in out
    assert f"{number} uses these unless it was given its own" in err
    code, _, err = cli("callbacks", "show", "--number", "12065550100")
    assert code == 1 and "Could not find" in err  # not a number on the account


def test_usage_errors_name_the_fix() -> None:
    code, _, err = invoke("listen", "--port", "99999")
    assert code == 2 and err == "error: --port must be between 0 and 65535, got 99999\n"
    code, _, err = invoke("sandbox", "--port", "99999")  # checked by the sandbox's settings
    assert code == 2 and err == "error: --port must be at most 65535, got 99999\n"


def test_brackets_print_as_they_are_not_as_rich_markup(cli: Run) -> None:
    # A user's argument in an error line.
    code, out, err = cli("numbers", "show", "[/x]")
    assert (code, out) == (1, "")
    assert err.startswith("error: ") and "[/x]" in err and err.count("\n") == 1
    assert "Traceback" not in err and "MarkupError" not in err
    # A server's value in a table cell (show_one, the update's answer and a listing).
    number = bought(cli)
    code, out, err = cli("numbers", "update", number, "--alias", "[/bold] [red]x")
    assert code == 0, err
    assert "[/bold] [red]x" in out
    assert "[/bold] [red]x" in cli("numbers", "show", number).out
    assert "[/bold] [red]x" in cli("numbers", "list").out
