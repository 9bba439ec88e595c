"""The ``flowroute_sandbox`` fixture as a user's suite sees it: a fresh account per test, every
client closed, and the same suite passing alone, under pytest-xdist with a sandbox per worker,
and under pytest-xdist sharing one sandbox."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx2
import pytest

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.fresh import BATCH
from flowroute.sandbox.server import SandboxServer, running

from ..support import assert_error

pytest_plugins = ["pytester"]

TESTS_PER_KIND = 8

# Each test starts from an empty account, leaves state behind (a number, a moved clock, a fault,
# a webhook format) that would break any later test sharing its account, records its
# credentials, and leaves its clients open on purpose: the fixture must close them (-W error).
USER_SUITE = f"""
import os, pathlib
import pytest

COUNT = {TESTS_PER_KIND}


def record(account):
    folder = pathlib.Path(os.environ["FLOWROUTE_TEST_KEYS"])
    (folder / account.access_key).write_text(account.secret_key)


def dirty(account):
    assert account.call("GET", "/clock")["offset_seconds"] == 0
    assert account.faults.list() == [] and account.webhooks() == []
    account.seed_numbers(1)
    account.clock.advance(hours=5)
    account.faults.add("GET", "/v2/routes", status=503)
    account.set_webhook_format("compact")
    record(account)


@pytest.mark.parametrize("n", range(COUNT))
def test_sync(flowroute_sandbox, n):
    client = flowroute_sandbox.client()
    assert list(client.numbers.list()) == []
    dirty(flowroute_sandbox)
    assert len(list(client.numbers.list())) == 1


@pytest.mark.parametrize("n", range(COUNT))
async def test_async(flowroute_sandbox, n):
    client = flowroute_sandbox.async_client()
    assert await client.numbers.list().to_list() == []
    dirty(flowroute_sandbox)
    assert len(await client.numbers.list().to_list()) == 1
"""


def run_user_suite(pytester: pytest.Pytester, *args: str) -> dict[str, str]:
    """Run USER_SUITE in a new process; the credentials of every account its tests used."""
    keys = pytester.mkdir("keys")
    pytester.makeini(
        "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    )
    pytester.makepyfile(test_user_suite=USER_SUITE)
    pytester.makeconftest(f"import os\nos.environ['FLOWROUTE_TEST_KEYS'] = {str(keys)!r}\n")
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=2 * TESTS_PER_KIND)
    return {path.name: path.read_text() for path in keys.iterdir()}


def test_every_test_gets_its_own_account_and_leaks_nothing(pytester: pytest.Pytester) -> None:
    used = run_user_suite(pytester)
    assert len(used) == 2 * TESTS_PER_KIND  # a new key for every test


def test_xdist_workers_with_a_sandbox_each(pytester: pytest.Pytester) -> None:
    used = run_user_suite(pytester, "-n", "2")
    assert len(used) == 2 * TESTS_PER_KIND


def test_xdist_workers_sharing_one_sandbox(
    pytester: pytest.Pytester, flowroute_sandbox_server: SandboxServer
) -> None:
    used = run_user_suite(
        pytester, "-n", "2", "--flowroute-sandbox-url", flowroute_sandbox_server.base_url
    )
    assert len(used) == 2 * TESTS_PER_KIND
    # The accounts live on the shared sandbox: each holds the one number its test seeded.
    for key, secret in used.items():
        with flowroute_sandbox_server.client(access_key=key, secret_key=secret) as client:
            assert len(list(client.numbers.list())) == 1


def test_every_fixture_has_a_docstring(pytester: pytest.Pytester) -> None:
    pytester.makeini("[pytest]\nasyncio_default_fixture_loop_scope = function\n")
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    lines = result.outlines
    for name in ("flowroute_sandbox", "flowroute_sandbox_server", "flowroute_sandbox_accounts"):
        (at,) = [i for i, line in enumerate(lines) if re.match(rf"{name}( \[.*\])? -- ", line)]
        description = lines[at + 1].strip()
        assert description and description != "no docstring available", name


def test_accounts_are_minted_with_random_credentials(
    flowroute_sandbox_server: SandboxServer,
) -> None:
    url = f"{flowroute_sandbox_server.base_url}/_sandbox/accounts"
    answer = httpx2.post(url, json={"count": 3})
    assert answer.status_code == 201
    minted = answer.json()["data"]
    assert len({m["access_key"] for m in minted}) == 3
    assert all(len(m["secret_key"]) >= 40 for m in minted)  # 256 random bits, URL-safe
    assert answer.json()["send_limits"] == {"sms_per_second": 1000.0, "mms_per_second": 1000.0}
    key, secret = minted[0]["access_key"], minted[0]["secret_key"]
    with httpx2.Client(base_url=flowroute_sandbox_server.base_url) as http:
        assert http.get("/v2/numbers", auth=(key, secret)).json()["data"] == []
        assert_error(http.get("/v2/numbers", auth=(key, secret + "x")), 401, "Authentication")
    assert httpx2.post(url).status_code == 201  # no body: one account


@pytest.mark.parametrize("count", [0, BATCH * 4, -1, "3", 1.5, None, True])
def test_a_bad_count_is_refused(flowroute_sandbox_server: SandboxServer, count: object) -> None:
    url = f"{flowroute_sandbox_server.base_url}/_sandbox/accounts"
    answer = httpx2.post(url, json={"count": count})
    if count is None or count == "3":  # default, and digits in a string, as everywhere
        assert answer.status_code == 201
        return
    assert_error(answer, 400, "count must be")


def test_minted_secrets_are_stored_hashed(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with running(SandboxSettings(db=str(db))) as server:
        minted = httpx2.post(f"{server.base_url}/_sandbox/accounts").json()["data"][0]
    stored = sqlite3.connect(db).execute("SELECT secret_hash FROM accounts").fetchall()
    assert stored and all(minted["secret_key"] not in row[0] for row in stored)


def test_strict_auth_mints_nothing() -> None:
    with running(SandboxSettings(strict_auth={"team": "s3cret"})) as server:
        answer = httpx2.post(f"{server.base_url}/_sandbox/accounts", json={"count": 1})
    assert_error(answer, 403, "strict auth")
