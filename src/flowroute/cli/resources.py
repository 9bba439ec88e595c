"""Resource commands: ``flowroute numbers|routes|messages ...``. Tables for people, ``--json`` for
scripts, one-line errors (exit 1) instead of tracebacks."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from .. import Flowroute, FlowrouteError
from ..types._base import FlowrouteModel

F = TypeVar("F", bound=Callable[..., Any])
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LimitOption = Annotated[int, typer.Option(help="How many to show.")]

numbers = typer.Typer(
    help="Phone numbers: inventory, purchase, your numbers.", no_args_is_help=True
)
routes = typer.Typer(help="Inbound voice routes.", no_args_is_help=True)
messages = typer.Typer(help="SMS and MMS.", no_args_is_help=True)


class Options:
    """Connection settings from the top-level options (flags, else the environment)."""

    access_key: str | None = None
    secret_key: str | None = None
    base_url: str | None = None

    @classmethod
    def client(cls) -> Flowroute:
        return Flowroute(
            access_key=cls.access_key, secret_key=cls.secret_key, base_url=cls.base_url
        )


def one_line_errors(command: F) -> F:
    """Any FlowrouteError becomes one line on stderr and exit status 1."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except FlowrouteError as exc:
            Console(stderr=True).print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(1) from None

    return run  # type: ignore[return-value]


def show(
    items: Iterable[FlowrouteModel] | FlowrouteModel, columns: list[str], as_json: bool
) -> None:
    rows = [items] if isinstance(items, FlowrouteModel) else list(items)
    if as_json:
        sys.stdout.write(json.dumps([r.to_dict() for r in rows], indent=2, default=str) + "\n")
        return

    def cell(row: FlowrouteModel, column: str) -> str:
        value = getattr(row, column, None)
        return "" if value is None else str(value)

    if isinstance(items, FlowrouteModel):  # one object: a field/value table fits any terminal
        table = Table(show_header=False)
        for column in columns:
            table.add_row(column, cell(items, column))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*(cell(row, c) for c in columns))
    Console().print(table)


@numbers.command("area-codes")
@one_line_errors
def area_codes(
    max_setup_cost: float | None = None, limit: LimitOption = 20, as_json: JsonOption = False
) -> None:
    """Area codes with purchasable numbers."""
    show(
        Options.client().numbers.area_codes(max_setup_cost=max_setup_cost, limit=limit),
        ["id"],
        as_json,
    )


@numbers.command("search")
@one_line_errors
def search(
    starts_with: str | None = None,
    contains: str | None = None,
    ends_with: str | None = None,
    state: str | None = None,
    limit: LimitOption = 10,
    as_json: JsonOption = False,
) -> None:
    """Purchasable numbers."""
    found = Options.client().numbers.search(
        starts_with=starts_with, contains=contains, ends_with=ends_with, state=state, limit=limit
    )
    show(found, ["id", "rate_center", "state", "tier", "setup_cost", "monthly_cost"], as_json)


@numbers.command("buy")
@one_line_errors
def buy(number: str, as_json: JsonOption = False) -> None:
    """Purchase a number."""
    show(
        Options.client().numbers.purchase(number),
        ["id", "rate_center", "state", "primary_route_id"],
        as_json,
    )


@numbers.command("list")
@one_line_errors
def list_numbers(limit: LimitOption = 50, as_json: JsonOption = False) -> None:
    """Numbers on your account."""
    show(
        Options.client().numbers.list(limit=limit), ["id", "alias", "rate_center", "state"], as_json
    )


@numbers.command("show")
@one_line_errors
def show_number(number: str, as_json: JsonOption = False) -> None:
    """One number's details."""
    columns = [
        "id",
        "alias",
        "rate_center",
        "state",
        "primary_route_id",
        "failover_route_id",
        "cnam_preset_id",
        "e911_address_id",
    ]
    show(Options.client().numbers.retrieve(number), columns, as_json)


@numbers.command("release")
@one_line_errors
def release(number: str) -> None:
    """Release a number."""
    Options.client().numbers.release(number)
    Console().print(f"released {number}")


@routes.command("list")
@one_line_errors
def list_routes(limit: LimitOption = 50, as_json: JsonOption = False) -> None:
    """Your routes."""
    show(Options.client().routes.list(limit=limit), ["id", "alias", "route_type", "value"], as_json)


@routes.command("create")
@one_line_errors
def create_route(alias: str, route_type: str, value: str, as_json: JsonOption = False) -> None:
    """Create a host, number or uri route."""
    route = Options.client().routes.create(alias=alias, route_type=route_type, value=value)  # type: ignore[arg-type]
    show(route, ["id", "alias", "route_type", "value"], as_json)


@routes.command("set-primary")
@one_line_errors
def set_primary(number: str, route: str) -> None:
    """Send a number's calls to a route first."""
    Options.client().routes.set_primary(number, route=route)
    Console().print(f"{number}: primary route {route}")


@messages.command("send")
@one_line_errors
def send(
    to: str, from_: Annotated[str, typer.Option("--from")], body: str, as_json: JsonOption = False
) -> None:
    """Send an SMS."""
    sent = Options.client().messages.send(to=to, from_=from_, body=body)
    show(sent, ["id", "to", "from_", "segments"], as_json)


@messages.command("show")
@one_line_errors
def show_message(message_id: str, as_json: JsonOption = False) -> None:
    """One message record."""
    show(
        Options.client().messages.retrieve(message_id),
        ["id", "direction", "from_", "to", "status", "amount_display"],
        as_json,
    )
