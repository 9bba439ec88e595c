"""Webhooks and the account view in a real browser: replaying a failed webhook, each attempt's
latency and answer, approving a pending CNAM record, advancing the virtual clock, adding and clearing faults."""

from __future__ import annotations

import re
from typing import Any

import httpx2
from playwright.sync_api import expect

from flowroute.sandbox.server import SandboxServer

from ..support import CUSTOMER, Receiver, inbox, live, shot


def test_a_failed_webhook_is_replayed_once_the_receiver_is_up(
    page: Any, flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client, receiver: Receiver
) -> None:
    raw.put("/v2.1/messages/sms_callback", json={"callback_url": receiver.url + "/sms"})
    receiver.statuses = [503]  # down for the first attempt, up afterwards
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="Are you open?")
    page.goto(inbox(flowroute_sandbox, "/webhooks", failed="1"))
    expect(page).to_have_title(
        f"Failed webhooks · {flowroute_sandbox.access_key} · Flowroute sandbox inbox"
    )
    delivery = page.locator(".delivery")
    expect(delivery).to_have_count(1)
    expect(delivery.locator("tbody tr")).to_contain_text("503")
    expect(delivery.locator("tbody tr")).to_contain_text("receiver answered 503")
    live(page)
    delivery.get_by_role("button", name="Replay").click()
    expect(page.locator("[data-region=deliveries]")).to_have_text("No failed webhooks.")
    page.get_by_role("link", name="All", exact=True).click()
    rows = page.locator(".delivery tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text("delivered")
    expect(page.locator(".delivery .state")).to_have_text("delivered")
    bodies = receiver.bodies("/sms")
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    shot(page, "webhooks")


def test_attempts_show_their_latency_and_the_receivers_answer_as_text(
    page: Any, flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client, receiver: Receiver
) -> None:
    raw.put("/v2.1/messages/sms_callback", json={"callback_url": receiver.url + "/sms"})
    receiver.answer = b"<b>x</b> thanks\x00"
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="Hi")
    raw.put("/v2.1/messages/sms_callback", json={"callback_url": "https://hooks.example.com/in"})
    flowroute_sandbox.inject_inbound(from_=CUSTOMER, to=number, body="Hi again")
    page.goto(inbox(flowroute_sandbox, "/webhooks"))
    blocked, delivered = page.locator(".delivery tbody tr").all()  # newest first
    expect(delivered.locator("td.answer")).to_have_text("<b>x</b> thanks")  # text, not markup
    expect(delivered.locator("b")).to_have_count(0)
    expect(delivered.locator("td.latency")).to_have_text(re.compile(r"^\d+(\.\d)? ms$"))
    table = delivered.locator("xpath=ancestor::table")
    expect(table.locator("th")).to_have_text(
        ["Time", "URL", "Status", "Latency", "Outcome", "Response", "Error or block reason"]
    )
    # Never sent: no latency, no answer, and the outbound policy's reason.
    expect(blocked.locator("td.latency")).to_have_text("\u2014")
    expect(blocked.locator("td.answer")).to_have_text("\u2014")
    expect(blocked).to_contain_text("hooks.example.com is not a loopback address")


def test_a_pending_cnam_record_is_approved_from_the_page(
    page: Any, flowroute_sandbox: SandboxServer, raw: httpx2.Client
) -> None:
    created = raw.post("/v2/cnams", json={"value": "ACME BAKERY"}).json()["data"]
    page.goto(inbox(flowroute_sandbox, "/account"))
    record = page.locator(f"#cnam-{created['id']}")
    expect(record.locator(".state")).to_have_text("pending")
    record.get_by_role("button", name="Approve ACME BAKERY").click()
    expect(record.locator(".state")).to_have_text("approved")
    expect(record.get_by_role("button")).to_have_count(0)
    fetched = raw.get(f"/v2/cnams/{created['id']}").json()["data"]["attributes"]
    assert fetched["is_approved"] is True


def test_the_virtual_clock_advances_from_the_page(
    page: Any, flowroute_sandbox: SandboxServer
) -> None:
    page.goto(inbox(flowroute_sandbox, "/account"))
    offset = page.locator("[data-offset]")
    expect(offset).to_have_text("0 s")
    page.get_by_role("button", name="+1 h").click()
    expect(offset).to_have_text("+1 h")
    page.get_by_label("Hours", exact=True).fill("47")
    page.get_by_role("button", name="Advance", exact=True).click()
    expect(offset).to_have_text("+2 d 0 h")
    clock = flowroute_sandbox.call("GET", "/clock")
    assert clock["offset_seconds"] == 48 * 3600


