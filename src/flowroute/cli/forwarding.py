"""What ``flowroute listen --forward-to`` puts between its receiver and your app: a loopback
relay that posts each webhook on unchanged, answers with your app's status (502 when it cannot
be reached, so the sender retries) and reports each outcome for the ``<--`` lines.

The receiver forwards on its own but tells nobody what the app answered; relaying through this
keeps that report here without changing the receiver."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import NamedTuple, Self

import httpx2


class Forwarded(NamedTuple):
    """One forward: the app's status, or why it could not be reached (``status`` None)."""

    url: str
    status: int | None
    error: str | None = None

    def describe(self) -> str:
        if self.status is None:
            return f"<-- [error] {self.error} to {self.url}"
        return f"<-- [{self.status}] {self.url}"


def _reason(exc: httpx2.HTTPError) -> str:
    """``connection refused`` rather than ``[Errno 111] Connection refused``."""
    text = re.sub(r"^\[Errno -?\d+\]\s*", "", str(exc)).strip()
    return (text or type(exc).__name__).lower()


def forward(url: str, body: bytes, content_type: str) -> Forwarded:
    try:
        response = httpx2.post(url, content=body, headers={"Content-Type": content_type})
    except httpx2.HTTPError as exc:
        return Forwarded(url, None, _reason(exc))
    return Forwarded(url, response.status_code)


class Relay:
    """``Relay(target, report)``: ``.url`` takes webhooks and forwards them to ``target``."""

    def __init__(self, target: str, report: Callable[[Forwarded], None]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                outcome = forward(target, body, self.headers.get("Content-Type", ""))
                report(outcome)
                self.send_response(outcome.status or 502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

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
