"""What every resource command shares: the connection settings, output (rich tables or
``--json``) and turning errors into one line and an exit status."""

from __future__ import annotations

import json
import keyword
import logging
import os
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from functools import wraps
from typing import Annotated, Any, NoReturn, TypeVar
from urllib.parse import SplitResult, urlsplit

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from .. import (
    ConfigurationError,
    Flowroute,
    FlowrouteError,
    IndeterminateResultError,
)
from .._core.config import DEFAULT_BASE_URL
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
EXIT_USAGE = 2  # as click's: the command line (or environment) is refused as given
EXIT_CONFIGURATION = 3
EXIT_INDETERMINATE = 4

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)


def _environment(*names: str) -> str | None:
    return next((os.environ[n] for n in names if os.environ.get(n)), None)


def _first(layers: Sequence[dict[str, str | None]]) -> dict[str, str | None]:
    """Each field from the first layer that has it."""
    return {
        field: next((layer[field] for layer in layers if layer.get(field)), None)
        for field in profile.FIELDS
    }


def _same_url(a: str, b: str) -> bool:
    """The same scheme, host, port and path (``https://h`` is ``https://h:443/``)."""
    x, y = urlsplit(a.strip()), urlsplit(b.strip())
    defaults = {"http": 80, "https": 443}

    def parts(u: SplitResult) -> tuple[str, str, int | None, str]:
        try:
            port = u.port or defaults.get(u.scheme.lower())
        except ValueError:  # not a port: compare as given
            return (u.scheme.lower(), u.netloc.lower(), None, u.path.rstrip("/"))
        return (u.scheme.lower(), (u.hostname or "").lower(), port, u.path.rstrip("/"))

    return parts(x) == parts(y)


