"""``flowroute routes ...``: where inbound calls go (host, number or SIP URI routes)."""

from __future__ import annotations

from typing import Annotated, cast

import typer

from ..resources.routes import CreatableRouteType
from ._common import Connection, JsonOption, LimitOption, done, one_line_errors, show_list, show_one

app = typer.Typer(help="Inbound voice routes.", no_args_is_help=True)

COLUMNS = ["id", "alias", "route_type", "value", "edge_strategy_id"]
EdgeOption = Annotated[
    int | None, typer.Option(help="Edge strategy id (see: flowroute routes edge-strategies).")
]


@app.command("list")
@one_line_errors
def list_routes(limit: LimitOption = 50, as_json: JsonOption = False) -> None:
    """Your routes."""
    found = Connection.client().routes.list(limit=limit)
    show_list(found, COLUMNS, as_json, empty="No routes on this account.")


@app.command()
@one_line_errors
def create(
    alias: str,
    route_type: Annotated[str, typer.Argument(help="host, number or uri.")],
    value: Annotated[str, typer.Argument(help="host[:port], 11-digit number or sip:user@host.")],
    edge_strategy: EdgeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Create a route."""
    route = Connection.client().routes.create(
        alias=alias,
        route_type=cast(CreatableRouteType, route_type),  # the SDK checks it, with the choices
        value=value,
        edge_strategy_id=edge_strategy,
    )
    show_one(route, COLUMNS, as_json)


@app.command()
@one_line_errors
def update(
    route_id: str,
    alias: str | None = None,
    route_type: Annotated[str | None, typer.Option(help="host, number or uri.")] = None,
    value: str | None = None,
    edge_strategy: EdgeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Change a route's alias, type, value or edge strategy."""
    route = Connection.client().routes.update(
        route_id,
        alias=alias,
        route_type=cast(CreatableRouteType | None, route_type),
        value=value,
        edge_strategy_id=edge_strategy,
    )
    show_one(route, COLUMNS, as_json)


@app.command()
@one_line_errors
def delete(route_id: str) -> None:
    """Delete a route (refused while a number uses it)."""
    Connection.client().routes.delete(route_id)
    done(f"deleted route {route_id}")


@app.command("edge-strategies")
@one_line_errors
def edge_strategies(as_json: JsonOption = False) -> None:
    """Flowroute's edge strategies (which PoPs carry your calls)."""
    show_list(Connection.client().routes.edge_strategies(), ["id", "name", "description"], as_json)


@app.command("set-primary")
@one_line_errors
def set_primary(number: str, route_id: str) -> None:
    """Send a number's calls to a route first."""
    Connection.client().routes.set_primary(number, route=route_id)
    done(f"{number}: primary route {route_id}")


@app.command("set-failover")
@one_line_errors
def set_failover(number: str, route_id: str) -> None:
    """Where a number's calls go when the primary route fails."""
    Connection.client().routes.set_failover(number, route=route_id)
    done(f"{number}: failover route {route_id}")
