"""The receiver snippets in docs/webhooks.md (FastAPI, Flask, Django) run as written, each behind a
real server, and receive what the sandbox sends: an inbound text and both delivery receipts."""

from __future__ import annotations

import re
import socket
import threading
import time
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import uvicorn

from flowroute import webhooks
from flowroute.sandbox.server import SandboxServer

DOC = (Path(__file__).parent.parent / "docs" / "webhooks.md").read_text()


def snippet(name: str) -> dict[str, Any]:
    """Runs the snippet marked ``<!-- snippet: name -->``; answers its globals."""
    match = re.search(rf"<!-- snippet: {name} -->\n```python\n(.*?)```", DOC, re.S)
    assert match, f"no {name} snippet in docs/webhooks.md"
    namespace: dict[str, Any] = {"__name__": f"webhooks_md_{name}"}
    exec(compile(match.group(1), "docs/webhooks.md", "exec"), namespace)
    return namespace


@contextmanager
def asgi_server(app: Any) -> Iterator[int]:
    sock = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:  # uvicorn has no started event; this waits for its socket setup
        time.sleep(0.01)
    try:
        yield sock.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


class _QuietHandler(WSGIRequestHandler):
    # One line per request on stderr otherwise.
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def wsgi_server(app: Callable[..., Any]) -> Iterator[int]:
    server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def assert_receives_inbound_and_receipts(
    sandbox: SandboxServer, port: int, received: list[Any]
) -> None:
    url = f"http://127.0.0.1:{port}/flowroute"
    (number,) = sandbox.seed_numbers(1)
    client = sandbox.client()
    client.callbacks.set("sms", url)
    client.callbacks.set("sms_dlr", url)
    sandbox.inject_inbound(from_="12065550123", to=number, body="hello app")
    client.messages.send(to="12065550123", from_=number, body="hello phone")
    sandbox.clock.advance(seconds=5)
    assert isinstance(received[0], webhooks.InboundMessage) and received[0].body == "hello app"
    assert [(type(e).__name__, e.level) for e in received[1:]] == [
        ("DeliveryReceipt", 1),
        ("DeliveryReceipt", 2),
    ]
    attempts = sandbox.webhooks()
    assert len(attempts) == 3 and all(a["outcome"] == "delivered" for a in attempts)


def test_fastapi_snippet(flowroute_sandbox: SandboxServer) -> None:
    namespace = snippet("fastapi")
    with asgi_server(namespace["app"]) as port:
        assert_receives_inbound_and_receipts(flowroute_sandbox, port, namespace["received"])


def test_flask_snippet(flowroute_sandbox: SandboxServer) -> None:
    namespace = snippet("flask")
    with wsgi_server(namespace["app"]) as port:
        assert_receives_inbound_and_receipts(flowroute_sandbox, port, namespace["received"])


def test_django_snippet(flowroute_sandbox: SandboxServer) -> None:
    import django
    from django.conf import settings
    from django.core.handlers.wsgi import WSGIHandler
    from django.urls import path

    namespace = snippet("django")
    # The view's URL in a minimal project; CSRF protection on, as in a default project, so the
    # snippet's @csrf_exempt is what lets the sandbox's POSTs through.
    urls = types.ModuleType("webhook_snippet_urls")
    urls.urlpatterns = [path("flowroute", namespace["flowroute_webhook"])]  # type: ignore[attr-defined]
    if not settings.configured:
        settings.configure(
            ALLOWED_HOSTS=["127.0.0.1"],
            SECRET_KEY="webhook-snippet-test",
            MIDDLEWARE=["django.middleware.csrf.CsrfViewMiddleware"],
            ROOT_URLCONF=urls,
        )
        django.setup()
    else:
        settings.ROOT_URLCONF = urls
    with wsgi_server(WSGIHandler()) as port:
        assert_receives_inbound_and_receipts(flowroute_sandbox, port, namespace["received"])
