"""``flowroute sandbox SUBCOMMAND``: driving a running sandbox through its control API."""

from __future__ import annotations

import json

from flowroute.sandbox.remote import DEFAULT_ACCESS_KEY
from flowroute.sandbox.server import SandboxServer

from ..support import Receiver, Run, free_port, invoke


def test_inbound_text_and_mms_reach_the_callbacks(
    cli: Run, flowroute_sandbox: SandboxServer, receiver: Receiver
) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    for kind in ("sms", "mms"):
        assert cli("callbacks", "set", kind, receiver.url).code == 0
    code, out, err = cli("sandbox", "inbound", number, "table for two?")
    assert code == 0, err
    assert out == f"SMS from 12065550123 to {number} -> {receiver.url}\n"
    assert json.loads(receiver.requests[0][2])["data"]["attributes"]["body"] == "table for two?"

    media = "https://example.com/menu.png"
    code, out, _ = cli("sandbox", "inbound", number, "--from", "12065550199", "--media-url", media)
    assert code == 0 and out.startswith("MMS from 12065550199")
    sent = json.loads(receiver.requests[1][2])
    assert sent["included"][0]["attributes"]["mime_type"] == "image/png"

    code, out, _ = cli("sandbox", "webhooks")  # the delivery log, a table
    assert code == 0 and receiver.url in out and " 200 " in out and "latency_ms" in out
    attempts = json.loads(cli("sandbox", "webhooks", "--json").out)
    assert [a["status_code"] for a in attempts] == [200, 200]
    assert all(a["latency_ms"] >= 0 for a in attempts)


def test_clock_advance_takes_human_durations(cli: Run, flowroute_sandbox: SandboxServer) -> None:
    before = flowroute_sandbox.clock.now()
    for duration in ("30s", "15m", "48h", "2d", "1h30m"):
        code, out, _ = cli("sandbox", "clock", "advance", duration)
        assert code == 0 and out.startswith("sandbox time is now ")
    elapsed = flowroute_sandbox.clock.now() - before
    assert elapsed.total_seconds() == 30 + 15 * 60 + 48 * 3600 + 2 * 86400 + 5400
    code, _, err = cli("sandbox", "clock", "advance", "soon")
    assert code == 2 and err.count("\n") == 1 and "30s, 15m, 48h, 2d" in err


def test_clock_advance_completes_a_cnam_review(cli: Run) -> None:
    cnam = json.loads(cli("cnam", "create", "Lovelace Labs", "--json").out)["id"]
    assert cli("sandbox", "clock", "advance", "48h").code == 0
    assert json.loads(cli("cnam", "show", cnam, "--json").out)["is_approved"] is True


def test_cnam_approve_and_reject_now(cli: Run) -> None:
    first, second = (
        json.loads(cli("cnam", "create", name, "--json").out)["id"] for name in ("Ada", "Babbage")
    )
    approved = json.loads(cli("sandbox", "cnam", "approve", first, "--json").out)
    assert approved["is_approved"] is True
    code, out, _ = cli("sandbox", "cnam", "reject", second, "--reason", "Too famous")
    assert code == 0 and "Too famous" in out
    assert json.loads(cli("cnam", "show", second, "--json").out)["rejection_reason"] == "Too famous"
    code, _, err = cli("sandbox", "cnam", "approve", "999")
    assert code == 1 and err == "error: CNAM record 999 was not found on your account.\n"


def test_faults_add_list_clear(cli: Run) -> None:
    code, out, _ = cli("sandbox", "faults", "add", "GET", "/v2/numbers", "--status", "400")
    assert code == 0 and "400" in out
    code, _, err = cli("numbers", "list")
    assert code == 1 and "400" in err  # the fault answered (a 400 is not retried)
    assert cli("sandbox", "faults", "list").out == "No faults.\n"  # used up
    assert (
        cli("sandbox", "faults", "add", "*", "/v2/*", "--status", "500", "--count", "3").code == 0
    )
    listed = json.loads(cli("sandbox", "faults", "list", "--json").out)
    assert [(f["path"], f["count"]) for f in listed] == [("/v2/*", 3)]
    assert cli("sandbox", "faults", "clear").out == "faults cleared\n"
    assert cli("numbers", "list").code == 0


def test_reset_uses_the_sandbox_default_account_without_keys(
    default_account: SandboxServer,
) -> None:
    default_account.seed_numbers(2)
    code, out, _ = invoke("sandbox", "reset", "--base-url", default_account.base_url)
    assert (code, out) == (0, f"reset the sandbox account {DEFAULT_ACCESS_KEY}\n")
    with default_account.client() as client:
        assert list(client.numbers.list()) == []


def test_an_unreachable_sandbox_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = invoke("sandbox", "reset", "--base-url", url)
    assert code == 1 and out == ""
    assert err.startswith(f"error: no sandbox answers at {url}") and err.count("\n") == 1
    assert "start one with: flowroute sandbox" in err
