"""``flowroute callbacks ...``: where Flowroute posts inbound messages and delivery receipts."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from .. import NotFoundError
from ..resources.callbacks import CallbackKind
from ._common import (
    Connection,
    JsonOption,
    done,
    one_line_errors,
    print_json,
    show_list,
    show_one,
    stderr,
)

app = typer.Typer(
    help="Webhook URLs for inbound SMS/MMS and delivery receipts.", no_args_is_help=True
)

KINDS: tuple[CallbackKind, ...] = ("sms", "mms", "sms_dlr", "mms_dlr")
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
def show_callback(
    kind: Annotated[
        str | None, typer.Argument(help="sms, mms, sms_dlr or mms_dlr (default: all four).")
    ] = None,
    number: Annotated[
        str | None, typer.Option(help="The callbacks that reach this number's messages.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """The account's callback URLs: where webhooks of each kind go."""
    client = Connection.client()
    kinds = [cast(CallbackKind, kind)] if kind else list(KINDS)
    found = []
    for each in kinds:
        try:
            found.append({"kind": each, "callback_url": client.callbacks.get(each).callback_url})
        except NotFoundError:
            if kind:  # one kind asked for: that none is set is the answer, as an error
                raise
            found.append({"kind": each, "callback_url": None})
    if number is not None:
        client.numbers.retrieve(number)  # a number not on the account is an error
        stderr.print(
            f"{number} uses these unless it was given its own (callbacks set KIND URL --number "
            f"{number}); Flowroute offers no way to read a number's own callbacks",
            soft_wrap=True,
            markup=False,
        )
    if kind:
        show_one(found[0], ["kind", "callback_url"], as_json)
    elif as_json:
        print_json(found)
    else:
        show_list(
            [{**row, "callback_url": row["callback_url"] or "(none)"} for row in found],
            ["kind", "callback_url"],
            as_json=False,
        )


@app.command()
@one_line_errors
def clear(kind: Kind) -> None:
    """Stop webhooks of one kind for the account."""
    Connection.client().callbacks.clear(cast(CallbackKind, kind))
    done(f"{kind} callbacks cleared")
