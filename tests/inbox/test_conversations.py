"""Conversations in a real browser: live inbound texts, texting as either side, receipts
filling in as the virtual clock advances, and bodies shown as text."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from playwright.sync_api import expect

from flowroute.sandbox.server import SandboxServer

from ..support import CUSTOMER, SHOTS, Console, Receiver, inbox, live, png, shot


def test_a_browser_at_the_root_gets_the_inbox_and_the_api_its_404(
    page: Any, flowroute_sandbox: SandboxServer, raw: httpx2.Client
) -> None:
    page.goto("/")
    expect(page).to_have_url(f"{flowroute_sandbox.base_url}/_sandbox/ui")
    # Without ?account= the page opens on one of the sandbox's accounts (it lists them all).
    expect(page).to_have_title(re.compile(r"^Conversations · \S+ · Flowroute sandbox inbox$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Conversations")
    answer = raw.get("/")  # an API client: the same JSON 404 as before the inbox
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["detail"] == "No such endpoint: GET /."


def test_an_inbound_text_appears_within_two_seconds_without_reload(
    page: Any, flowroute_sandbox: SandboxServer, number: str
) -> None:
    page.goto(inbox(flowroute_sandbox))
    expect(page.locator(".thread-list")).to_contain_text("No conversations yet.")
    live(page)
    flowroute_sandbox.inject_inbound(
        from_=CUSTOMER, to=number, body="Is my order ready?", wait=False
    )
    thread = page.get_by_role("link", name="+12065550123")
    expect(thread).to_contain_text("Is my order ready?", timeout=2000)
    thread.click()
    message = page.locator(".messages .message.inbound")
    expect(message).to_contain_text("Is my order ready?")
    expect(message).to_contain_text("Received")
    expect(page).to_have_title(
        f"Conversation with +12065550123 · {flowroute_sandbox.access_key} · Flowroute sandbox inbox"
    )


def test_replying_as_the_customer_fires_the_accounts_webhook(
    page: Any, flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client, receiver: Receiver
) -> None:
    raw.put("/v2.1/messages/sms_callback", json={"callback_url": receiver.url + "/sms"})
    page.goto(inbox(flowroute_sandbox, mine=number, other=CUSTOMER))
    form = page.get_by_role("form", name="Text the account as a customer")
    expect(form.get_by_label("From (the customer)")).to_have_value(CUSTOMER)
    form.get_by_label("Message").fill("Running 5 minutes late")
    form.get_by_role("button", name="Send as the customer").click()
    expect(form.get_by_role("status")).to_contain_text(f"posted to {receiver.url}/sms")
    expect(page.locator(".messages")).to_contain_text("Running 5 minutes late")
    page.get_by_role("link", name="Webhooks").click()
    delivery = page.locator(".delivery").first
    expect(delivery).to_contain_text("inbound_sms")
    expect(delivery.locator("tbody tr")).to_contain_text("delivered")
    expect(delivery.locator("tbody tr")).to_contain_text("200")
    assert receiver.bodies("/sms")[0]["data"]["attributes"]["body"] == "Running 5 minutes late"


def test_sending_from_the_account_fills_the_receipt_timeline_as_the_clock_advances(
    page: Any, flowroute_sandbox: SandboxServer, number: str
) -> None:
    page.goto(inbox(flowroute_sandbox, mine=number, other=CUSTOMER))
    live(page)
    form = page.get_by_role("form", name="Send from the account")
    form.get_by_label("Message").fill("Your table is ready")
    form.get_by_role("button", name="Send from the account").click()
    message = page.locator(".message.outbound")
    expect(message).to_contain_text("Your table is ready")
    timeline = message.get_by_role("list", name="Delivery receipts")
    expect(timeline.locator("li.due")).to_have_count(2)
    expect(message).to_contain_text("$0.0040")
    flowroute_sandbox.clock.advance(seconds=1)
    expect(timeline.locator("li.done")).to_have_count(1)
    expect(timeline.locator("li.done")).to_contain_text("smsc submit")
    flowroute_sandbox.clock.advance(seconds=2)
    expect(timeline.locator("li.done")).to_have_count(2)
    expect(message.locator(".status")).to_have_text("message buffered")


def test_a_send_the_api_would_refuse_shows_the_apis_reason(
    page: Any, console: Console, flowroute_sandbox: SandboxServer, number: str
) -> None:
    console.expect("status of 403")
    page.goto(inbox(flowroute_sandbox, mine=number, other=CUSTOMER))
    form = page.get_by_role("form", name="Send from the account")
    form.get_by_label("From (one of the account's numbers)").fill("12065550999")
    form.get_by_label("Message").fill("hello")
    form.get_by_role("button", name="Send from the account").click()
    expect(form.get_by_role("status")).to_have_text(
        "from 12065550999 is not a number on your account."
    )
    assert flowroute_sandbox.outbox() == []


def test_a_body_with_markup_shows_as_text_and_runs_nothing(
    page: Any, flowroute_sandbox: SandboxServer, number: str
) -> None:
    attack = "<img src=x onerror=alert(1)>"
    dialogs: list[str] = []

    def refuse(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", refuse)
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body=attack)
    page.goto(inbox(flowroute_sandbox, mine=number, other=CUSTOMER))
    live(page)
    # Once rendered by the page, once arriving over the live stream.
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body=attack + " again")
    bodies = page.locator(".messages .body")
    expect(bodies).to_have_count(2)
    # The frozen clock gives both one timestamp, so either may come first.
    assert sorted(bodies.all_inner_texts()) == [attack, attack + " again"]
    expect(page.locator(".thread-list .snippet")).to_contain_text(f"Received: {attack}")
    assert page.locator("main img").count() == 0
    assert dialogs == []


def test_threads_are_newest_first_and_messages_in_order_like_a_phone(
    page: Any, flowroute_sandbox: SandboxServer, raw: httpx2.Client, receiver: Receiver
) -> None:
    sb = flowroute_sandbox
    shop, bakery = sb.seed_numbers(2)
    ana, ben, cleo = CUSTOMER, "13125550142", "14155550188"
    receiver.files["/menu.png"] = png(120, 90)

    def send(sender: str, to: str, body: str, *media: str) -> None:
        fields = {"from": sender, "to": to, "body": body, "media_urls": list(media)}
        assert raw.post("/v2.1/messages", json=fields).status_code == 202

    sb.inject_inbound(from_=ana, to=shop, body="Hi! Do you have a table for four tonight?")
    sb.clock.advance(seconds=60)
    send(shop, ana, "Yes, 7:30 works. See you then!")
    sb.clock.advance(seconds=60)
    sb.inject_inbound(from_=ben, to=bakery, body="Could you text me the menu?")
    sb.clock.advance(seconds=60)
    send(bakery, ben, "Here it is:", receiver.url + "/menu.png")
    sb.clock.advance(seconds=60)
    sb.inject_inbound(from_=cleo, to=shop, body="Running 10 minutes late, sorry")
    sb.clock.advance(seconds=60)
    sb.inject_inbound(from_=ana, to=shop, body="Parfait, à ce soir !")
    sb.clock.advance(seconds=5)
    page.goto(inbox(sb, mine=shop, other=ana))
    expect(page.locator(".threads .party")).to_have_text(["+" + ana, "+" + cleo, "+" + ben])
    expect(page.locator(".messages .body")).to_have_text(
        [
            "Hi! Do you have a table for four tonight?",
            "Yes, 7:30 works. See you then!",
            "Parfait, à ce soir !",
        ]
    )
    expect(page.locator(".messages .message").last).to_contain_text("UCS-2 (8)")
    shot(page, "conversations")
    page.set_viewport_size({"width": 375, "height": 812})
    page.goto(inbox(sb, mine=bakery, other=ben))
    thumbnail = page.get_by_role("img", name="Image menu.png")
    expect(thumbnail).to_have_js_property("naturalWidth", 120)
    expect(page.locator(".message.outbound")).to_contain_text("Sent MMS")
    expect(page.locator(".message.outbound")).to_contain_text("$0.0195")
    if SHOTS:
        page.locator("#thread-title").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/inbox-phone.png")
