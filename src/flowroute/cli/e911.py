"""``flowroute e911 ...``: emergency addresses and which numbers use them."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ..addresses import FIELDS
from ._common import Connection, JsonOption, LimitOption, done, one_line_errors, show_list, show_one

app = typer.Typer(help="E911 addresses.", no_args_is_help=True)

F = TypeVar("F", bound=Callable[..., Any])
COLUMNS = ["id", "label", *(f for f in FIELDS if f != "label")]
SUMMARY = ["id", "label", "street_number", "street_name", "city", "state", "zip"]


def address_options(command: F) -> F:
    """Give ``command(..., **address)`` one ``--field`` option per E911 address field, so the
    field list lives in one place (flowroute.addresses) for validate, create and update."""
    signature = inspect.signature(command, eval_str=True)
    own = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    fields = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=None,
            annotation=Annotated[str | None, typer.Option(rich_help_panel="Address")],
        )
        for name in FIELDS
    ]
    command.__signature__ = signature.replace(parameters=[*own, *fields])  # type: ignore[attr-defined]
    return command


def _given(address: dict[str, str | None]) -> dict[str, Any]:
    return {k: v for k, v in address.items() if v is not None}


@app.command("list")
@one_line_errors
def list_addresses(
    label: Annotated[str | None, typer.Option(help="Label contains this.")] = None,
    city: str | None = None,
    state: str | None = None,
    limit: LimitOption = 50,
    as_json: JsonOption = False,
) -> None:
    """Your E911 addresses."""
    found = Connection.client().e911s.list(label=label, city=city, state=state, limit=limit)
    show_list(found, SUMMARY, as_json, empty="No E911 addresses on this account.")


@app.command("show")
@one_line_errors
def show_address(e911_id: str, as_json: JsonOption = False) -> None:
    """One address."""
    show_one(Connection.client().e911s.retrieve(e911_id), COLUMNS, as_json)


@app.command()
@address_options
@one_line_errors
def validate(**address: str | None) -> None:
    """Check that Flowroute can geocode an address."""
    Connection.client().e911s.validate(**_given(address))
    done("valid: Flowroute can geocode this address")


@app.command()
@address_options
@one_line_errors
def create(as_json: JsonOption = False, **address: str | None) -> None:
    """Validate and store an address."""
    show_one(Connection.client().e911s.create(**_given(address)), COLUMNS, as_json)


@app.command()
@address_options
@one_line_errors
def update(e911_id: str, as_json: JsonOption = False, **address: str | None) -> None:
    """Change an address's fields (re-validated)."""
    show_one(Connection.client().e911s.update(e911_id, **_given(address)), COLUMNS, as_json)


@app.command()
@one_line_errors
def delete(e911_id: str) -> None:
    """Delete an address (refused while numbers use it)."""
    Connection.client().e911s.delete(e911_id)
    done(f"deleted E911 address {e911_id}")


@app.command()
@one_line_errors
def associate(e911_id: str, number: str) -> None:
    """Use an address for a number's emergency calls."""
    Connection.client().e911s.associate(e911_id, number=number)
    done(f"{number}: E911 address {e911_id}")


@app.command()
@one_line_errors
def numbers(e911_id: str, as_json: JsonOption = False) -> None:
    """The numbers that use an address."""
    found = Connection.client().e911s.numbers(e911_id)
    show_list(found, ["id", "alias"], as_json, empty="No numbers use this address.")


@app.command()
@one_line_errors
def disconnect(number: str) -> None:
    """Remove E911 service from a number."""
    Connection.client().e911s.disconnect(number)
    done(f"{number}: E911 removed")
