"""Routes on the wire: 201 documents, 403/404/422 bodies, both assignment body forms."""

from __future__ import annotations

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import assert_error


def create(raw: httpx2.Client, **attributes: object) -> httpx2.Response:
    return raw.post("/v2/routes", json={"data": {"type": "route", "attributes": attributes}})


def test_create_201_document(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    response = create(raw, alias="new route", route_type="host", value="il775u.sonsofodin.com")
    assert response.status_code == 201
    doc = response.json()
    route_id = doc["data"]["id"]
    assert doc == {
        "data": {
            "type": "route",
            "id": route_id,
            "attributes": {
                "alias": "new route",
                "edge_strategy_id": None,
                "route_type": "host",
                "value": "il775u.sonsofodin.com",
            },
            "links": {"self": f"{flowroute_sandbox.base_url}/v2/routes/{route_id}"},
        },
        "links": {"self": f"{flowroute_sandbox.base_url}/v2/routes/{route_id}"},
    }


def test_python_sdk_body_variants(raw: httpx2.Client) -> None:
    # JSON string with charset, and the Python demo's "edge_strategy": "1" key.
    body = (
        b'{"data": {"type": "route", "attributes": {"route_type": "host", '
        b'"value": "1.2.3.4:5060", "alias": "demo", "edge_strategy": "1"}}}'
    )
    response = raw.post(
        "/v2/routes", content=body, headers={"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201
    assert response.json()["data"]["attributes"]["edge_strategy_id"] == 1


def test_compact_create(raw: httpx2.Client) -> None:
    response = raw.post(
        "/v2/routes", json={"alias": "flat", "route_type": "uri", "value": "sip:a@b.com"}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("attributes", "detail"),
    [
        ({"route_type": "host", "value": "a.com"}, "alias is required"),
        (
            {"alias": "x", "route_type": "pstn", "value": "a.com"},
            "route_type must be one of host, number, uri",
        ),
        (
            {"alias": "x", "route_type": "number", "value": "555-1234"},
            "not valid for a number route",
        ),
        ({"alias": "x", "route_type": "uri", "value": "alice"}, "not valid for a uri route"),
        (
            {"alias": "x", "route_type": "host", "value": "a.com", "edge_strategy_id": 99},
            "is not an edge strategy",
        ),
    ],
)
def test_invalid_route_is_422(
    raw: httpx2.Client, attributes: dict[str, object], detail: str
) -> None:
    assert_error(create(raw, **attributes), 422, detail)


def test_duplicate_alias_is_403(raw: httpx2.Client) -> None:
    assert create(raw, alias="same", route_type="host", value="a.com").status_code == 201
    assert_error(create(raw, alias="same", route_type="host", value="a.com"), 403, "already exists")


def test_list_envelope_and_filter(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    for i in range(3):
        create(raw, alias=f"r{i}", route_type="host", value=f"h{i}.example.com")
    body = raw.get("/v2/routes", params={"limit": 2}).json()
    assert body["data"][0]["id"] == "0"
    assert body["links"]["next"] == f"{flowroute_sandbox.base_url}/v2/routes?limit=2&offset=2"
    last = raw.get("/v2/routes", params={"limit": 2, "offset": 2}).json()
    assert len(last["data"]) == 2 and "next" not in last["links"]
    assert_error(
        raw.get("/v2/routes", params={"route_type": "HOST"}), 400, "route_type must be one of"
    )


def test_update_route(raw: httpx2.Client) -> None:
    route_id = create(raw, alias="u", route_type="host", value="a.com").json()["data"]["id"]
    response = raw.patch(
        f"/v2/routes/{route_id}/",
        json={"data": {"type": "route", "attributes": {"value": "b.com:5061"}}},
    )
    assert (
        response.status_code == 200
        and response.json()["data"]["attributes"]["value"] == "b.com:5061"
    )
    assert_error(
        raw.patch(f"/v2/routes/{route_id}", json={"data": {"attributes": {"value": "sip:x"}}}),
        422,
        "host route",
    )
    assert_error(
        raw.patch("/v2/routes/0", json={"data": {"attributes": {"alias": "x"}}}), 403, "built in"
    )
    assert_error(raw.patch("/v2/routes/abc", json={}), 400, "Route id must be numeric")


def test_assignment_body_forms_and_delete_in_use(
    raw: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    route_id = create(raw, alias="p", route_type="host", value="a.com").json()["data"]["id"]
    path = f"/v2/numbers/{number}/relationships"
    wrapped = raw.patch(
        f"{path}/primary_route", content=f'{{"data":{{"type":"route","id":"{route_id}"}}}}'.encode()
    )
    assert wrapped.status_code == 204 and wrapped.content == b""
    compact = raw.patch(
        f"{path}/failover_route",
        json={"id": route_id},
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert compact.status_code == 204
    relationships = raw.get(f"/v2/numbers/{number}").json()["data"]["relationships"]
    assert relationships["primary_route"]["data"] == {"type": "route", "id": route_id}
    assert relationships["failover_route"]["data"] == {"type": "route", "id": route_id}

    error = assert_error(
        raw.delete(f"/v2/routes/{route_id}"),
        403,
        "Please disassociate all numbers before deleting.",
    )
    assert error["title"] == "This Route has numbers still associated to it."

    assert raw.delete(f"{path}/primary_route").status_code == 204
    assert raw.delete(f"{path}/failover_route").status_code == 204
    assert raw.delete(f"/v2/routes/{route_id}").status_code == 204
    assert_error(raw.delete(f"/v2/routes/{route_id}"), 404, "was not found")
    assert_error(
        raw.patch(f"{path}/primary_route", json={"data": {"type": "route"}}),
        422,
        "must name the route",
    )


def test_edge_strategies_have_integer_ids(raw: httpx2.Client) -> None:
    data = raw.get("/v2/routes/edge_strategies").json()["data"]
    assert all(isinstance(item["id"], int) and item["type"] == "edge_strategy" for item in data)
    east = next(item for item in data if item["id"] == 4)
    assert east["attributes"]["name"] == "US-East-VA"
    assert east["attributes"]["firewall_rules"] == "34.226.36.32/28, 34.226.36.32-34.226.36.47"
