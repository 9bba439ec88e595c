"""Access and usability in a real browser: strict auth shows one account, actions refuse
cross-site requests, the keyboard reaches every view, every control is labelled, no view logs
an error, and a phone-sized screen never scrolls sideways."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from playwright.sync_api import expect

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl, SandboxSettings
from flowroute.sandbox.server import SandboxServer, running

from ..support import CUSTOMER, Console, Receiver, inbox, open_page, png

VIEWS = [("", "Conversations"), ("/webhooks", "Webhooks"), ("/account", "Account")]
ACCOUNTS = {"alice": "alice-secret", "bob": "bob-secret"}


@pytest.fixture(scope="module")
def strict() -> Iterator[SandboxServer]:
    settings = SandboxSettings(clock_speed=0, strict_auth=ACCOUNTS)
    with running(settings, access_key="alice", secret_key=ACCOUNTS["alice"]) as server:
        yield server


def test_strict_auth_asks_for_credentials_and_shows_only_that_account(
    browser: Any, console: Console, strict: SandboxServer
) -> None:
    for key, secret in ACCOUNTS.items():
        control = strict.control(access_key=key, secret_key=secret)
        number = control.seed_numbers(1)[0]
        control.inject_inbound(from_=CUSTOMER, to=number, body=f"a text for {key}")
    refused = httpx2.get(strict.base_url + "/_sandbox/ui")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith('Basic realm="Flowroute sandbox inbox"')
    page = open_page(
        browser,
        console,
        base_url=strict.base_url,
        http_credentials={"username": "alice", "password": ACCOUNTS["alice"]},
    )
    try:
        page.goto("/_sandbox/ui?account=bob")  # the parameter cannot switch accounts here
        expect(page.locator(".who")).to_have_text("Signed in as alice")
        expect(page.locator(".thread-list")).to_contain_text("a text for alice")
        expect(page.locator("main")).not_to_contain_text("a text for bob")
        assert page.locator("#account-switch").count() == 0
        page.get_by_role("link", name="Account").click()
        expect(page).to_have_title("Account alice · alice · Flowroute sandbox inbox")
    finally:
        page.context.close()
    assert console.errors == []


def test_open_auth_on_loopback_switches_between_accounts(
    page: Any,
    flowroute_sandbox: SandboxServer,
    number: str,
    other_account: tuple[SandboxControl, Flowroute],
) -> None:
    other, _ = other_account
    other.inject_inbound(from_=CUSTOMER, to=other.seed_numbers(1)[0], body="for the other one")
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="for the default one")
    page.goto(inbox(flowroute_sandbox))
    threads = page.locator(".thread-list")
    expect(threads).to_contain_text("for the default one")
    page.get_by_label("Account", exact=True).select_option(other.access_key)
    page.get_by_role("button", name="Switch").click()
    expect(threads).to_contain_text("for the other one")
    expect(threads).not_to_contain_text("for the default one")
    expect(page).to_have_title(f"Conversations · {other.access_key} · Flowroute sandbox inbox")


def test_actions_refuse_requests_another_site_could_make(
    flowroute_sandbox: SandboxServer, number: str
) -> None:
    url = flowroute_sandbox.base_url + inbox(flowroute_sandbox, "/actions/account")
    form = {"from": number, "to": CUSTOMER, "body": "forged"}
    no_header = httpx2.post(url, data=form)
    assert no_header.status_code == 403
    assert "X-Flowroute-Inbox: 1" in no_header.json()["errors"][0]["detail"]
    other_origin = httpx2.post(
        url, data=form, headers={"X-Flowroute-Inbox": "1", "Origin": "http://evil.example"}
    )
    assert other_origin.status_code == 403
    assert flowroute_sandbox.outbox() == []
    same = httpx2.post(
        url, data=form, headers={"X-Flowroute-Inbox": "1", "Origin": flowroute_sandbox.base_url}
    )
    assert same.status_code == 200
    assert [m["attributes"]["body"] for m in flowroute_sandbox.outbox()] == ["forged"]


def _tab_to(page: Any, condition: str) -> None:
    """Press Tab until ``condition`` (JavaScript about ``el``, the focused element) holds."""
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {condition})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def test_the_keyboard_alone_reaches_every_view(
    page: Any, flowroute_sandbox: SandboxServer, number: str
) -> None:
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="hello")
    page.goto(inbox(flowroute_sandbox))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    for path, name in [*VIEWS[1:], VIEWS[0]]:
        _tab_to(page, f"el.textContent.trim() === {name!r}")
        page.keyboard.press("Enter")
        expect(page).to_have_url(
            f"{flowroute_sandbox.base_url}/_sandbox/ui{path}?account={flowroute_sandbox.access_key}"
        )
        expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    _tab_to(page, f"el.id === 'thread-{number}-{CUSTOMER}'")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("hello")
    _tab_to(page, "el.id === 'account-body'")
    page.keyboard.type("typed with the keyboard")
    _tab_to(page, "el.textContent === 'Send from the account'")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("typed with the keyboard")


UNLABELLED = """() => [...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
  .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute("aria-label")
                  && !el.textContent.trim())
  .map((el) => el.outerHTML)"""
UNREACHABLE = """() => [...document.querySelectorAll("a[href], input, select, textarea, button")]
  .filter((el) => el.type !== "hidden" && (el.tabIndex < 0 || el.disabled))
  .map((el) => el.outerHTML)"""


def test_every_view_is_labelled_titled_error_free_and_fits_a_phone(
    page: Any,
    flowroute_sandbox: SandboxServer,
    number: str,
    raw: httpx2.Client,
    receiver: Receiver,
) -> None:
    raw.put("/v2.1/messages/sms_callback", json={"callback_url": receiver.url + "/sms"})
    raw.post("/v2/cnams", json={"value": "PENDING NAME"})
    flowroute_sandbox.inject_inbound(
        from_=CUSTOMER, to=number, body="A long message without spaces " + "x" * 300
    )
    receiver.files["/cat.png"] = png(4, 3)
    flowroute_sandbox.inject_inbound(
        from_=CUSTOMER,
        to=number,
        body="a picture",
        media=[{"url": receiver.url + "/cat.png", "mime_type": "image/png", "file_size": 67}],
    )
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        for path, name in VIEWS:
            params = {"mine": number, "other": CUSTOMER} if path == "" else {}
            page.goto(inbox(flowroute_sandbox, path, **params))
            assert name.rstrip("s") in page.title()
            assert page.evaluate(UNLABELLED) == []
            if path == "":  # the thumbnail is the receiver's image, fetched by the sandbox
                thumbnail = page.get_by_role("img", name="Image cat.png")
                expect(thumbnail).to_have_js_property("naturalWidth", 4)
            assert page.evaluate(UNREACHABLE) == []
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{name} scrolls sideways at {width} px"
