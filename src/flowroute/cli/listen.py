"""``flowroute listen``: a local webhook endpoint that prints what Flowroute (or a sandbox)
posts, optionally forwards it to your app, and can register itself as the account's callback."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from .. import Flowroute, webhooks
from ..resources.callbacks import CallbackKind
from ..sandbox.receiver import Event, WebhookReceiver
from ._common import Connection, one_line_errors, print_json, stdout

KINDS: tuple[CallbackKind, ...] = ("sms", "mms", "sms_dlr", "mms_dlr")


def describe(event: Event) -> str:
    if isinstance(event, webhooks.DeliveryReceipt):
        return (
            f"[bold]receipt[/] {event.id}: level {event.level} {event.status} "
            f"({event.status_code} {event.status_code_description})"
        )
    kind = "MMS" if event.is_mms or event.media else "SMS"
    lines = [f"[bold]{kind}[/] {event.from_} -> {event.to}: {event.body!r}"]
    lines += [f"  media {m.mime_type} {m.file_size} bytes {m.url}" for m in event.media]
    return "\n".join(lines)


@contextmanager
def registered(sandbox: str | None, url: str) -> Iterator[None]:
    """With a sandbox URL: point the account's callbacks at ``url`` while listening."""
    if sandbox is None:
        yield
        return
    key, secret = Connection.sandbox_credentials()
    with Flowroute(access_key=key, secret_key=secret, base_url=sandbox) as client:
        for kind in KINDS:
            client.callbacks.set(kind, url)
        stdout.print(f"registered as the sms, mms and receipt callbacks at {sandbox}")
        try:
            yield
        finally:
            for kind in KINDS:  # a callback left pointing at a closed port only fails later
                client.callbacks.clear(kind)


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
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """Receive and print inbound SMS/MMS and delivery receipts."""
    arrived: queue.Queue[Event] = queue.Queue()
    with WebhookReceiver(
        host=host, port=port, on_event=arrived.put, forward_to=forward_to
    ) as inbox:
        stdout.print(
            f"listening on {inbox.url}" + (f", forwarding to {forward_to}" if forward_to else "")
        )
        with registered(sandbox, inbox.url):
            seen = 0
            try:
                while count is None or seen < count:
                    event = arrived.get()
                    seen += 1
                    if as_json:
                        print_json(event.to_dict(), indent=None)
                    else:
                        stdout.print(describe(event), soft_wrap=True)
                    stdout.file.flush()  # lines appear as they arrive, even through a pipe
            except KeyboardInterrupt:
                stdout.print("stopped")