def test_faults_are_listed_added_and_cleared(
    page: Any, flowroute_sandbox: SandboxServer, raw: httpx2.Client
) -> None:
    page.goto(inbox(flowroute_sandbox, "/account"))
    form = page.get_by_role("form", name="Add a fault")
    form.get_by_label("Method").select_option("GET")
    form.get_by_label("Path (a glob)").fill("/v2/routes")
    form.get_by_label("Status").fill("502")
    form.get_by_role("button", name="Add fault").click()
    faults = page.get_by_role("table", name="Injected faults")
    expect(faults).to_contain_text("/v2/routes")
    assert raw.get("/v2/routes").status_code == 502
    expect(page.locator("[data-region=faults]")).to_have_text("No faults.")  # used up
    form.get_by_role("button", name="Add fault").click()
    expect(faults).to_contain_text("502")
    page.get_by_role("button", name="Clear all faults").click()
    expect(page.locator("[data-region=faults]")).to_have_text("No faults.")
    assert raw.get("/v2/routes").status_code == 200


def test_the_account_view_shows_numbers_routes_e911_cnam_and_exports(
    page: Any, flowroute_sandbox: SandboxServer, number: str, raw: httpx2.Client
) -> None:
    route = raw.post(
        "/v2/routes",
        json={
            "data": {
                "type": "route",
                "attributes": {
                    "alias": "office",
                    "route_type": "uri",
                    "value": "sip:office@example.com",
                },
            }
        },
    ).json()["data"]
    raw.patch(
        f"/v2/numbers/{number}/relationships/primary_route",
        json={"data": {"type": "route", "id": route["id"]}},
    )
    address = raw.post(
        "/v2/e911s",
        json={
            "data": {
                "type": "e911",
                "attributes": {
                    "label": "HQ",
                    "first_name": "Ada",
                    "last_name": "Lovelace",
                    "street_name": "Main St",
                    "street_number": "12",
                    "city": "Seattle",
                    "state": "WA",
                    "country": "US",
                    "zip": "98101",
                },
            }
        },
    ).json()["data"]
    raw.patch(f"/v2/numbers/{number}/relationships/e911s/{address['id']}")
    raw.post(
        "/v2/cdrs/exports",
        json={
            "data": {
                "type": "cdrexport",
                "attributes": {
                    "filter_parameters": {
                        "start_call_start_time": "2026-01-01T00:00:00Z",
                        "start_call_end_time": "2026-01-31T00:00:00Z",
                    }
                },
            }
        },
    )
    raw.post("/v2/cnams", json={"value": "ACME BAKERY"})
    flowroute_sandbox.clock.advance(seconds=10)
    page.goto(inbox(flowroute_sandbox, "/account"))
    expect(page.get_by_role("button", name="Reject ACME BAKERY")).to_be_visible()
    numbers = page.get_by_role("table", name="Numbers")
    expect(numbers).to_contain_text(f"+{number}")
    expect(numbers).to_contain_text("office (uri sip:office@example.com")
    expect(numbers).to_contain_text("HQ: 12 Main St")
    expect(page.get_by_role("table", name="Routes")).to_contain_text("sip:office@example.com")
    expect(page.get_by_role("table", name="E911 addresses")).to_contain_text("Ada Lovelace")
    exports = page.get_by_role("table", name="CDR exports")
    expect(exports).to_contain_text("completed")
    link = exports.get_by_role("link", name="Download")
    assert httpx2.get(link.get_attribute("href") or "").status_code == 200
    shot(page, "account")


def test_the_fault_form_is_checked_as_the_control_api_checks_a_fault(
    flowroute_sandbox: SandboxServer, raw: httpx2.Client
) -> None:
    """One parser for both: the form's fields are text, the control API's JSON values."""
    action = inbox(flowroute_sandbox, "/actions/fault")
    form = {"method": "post", "path": "/v2/routes/", "status": "502", "count": "2"}
    headers = {"X-Flowroute-Inbox": "1"}
    for change in ({"path": "v2/routes"}, {"status": "99"}, {"when": "later"}, {"count": "0"}):
        refused = raw.post(action, data={**form, **change}, headers=headers)
        typed = {k: int(v) if v.isdigit() else v for k, v in change.items()}
        same = raw.post("/_sandbox/faults", json={**form, "status": 502, "count": 2, **typed})
        assert (refused.status_code, same.status_code) == (400, 400), change
        assert refused.json()["errors"][0]["detail"] == same.json()["errors"][0]["detail"]
    assert raw.post(action, data=form, headers=headers).json()["notice"].startswith("Fault ")
    assert raw.post(action, data={**form, "status": ""}, headers=headers).status_code == 200
    added = [
        {k: f[k] for k in ("method", "path", "status", "count", "when")}
        for f in raw.get("/_sandbox/faults").json()["data"]
    ]
    fault = {"method": "POST", "path": "/v2/routes", "count": 2, "when": "before"}
    assert added == [{**fault, "status": 502}, {**fault, "status": 503}]  # blank: the default
