"""``flowroute configure``: save credentials in a profile so commands need no flags."""

from __future__ import annotations

from typing import Annotated

import typer

from .._core.config import mask
from . import profile
from ._common import Connection, done, one_line_errors


@one_line_errors
def configure(
    access_key: Annotated[str | None, typer.Option(help="Access key (asked if missing).")] = None,
    secret_key: Annotated[
        str | None, typer.Option(help="Secret key (asked, hidden, if missing).", show_default=False)
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="Only to use a sandbox or another API URL.")
    ] = None,
) -> None:
    """Save credentials to the profile chosen with --profile (default: default)."""
    name = Connection.profile_name()
    saved = profile.load(name)
    key = access_key or typer.prompt("Access key", default=saved.get("access_key"))
    secret = secret_key or typer.prompt(
        "Secret key",
        hide_input=True,
        default=saved.get("secret_key"),
        show_default=False,
    )
    values = {
        "access_key": key,
        "secret_key": secret,
        "base_url": base_url or saved.get("base_url", ""),
    }
    path = profile.save(name, values)
    done(f"saved profile {name!r} ({mask(key)}) to {path} (readable only by you)")
