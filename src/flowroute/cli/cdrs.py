"""``flowroute cdrs ...``: export call detail records, wait for them, download, summarise."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn
from rich.table import Table

from ..resources.cdrs import Status, iter_records
from ..types.cdr import CallRecord
from ._common import (
    Connection,
    JsonOption,
    LimitOption,
    money,
    one_line_errors,
    show_list,
    show_one,
    stdout,
)

app = typer.Typer(help="Call detail record exports.", no_args_is_help=True)

COLUMNS = ["id", "status", "num_calls", "billed_minutes", "total_cost", "created_at", "expires_at"]
Progressed = Callable[[int, int | None], None]


@contextmanager
def download_bar(console: Console, label: str) -> Iterator[Progressed]:
    """A rich progress bar fed by the SDK's ``progress(done, total)`` callback."""
    with Progress(
        TextColumn("  {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        console=console,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total or done)


def summary_table(records: Iterable[CallRecord]) -> Table:
    """Calls, billed minutes and cost per direction, and in total."""
    totals: dict[str, list[int | Decimal]] = {}
    for call in records:
        row = totals.setdefault(call.direction or "unknown", [0, 0, Decimal(0)])
        row[0] += 1
        row[1] += call.billed_duration
        row[2] += call.total_cost
    table = Table("direction", "calls", "billed minutes", "total cost")
    every = [sum(r[i] for r in totals.values()) for i in range(3)]
    for direction, (calls, seconds, cost) in [*sorted(totals.items()), ("total", every)]:
        table.add_row(direction, f"{calls:,}", f"{seconds / 60:,.1f}", money(cost))
    return table


@app.command()
@one_line_errors
def export(
    start: Annotated[datetime, typer.Option(help="First call start time (UTC).")],
    end: Annotated[datetime, typer.Option(help="Up to this time (UTC; at most 92 days later).")],
    callback_url: Annotated[str | None, typer.Option(help="Notified when it finishes.")] = None,
    number_alias: Annotated[
        list[str] | None, typer.Option(help="Only calls on numbers with this alias (repeatable).")
    ] = None,
    destination: Annotated[
        list[str] | None, typer.Option(help="Only calls to this number (repeatable).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Start a CDR export job."""
    created = Connection.client().cdrs.create(
        start=start,
        end=end,
        callback_url=callback_url,
        number_aliases=number_alias,
        destination_numbers=destination,
    )
    show_one(created, COLUMNS, as_json)


@app.command("list")
@one_line_errors
def list_exports(
    status: Annotated[str | None, typer.Option(help="processing, completed or failed.")] = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Your export jobs."""
    found = Connection.client().cdrs.list(status=cast(Status | None, status), limit=limit)
    show_list(found, COLUMNS, as_json, empty="No CDR exports.")


@app.command()
@one_line_errors
def status(export_id: str, as_json: JsonOption = False) -> None:
    """One export job's status and totals."""
    show_one(Connection.client().cdrs.retrieve(export_id), COLUMNS, as_json)


@app.command()
@one_line_errors
def wait(
    export_id: str,
    timeout: Annotated[float, typer.Option(help="Give up after this many seconds.")] = 600.0,
    as_json: JsonOption = False,
) -> None:
    """Wait until an export completes (exit 1 if it fails or times out)."""
    with stdout.status(f"waiting for export {export_id}"):
        finished = Connection.client().cdrs.wait(export_id, timeout=timeout)
    show_one(finished, COLUMNS, as_json)


@app.command()
@one_line_errors
def download(
    export_id: str,
    destination: Annotated[
        Path | None, typer.Argument(help="File to write (default: cdrs-ID.csv.gz).")
    ] = None,
) -> None:
    """Download a completed export's gzip CSV, with a progress bar."""
    path = destination or Path(f"cdrs-{export_id}.csv.gz")
    with download_bar(stdout, path.name) as progress:
        Connection.client().cdrs.download(export_id, path, progress=progress)
    stdout.print(f"saved {path}", markup=False)


@app.command()
@one_line_errors
def summary(
    source: Annotated[str, typer.Argument(help="A downloaded .csv.gz file, or an export id.")],
) -> None:
    """Calls, billed minutes and cost per direction."""
    if Path(source).is_file():
        stdout.print(summary_table(iter_records(source)))
        return
    with download_bar(stdout, f"export {source}") as progress:
        records = Connection.client().cdrs.records(source, progress=progress)
    with records:
        stdout.print(summary_table(records))
