"""``flowroute cnam ...``: caller ID names shown on your outbound calls."""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import Connection, JsonOption, LimitOption, done, one_line_errors, show_list, show_one

app = typer.Typer(help="Outbound caller ID names (CNAM).", no_args_is_help=True)

LISTED = ["id", "value", "is_approved", "approval_datetime"]
COLUMNS = ["id", "value", "is_approved", "rejection_reason", "approval_datetime", "number_ids"]


@app.command("list")
@one_line_errors
def list_records(
    approved: Annotated[
        bool | None, typer.Option("--approved/--pending", help="Only approved, or only pending.")
    ] = None,
    value: Annotated[str | None, typer.Option(help="The name contains this.")] = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Your CNAM records."""
    found = Connection.client().cnams.list(is_approved=approved, value=value, limit=limit)
    show_list(found, LISTED, as_json, empty="No CNAM records on this account.")


@app.command("show")
@one_line_errors
def show_record(cnam_id: str, as_json: JsonOption = False) -> None:
    """One record and the numbers that use it."""
    show_one(Connection.client().cnams.retrieve(cnam_id), COLUMNS, as_json)


@app.command()
@one_line_errors
def create(
    value: Annotated[
        str,
        typer.Argument(
            help="Caller ID name: up to 15 characters with at least one letter; also digits, "
            "spaces and the marks - _ . , @ + & ' / \"."
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Submit a name for review (approved within 48 hours)."""
    show_one(Connection.client().cnams.create(value), COLUMNS, as_json)


@app.command()
@one_line_errors
def update(cnam_id: str, value: str, as_json: JsonOption = False) -> None:
    """Change a record that is still pending review."""
    show_one(Connection.client().cnams.update(cnam_id, value=value), COLUMNS, as_json)


@app.command()
@one_line_errors
def associate(cnam_id: str, number: str) -> None:
    """Show an approved name on a number's outbound calls."""
    Connection.client().cnams.associate(cnam_id, number=number)
    done(f"{number}: CNAM {cnam_id}")


@app.command()
@one_line_errors
def unassociate(number: str) -> None:
    """Stop showing a name on a number's calls."""
    Connection.client().cnams.unassociate(number)
    done(f"{number}: no CNAM")


@app.command()
@one_line_errors
def delete(cnam_id: str) -> None:
    """Delete a record (numbers using it lose it)."""
    Connection.client().cnams.delete(cnam_id)
    done(f"deleted CNAM record {cnam_id}")
