"""E911, CNAM and portability on the wire: the request variants the official SDKs send."""

from __future__ import annotations

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import OFFICE_ADDRESS, assert_error

E911 = OFFICE_ADDRESS


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    return flowroute_sandbox.seed_numbers(1)[0]


def test_e911_statuses_and_shapes(
    raw: httpx2.Client, number: str, flowroute_sandbox: SandboxServer
) -> None:
    body = {"data": {"type": "e911", "attributes": E911}}
    # The Python SDK sends these with no Content-Type; .NET says "e911s".
    validated = raw.post(
        "/v2/e911s/validate", content=httpx2.Request("POST", "/", json=body).content
    )
    assert validated.status_code == 204 and validated.content == b""
    created = raw.post("/v2/e911s", json={"data": {"type": "e911s", "attributes": E911}})
    assert created.status_code == 201
    record = created.json()["data"]
    assert record["type"] == "e911" and record["id"].isdigit()
    assert record["attributes"]["address_type"] == "" and record["attributes"]["zip"] == "98119"
    assert record["links"]["self"] == f"{flowroute_sandbox.base_url}/v2/e911s/{record['id']}"
    assign = raw.patch(f"/v2/numbers/{number}/relationships/e911s/{record['id']}")
    assert assign.status_code == 204 and assign.content == b""
    listed = raw.get(f"/v2/e911s/{record['id']}/relationships/numbers").json()
    assert listed["data"][0]["id"] == number and listed["data"][0]["attributes"]["value"] == number
    assert raw.delete(f"/v2/numbers/{number}/relationships/e911s").status_code == 204
    assert raw.delete(f"/v2/e911s/{record['id']}").status_code == 204


def test_e911_errors(raw: httpx2.Client) -> None:
    error = assert_error(
        raw.post("/v2/e911s/validate", json={"data": {"attributes": {**E911, "zip": "12"}}}),
        422,
        "ZIP code",
    )
    assert error["detail"] == {
        "data": {"attributes": {"zip": ["ZIP code must be at least 4 and at most 7 digits long"]}}
    }
    error = assert_error(
        raw.post("/v2/e911s/validate", json={"data": {"attributes": {**E911, "city": "Nowhere"}}}),
        400,
        "Could not geocode",
    )
    assert error["title"] == "Client Error"
    raw.post("/v2/e911s", json={"data": {"attributes": E911}})
    assert_error(
        raw.post("/v2/e911s", json={"data": {"attributes": {**E911, "label": "again"}}}),
        403,
        "Duplicate address.",
    )
    assert_error(raw.get("/v2/e911s", params={"limit": 2001}), 400, "at most 2000")
    assert_error(raw.get("/v2/e911s/abc"), 400, "must be numeric")


def test_cnam_create_variants_and_202(
    raw: httpx2.Client, number: str, flowroute_sandbox: SandboxServer
) -> None:
    form = raw.post(
        "/v2/cnams",
        content=b"value=FR+TEST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.status_code == 201  # the Python SDK's form-encoded create
    record = form.json()["data"]
    assert (
        record["attributes"]["value"] == "FR TEST" and record["attributes"]["is_approved"] is False
    )
    assert record["attributes"]["approval_datetime"] is None
    assert " " in record["attributes"]["creation_datetime"]  # "2018-06-01 00:09:52.513092+00:00"
    node = raw.post(
        "/v2/cnams", json={"value": "Node Abcd"}, headers={"'Content-Type'": "x"}
    )  # Node's odd header
    assert node.status_code == 201
    flowroute_sandbox.clock.advance(hours=48)
    for path in ("cnam", "cnams"):
        accepted = raw.patch(f"/v2/numbers/{number}/relationships/{path}/{record['id']}")
        assert accepted.status_code == 202
        data = accepted.json()["data"]
        assert data["id"] == int(record["id"]) and data["type"] == "cnam"
        assert data["attributes"]["date_created"].endswith(" GMT")
        cleared = raw.delete(f"/v2/numbers/{number}/relationships/{path}")
        assert cleared.status_code == 202 and cleared.json()["data"]["id"] is None
    for flag in ("True", "true"):
        body = raw.get("/v2/cnams", params={"is_approved": flag, "limit": 3}).json()
        assert len(body["data"]) == 2 and f"is_approved={flag}" in body["links"]["self"]
    assert_error(raw.delete("/v2/cnams/999999"), 404, "CNAM record not found. Nothing to delete.")
    assert_error(raw.post("/v2/cnams", json={"value": "X" * 16}), 422, "at most 15 characters")


def test_portability_json_and_form(raw: httpx2.Client) -> None:
    json_body = raw.post(
        "/v2/portorders/portability", json={"numbers": ["+14252081174", "+12125551219"]}
    )
    assert json_body.json()["data"] == {
        "hypernetwork_enabled": ["+14252081174"],
        "nonportable": ["+12125551219"],
        "portable": ["+14252081174"],
    }
    form = raw.post(
        "/v2/portorders/portability",
        content=b"numbers=%2B14252081174&numbers=%2B18002255270",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert form.json()["data"]["portable"] == ["+14252081174", "+18002255270"]
    assert_error(
        raw.post("/v2/portorders/portability", json={"numbers": ["14252081174"]}), 400, "leading +"
    )
