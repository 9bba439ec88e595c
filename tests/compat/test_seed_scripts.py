"""Flowroute's own demo programs, and the walkthroughs of its READMEs, run against the sandbox
with their imports changed to flowroute.compat (see each script's header for any other line).

Each runs as its own account, set up first the way a live account running the demo would be
(numbers, a route, an approved CNAM record, a finished CDR export), and is checked afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from flowroute import Flowroute
from flowroute.compat import Configuration, FlowroutenumbersandmessagingClient
from flowroute.sandbox.remote import SandboxControl
from flowroute.sandbox.server import SandboxServer

HERE = Path(__file__).parent
SECRET = "seed-secret"


@dataclass
class Account:
    key: str
    control: SandboxControl
    client: Flowroute


@pytest.fixture
def account(flowroute_sandbox: SandboxServer) -> Account:
    key = f"seed-{uuid.uuid4().hex[:8]}"
    control = flowroute_sandbox.control(access_key=key, secret_key=SECRET)
    client = Flowroute(base_url=flowroute_sandbox.base_url, access_key=key, secret_key=SECRET)
    return Account(key, control, client)


def run_seed(script: str, sandbox: SandboxServer, account: Account, cwd: Path = HERE) -> str:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("FLOWROUTE_")},
        "FLOWROUTE_BASE_URL": sandbox.base_url,
        "FR_ACCESS_KEY": account.key,
        "FR_SECRET_KEY": SECRET,
    }
    result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, str(HERE / script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result.stdout


def test_official_number_route_message_demo(
    flowroute_sandbox: SandboxServer, account: Account
) -> None:
    # A live account has numbers and routes: the demo's purchase is disabled, and it takes the
    # second and third routes listed as primary and failover.
    [number] = account.control.seed_numbers(1)
    existing = account.client.routes.create(alias="office", route_type="host", value="pbx.test")
    out = run_seed("official_number_route_message_demo.py", flowroute_sandbox, account)
    assert "NOTE: This demo has been disabled" in out
    details = account.client.numbers.retrieve(number)
    assert details.alias == "New Test"
    assert details.primary_route_id == existing.id
    assert details.failover_route_id not in (None, "0", existing.id)
    sent = account.control.outbox()
    assert [m["attributes"]["to"] for m in sent] == ["12065550123", "12065550123"]
    # Sent as E.164, which Flowroute requires: the demo's 14254664444 would be a 400.
    assert "'nonportable': ['+18827833439']" in out and "'portable': ['+14254664444']" in out


def test_official_e911_demo(flowroute_sandbox: SandboxServer, account: Account) -> None:
    [number] = account.control.seed_numbers(1)
    mine = account.client.e911s.create(
        label="HQ", first_name="Ada", last_name="Lovelace", street_number="401",
        street_name="Union St", city="Seattle", state="WA", country="US", zip="98101",
    )  # fmt: skip
    out = run_seed("official_e911_demo.py", flowroute_sandbox, account)
    assert "--Delete an E911 Address" in out
    # The demo associates, disconnects and deletes the first record listed: the one found.
    assert [e.id for e in account.client.e911s.list()] != [mine.id]
    [created] = account.client.e911s.list()
    assert (created.label, created.last_name) == ("E911 Test", "Wiley")
    assert f"'id': '{number}'" in out.partition("--List all DIDs associated")[2]
    assert (
        account.client.numbers.retrieve(number).raw["relationships"]["e911_address"]["data"] is None
    )


def test_official_cnam_demo(flowroute_sandbox: SandboxServer, account: Account) -> None:
    account.control.seed_numbers(1)
    approved = account.client.cnams.create("CHRIS SMITH")
    account.control.call("POST", f"/cnams/{approved.id}/approve")
    out = run_seed("official_cnam_demo.py", flowroute_sandbox, account)
    assert "--Remove a CNAM Record from your account" in out
    assert "CHRIS SMITH" in out  # found by search_cnams, which the official SDK lacks
    [left] = account.client.cnams.list()
    assert str(left.value).startswith("FR ") and not left.is_approved
    associated = out.partition("--Associate a CNAM Record to a DID")[2]
    assert f"'id': {int(approved.id)}" in associated.partition("--Unassociate")[0]


def test_official_cdr_demo(
    flowroute_sandbox: SandboxServer, account: Account, tmp_path: Path
) -> None:
    account.control.seed_numbers(1)
    account.control.generate_calls(25, start="2026-01-01", end="2026-01-10", seed=1)
    done = account.client.cdrs.create(start="2026-01-01", end="2026-01-10")
    account.control.clock.advance(seconds=10)
    out = run_seed("official_cdr_demo.py", flowroute_sandbox, account, cwd=tmp_path)
    assert "--Downloaded CDR Export data to temp_cdr_file.csv" in out
    assert out.count(" called ") == 25
    assert len((tmp_path / "temp_cdr_file.csv").read_text().splitlines()) == 26
    [created] = account.client.cdrs.list(status="processing")  # the demo's, besides ours
    assert created.id != done.id and created.callback_url == "https://myserver.com/cdrs"


def test_seed_001_python2_readme_walkthrough(
    flowroute_sandbox: SandboxServer, account: Account
) -> None:
    out = run_seed("seed_001_readme_walkthrough.py", flowroute_sandbox, account)
    assert out.count("204: No Content") == 2 and out.strip().endswith("done")
    assert "'id': 'mdr2-" in out  # the MMS was accepted (202) and is found again by its id
    assert "'is_mms': True" in out


def test_readme_number_route_message_walkthrough(
    flowroute_sandbox: SandboxServer, account: Account
) -> None:
    out = run_seed("seed_number_route_message.py", flowroute_sandbox, account)
    assert "--Purchase a Phone Number" in out and out.strip().endswith("done")
    assert "404" in out and "Could not find that resource on your account." in out


def test_readme_e911_cnam_cdr_walkthrough(
    flowroute_sandbox: SandboxServer, account: Account
) -> None:
    out = run_seed("seed_e911_cnam_cdr.py", flowroute_sandbox, account)
    assert "--Create a CNAM Record" in out and out.strip().endswith("done")
    assert "'portable': ['+14252081174']" in out


def test_configuration_base_uri_and_credentials_point_the_client(
    flowroute_sandbox: SandboxServer, account: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    # How the official SDK is pointed at an emulator: Configuration's class attributes.
    for name in ("FLOWROUTE_BASE_URL", "FLOWROUTE_ACCESS_KEY", "FLOWROUTE_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(Configuration, "base_uri", flowroute_sandbox.base_url)
    monkeypatch.setattr(Configuration, "basic_auth_user_name", account.key)
    monkeypatch.setattr(Configuration, "basic_auth_password", SECRET)
    [number] = account.control.seed_numbers(1)
    client = FlowroutenumbersandmessagingClient()
    assert client.numbers.list_account_phone_numbers()["data"][0]["id"] == number
    # The client keeps its credentials: changing Configuration later does not move it.
    monkeypatch.setattr(Configuration, "basic_auth_user_name", "someone-else")
    assert client.numbers.list_account_phone_numbers()["data"][0]["id"] == number
