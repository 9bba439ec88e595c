"""Messaging on the wire: every body variant the official SDKs send, status codes, error bodies."""

from __future__ import annotations

import httpx2
import pytest

from flowroute.sandbox.server import SandboxServer

from ..support import assert_error

TO = "12065550123"


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    return flowroute_sandbox.seed_numbers(1)[0]


def test_send_is_202_with_mdr2_id(
    raw: httpx2.Client, number: str, flowroute_sandbox: SandboxServer
) -> None:
    response = raw.post(
        "/v2.1/messages",
        json={"data": {"type": "message", "attributes": {"to": TO, "from": number, "body": "hi"}}},
    )
    assert response.status_code == 202
    data = response.json()["data"]
    assert set(data) == {"type", "id", "links"} and data["type"] == "message"
    assert data["id"].startswith("mdr2-") and len(data["id"]) == 37
    assert data["links"]["self"] == f"{flowroute_sandbox.base_url}/v2.1/messages/{data['id']}"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        # Python SDK: a JSON string, vnd.api+json with charset; MMS flag as the string "true".
        (
            b'{"data": {"type": "message", "attributes": {"to": "%s", "from": "%s", "body": "x", "is_mms": "true"}}}',
            "application/vnd.api+json; charset=utf-8",
        ),
        # Node SDK: application/json, is_mms "false".
        (
            b'{"data":{"type":"message","attributes":{"to":"%s","from":"%s","body":"x","is_mms":"false"}}}',
            "application/json; charset=utf-8",
        ),
        # PHP/.NET models and many apps: the compact body, no is_mms.
        (b'{"to": "%s", "from": "%s", "body": "x"}', "application/json"),
        # No Content-Type at all.
        (b'{"to": "%s", "from": "%s", "body": "x", "is_mms": false}', None),
    ],
)
def test_every_sdk_body_variant(
    raw: httpx2.Client, number: str, content: bytes, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = raw.post(
        "/v2.1/messages", content=content % (TO.encode(), number.encode()), headers=headers
    )
    assert response.status_code == 202, response.text
    record = raw.get(f"/v2.1/messages/{response.json()['data']['id']}").json()["data"]["attributes"]
    assert record["is_mms"] is (b'"is_mms": "true"' in content)


def test_mdr_shape(raw: httpx2.Client, number: str, flowroute_sandbox: SandboxServer) -> None:
    message_id = raw.post(
        "/v2.1/messages", json={"to": TO, "from": number, "body": "test sms"}
    ).json()["data"]["id"]
    flowroute_sandbox.clock.advance(seconds=5)
    doc = raw.get(f"/v2.1/messages/{message_id}").json()
    attributes = doc["data"]["attributes"]
    assert set(attributes) == {
        "amount_display",
        "amount_nanodollars",
        "body",
        "delivery_receipts",
        "direction",
        "from",
        "is_mms",
        "message_encoding",
        "message_type",
        "status",
        "timestamp",
        "to",
    }
    assert attributes["amount_display"] == "$0.0040" and attributes["amount_nanodollars"] == 4000000
    assert attributes["timestamp"].endswith("Z") and len(attributes["timestamp"].split(".")[1]) == 3
    assert [r["level"] for r in attributes["delivery_receipts"]] == [2, 1]
    assert attributes["delivery_receipts"][0]["status_code"] == 1003


def test_list_needs_start_date_and_accepts_sdk_date_forms(raw: httpx2.Client, number: str) -> None:
    raw.post("/v2.1/messages", json={"to": TO, "from": number, "body": "x"})
    assert_error(raw.get("/v2.1/messages"), 400, "start_date is required")
    assert_error(
        raw.get("/v2.1/messages", params={"start_date": "yesterday"}), 400, "start_date must be"
    )
    for start in (
        "2017-12-01",
        "2017-12-01T00:00:00",
        "2017-12-01T00:00:00+00:00",
        "2017-12-01T00:00:00.00Z",
    ):
        body = raw.get("/v2.1/messages/", params={"start_date": start, "limit": 1}).json()
        assert len(body["data"]) == 1 and body["links"] == {}


def test_list_next_link(raw: httpx2.Client, number: str, flowroute_sandbox: SandboxServer) -> None:
    for _ in range(3):
        raw.post("/v2.1/messages", json={"to": TO, "from": number, "body": "x"})
    body = raw.get("/v2.1/messages", params={"start_date": "2017-12-01", "limit": 2}).json()
    assert body["links"]["next"] == (
        f"{flowroute_sandbox.base_url}/v2.1/messages?limit=2&start_date=2017-12-01T00%3A00%3A00%2B00%3A00&offset=2"
    )
    assert "next" not in raw.get(body["links"]["next"]).json()["links"]


@pytest.mark.parametrize(
    ("body", "status", "detail"),
    [
        (
            {"to": "555", "from": "{n}", "body": "x"},
            422,
            "to '555' is not a valid North American number",
        ),
        ({"to": TO, "from": "{n}"}, 422, "body is required for an SMS"),
        (
            {"to": TO, "from": "{n}", "body": "x", "is_mms": "maybe"},
            400,
            "is_mms must be true or false",
        ),
        ({"to": TO, "from": "{n}", "media_urls": "http://x"}, 422, "media_urls must be a list"),
        (
            {"to": TO, "from": "{n}", "body": "x", "dlr_callback": "ftp://x"},
            422,
            "dlr_callback must be an http",
        ),
        ({"to": TO, "from": "12065550100", "body": "x"}, 403, "is not a number on your account"),
        ({"to": "12065550197", "from": "{n}", "body": "x"}, 400, "opted out"),
    ],
)
def test_send_errors(
    raw: httpx2.Client, number: str, body: dict[str, object], status: int, detail: str
) -> None:
    filled = {k: (v.replace("{n}", number) if isinstance(v, str) else v) for k, v in body.items()}
    error = assert_error(raw.post("/v2.1/messages", json=filled), status, detail)
    if "opted out" in detail:
        assert error["code"] == 1110


def test_callback_bodies_every_sdk_sends(raw: httpx2.Client, number: str) -> None:
    url = "https://example.com/hook"
    assert (
        raw.put(
            "/v2.1/messages/sms_callback", json={"data": {"attributes": {"callback_url": url}}}
        ).status_code
        == 204
    )  # Python
    assert (
        raw.put("/v2.1/messages/mms_callback", json={"callback_url": url}).status_code == 204
    )  # PHP/Go
    ruby = b'{:callback_url=>"https://example.com/ruby"}'  # Ruby sends Hash#to_s
    assert raw.put("/v2.1/messages/dlr_callback", content=ruby).status_code == 204
    assert (
        raw.get("/v2.2/messages/sms_dlr_callback").json()["data"]["attributes"]["callback_url"]
        == "https://example.com/ruby"
    )
    assert (
        raw.post(
            f"/v2/numbers/{number}/relationships/dlr_callback",
            json={"data": {"attributes": {"callback_url": url}}},
        ).status_code
        == 204
    )
    assert raw.delete("/v2.2/messages/sms_callback").status_code == 204
    assert_error(raw.get("/v2.2/messages/sms_callback"), 404, "No sms_callback is set")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "detail"),
    [
        (
            "PUT",
            "/v2.1/messages/voice_callback",
            {"callback_url": "https://x.com"},
            400,
            "Unknown callback type 'voice_callback'",
        ),
        ("PUT", "/v2.1/messages/sms_callback", {}, 422, "callback_url"),
        (
            "PUT",
            "/v2.1/messages/sms_callback",
            {"callback_url": "nope"},
            422,
            "callback_url must be an http",
        ),
        (
            "POST",
            "/v2/numbers/12065550100/relationships/sms_callback",
            {"callback_url": "https://x.com"},
            404,
            "Could not find",
        ),
        ("GET", "/v2.1/messages/mdr2-00000000000000000000000000000000", None, 404, "was not found"),
    ],
)
def test_callback_and_lookup_errors(
    raw: httpx2.Client, method: str, path: str, body: object, status: int, detail: str
) -> None:
    assert_error(raw.request(method, path, json=body), status, detail)
