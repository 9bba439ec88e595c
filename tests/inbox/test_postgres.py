"""The inbox's queries on PostgreSQL, over HTTP (no browser needed): threads, a thread, the
webhooks with replay, the account view and the live stream's first rendering."""

from __future__ import annotations

import json

import httpx2

from flowroute.sandbox.server import SandboxServer

from ..support import CUSTOMER, Receiver


def test_every_view_and_replay_work_on_postgresql(
    postgres_sandbox: SandboxServer, receiver: Receiver
) -> None:
    sb = postgres_sandbox
    sb.reset()
    number = sb.seed_numbers(1)[0]
    headers = {"X-Flowroute-Inbox": "1"}
    with httpx2.Client(base_url=sb.base_url, auth=(sb.access_key, sb.secret_key)) as http:
        http.put("/v2.1/messages/sms_callback", json={"callback_url": receiver.url + "/sms"})
        receiver.statuses = [500]
        sb.inject_inbound(from_=CUSTOMER, to=number, body="first")
        sb.clock.advance(seconds=1)
        sb.inject_inbound(from_="13125550142", to=number, body="second")
        account = f"account={sb.access_key}"
        threads = http.get(f"/_sandbox/ui?{account}").text
        assert threads.index("+13125550142") < threads.index("+12065550123")  # newest first
        thread = http.get(f"/_sandbox/ui?{account}&mine={number}&other={CUSTOMER}").text
        shown = thread.split('data-region="thread"')[1].split("</ol>")[0]
        assert '<p class="body">first</p>' in shown and "second" not in shown
        failed = http.get(f"/_sandbox/ui/webhooks?{account}&failed=1").text
        delivery = failed.split('id="delivery-')[1].split('"')[0]
        assert "receiver answered 500" in failed
        replayed = http.post(
            f"/_sandbox/ui/actions/replay?{account}", data={"delivery": delivery}, headers=headers
        )
        assert replayed.status_code == 200
        sb.clock.advance(seconds=0)  # waits until what is due has been attempted
        assert [a["outcome"] for a in sb.webhooks() if str(a["delivery_id"]) == delivery][
            -1
        ] == "delivered"
        assert "Account " + sb.access_key in http.get(f"/_sandbox/ui/account?{account}").text
        with http.stream(
            "GET", f"/_sandbox/ui/events?{account}&view=conversations&since=stale"
        ) as stream:
            lines = stream.iter_lines()
            event = next(line for line in lines if line.startswith("data: "))
        assert "second" in json.loads(event[6:])["threads"]
