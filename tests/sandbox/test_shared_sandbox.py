"""One sandbox shared by a team: two PostgreSQL workers take 20 concurrent tries at every write
without a 500, a lost update or a duplicate row, and hold one set of send limits between them;
a SQLite file serves one process only."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2
import pytest

from flowroute.sandbox import SandboxSettings, running
from flowroute.sandbox.store.db import DatabaseError

from ..support import ADDRESS, PYTHON_M, Receiver, free_port, serving

TRIES = 20


@pytest.fixture(scope="module")
def shared(module_postgres_database: str) -> Iterator[str]:
    """A ``--workers 2`` sandbox on PostgreSQL with Flowroute's own 5 SMS/s limit."""
    args = ["--db", module_postgres_database, "--workers", "2", "--clock-speed", "0"]
    args += ["--sms-per-second", "5", "--log-level", "warning"]
    with serving(PYTHON_M, *args) as base:
        yield base


def _client(base: str, key: str) -> httpx2.Client:
    # A new connection per request spreads the tries over both workers.
    return httpx2.Client(
        base_url=base, auth=(key, "s"), headers={"Connection": "close"}, timeout=30
    )


def _race(base: str, key: str, call: Callable[[httpx2.Client], httpx2.Response]) -> list[int]:
    """``call`` TRIES times at once (each on its own connection); the statuses, sorted."""

    def one(_: int) -> int:
        with _client(base, key) as http:
            return call(http).status_code

    with ThreadPoolExecutor(TRIES) as pool:
        return sorted(pool.map(one, range(TRIES)))


def _account(base: str) -> str:
    key = f"team-{uuid.uuid4().hex[:10]}"
    with _client(base, key) as http:
        assert http.post("/_sandbox/reset").status_code == 200
    return key


def test_first_use_of_a_new_key(shared: str) -> None:
    key = f"new-{uuid.uuid4().hex[:10]}"
    assert _race(shared, key, lambda http: http.get("/v2/routes")) == [200] * TRIES
    assert _race(shared, key, lambda http: http.get("/v2/routes")) == [200] * TRIES


def test_seed(shared: str) -> None:
    key = _account(shared)
    statuses = _race(shared, key, lambda http: http.post("/_sandbox/seed", json={"numbers": 3}))
    assert set(statuses) <= {201, 409} and 500 not in statuses
    with _client(shared, key) as http:
        owned = [n["id"] for n in http.get("/v2/numbers", params={"limit": 200}).json()["data"]]
    assert len(owned) == len(set(owned)) == 3 * statuses.count(201)


def test_purchase(shared: str) -> None:
    key = _account(shared)
    with _client(shared, key) as http:
        number = http.get("/v2/numbers/available").json()["data"][0]["id"]
    statuses = _race(shared, key, lambda http: http.post(f"/v2/numbers/{number}"))
    assert statuses == [201] + [400] * (TRIES - 1)
    with _client(shared, key) as http:
        assert [n["id"] for n in http.get("/v2/numbers").json()["data"]] == [number]


def test_route_alias(shared: str) -> None:
    key = _account(shared)
    route = {
        "data": {"attributes": {"alias": "pbx", "route_type": "host", "value": "sip.example.com"}}
    }
    statuses = _race(shared, key, lambda http: http.post("/v2/routes", json=route))
    assert statuses == [201] + [403] * (TRIES - 1)
    with _client(shared, key) as http:
        aliases = [r["attributes"]["alias"] for r in http.get("/v2/routes").json()["data"]]
    assert aliases == ["sip-reg", "pbx"]


def test_e911_create(shared: str) -> None:
    key = _account(shared)
    body = {"data": {"attributes": ADDRESS}}
    statuses = _race(shared, key, lambda http: http.post("/v2/e911s", json=body))
    assert statuses == [201] + [403] * (TRIES - 1)
    with _client(shared, key) as http:
        assert len(http.get("/v2/e911s").json()["data"]) == 1


def test_clock_advance_loses_no_update(shared: str) -> None:
    key = _account(shared)
    with _client(shared, key) as http:
        before = http.get("/_sandbox/clock").json()["offset_seconds"]
    statuses = _race(
        shared, key, lambda http: http.post("/_sandbox/clock/advance", json={"seconds": 60})
    )
    assert statuses == [200] * TRIES
    with _client(shared, key) as http:
        after = http.get("/_sandbox/clock").json()["offset_seconds"]
    assert after - before == 60 * TRIES


def test_opt_out(shared: str) -> None:
    key = _account(shared)
    with _client(shared, key) as http:
        (number,) = http.post("/_sandbox/seed", json={"numbers": 1}).json()["numbers"]
    stop = {"from": "12065550111", "to": number, "body": "STOP"}
    statuses = _race(shared, key, lambda http: http.post("/_sandbox/inbound", json=stop))
    assert statuses == [201] * TRIES
    with _client(shared, key) as http:
        answer = http.post(
            "/v2.1/messages", json={"from": number, "to": "12065550111", "body": "hi"}
        )
    assert answer.status_code == 400 and answer.json()["errors"][0]["code"] == 1110


def test_send_limit_holds_across_workers(shared: str, receiver: Receiver) -> None:
    key = _account(shared)
    with _client(shared, key) as http:
        (number,) = http.post("/_sandbox/seed", json={"numbers": 1}).json()["numbers"]
        http.put("/v2.1/messages/sms_dlr_callback", json={"callback_url": f"{receiver.url}/dlr"})
    message = {"from": number, "to": "12065550123", "body": "hello"}
    statuses = _race(shared, key, lambda http: http.post("/v2.1/messages", json=message))
    # 20 tries inside much less than a second, over two workers: Flowroute's 5 a second.
    assert statuses.count(202) <= 5 and set(statuses) == {202, 429}
    with _client(shared, key) as http:
        sent = http.get("/_sandbox/outbox").json()["data"]
        assert len(sent) == statuses.count(202)
        # Each receipt goes out once, whichever worker's dispatcher claims it.
        http.post("/_sandbox/clock/advance", params={"wait": "true"}, json={"seconds": 10})
    deadline = time.monotonic() + 10
    while len(receiver.requests) < 2 * len(sent) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # a duplicate, if any, would arrive by now (real receiver, real workers)
    received = [(b["data"]["id"], b["data"]["attributes"]["level"]) for b in receiver.bodies()]
    assert sorted(received) == sorted({(m["id"], level) for m in sent for level in (1, 2)})


def test_faults_hold_across_workers(shared: str) -> None:
    key = _account(shared)
    with _client(shared, key) as http:
        fault = {"method": "GET", "path": "/v2/routes", "status": 503, "count": 3}
        assert http.post("/_sandbox/faults", json=fault).status_code == 201
    statuses = _race(shared, key, lambda http: http.get("/v2/routes"))
    assert statuses == [200] * (TRIES - 3) + [503] * 3
    with _client(shared, key) as http:
        assert http.get("/_sandbox/faults").json()["data"] == []


def test_a_sqlite_file_serves_one_process(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with running(SandboxSettings(db=str(db))):
        with pytest.raises(DatabaseError, match="in use by another sandbox process"):
            running(SandboxSettings(db=str(db))).__enter__()
        result = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
            [
                sys.executable,
                "-m",
                "flowroute.sandbox",
                "--db",
                str(db),
                "--port",
                str(free_port()),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        (line,) = result.stderr.strip().splitlines()
        assert "is in use by another sandbox process" in line and "postgresql" in line
    with running(SandboxSettings(db=str(db))) as again:  # free once the first has stopped
        assert httpx2.get(f"{again.base_url}/v2/routes", auth=("k", "s")).status_code == 200
