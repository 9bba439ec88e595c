"""Numbers on the wire, with a plain HTTP client: statuses, envelopes, links and error bodies."""

from __future__ import annotations

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import assert_error


def test_area_codes_envelope_and_links(
    raw: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    body = raw.get(
        "/v2/numbers/available/areacodes", params={"max_setup_cost": "3", "limit": 3}
    ).json()
    base = flowroute_sandbox.base_url
    assert set(body) == {"data", "links"}
    assert body["data"][0] == {
        "type": "areacode",
        "id": "201",
        "links": {"related": f"{base}/v2/numbers/available/exchanges?areacode=201"},
    }
    assert body["links"] == {
        "self": f"{base}/v2/numbers/available/areacodes?max_setup_cost=3&limit=3&offset=0",
        "next": f"{base}/v2/numbers/available/areacodes?max_setup_cost=3&limit=3&offset=3",
    }


def test_next_link_only_when_another_page_exists(raw: httpx2.Client) -> None:
    every = raw.get("/v2/numbers/available/areacodes", params={"limit": 400}).json()
    assert "next" not in every["links"]
    count = len(every["data"])
    last = raw.get(
        "/v2/numbers/available/areacodes", params={"limit": 5, "offset": count - 5}
    ).json()
    assert len(last["data"]) == 5 and "next" not in last["links"]
    assert (
        "next"
        in raw.get(
            "/v2/numbers/available/areacodes", params={"limit": 5, "offset": count - 6}
        ).json()["links"]
    )


def test_search_prepends_country_code_in_self_link(
    raw: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    body = raw.get(
        "/v2/numbers/available",
        params={"starts_with": 646, "contains": 3, "ends_with": 7, "limit": 3},
    ).json()
    assert body["links"]["self"] == (
        f"{flowroute_sandbox.base_url}/v2/numbers/available?contains=3&ends_with=7&starts_with=1646&limit=3&offset=0"
    )
    item = body["data"][0]
    assert item["type"] == "number" and item["id"] == item["attributes"]["value"]
    assert item["links"]["related"].endswith(f"/v2/numbers/{item['id']}")
    assert {"rate_center", "monthly_cost", "setup_cost", "state", "number_type"} <= set(
        item["attributes"]
    )


def test_exchange_related_links(raw: httpx2.Client) -> None:
    body = raw.get("/v2/numbers/available/exchanges", params={"areacode": 347, "limit": 3}).json()
    first = body["data"][0]
    assert first["type"] == "exchange" and first["id"].startswith("347")
    assert first["links"]["related"].endswith(f"/v2/numbers/available?starts_with=1{first['id']}")
    assert body["links"]["self"].endswith(
        "/v2/numbers/available/exchanges?areacode=347&limit=3&offset=0"
    )


def test_purchase_is_201_with_number_document(raw: httpx2.Client) -> None:
    number = raw.get("/v2/numbers/available", params={"limit": 1}).json()["data"][0]["id"]
    response = raw.post(f"/v2/numbers/{number}")  # no body, like the official SDKs
    assert response.status_code == 201
    doc = response.json()
    assert doc["data"]["relationships"]["primary_route"] == {"data": {"type": "route", "id": "0"}}
    assert doc["included"][0]["attributes"] == {
        "alias": "sip-reg",
        "edge_strategy_id": None,
        "route_type": "sip-reg",
        "value": None,
    }
    assert doc["data"]["attributes"]["status"] == "PURCHASED"


def test_purchase_options_as_query_or_body(raw: httpx2.Client) -> None:
    first, second = (
        n["id"] for n in raw.get("/v2/numbers/available", params={"limit": 2}).json()["data"]
    )
    by_query = raw.post(
        f"/v2/numbers/{first}",
        params={"cnam_lookups_enabled": "False", "messaging_enabled": "True"},
    )
    assert by_query.json()["data"]["attributes"]["cnam_lookups_enabled"] is False
    by_body = raw.post(f"/v2/numbers/{second}", json={"cnam_lookups_enabled": False})
    assert by_body.json()["data"]["attributes"]["cnam_lookups_enabled"] is False


def test_update_alias_without_content_type(
    raw: httpx2.Client, flowroute_sandbox: SandboxServer
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    # The official Python SDK sends this body with no Content-Type at all.
    response = raw.patch(f"/v2/numbers/{number}", content=b'{"alias":"Home","type":"number"}')
    assert response.status_code == 200
    assert response.json()["data"]["attributes"]["alias"] == "Home"


def test_release_is_204_empty(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    response = raw.delete(f"/v2/numbers/{number}")
    assert response.status_code == 204 and response.content == b""
    assert_error(
        raw.delete(f"/v2/numbers/{number}"), 404, "Could not find that resource on your account."
    )


def test_tolerates_client_quirks(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.seed_numbers(2)
    assert len(raw.get("/v2/numbers?").json()["data"]) == 2  # Node demo's bare "?"
    assert raw.get("/v2/numbers?limit=10&offset=0&null").status_code == 200  # Node's bare null
    assert raw.get("/v2/numbers/").status_code == 200  # trailing slash


@pytest.mark.parametrize(
    ("path", "params", "status", "detail"),
    [
        ("/v2/numbers/123", None, 400, "not a valid phone number id"),
        ("/v2/numbers/02065550100", None, 400, "not a valid phone number id"),
        ("/v2/numbers", {"limit": 201}, 400, "limit must be at most 200"),
        ("/v2/numbers/available/areacodes", {"limit": 401}, 400, "limit must be at most 400"),
        ("/v2/numbers", {"limit": 0}, 400, "limit must be at least 1"),
        ("/v2/numbers", {"offset": -1}, 400, "offset must be at least 0"),
        ("/v2/numbers", {"limit": "ten"}, 400, "limit must be an integer"),
        (
            "/v2/numbers/available",
            {"starts_with": "abc"},
            400,
            "starts_with must contain only digits",
        ),
        ("/v2/numbers/available", {"order_by": "price,up"}, 400, "order_by must be FIELD,asc|desc"),
        ("/v2/numbers/12065550100", None, 404, "Could not find that resource on your account."),
        ("/v2/nothing-here", None, 404, "No such endpoint"),
    ],
)
def test_bad_requests(
    raw: httpx2.Client, path: str, params: dict[str, object] | None, status: int, detail: str
) -> None:
    assert_error(raw.get(path, params=params), status, detail)  # type: ignore[arg-type]


def test_401_without_or_with_wrong_credentials(flowroute_sandbox: SandboxServer) -> None:
    url = f"{flowroute_sandbox.base_url}/v2/numbers"
    error = assert_error(httpx2.get(url), 401, "Authentication failed.")
    assert error["title"] == "Unauthorized"
    assert_error(
        httpx2.get(url, auth=(flowroute_sandbox.access_key, "wrong")), 401, "Authentication failed."
    )
    assert_error(
        httpx2.get(url, headers={"Authorization": "Basic !!!"}), 401, "Authentication failed."
    )


def test_405_body(raw: httpx2.Client) -> None:
    assert_error(raw.put("/v2/numbers"), 405, "The method is not allowed for the requested URL.")


def test_buying_unavailable_or_owned(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    assert_error(raw.post(f"/v2/numbers/{number}"), 400, "already on your account")
    assert_error(raw.post("/v2/numbers/12125550000"), 404, "not available for purchase")


def test_invalid_json_body_is_400(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    assert_error(raw.patch(f"/v2/numbers/{number}", content=b"{not json"), 400, "not valid JSON")
    assert_error(
        raw.patch(f"/v2/numbers/{number}", json={"type": "route"}), 400, "type must be 'number'"
    )
    assert_error(raw.patch(f"/v2/numbers/{number}", json={"alias": "x" * 65}), 422, "at most 64")


def test_numbers_details_wire(raw: httpx2.Client, flowroute_sandbox: SandboxServer) -> None:
    first, second = flowroute_sandbox.seed_numbers(2)
    response = raw.post("/v2/numbers/details", json={"numbers": [f"+{first}", second]})
    assert response.status_code == 200
    doc = response.json()
    assert [item["id"] for item in doc["data"]] == [first, second]
    assert doc["data"][0]["relationships"]["primary_route"]["data"]["id"] == "0"
    assert [item["id"] for item in doc["included"]] == ["0"]
    assert_error(raw.post("/v2/numbers/details", json={"numbers": []}), 400, "1 to 200 numbers")
    assert_error(raw.post("/v2/numbers/details", json={"numbers": ["+1206"]}), 400, "not a valid")
