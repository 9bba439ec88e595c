"""The inbox's pages over plain HTTP: pagination, unknown accounts and parameters, the
security headers, and thumbnails that cannot be had."""

from __future__ import annotations

import re

import httpx2

from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

from ..support import CUSTOMER, inbox


def _bodies(html: str) -> list[str]:
    return re.findall(r'<p class="body">([^<]*)</p>', html)


def test_threads_and_messages_come_fifty_a_page_newest_first(
    flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client
) -> None:
    sb = flowroute_sandbox
    for i in range(60):
        sb.inject_inbound(from_=CUSTOMER, to=number, body=f"text {i}", wait=False)
        sb.clock.advance(seconds=1, wait=False)
    for i in range(51):
        sb.inject_inbound(from_=f"1312555{1000 + i}", to=number, body=f"hello {i}", wait=False)
    newest = raw.get(inbox(sb, mine=number, other=CUSTOMER)).text
    assert _bodies(newest) == [f"text {i}" for i in range(10, 60)]  # oldest to newest
    older = re.search(r'href="([^"]*older=50)" rel="next">Older', newest)
    assert older is not None
    assert _bodies(raw.get(older.group(1).replace("&amp;", "&")).text) == [
        f"text {i}" for i in range(10)
    ]
    threads = raw.get(inbox(sb)).text
    assert threads.count('<a id="thread-') == 50
    assert "+12065550123" not in threads  # the 52nd thread, by age
    second = raw.get(inbox(sb, page="1")).text
    assert second.count('<a id="thread-') == 2 and "+12065550123" in second


def test_pages_are_locked_down_and_refuse_what_they_cannot_show(
    flowroute_sandbox: SandboxServer, raw: httpx2.Client
) -> None:
    page = raw.get(inbox(flowroute_sandbox))
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["x-content-type-options"] == "nosniff"
    unknown = raw.get("/_sandbox/ui?account=nobody-at-all")
    assert unknown.status_code == 404
    assert "no account &#x27;nobody-at-all&#x27;" in unknown.text
    bad = raw.get(inbox(flowroute_sandbox, mine="<script>", other=CUSTOMER))
    assert bad.status_code == 400 and "<script>" not in bad.text
    assert raw.get("/_sandbox/ui/static/../../settings.py").status_code == 404
    assert raw.get("/_sandbox/ui/events?view=nothing").status_code == 404
    odd = raw.get(inbox(flowroute_sandbox) + "&view=x&since=y&path=z")
    assert odd.status_code == 200  # unknown parameters are carried along, never a 500


def test_a_thumbnail_that_cannot_be_fetched_is_a_placeholder(
    flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client
) -> None:
    media = [{"url": "http://203.0.113.9/cat.png", "mime_type": "image/png", "file_size": 9}]
    sent = flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="pic", media=media)
    image = raw.get(inbox(flowroute_sandbox, "/media", message=sent["data"]["id"], index="0"))
    # A loopback sandbox does not contact 203.0.113.9: the policy refuses, the page gets ours.
    assert image.headers["content-type"] == "image/svg+xml"
    assert b"image unavailable" in image.content


def test_an_exposed_sandbox_asks_for_credentials_even_without_strict_auth() -> None:
    with running(SandboxSettings(exposed=True, clock_speed=0)) as sb:
        assert httpx2.get(sb.base_url + "/_sandbox/ui").status_code == 401
        page = httpx2.get(sb.base_url + "/_sandbox/ui?account=someone-else", auth=("me", "pw"))
        assert page.status_code == 200
        assert "Signed in as <strong>me</strong>" in page.text
        assert 'id="account-switch"' not in page.text
