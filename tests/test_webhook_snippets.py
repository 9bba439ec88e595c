"""The receiver snippets in docs/webhooks.md run against the sandbox (where installed)."""

from __future__ import annotations

import re
import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from flowroute import webhooks
from flowroute.sandbox.server import SandboxServer

DOC = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text()


def snippet(name: str) -> str:
    match = re.search(rf"<!-- snippet: {name} -->\n```python\n(.*?)```", DOC, re.S)
    assert match, f"no {name} snippet in docs/webhooks.md"
    return match.group(1)


def test_fastapi_snippet_receives_inbound_and_receipts(flowroute_sandbox: SandboxServer) -> None:
    pytest.importorskip("fastapi")
    namespace: dict[str, Any] = {}
    exec(compile(snippet("fastapi"), "docs/webhooks.md", "exec"), namespace)
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(namespace["app"], log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/flowroute"
        (number,) = flowroute_sandbox.seed_numbers(1)
        client = flowroute_sandbox.client()
        client.callbacks.set("sms", url)
        client.callbacks.set("sms_dlr", url)
        flowroute_sandbox.inject_inbound(from_="12065550123", to=number, body="hello app")
        client.messages.send(to="12065550123", from_=number, body="hello phone")
        flowroute_sandbox.clock.advance(seconds=5)
        received = namespace["received"]
        assert isinstance(received[0], webhooks.InboundMessage) and received[0].body == "hello app"
        assert [(type(e).__name__, e.level) for e in received[1:]] == [
            ("DeliveryReceipt", 1),
            ("DeliveryReceipt", 2),
        ]
        assert all(a["outcome"] == "delivered" for a in flowroute_sandbox.webhooks())
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.mark.parametrize("name", ["flask", "django"])
def test_other_snippets_compile(name: str) -> None:
    pytest.importorskip(name)
    compile(snippet(name), "docs/webhooks.md", "exec")
