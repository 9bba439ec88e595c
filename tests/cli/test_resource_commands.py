"""Every resource command group against the sandbox, through typer's runner: tables for people,
--json for scripts, one-line errors with exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowroute.cli import _common
from flowroute.sandbox.server import SandboxServer

from ..support import CLI_ADDRESS as ADDRESS
from ..support import Run, as_json, bought


def test_numbers_group(cli: Run) -> None:
    assert as_json(cli, "numbers", "area-codes", "--limit", "3")[0]["id"].isdigit()
    exchanges = as_json(cli, "numbers", "exchanges", "--areacode", "206", "--limit", "2")
    assert all(e["id"].startswith("206") for e in exchanges)
    number = bought(cli)
    assert [n["id"] for n in as_json(cli, "numbers", "list")] == [number]
    assert (
        as_json(cli, "numbers", "update", number, "--alias", "front desk")["alias"] == "front desk"
    )
    code, out, _ = cli("numbers", "show", number)
    assert code == 0 and "front desk" in out and "primary_route_id" in out  # a table for people
    assert cli("numbers", "update", number).code == 1  # nothing to change: one clear line
    assert cli("numbers", "release", number, "--yes") == (0, f"released {number}\n", "")
    assert as_json(cli, "numbers", "list") == []


def test_routes_group(cli: Run) -> None:
    number = bought(cli)
    host = as_json(cli, "routes", "create", "pbx", "host", "pbx.example.com")["id"]
    uri = as_json(cli, "routes", "create", "backup", "uri", "sip:b@sip.example.com")["id"]
    assert cli("routes", "set-primary", number, host).code == 0
    assert cli("routes", "set-failover", number, uri).code == 0
    details = as_json(cli, "numbers", "show", number)
    assert (details["primary_route_id"], details["failover_route_id"]) == (host, uri)
    updated = as_json(
        cli, "routes", "update", uri, "--route-type", "uri", "--value", "sip:c@sip.example.com"
    )
    assert updated["value"] == "sip:c@sip.example.com"
    assert {r["alias"] for r in as_json(cli, "routes", "list")} >= {"pbx", "backup"}
    assert all(s["name"] for s in as_json(cli, "routes", "edge-strategies"))
    code, _, err = cli("routes", "delete", host)  # in use: Flowroute refuses
    assert code == 1 and err.startswith("error: ")
    assert cli("routes", "create", "x", "fax", "1").code == 1
    unused = as_json(cli, "routes", "create", "spare", "number", "12065550100")["id"]
    assert cli("routes", "delete", unused).out == f"deleted route {unused}\n"


def test_messages_and_callbacks_groups(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    number = bought(cli)
    assert cli("callbacks", "set", "sms_dlr", "http://127.0.0.1:9/dlr").code == 0
    assert as_json(cli, "callbacks", "show", "sms_dlr")["callback_url"] == "http://127.0.0.1:9/dlr"
    sent = as_json(cli, "messages", "send", "(206) 555-0123", "hello", "--from", number)
    assert sent["id"].startswith("mdr2-") and sent["to"] == "12065550123"
    flowroute_sandbox.clock.advance(seconds=5)
    code, out, _ = cli("messages", "show", sent["id"])
    assert code == 0 and "hello" in out  # the record, then its receipts
    assert "smsc submit" in out and "message buffered" in out
    piped = cli("messages", "send", "12065550123", "-", "--from", number, "--json", input="piped\n")
    assert json.loads(piped.out)["body"] == "piped"  # BODY "-" reads stdin
    records = as_json(cli, "messages", "list", "--start", "2020-01-01")
    assert [r["id"] for r in records] == [sent["id"], json.loads(piped.out)["id"]]
    assert cli("callbacks", "clear", "sms_dlr").code == 0
    code, _, err = cli("callbacks", "show", "sms_dlr")
    assert code == 1 and len(err.strip().splitlines()) == 1
    code, _, err = cli("callbacks", "set", "fax", "http://127.0.0.1:9/")
    assert code == 1 and "sms, mms, sms_dlr, mms_dlr" in err
    code, _, err = cli("messages", "send", "123", "hi", "--from", number)
    assert code == 1 and "North American" in err


def test_e911_group(cli: Run) -> None:
    number = bought(cli)
    nowhere = [("Nowhere Lane" if a == "Elliott Ave W" else a) for a in ADDRESS]
    code, _, err = cli("e911", "validate", *nowhere)
    assert code == 1 and "Could not geocode" in err
    assert cli("e911", "validate", *ADDRESS).code == 0
    created = as_json(cli, "e911", "create", *ADDRESS)
    e911 = created["id"]
    assert created["city"] == "Seattle"
    assert [a["id"] for a in as_json(cli, "e911", "list", "--state", "WA")] == [e911]
    assert as_json(cli, "e911", "update", e911, "--label", "Head office")["label"] == "Head office"
    assert as_json(cli, "e911", "show", e911)["label"] == "Head office"
    assert cli("e911", "associate", e911, number).code == 0
    assert [n["id"] for n in as_json(cli, "e911", "numbers", e911)] == [number]
    assert cli("e911", "delete", e911).code == 1  # still in use
    assert cli("e911", "disconnect", number).code == 0
    assert cli("e911", "delete", e911).code == 0
    code, _, err = cli("e911", "create", "--label", "x")
    assert code == 1 and "first_name" in err  # every missing field named, before any request


def test_cnam_group(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    number = bought(cli)
    cnam = as_json(cli, "cnam", "create", "Lovelace Labs")["id"]
    assert as_json(cli, "cnam", "update", cnam, "Lovelace Co")["value"] == "LOVELACE CO"
    assert [c["id"] for c in as_json(cli, "cnam", "list", "--pending")] == [cnam]
    code, _, err = cli("cnam", "associate", cnam, number)
    assert code == 1 and err.startswith("error: ")  # not approved yet
    flowroute_sandbox.clock.advance(hours=48)
    assert as_json(cli, "cnam", "list", "--approved")[0]["id"] == cnam
    assert cli("cnam", "associate", cnam, number).code == 0
    assert as_json(cli, "cnam", "show", cnam)["number_ids"] == [number]
    assert cli("cnam", "unassociate", number).code == 0
    assert cli("cnam", "delete", cnam).out == f"deleted CNAM record {cnam}\n"


def test_cdrs_group(cli: Run, flowroute_sandbox: SandboxServer, tmp_path: Path) -> None:
    flowroute_sandbox.seed_numbers(2)
    flowroute_sandbox.generate_calls(300, start="2026-01-01", end="2026-01-08", seed=7)
    export = as_json(cli, "cdrs", "export", "--start", "2026-01-01", "--end", "2026-01-08")
    assert export["status"] == "processing"
    assert [e["id"] for e in as_json(cli, "cdrs", "list", "--status", "processing")] == [
        export["id"]
    ]
    flowroute_sandbox.clock.advance(seconds=10)
    finished = as_json(cli, "cdrs", "wait", export["id"])
    assert (finished["status"], finished["num_calls"]) == ("completed", 300)
    assert as_json(cli, "cdrs", "status", export["id"])["num_calls"] == 300

    target = tmp_path / "jan.csv.gz"
    code, out, _ = cli("cdrs", "download", export["id"], str(target))
    assert code == 0 and f"saved {target}" in out and "kB" in out  # the progress bar's last frame
    assert target.read_bytes()[:2] == b"\x1f\x8b"
    code, out, _ = cli("cdrs", "summary", str(target))
    assert code == 0 and "total" in out and " 300 " in out
    code, out, _ = cli("cdrs", "summary", export["id"])  # downloads to a temporary file
    assert code == 0 and " 300 " in out

    code, _, err = cli("cdrs", "export", "--start", "2026-01-01", "--end", "2026-06-01")
    assert code == 1 and "92 days" in err


def test_porting_check(cli: Run) -> None:
    answer = as_json(cli, "porting", "check", "12065550100", "+1 (206) 555-0101")
    assert set(answer["portable"] + answer["nonportable"]) == {"+12065550100", "+12065550101"}
    code, out, _ = cli("porting", "check", "12065550100")
    assert code == 0 and "+12065550100" in out


def test_errors_are_one_line(cli: Run) -> None:
    code, out, err = cli("numbers", "show", "123")
    assert code == 1 and "Traceback" not in out + err
    assert err.strip().startswith("error: number '123' is not a valid North American number")
    code, _, err = cli("numbers", "show", "12065550100")
    assert code == 1 and "Could not find that resource on your account." in err
    assert len(err.strip().splitlines()) == 1


def test_a_send_that_may_have_happened_exits_4(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    number = bought(cli)
    flowroute_sandbox.faults.add("POST", "/v2.1/messages", status=500, when="after")
    code, _, err = cli("messages", "send", "12065550123", "hi", "--from", number)
    assert code == 4 and "may have completed" in err
    assert len(flowroute_sandbox.outbox()) == 1  # sent once, not retried


def test_debug_shows_redacted_http(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    code, _, err = cli("--debug", "numbers", "list")
    assert code == 0
    assert "debug: GET http://127.0.0.1:" in err and "-> 200" in err
    assert "<redacted>" in err and flowroute_sandbox.secret_key not in err


def test_a_listing_too_wide_for_the_terminal_keeps_ids_whole(
    cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    number = bought(cli)
    sent = as_json(cli, "messages", "send", "12065550123", "hello", "--from", number)
    monkeypatch.setattr(_common.stdout, "width", 70)
    code, out, _ = cli("messages", "list", "--start", "2020-01-01")
    assert code == 0 and f"│ id        │ {sent['id']} │" in out  # a field/value block
    monkeypatch.setattr(_common.stdout, "width", 200)
    code, out, _ = cli("messages", "list", "--start", "2020-01-01")
    assert out.splitlines()[1].split() == ["┃", "id", "┃", "direction", "┃", "from", "┃", "to",
                                           "┃", "body", "┃", "status", "┃", "timestamp", "┃"]  # fmt: skip
