"""A local webhook receiver: a real HTTP server on loopback that parses what it gets.

    with WebhookReceiver() as inbox:
        client.callbacks.set("sms", inbox.url)
        ...
        inbox.events  # InboundMessage / DeliveryReceipt, in arrival order

Core dependencies only, so it works wherever the SDK does (the demo and ``flowroute listen`` use
it too). It answers 200 to anything ``webhooks.parse`` accepts and 400 otherwise.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple, Self, TypeVar

import httpx2

from .. import webhooks

Event = webhooks.InboundMessage | webhooks.DeliveryReceipt
E = TypeVar("E", webhooks.InboundMessage, webhooks.DeliveryReceipt)


class Forwarded(NamedTuple):
    """One webhook re-posted to ``forward_to``: the app's status, or why it could not be reached
    (``status`` None)."""

    event: Event
    url: str
    status: int | None
    error: str | None = None

    def describe(self) -> str:
        """``<-- [200] receipt mdr2-... POST http://...``, as ``stripe listen`` reports."""
        what = f"{_kind(self.event)} {self.event.id} POST {self.url}"
        if self.status is None:
            return f"<-- [error] {what}: {self.error}"
        return f"<-- [{self.status}] {what}"


def _kind(event: Event) -> str:
    if isinstance(event, webhooks.DeliveryReceipt):
        return "receipt"
    return "mms" if event.is_mms else "sms"


def _reason(exc: httpx2.HTTPError) -> str:
    """``connection refused`` rather than ``[Errno 111] Connection refused``."""
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)).strip()
    return (text or type(exc).__name__).lower()


def _forward(event: Event, url: str, body: bytes, content_type: str) -> Forwarded:
    """Re-post the webhook unchanged; the app's status becomes the answer, so the sender
    retries while the app is down (502 when it cannot be reached)."""
    try:
        response = httpx2.post(url, content=body, headers={"Content-Type": content_type})
    except httpx2.HTTPError as exc:
        return Forwarded(event, url, None, _reason(exc))
    return Forwarded(event, url, response.status_code)


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
        on_forward: Callable[[Forwarded], None] | None = None,
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
                if forward_to is None:
                    self._answer(200)
                    return
                content_type = self.headers.get("Content-Type", "")
                outcome = _forward(event, forward_to, body, content_type)
                if on_forward is not None:
                    on_forward(outcome)
                self._answer(outcome.status or 502)

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
