"""A page of another site cannot change the sandbox through the visitor's browser: state-changing
requests that a browser marks as sent for another site are refused for every path (API, control
API, inbox), whatever credentials the browser attaches; code (SDK, CLI, curl) sends no such
header and is never affected."""

from __future__ import annotations

import httpx2
import pytest

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.fresh import SandboxAccount
from flowroute.sandbox.server import running

from ..support import assert_error

EVIL = "http://evil.example"


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": EVIL},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
        {"Origin": "null"},
        {"Origin": "http://127.0.0.1:1"},
    ],
    ids=["origin", "fetch-cross-site", "fetch-same-site", "opaque-origin", "other-port"],
)
def test_state_changing_requests_from_another_site_are_refused(
    flowroute_sandbox: SandboxAccount, headers: dict[str, str]
) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)
    auth = (flowroute_sandbox.access_key, flowroute_sandbox.secret_key)
    base = flowroute_sandbox.base_url
    # A form post or no-cors fetch with the credentials the browser holds for the sandbox.
    attempts = [
        ("POST", "/_sandbox/clock/advance", b'{"seconds": 86400}'),
        ("POST", "/_sandbox/reset", b""),
        ("POST", "/_sandbox/accounts", b'{"count": 100}'),
        ("POST", "/v2.1/messages", b'{"to": "12065550123", "from": "%s", "body": "x"}' % number.encode()),
        ("DELETE", f"/v2/numbers/{number}", b""),
    ]  # fmt: skip
    for method, path, body in attempts:
        answer = httpx2.request(
            method, base + path, content=body, auth=auth,
            headers={**headers, "Content-Type": "text/plain"},
        )  # fmt: skip
        assert_error(answer, 403, "Cross-site request refused")
    assert flowroute_sandbox.call("GET", "/clock")["offset_seconds"] == 0
    assert flowroute_sandbox.outbox() == []
    with flowroute_sandbox.client() as client:
        assert [n.id for n in client.numbers.list()] == [number]


def test_reads_and_same_origin_pages_are_answered(flowroute_sandbox: SandboxAccount) -> None:
    auth = (flowroute_sandbox.access_key, flowroute_sandbox.secret_key)
    base = flowroute_sandbox.base_url
    assert httpx2.get(f"{base}/v2/numbers", auth=auth, headers={"Origin": EVIL}).status_code == 200
    same = {"Origin": base, "Sec-Fetch-Site": "same-origin"}
    answer = httpx2.post(
        f"{base}/_sandbox/clock/advance", json={"seconds": 60}, auth=auth, headers=same
    )
    assert answer.status_code == 200
    typed = {"Sec-Fetch-Site": "none"}  # the user typed the address: not another site's doing
    assert httpx2.post(f"{base}/_sandbox/reset", auth=auth, headers=typed).status_code == 200


def test_an_exposed_sandbox_behind_a_proxy_accepts_its_forwarded_host() -> None:
    with running(SandboxSettings(exposed=True)) as server:
        auth = (server.access_key, server.secret_key)
        url = f"{server.base_url}/_sandbox/reset"
        proxied = {"Origin": "https://sandbox.example", "X-Forwarded-Host": "sandbox.example"}
        assert httpx2.post(url, auth=auth, headers=proxied).status_code == 200
        forged = {"Origin": EVIL, "X-Forwarded-Host": "sandbox.example"}
        assert_error(httpx2.post(url, auth=auth, headers=forged), 403, "Origin http://evil.example")
