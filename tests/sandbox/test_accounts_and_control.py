"""Accounts are isolated; strict auth; a file database survives restarts; the control API."""

from __future__ import annotations

from pathlib import Path

import httpx2
import pytest

from flowroute import AuthenticationError, NotFoundError
from flowroute.sandbox import SandboxSettings, running
from flowroute.sandbox.server import SandboxServer

from ..support import assert_error


def test_access_keys_are_separate_accounts(
    flowroute_sandbox: SandboxServer, other_account: tuple[object, object]
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    _, other = other_account
    assert list(other.numbers.list()) == []  # type: ignore[attr-defined]
    with pytest.raises(NotFoundError):
        other.numbers.retrieve(number)  # type: ignore[attr-defined]
    with flowroute_sandbox.client() as mine:
        assert [n.id for n in mine.numbers.list()] == [number]


def test_strict_auth_accepts_only_listed_keys() -> None:
    settings = SandboxSettings(strict_auth={"12345678": "right"})
    with running(settings, access_key="12345678", secret_key="right") as sb:
        assert list(sb.client().routes.list())
        with pytest.raises(AuthenticationError):
            list(sb.client(secret_key="wrong").routes.list())
        with pytest.raises(AuthenticationError):
            list(sb.client(access_key="87654321", secret_key="right").routes.list())


def test_file_database_survives_restart(tmp_path: Path) -> None:
    settings = SandboxSettings(db=str(tmp_path / "sandbox.db"))
    with running(settings) as sb:
        client = sb.client()
        number = next(iter(client.numbers.search(limit=1))).id
        client.numbers.purchase(number)
        client.routes.create(alias="kept", route_type="host", value="kept.example.com")
    with running(settings) as sb:
        client = sb.client()
        assert [n.id for n in client.numbers.list()] == [number]
        assert "kept" in {r.alias for r in client.routes.list()}
        assert number not in {
            n.id for n in client.numbers.search(starts_with=number[:7], limit=200)
        }


def test_same_seed_same_inventory() -> None:
    with (
        running(SandboxSettings(seed=7)) as a,
        running(SandboxSettings(seed=7)) as b,
        running(SandboxSettings(seed=8)) as c,
    ):
        first = [n.id for n in a.client().numbers.search(limit=20)]
        assert first == [n.id for n in b.client().numbers.search(limit=20)]
        assert first != [n.id for n in c.client().numbers.search(limit=20)]


def test_clock_advances_per_account(
    flowroute_sandbox: SandboxServer, other_account: tuple[object, object]
) -> None:
    control, _ = other_account
    before = flowroute_sandbox.clock.now()
    after = flowroute_sandbox.clock.advance(hours=48)
    assert 48 * 3600 <= (after - before).total_seconds() < 48 * 3600 + 60
    assert (control.clock.now() - before).total_seconds() < 60  # type: ignore[attr-defined]
    flowroute_sandbox.reset()
    assert (flowroute_sandbox.clock.now() - before).total_seconds() < 60


def test_reset_empties_the_account(flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.seed_numbers(3)
    flowroute_sandbox.faults.add("GET", "/v2/numbers", status=500)
    with flowroute_sandbox.client() as client:
        client.routes.create(alias="gone", route_type="host", value="a.com")
        flowroute_sandbox.reset()
        assert list(client.numbers.list()) == []
        assert [r.id for r in client.routes.list()] == ["0"]
    assert flowroute_sandbox.faults.list() == []


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"status": 500}, "path is required"),
        ({"path": "/v2/numbers", "status": 99}, "status must be an HTTP status"),
        ({"path": "/v2/numbers", "when": "later", "status": 500}, "when must be"),
        ({"path": "/v2/numbers"}, "needs a status"),
        ({"path": "/v2/numbers", "delay": 120}, "delay must be between"),
    ],
)
def test_bad_fault_definitions(raw: httpx2.Client, body: dict[str, object], detail: str) -> None:
    assert_error(raw.post("/_sandbox/faults", json=body), 400, detail)


def test_bad_clock_advance(raw: httpx2.Client) -> None:
    assert_error(raw.post("/_sandbox/clock/advance", json={"seconds": -1}), 400, "N >= 0")
    assert_error(raw.post("/_sandbox/clock/advance", json={"minutes": 5}), 400, "N >= 0")


def test_control_api_needs_credentials(flowroute_sandbox: SandboxServer) -> None:
    assert_error(
        httpx2.post(f"{flowroute_sandbox.base_url}/_sandbox/reset"), 401, "Authentication failed."
    )


def test_fault_only_hits_its_own_account(
    flowroute_sandbox: SandboxServer, other_account: tuple[object, object]
) -> None:
    _, other = other_account
    flowroute_sandbox.faults.add("GET", "/v2/routes", status=500)
    assert list(other.routes.list())  # type: ignore[attr-defined]
    assert len(flowroute_sandbox.faults.list()) == 1


def test_each_account_has_its_own_inventory(
    flowroute_sandbox: SandboxServer, other_account: tuple[object, object]
) -> None:
    _, other = other_account
    with flowroute_sandbox.client() as mine:
        first = next(iter(mine.numbers.search(limit=1))).id
        mine.numbers.purchase(first)
        assert first not in {n.id for n in mine.numbers.search(limit=5)}
    assert first in {n.id for n in other.numbers.search(limit=5)}  # type: ignore[attr-defined]
    assert other.numbers.purchase(first).id == first  # type: ignore[attr-defined]
