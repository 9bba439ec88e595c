"""``flowroute porting check``: could these numbers move to Flowroute?"""

from __future__ import annotations

from typing import Annotated

import typer

from ._common import Connection, JsonOption, one_line_errors, print_json, show_list

app = typer.Typer(help="Number porting.", no_args_is_help=True)


@app.command()
@one_line_errors
def check(
    numbers: Annotated[list[str], typer.Argument(help="Numbers in any common format.")],
    as_json: JsonOption = False,
) -> None:
    """Which numbers are portable, nonportable, or already on Flowroute's hypernetwork."""
    answer = Connection.client().porting.check_portability(numbers)
    if as_json:
        print_json(answer.to_dict())
        return
    rows = [
        {
            "number": number,
            "portable": number in answer.portable,
            "on Flowroute's hypernetwork": number in answer.hypernetwork_enabled,
        }
        for number in dict.fromkeys([*answer.portable, *answer.nonportable])
    ]
    show_list(rows, ["number", "portable", "on Flowroute's hypernetwork"], as_json=False)
