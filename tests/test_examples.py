"""Every script in examples/ runs against the sandbox, as a user would run it, and does what it
says: each test checks the account afterwards, not just the exit status."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from flowroute.sandbox.server import SandboxServer, running
from flowroute.sandbox.settings import SandboxSettings

FOLDER = Path(__file__).parent.parent / "examples"
TESTED = {
    "buy_and_route.py",
    "send_and_track_sms.py",
    "two_way_sms_bot.py",
    "e911_setup.py",
    "cnam_setup.py",
    "monthly_cdr_report.py",
    "async_bulk_send.py",
}


def environment(sandbox: SandboxServer) -> dict[str, str]:
    return {
        **os.environ,
        "FLOWROUTE_BASE_URL": sandbox.base_url,
        "FLOWROUTE_ACCESS_KEY": sandbox.access_key,
        "FLOWROUTE_SECRET_KEY": sandbox.secret_key,
    }


def run(sandbox: SandboxServer, script: str, *args: str) -> str:
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, str(FOLDER / script), *args],
        capture_output=True,
        text=True,
        env=environment(sandbox),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_example_has_a_test() -> None:
    assert {p.name for p in FOLDER.glob("*.py")} == TESTED


def test_buy_and_route(flowroute_sandbox: SandboxServer) -> None:
    run(flowroute_sandbox, "buy_and_route.py", "206")
    with flowroute_sandbox.client() as client:
        [listed] = client.numbers.list()
        number = client.numbers.retrieve(listed.id)
        assert number.id.startswith("1206")
        routes = {r.id: r for r in client.routes.list()}
        assert routes[number.primary_route_id or ""].value == "pbx.example.com:5060"
        assert routes[number.failover_route_id or ""].route_type == "uri"


def test_send_and_track_sms(flowroute_sandbox: SandboxServer) -> None:
    out = run(flowroute_sandbox, "send_and_track_sms.py", "+1 206 555 0123", "Shipped!")
    assert "encoding" in out and "mdr2-" in out
    [sent] = flowroute_sandbox.outbox()
    assert (sent["attributes"]["to"], sent["attributes"]["body"]) == ("12065550123", "Shipped!")


def test_two_way_sms_bot_answers_a_text(flowroute_sandbox: SandboxServer) -> None:
    number = flowroute_sandbox.seed_numbers(1)[0]
    bot = subprocess.Popen(
        [sys.executable, str(FOLDER / "two_way_sms_bot.py"), "--port", "0", "--max-messages", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(flowroute_sandbox),
    )
    try:
        assert bot.stdout is not None
        assert bot.stdout.readline().startswith("bot listening on http://127.0.0.1:")
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hours")
        assert bot.wait(timeout=30) == 0
    finally:
        bot.kill()
        bot.wait()
    [reply] = flowroute_sandbox.outbox()
    assert reply["attributes"]["to"] == "12065550123"
    assert reply["attributes"]["from"] == number
    assert reply["attributes"]["body"].startswith("We're open")


def test_e911_setup_covers_every_number_once(flowroute_sandbox: SandboxServer) -> None:
    numbers = flowroute_sandbox.seed_numbers(2)
    out = run(flowroute_sandbox, "e911_setup.py")
    assert "2 number(s) covered" in out
    assert "2 number(s) covered" in run(flowroute_sandbox, "e911_setup.py")  # rerun: no duplicate
    with flowroute_sandbox.client() as client:
        [address] = client.e911s.list()
        assert {n.e911_address_id for n in client.numbers.retrieve_many(numbers)} == {address.id}


def test_cnam_setup_across_the_review(flowroute_sandbox: SandboxServer) -> None:
    [number] = flowroute_sandbox.seed_numbers(1)
    assert "submitted 'LOVELACE LABS'" in run(flowroute_sandbox, "cnam_setup.py", "Lovelace Labs")
    assert "still pending review" in run(flowroute_sandbox, "cnam_setup.py", "Lovelace Labs")
    flowroute_sandbox.clock.advance(hours=48)
    out = run(flowroute_sandbox, "cnam_setup.py", "Lovelace Labs")
    assert f"{number}: shows 'LOVELACE LABS'" in out and "on 1 number(s)" in out
    with flowroute_sandbox.client() as client:
        assert client.numbers.retrieve(number).cnam_preset_id is not None


@pytest.fixture(scope="module")
def instant_exports() -> Iterator[SandboxServer]:
    """A sandbox whose CDR exports finish at once, so the report's wait never sleeps."""
    with running(SandboxSettings(clock_speed=0, cdr_export_delay=0)) as sandbox:
        yield sandbox


def test_monthly_cdr_report(instant_exports: SandboxServer) -> None:
    instant_exports.reset()
    instant_exports.seed_numbers(3)
    instant_exports.generate_calls(500, start="2026-01-01", end="2026-02-01", seed=1)
    instant_exports.generate_calls(40, start="2026-02-01", end="2026-02-10", seed=2)
    out = run(instant_exports, "monthly_cdr_report.py", "2026-01")
    assert out.startswith("January 2026: export ") and "500 calls" in out
    total = out.strip().splitlines()[-1].split()
    assert total[:2] == ["total", "500"]


def test_async_bulk_send(flowroute_sandbox: SandboxServer) -> None:
    out = run(flowroute_sandbox, "async_bulk_send.py", "--count", "12", "--per-second", "1000")
    assert out.startswith("sent 12 of 12 from 1")
    recipients = {m["attributes"]["to"] for m in flowroute_sandbox.outbox()}
    assert recipients == {f"1206555{1000 + i}" for i in range(12)}
