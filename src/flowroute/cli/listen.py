"""``flowroute listen``: a local webhook endpoint that prints what Flowroute (or a sandbox)
posts, optionally forwards it to your app, and can register itself as the account's callback."""

from __future__ import annotations

import queue
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from .. import Flowroute, webhooks
from ..sandbox.receiver import Event, Forwarded, WebhookReceiver
from ._common import Connection, fail, one_line_errors, print_json, stderr, stdout, wire
from .callbacks import KINDS


def describe(event: Event) -> Text:
    """One event as plain text (bodies and ids are data, never Rich markup) with a bold kind."""
    if isinstance(event, webhooks.DeliveryReceipt):
        return Text.assemble(
            ("receipt", "bold"),
            f" {event.id}: level {event.level} {event.status} "
            f"({event.status_code} {event.status_code_description})",
        )
    kind = "MMS" if event.is_mms or event.media else "SMS"
    lines = [f" {event.from_} -> {event.to}: {event.body!r}"]
    lines += [f"  media {m.mime_type} {m.file_size} bytes {m.url}" for m in event.media]
    return Text.assemble((kind, "bold"), "\n".join(lines))


@contextmanager
def registered(sandbox: str | None, url: str, status: Console) -> Iterator[None]:
    """With a sandbox URL: point the account's callbacks at ``url`` while listening."""
    if sandbox is None:
        yield
        return
    key, secret = Connection.sandbox_credentials()
    with Flowroute(access_key=key, secret_key=secret, base_url=sandbox) as client:
        for kind in KINDS:
            client.callbacks.set(kind, url)
        status.print(f"registered as the sms, mms and receipt callbacks at {sandbox}", markup=False)
        try:
            yield
        finally:
            for kind in KINDS:  # a callback left pointing at a closed port only fails later
                client.callbacks.clear(kind)


class Stopped(Exception):
    """SIGTERM or SIGHUP: stop as Ctrl+C does, clearing the callbacks on the way out."""


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    signals = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.signal(s, _stop) for s in signals}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@one_line_errors
def listen(
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 8765,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    forward_to: Annotated[
        str | None, typer.Option(help="Also post each webhook, unchanged, to this URL.")
    ] = None,
    sandbox: Annotated[
        str | None,
        typer.Option(help="Sandbox URL: register this listener as the account's callbacks."),
    ] = None,
    count: Annotated[
        int | None, typer.Option(help="Exit after this many webhooks (default: run until ^C).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line; other lines to stderr.")
    ] = False,
) -> None:
    """Receive and print inbound SMS/MMS and delivery receipts."""
    if not 0 <= port <= 65535:
        fail(f"--port must be between 0 and 65535, got {port}", 2)
    status = stderr if as_json else stdout  # with --json, stdout holds only JSON lines
    arrived: queue.Queue[Event | Forwarded] = queue.Queue()
    with WebhookReceiver(
        host=host, port=port, on_event=arrived.put, forward_to=forward_to, on_forward=arrived.put
    ) as inbox:
        status.print(
            f"listening on {inbox.url}" + (f", forwarding to {forward_to}" if forward_to else ""),
            markup=False,
        )
        with stopped_by_signals(), registered(sandbox, inbox.url, status):
            seen = 0
            try:
                # Each webhook, then (when forwarding) what the app answered: count the last.
                while count is None or seen < count:
                    item = arrived.get()
                    if isinstance(item, Forwarded):
                        status.print(item.describe(), soft_wrap=True, markup=False)
                    elif as_json:
                        print_json(wire(item), indent=None)
                    else:
                        stdout.print(describe(item), soft_wrap=True)
                    seen += isinstance(item, Forwarded) == (forward_to is not None)
                    stdout.file.flush()  # lines appear as they arrive, even through a pipe
            except (KeyboardInterrupt, Stopped):
                status.print("stopped")
