"""What the sandbox's store promises on SQLite and PostgreSQL alike: ids are never reused, E911
duplicates are judged on the whole address by the database itself, secrets are stored hashed,
and faults belong to (and hit) only the account that added them."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest

from flowroute.sandbox import SandboxSettings, running
from flowroute.sandbox.server import SandboxServer

from ..support import ADDRESS as SAMPLE_ADDRESS
from ..support import assert_error

ADDRESS = {**SAMPLE_ADDRESS, "address_type": "Suite", "address_type_number": "600"}
ROUTE = {"alias": "r", "route_type": "host", "value": "sip.example.com"}
EXPORT = {
    "data": {
        "attributes": {
            "filter_parameters": {
                "start_call_start_time": "2026-01-01 00:00:00",
                "start_call_end_time": "2026-01-02 00:00:00",
            }
        }
    }
}


def _http(server: SandboxServer) -> httpx2.Client:
    return httpx2.Client(base_url=server.base_url, auth=(server.access_key, server.secret_key))


def _create(http: httpx2.Client, path: str, attributes: dict[str, Any]) -> str:
    response = http.post(path, json={"data": {"attributes": attributes}})
    assert response.status_code == 201, response.text
    ident: str = response.json()["data"]["id"]
    return ident


@pytest.mark.parametrize(
    ("path", "variants"),
    [
        ("/v2/routes", [{**ROUTE, "alias": alias} for alias in ("r1", "r2", "r3")]),
        ("/v2/e911s", [{**ADDRESS, "address_type_number": n} for n in ("600", "700", "800")]),
        ("/v2/cnams", [{"value": name} for name in ("ACME ONE", "ACME TWO", "ACME THREE")]),
    ],
)
def test_deleted_ids_are_never_reused(
    any_db_sandbox: SandboxServer, path: str, variants: list[dict[str, Any]]
) -> None:
    with _http(any_db_sandbox) as http:
        first = _create(http, path, variants[0])
        second = _create(http, path, variants[1])
        assert http.delete(f"{path}/{second}").status_code == 204
        third = _create(http, path, variants[2])
        assert int(third) > int(second) > int(first)
        listed = [item["id"] for item in http.get(path).json()["data"]]
        assert second not in listed  # the stale id points nowhere
        assert {first, third} <= set(listed)


def test_export_ids_are_never_reused_after_reset(any_db_sandbox: SandboxServer) -> None:
    body = EXPORT
    with _http(any_db_sandbox) as http:
        first = http.post("/v2/cdrs/exports", json=body).json()["data"]["id"]
        any_db_sandbox.reset()
        again = http.post("/v2/cdrs/exports", json=body).json()["data"]["id"]
        assert int(again) > int(first)


def test_suites_at_one_street_address_are_different_places(any_db_sandbox: SandboxServer) -> None:
    # Flowroute's own e911_demo.py creates Suite 600 and Suite 700 at the same street address.
    with _http(any_db_sandbox) as http:
        _create(http, "/v2/e911s", ADDRESS)
        _create(http, "/v2/e911s", {**ADDRESS, "address_type_number": "700"})
        same = {**ADDRESS, "street_name": "  3RD   ave ", "city": "SEATTLE", "label": "Other"}
        assert_error(http.post("/v2/e911s", json={"data": {"attributes": same}}), 403, "Duplicate")
        assert len(http.get("/v2/e911s").json()["data"]) == 2


def test_concurrent_identical_creates_store_one_address(any_db_sandbox: SandboxServer) -> None:
    with _http(any_db_sandbox) as http:

        def create(_: int) -> int:
            return http.post("/v2/e911s", json={"data": {"attributes": ADDRESS}}).status_code

        with ThreadPoolExecutor(20) as pool:
            statuses = sorted(pool.map(create, range(20)))
        assert statuses == [201] + [403] * 19
        assert len(http.get("/v2/e911s").json()["data"]) == 1


def test_an_update_into_another_records_address_is_a_duplicate(
    any_db_sandbox: SandboxServer,
) -> None:
    with _http(any_db_sandbox) as http:
        _create(http, "/v2/e911s", ADDRESS)
        other = _create(http, "/v2/e911s", {**ADDRESS, "address_type_number": "700"})
        response = http.patch(
            f"/v2/e911s/{other}", json={"data": {"attributes": {"address_type_number": "600"}}}
        )
        assert_error(response, 403, "Duplicate address.")
        assert (
            http.get(f"/v2/e911s/{other}").json()["data"]["attributes"]["address_type_number"]
            == "700"
        )


def test_secrets_are_stored_hashed_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "sandbox.db"
    secret = "a-very-recognisable-secret-4711"
    with running(SandboxSettings(db=str(path)), access_key="k1", secret_key=secret) as sb:
        assert list(sb.client().routes.list())
        assert httpx2.get(f"{sb.base_url}/v2/routes", auth=("k1", "wrong")).status_code == 401
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    assert secret.encode() not in raw
    assert b"pbkdf2_sha256$" in raw
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_fault_needs_the_right_secret(flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.faults.add("GET", "/v2/routes", status=503)
    wrong = httpx2.get(
        f"{flowroute_sandbox.base_url}/v2/routes", auth=(flowroute_sandbox.access_key, "wrong")
    )
    assert_error(wrong, 401, "Authentication failed.")
    assert len(flowroute_sandbox.faults.list()) == 1  # not consumed by the impostor
    with _http(flowroute_sandbox) as http:
        assert http.get("/v2/routes").status_code == 503


def test_download_faults_belong_to_the_exports_account(
    flowroute_sandbox: SandboxServer, other_account: tuple[Any, Any]
) -> None:
    other_control, _ = other_account
    with _http(flowroute_sandbox) as http:
        http.post("/v2/cdrs/exports", json=EXPORT)
        flowroute_sandbox.clock.advance(seconds=10)
        (item,) = http.get("/v2/cdrs/exports").json()["data"]
        url = item["data"]["attributes"]["download_url"]
    # Another account's download fault is its own: listed and cleared by it, never ours.
    other_control.faults.add("GET", "/cdr-downloads/*", status=500)
    assert flowroute_sandbox.faults.list() == []
    assert httpx2.get(url).status_code == 200
    assert len(other_control.faults.list()) == 1
    other_control.faults.clear()
    # Our own download fault hits our download, and shows in our list until used.
    flowroute_sandbox.faults.add("GET", "/cdr-downloads/*", status=500)
    assert len(flowroute_sandbox.faults.list()) == 1
    assert httpx2.get(url).status_code == 500
    assert flowroute_sandbox.faults.list() == []