class Connection:
    """Settings from the top-level options, resolved as the AWS CLI does: flags, then an
    explicit ``--profile`` (its keys and base URL together), then FLOWROUTE_* variables, then the
    ``FLOWROUTE_PROFILE`` (else ``default``) profile.

    Keys from that last, implicit, profile only go to the profile's own base URL (the default
    Flowroute URL when it names none): a base URL from a flag or the environment with them is
    refused (exit 2), so ``FLOWROUTE_BASE_URL`` never sends saved production keys elsewhere."""

    access_key: str | None = None
    secret_key: str | None = None
    base_url: str | None = None
    profile: str | None = None  # only when --profile is given

    @classmethod
    def profile_name(cls) -> str:
        return cls.profile or os.environ.get("FLOWROUTE_PROFILE") or "default"

    @classmethod
    def settings(cls, *, against: str | None = None) -> dict[str, str | None]:
        """Each field from the first layer that has it. ``against``: the URL the keys go to
        instead (``demo --against``), checked as a ``--base-url`` would be."""
        flags: dict[str, str | None] = {
            "access_key": cls.access_key,
            "secret_key": cls.secret_key,
            "base_url": against or cls.base_url,
        }
        if cls.profile is not None:  # chosen on this command line: it beats the environment
            chosen: dict[str, str | None] = dict(profile.require(cls.profile))
            return _first([flags, chosen, {"base_url": DEFAULT_BASE_URL}])
        name = cls.profile_name()
        saved: dict[str, str | None] = dict(
            profile.require(name) if name != "default" else profile.load(name)
        )
        environment = {
            "access_key": _environment("FLOWROUTE_ACCESS_KEY", "FR_ACCESS_KEY"),
            "secret_key": _environment("FLOWROUTE_SECRET_KEY", "FR_SECRET_KEY"),
            "base_url": _environment("FLOWROUTE_BASE_URL"),
        }
        resolved = _first([flags, environment, saved])
        borrowed = [
            field.replace("_", " ")
            for field in ("access_key", "secret_key")
            if not flags[field] and not environment[field] and saved.get(field)
        ]
        given = flags["base_url"] or environment["base_url"]
        own = saved.get("base_url") or DEFAULT_BASE_URL
        if borrowed and given and not _same_url(given, own):
            where = (
                "--against"
                if against
                else "--base-url"
                if flags["base_url"]
                else "FLOWROUTE_BASE_URL"
            )
            fail(
                f"{where} {given} is not the base URL of profile {name!r} ({own}), whose "
                f"{' and '.join(borrowed)} would be sent there; pass --access-key and "
                "--secret-key (or FLOWROUTE_ACCESS_KEY and FLOWROUTE_SECRET_KEY), or "
                "--profile NAME",
                EXIT_USAGE,
            )
        return resolved

    @classmethod
    def sandbox_credentials(cls) -> tuple[str, str]:
        """Keys given on this command line (flags or --profile), else the sandbox's default
        pair: never a saved default profile's or the environment's, possibly production, keys
        (not even one of the two, when only the other is a flag)."""
        chosen = profile.require(cls.profile) if cls.profile is not None else {}
        return (
            cls.access_key or chosen.get("access_key") or DEFAULT_ACCESS_KEY,
            cls.secret_key or chosen.get("secret_key") or DEFAULT_SECRET_KEY,
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


def fail(message: str, status: int = EXIT_FAILED) -> NoReturn:
    """``message`` is plain text: brackets in it (a user's argument, a server's detail) print
    as they are, never as Rich markup."""
    stderr.print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(status)


def done(message: str) -> None:
    """Confirmation of a change (stdout, so a script can ignore it with --json elsewhere);
    plain text, never markup."""
    stdout.print(message, soft_wrap=True, markup=False)


def print_json(value: Any, *, indent: int | None = 2) -> None:
    sys.stdout.write(json.dumps(value, indent=indent, default=str) + "\n")


def money(value: Any, *, per_message: bool = False) -> str:
    """One money format: ``$1.00``; four decimals only for per-message prices (``$0.0040``)."""
    return f"${Decimal(str(value)):,.{4 if per_message else 2}f}"


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
    if column.endswith("_cost") or column == "amount_display":
        return money(value, per_message=column == "amount_display")
    if column == "state":
        return str(value).upper()
    return str(value)


def _wire_key(key: str) -> str:
    return key[:-1] if key.endswith("_") and keyword.iskeyword(key[:-1]) else key


def _wire(value: Any, sent: Any) -> Any:
    """Flowroute's field names (``from``, not ``from_``); a null only where the API sent one
    (``sent``: the same place in what it sent), so receipts do not grow null type/id/to."""
    if isinstance(value, dict):
        given = sent if isinstance(sent, dict) else {}
        wired = {}
        for key, item in value.items():
            name = _wire_key(key)
            if item is None and name not in given:
                continue
            wired[name] = _wire(item, given.get(name))
        return wired
    if isinstance(value, list):
        given_items = sent if isinstance(sent, list) else []
        return [
            _wire(item, given_items[i] if i < len(given_items) else None)
            for i, item in enumerate(value)
        ]
    return value


def wire(item: Any) -> Any:
    """What ``--json`` prints for an item: a model as Flowroute names its fields."""
    if not isinstance(item, FlowrouteModel):
        return item
    raw = item.raw
    return _wire(item.to_dict(), {**raw, **item.attributes})


def show_list(
    items: Iterable[Any], columns: Sequence[str], as_json: bool, *, empty: str = "None found."
) -> None:
    """A listing: a table with one row per item (``empty`` when there is none), or a JSON
    array."""
    if as_json:
        print_json([wire(item) for item in items])
        return
    rows = [[_cell(item, c) for c in columns] for item in items]
    if not rows:
        stdout.print(empty, markup=False)
        return
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(columns)]
    if sum(widths) + 3 * len(columns) + 1 > stdout.width:
        # Too wide for this terminal: one field/value block per item (like psql's \x), so ids
        # and numbers people copy are never cut.
        for row in rows:
            _fields(zip(columns, row, strict=True))
        return
    table = Table(*(_wire_key(column) for column in columns))
    for row in rows:
        table.add_row(*map(Text, row))  # cells are data: "[/x]" prints as it is
    stdout.print(table)


def _fields(pairs: Iterable[tuple[str, str]]) -> None:
    table = Table(show_header=False)
    for column, value in pairs:
        table.add_row(_wire_key(column), Text(value))
    stdout.print(table)


def show_one(item: Any, columns: Sequence[str], as_json: bool) -> None:
    """One object: a field/value table (fits any terminal width), or a JSON object."""
    if as_json:
        print_json(wire(item))
        return
    _fields((column, _cell(item, column)) for column in columns)
