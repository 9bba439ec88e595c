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

from .. import Flowroute, FlowrouteError, NotFoundError, webhooks
from ..resources.callbacks import CallbackKind
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


class Stopped(Exception):
    """Ctrl+C, SIGTERM or SIGHUP: stop, clearing the callbacks on the way out."""


class Stopper:
    """Turns SIGINT, SIGTERM and SIGHUP into one :class:`Stopped`, raised only while
    :meth:`wait` waits for the next webhook (inside the loop that catches it). A signal that
    arrives while the callbacks are being set is kept for the first wait; one that arrives while
    they are being cleared, or a second one, changes nothing: the clearing always finishes."""

    def __init__(self) -> None:
        self.signalled = False
        self._armed = False
        self._raised = False

    def handle(self, signum: int, frame: FrameType | None) -> None:
        self.signalled = True
        if self._armed and not self._raised:
            self._raised = True
            raise Stopped

    def wait(self, arrived: queue.Queue[Event | Forwarded]) -> Event | Forwarded:
        self._armed = True
        try:
            if self.signalled and not self._raised:  # arrived while the callbacks were set
                self._raised = True
                raise Stopped
            return arrived.get()
        finally:
            self._armed = False


SIGNALS = [getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n)]


@contextmanager
def stopped_by_signals() -> Iterator[Stopper]:
    stopper = Stopper()
    previous = {s: signal.signal(s, stopper.handle) for s in SIGNALS}
    try:
        yield stopper
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def signals_kept_from_new_threads() -> Iterator[None]:
    """Threads started inside never take SIGINT/SIGTERM/SIGHUP (they inherit a mask that
    blocks them), so the kernel delivers those to this thread. One delivered to another thread
    would not interrupt this thread's wait for the next webhook: it would never be handled."""
    if not hasattr(signal, "pthread_sigmask"):  # Windows: signals only reach the main thread
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # one that came meanwhile: now


@contextmanager
def registered(sandbox: str | None, url: str, status: Console) -> Iterator[None]:
    """With a sandbox URL: point the account's callbacks at ``url`` while listening, and clear
    every one that was (or may have been) set on the way out, even after an error."""
    if sandbox is None:
        yield
        return
    key, secret = Connection.sandbox_credentials()
    with Flowroute(access_key=key, secret_key=secret, base_url=sandbox) as client:
        tried: list[CallbackKind] = []
        try:
            for kind in KINDS:
                tried.append(kind)  # before the request: it may take effect and then fail
                client.callbacks.set(kind, url)
            status.print(
                f"registered as the sms, mms and receipt callbacks at {sandbox}", markup=False
            )
            yield
        finally:
            _clear(client, tried)


def _clear(client: Flowroute, kinds: list[CallbackKind]) -> None:
    """Clear each kind (a callback left pointing at a closed port only fails later); the first
    error is raised once all were tried."""
    failed: FlowrouteError | None = None
    for kind in kinds:
        try:
            client.callbacks.clear(kind)
        except NotFoundError:
            pass  # never set: its set() failed before it took effect
        except FlowrouteError as exc:
            failed = failed or exc
    if failed is not None:
        raise failed


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
    with stopped_by_signals() as stopper:
        with signals_kept_from_new_threads():  # the receiver's threads
            receiver = WebhookReceiver(
                host=host,
                port=port,
                on_event=arrived.put,
                forward_to=forward_to,
                on_forward=arrived.put,
            )
        with receiver as inbox:
            status.print(
                f"listening on {inbox.url}"
                + (f", forwarding to {forward_to}" if forward_to else ""),
                markup=False,
            )
            try:
                with registered(sandbox, inbox.url, status):
                    seen = 0
                    # Each webhook, then (when forwarding) what the app answered: count the last.
                    while count is None or seen < count:
                        item = stopper.wait(arrived)
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
