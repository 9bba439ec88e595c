"""A local webhook receiver: a real HTTP server on loopback that parses what it gets.

    with WebhookReceiver() as inbox:
        client.callbacks.set("sms", inbox.url)
        ...
        inbox.events  # InboundMessage / DeliveryReceipt, in arrival order

Core dependencies only, so it works wherever the SDK does (the demo and ``flowroute listen`` use
it too). It answers 200 to anything ``webhooks.parse`` accepts and 400 otherwise.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx2

from .. import webhooks

Event = webhooks.InboundMessage | webhooks.DeliveryReceipt
E = TypeVar("E", webhooks.InboundMessage, webhooks.DeliveryReceipt)


def _forward(url: str, body: bytes, headers: Any) -> int:
    """Re-post the webhook unchanged; its status is the answer, so the sender retries while the
    target is down (502 when it cannot be reached)."""
    try:
        response = httpx2.post(
            url, content=body, headers={"Content-Type": headers.get("Content-Type", "")}
        )
    except httpx2.HTTPError:
        return 502
    return response.status_code


class _Server(ThreadingHTTPServer):
    # The sandbox sends up to 16 webhooks at once; the default queue of 5 would make every
    # overflowing connection wait a second to be accepted.
    request_queue_size = 128


class WebhookReceiver:
    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        on_event: Callable[[Event], None] | None = None,
        forward_to: str | None = None,
    ) -> None:
        self.events: list[Event] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    event = webhooks.parse(body, dict(self.headers))
                except webhooks.WebhookError:
                    self._answer(400)
                    return
                with receiver._lock:
                    receiver.events.append(event)
                if on_event is not None:
                    on_event(event)
                self._answer(
                    200 if forward_to is None else _forward(forward_to, body, self.headers)
                )

            def _answer(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = _Server((host, port), Handler)
        self.url = f"http://{host}:{self._server.server_address[1]}/flowroute"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def of_type(self, kind: type[E]) -> list[E]:
        """The events of one kind received so far, in arrival order."""
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
