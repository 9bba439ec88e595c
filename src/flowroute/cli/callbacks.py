"""``flowroute callbacks ...``: where Flowroute posts inbound messages and delivery receipts."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from ..resources.callbacks import CallbackKind
from ._common import Connection, JsonOption, done, one_line_errors, show_one

app = typer.Typer(
    help="Webhook URLs for inbound SMS/MMS and delivery receipts.", no_args_is_help=True
)

Kind = Annotated[str, typer.Argument(help="sms, mms, sms_dlr or mms_dlr.")]


@app.command("set")
@one_line_errors
def set_callback(
    kind: Kind,
    url: str,
    number: Annotated[
        str | None, typer.Option(help="Only for this number (default: the whole account).")
    ] = None,
) -> None:
    """Point webhooks of one kind at a URL."""
    Connection.client().callbacks.set(cast(CallbackKind, kind), url, number=number)
    done(f"{kind} callbacks for {number or 'the account'} -> {url}")


@app.command("show")
@one_line_errors
def show_callback(kind: Kind, as_json: JsonOption = False) -> None:
    """The account's callback URL of one kind."""
    callback = Connection.client().callbacks.get(cast(CallbackKind, kind))
    show_one(callback, ["kind", "callback_url"], as_json)


@app.command()
@one_line_errors
def clear(kind: Kind) -> None:
    """Stop webhooks of one kind for the account."""
    Connection.client().callbacks.clear(cast(CallbackKind, kind))
    done(f"{kind} callbacks cleared")
