"""``flowroute messages ...``: send SMS/MMS and read message detail records."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ._common import Connection, JsonOption, LimitOption, one_line_errors, show_list, show_one

app = typer.Typer(help="SMS and MMS.", no_args_is_help=True)

RECORD = ["id", "direction", "from_", "to", "body", "status", "amount_display", "timestamp"]
LISTED = ["id", "direction", "from_", "to", "body", "status", "timestamp"]


@app.command()
@one_line_errors
def send(
    to: Annotated[str, typer.Argument(help="Recipient, in any common format.")],
    body: Annotated[
        str, typer.Argument(help="Message text; - reads it from stdin (empty with --media-url).")
    ],
    from_: Annotated[str, typer.Option("--from", help="One of your numbers.")],
    media_url: Annotated[
        list[str] | None, typer.Option(help="Attach media (repeatable): sends an MMS.")
    ] = None,
    dlr_callback: Annotated[
        str | None, typer.Option(help="URL for this message's delivery receipts.")
    ] = None,
    max_segments: Annotated[
        int | None, typer.Option(help="Refuse an SMS longer than this many segments.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Send an SMS (or an MMS with --media-url). Never sent twice: see exit status 4."""
    if body == "-":
        body = sys.stdin.read().rstrip("\n")
    sent = Connection.client().messages.send(
        to=to,
        from_=from_,
        body=body or None,
        media_urls=media_url or None,
        dlr_callback=dlr_callback,
        max_segments=max_segments,
    )
    show_one(sent, ["id", "to", "from_", "is_mms", "segments"], as_json)


@app.command("list")
@one_line_errors
def list_messages(
    start: Annotated[
        datetime | None, typer.Option(help="From this UTC date/time (default: 7 days ago).")
    ] = None,
    end: Annotated[datetime | None, typer.Option(help="Until this UTC date/time.")] = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Message detail records, oldest first."""
    since = start or datetime.now(UTC) - timedelta(days=7)
    found = Connection.client().messages.list(start_date=since, end_date=end, limit=limit)
    show_list(found, LISTED, as_json, empty="No messages in that period.")


@app.command("show")
@one_line_errors
def show_message(message_id: str, as_json: JsonOption = False) -> None:
    """One message detail record, with its delivery receipts."""
    message = Connection.client().messages.retrieve(message_id)
    show_one(message, [*RECORD, "message_encoding", "is_mms"], as_json)
    if as_json:  # the JSON object already holds the receipts
        return
    receipts = [
        {
            "level": r.level,
            "status": r.status,
            "code": r.status_code,
            "description": r.status_code_description,
            "at": r.timestamp,
        }
        for r in message.delivery_receipts
    ]
    if receipts:
        show_list(receipts, ["level", "status", "code", "description", "at"], as_json=False)
