"""What every resource command shares: the connection settings, output (rich tables or
``--json``) and turning errors into one line and an exit status."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import wraps
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from .. import (
    ConfigurationError,
    Flowroute,
    FlowrouteError,
    IndeterminateResultError,
)
from .._core.stderr_log import log_to_stderr
from ..sandbox.remote import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY
from ..types._base import FlowrouteModel
from . import profile

F = TypeVar("F", bound=Callable[..., Any])
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
LimitOption = Annotated[int, typer.Option(help="How many to show at most.")]

# Exit statuses, documented in docs/cli.md. A script can tell "refused, fix the input" (1) from
# "may have happened, check before retrying" (4).
EXIT_FAILED = 1
EXIT_CONFIGURATION = 3
EXIT_INDETERMINATE = 4

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


class Connection:
    """Settings from the top-level options; flags win over FLOWROUTE_* variables (typer reads
    both), which win over the saved profile."""

    access_key: str | None = None
    secret_key: str | None = None
    base_url: str | None = None
    profile: str = "default"

    @classmethod
    def settings(cls) -> dict[str, str | None]:
        saved = profile.load(cls.profile)
        return {
            "access_key": cls.access_key or saved.get("access_key"),
            "secret_key": cls.secret_key or saved.get("secret_key"),
            "base_url": cls.base_url or saved.get("base_url"),
        }

    @classmethod
    def sandbox_credentials(cls) -> tuple[str, str]:
        """The configured keys, else the sandbox's default account (any key works there)."""
        settings = cls.settings()
        return (
            settings["access_key"] or DEFAULT_ACCESS_KEY,
            settings["secret_key"] or DEFAULT_SECRET_KEY,
        )

    @classmethod
    def client(cls) -> Flowroute:
        settings = cls.settings()
        return Flowroute(
            access_key=settings["access_key"],
            secret_key=settings["secret_key"],
            base_url=settings["base_url"],
        )


def enable_debug() -> None:
    """Log each HTTP exchange (method, URL, status, headers with credentials redacted)."""
    log_to_stderr(logging.DEBUG, "debug: %(message)s", tag="cli")


def one_line_errors(command: F) -> F:
    """A FlowrouteError (or a file problem) becomes one line on stderr and an exit status."""

    @wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except profile.ProfileError as exc:
            fail(str(exc), EXIT_CONFIGURATION)
        except ConfigurationError as exc:
            fail(f"{exc} (or run: flowroute configure)", EXIT_CONFIGURATION)
        except IndeterminateResultError as exc:
            fail(str(exc), EXIT_INDETERMINATE)
        except (FlowrouteError, OSError) as exc:
            fail(str(exc), EXIT_FAILED)

    return run  # type: ignore[return-value]


def fail(message: str, status: int = EXIT_FAILED) -> None:
    stderr.print(f"[bold red]error:[/] {message}", soft_wrap=True)
    raise typer.Exit(status)


def done(message: str) -> None:
    """Confirmation of a change (stdout, so a script can ignore it with --json elsewhere)."""
    stdout.print(message, soft_wrap=True)


def print_json(value: Any, *, indent: int | None = 2) -> None:
    sys.stdout.write(json.dumps(value, indent=indent, default=str) + "\n")


def _cell(row: Any, column: str) -> str:
    value = row.get(column) if isinstance(row, dict) else getattr(row, column, None)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ" if value.utcoffset() == timedelta(0) else "%c")
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def _plain(item: Any) -> Any:
    return item.to_dict() if isinstance(item, FlowrouteModel) else item


def show_list(items: Iterable[Any], columns: Sequence[str], as_json: bool) -> None:
    """A listing: a table with one row per item, or a JSON array."""
    if as_json:
        print_json([_plain(item) for item in items])
        return
    rows = [[_cell(item, c) for c in columns] for item in items]
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    if sum(widths) + 3 * len(columns) + 1 > stdout.width:
        # Too wide for this terminal: one field/value block per item (like psql's \x), so ids
        # and numbers people copy are never cut.
        for row in rows:
            _fields(zip(columns, row, strict=True))
        return
    table = Table(*(column.rstrip("_") for column in columns))
    for row in rows:
        table.add_row(*row)
    stdout.print(table)


def _fields(pairs: Iterable[tuple[str, str]]) -> None:
    table = Table(show_header=False)
    for column, value in pairs:
        table.add_row(column.rstrip("_"), value)
    stdout.print(table)


def show_one(item: Any, columns: Sequence[str], as_json: bool) -> None:
    """One object: a field/value table (fits any terminal width), or a JSON object."""
    if as_json:
        print_json(_plain(item))
        return
    _fields((column, _cell(item, column)) for column in columns)
