"""``flowroute numbers ...``: inventory, purchase and the numbers on your account."""

from __future__ import annotations

from typing import Annotated

import typer

from .. import Flowroute
from ._common import (
    Connection,
    JsonOption,
    LimitOption,
    done,
    fail,
    one_line_errors,
    show_list,
    show_one,
)

app = typer.Typer(help="Phone numbers: inventory, purchase, your numbers.", no_args_is_help=True)

AVAILABLE = ["id", "rate_center", "state", "tier", "setup_cost", "monthly_cost"]
DETAILS = [
    "id",
    "alias",
    "number_type",
    "rate_center",
    "state",
    "primary_route_id",
    "failover_route_id",
    "cnam_preset_id",
    "e911_address_id",
    "cnam_lookups_enabled",
]
LISTED = ["id", "alias", "number_type", "rate_center", "state"]
MaxSetupCost = Annotated[float | None, typer.Option(help="Only where setup costs at most this.")]


@app.command("area-codes")
@one_line_errors
def area_codes(
    max_setup_cost: MaxSetupCost = None, limit: LimitOption = 20, as_json: JsonOption = False
) -> None:
    """Area codes with purchasable numbers."""
    found = Connection.client().numbers.area_codes(max_setup_cost=max_setup_cost, limit=limit)
    show_list(found, ["id"], as_json, empty="No area codes match.")


@app.command()
@one_line_errors
def exchanges(
    areacode: Annotated[str | None, typer.Option(help="Only in this area code.")] = None,
    max_setup_cost: MaxSetupCost = None,
    limit: LimitOption = 20,
    as_json: JsonOption = False,
) -> None:
    """Exchanges (NPA-NXX) with purchasable numbers."""
    found = Connection.client().numbers.exchanges(
        areacode=areacode, max_setup_cost=max_setup_cost, limit=limit
    )
    show_list(found, ["id"], as_json, empty="No exchanges match.")


@app.command()
@one_line_errors
def search(
    starts_with: Annotated[str | None, typer.Option(help="Area code or prefix.")] = None,
    contains: str | None = None,
    ends_with: str | None = None,
    state: Annotated[str | None, typer.Option(help="Two-letter state.")] = None,
    rate_center: str | None = None,
    limit: LimitOption = 10,
    as_json: JsonOption = False,
) -> None:
    """Purchasable numbers."""
    found = Connection.client().numbers.search(
        starts_with=starts_with,
        contains=contains,
        ends_with=ends_with,
        state=state,
        rate_center=rate_center,
        limit=limit,
    )
    show_list(found, AVAILABLE, as_json, empty="No purchasable numbers match.")


@app.command()
@one_line_errors
def buy(number: str, as_json: JsonOption = False) -> None:
    """Purchase a number (billed; never retried blindly)."""
    show_one(Connection.client().numbers.purchase(number), DETAILS, as_json)


@app.command("list")
@one_line_errors
def list_numbers(
    contains: Annotated[str | None, typer.Option(help="Digits the number contains.")] = None,
    alias: str | None = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Numbers on your account."""
    found = Connection.client().numbers.list(contains=contains, alias=alias, limit=limit)
    show_list(found, LISTED, as_json, empty="No numbers on this account.")


@app.command("show")
@one_line_errors
def show_number(number: str, as_json: JsonOption = False) -> None:
    """One number's details: routes, CNAM, E911."""
    show_one(Connection.client().numbers.retrieve(number), DETAILS, as_json)


@app.command()
@one_line_errors
def update(
    number: str,
    alias: Annotated[str | None, typer.Option(help="A name for the number.")] = None,
    cnam_lookups: Annotated[
        bool | None, typer.Option(help="Look up caller names on inbound calls (charged).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Change a number's alias or CNAM lookups."""
    if alias is None and cnam_lookups is None:
        fail("nothing to change: pass --alias and/or --cnam-lookups/--no-cnam-lookups")
    updated = Connection.client().numbers.update(
        number, alias=alias, cnam_lookups_enabled=cnam_lookups
    )
    show_one(updated, DETAILS, as_json)


@app.command()
@one_line_errors
def release(
    number: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Release a number back to inventory (billing stops; it may go to someone else)."""
    client = Connection.client()
    if not yes:
        attached = _attached(client, number)
        loses = f"; it loses {attached}" if attached else ""
        if not typer.confirm(f"Release {number}{loses}?", err=True):
            fail(f"{number} was not released")
    client.numbers.release(number)
    done(f"released {number}")


def _attached(client: Flowroute, number: str) -> str:
    """What goes with the number: its E911 address, CNAM record and routes."""
    details = client.numbers.retrieve(number)
    aliases = {route.id: route.alias for route in client.routes.list()}
    parts = [
        f"{role} route {aliases.get(route_id) or route_id} (id {route_id})"
        for role, route_id in (
            ("primary", details.primary_route_id),
            ("failover", details.failover_route_id),
        )
        if route_id is not None
    ]
    if details.e911_address_id is not None:
        parts.append(f"E911 address {details.e911_address_id}")
    if details.cnam_preset_id is not None:
        parts.append(f"CNAM record {details.cnam_preset_id}")
    return ", ".join(parts)
