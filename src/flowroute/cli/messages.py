"""``flowroute messages ...``: send SMS/MMS and read message detail records."""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from ..resources.messages import DEFAULT_MAX_SEGMENTS
from ..segments import above, analyze
from ._common import (
    Connection,
    JsonOption,
    LimitOption,
    fail,
    one_line_errors,
    show_list,
    show_one,
)

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
        int,
        typer.Option(min=1, help="Refuse an SMS longer than this many segments (each billed)."),
    ] = DEFAULT_MAX_SEGMENTS,
    as_json: JsonOption = False,
) -> None:
    """Send an SMS (or an MMS with --media-url). Never sent twice: see exit status 4."""
    if body == "-":
        body = _stdin()
    too_long = None if media_url else above(analyze(body), max_segments)
    if too_long is not None:
        fail(f"{too_long}; shorten it or pass --max-segments N")
    sent = Connection.client().messages.send(
        to=to,
        from_=from_,
        body=body or None,
        media_urls=media_url or None,
        dlr_callback=dlr_callback,
        max_segments=None,  # checked above, with the CLI's option in the message
    )
    show_one(sent, ["id", "to", "from_", "is_mms", "segments"], as_json)


def _stdin() -> str:
    """The body piped in, which must be UTF-8 (what the API takes)."""
    data = sys.stdin.buffer.read()
    try:
        return data.decode("utf-8").rstrip("\n")
    except UnicodeDecodeError as exc:
        fail(
            f"standard input is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset "
            f"{exc.start}); convert it first, e.g. iconv -f latin1 -t utf-8",
            2,
        )


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
