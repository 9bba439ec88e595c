"""The ``flowroute`` command: resource groups, ``sandbox``, ``demo``, ``listen``, ``configure``.
Errors print as one line with an exit status; no tracebacks."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from .. import __version__
from ..sandbox.settings import Option, SettingError, command_line_options, from_command_line
from . import callbacks, cdrs, cnam, e911, messages, numbers, porting, routes, sandbox_control
from ._common import Connection, enable_debug, fail
from .configure import configure
from .listen import listen

app = typer.Typer(
    name="flowroute",
    help="Flowroute from the terminal: numbers, routes, messages, E911, CNAM, CDRs, a local "
    "sandbox and a demo.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
for group, name in (
    (numbers.app, "numbers"),
    (routes.app, "routes"),
    (messages.app, "messages"),
    (callbacks.app, "callbacks"),
    (e911.app, "e911"),
    (cnam.app, "cnam"),
    (cdrs.app, "cdrs"),
    (porting.app, "porting"),
):
    app.add_typer(group, name=name)
app.command()(listen)
app.command()(configure)


def _version(given: bool) -> None:
    if given:
        typer.echo(f"flowroute-sdk {__version__}")
        raise typer.Exit


@app.callback()
def connection(
    access_key: Annotated[
        str | None,
        typer.Option(help="Access key (else FLOWROUTE_ACCESS_KEY, else the profile's)."),
    ] = None,
    secret_key: Annotated[
        str | None,
        typer.Option(help="Secret key (else FLOWROUTE_SECRET_KEY, else the profile's)."),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(help="API or sandbox URL (else FLOWROUTE_BASE_URL, else the profile's)."),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(
            help="Saved profile (flowroute configure); beats FLOWROUTE_* variables. "
            "Default: FLOWROUTE_PROFILE, else default.",
            show_default=False,
        ),
    ] = None,
    debug: Annotated[
        bool, typer.Option(help="Print each HTTP request and answer (credentials redacted).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Credentials: flags, else --profile, else FLOWROUTE_* variables, else the saved profile."""
    Connection.access_key = access_key
    Connection.secret_key = secret_key
    Connection.base_url = base_url
    Connection.profile = profile
    if debug:
        enable_debug()


def sandbox(**given: Any) -> None:
    """Run a local Flowroute sandbox."""
    from rich.console import Console

    from ..sandbox import banner
    from ..sandbox.server import prepare_serving

    try:
        server, settings = from_command_line(given)
    except SettingError as exc:  # a bad value, or an exposed sandbox without strict auth
        fail(str(exc), 2)
    try:
        # Everything that can fail (the port, the database) fails here, before the banner.
        foreground = prepare_serving(settings, server)
    except ValueError as exc:  # a busy port, a database it cannot use, --workers without PostgreSQL
        fail(str(exc), 2)
    url = foreground.url
    console = Console(highlight=False, soft_wrap=True)
    console.print(f"[bold green]Flowroute sandbox[/] on [link={url}]{url}[/link]")
    shown = banner.lines(
        settings, server, url=url, port=foreground.port, given_pairs=bool(given.get("strict_auth"))
    )
    width = max(len(line.label) for line in shown) + 1
    for line in shown:
        label = f"[bold red]{line.label}[/]" if line.warning else line.label
        padding = " " * (width - len(line.label))
        console.print(f"  {label}{padding}", end="")
        console.print(line.text, markup=False)
    console.print()
    foreground.run()


def _sandbox_parameter(option: Option) -> inspect.Parameter:
    """A typer option for a declared setting. Values arrive as text (the default as its text)
    and are converted by the declaration, so a bad one is one line, as with python -m."""
    annotation: Any
    default: Any = option.shown_default()
    if option.kind == "flag":
        flags = f"{option.flag}/--no-{option.flag[2:]}"
        annotation = Annotated[bool, typer.Option(flags, help=option.help)]
        default = option.default
    elif option.repeatable:
        annotation = Annotated[
            list[str] | None,
            typer.Option(option.flag, metavar=option.metavar, help=option.help),
        ]
    else:
        annotation = Annotated[
            str | None, typer.Option(option.flag, metavar=option.metavar, help=option.help)
        ]
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


class PlainHelp(TyperGroup):
    """Help as plain text: two dozen server options, some with long names and values, do not
    fit rich's table at 80 columns without cutting names; plain help wraps instead."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self.rich_markup_mode = None
        super().format_help(ctx, formatter)


def _sandbox_group(context: typer.Context, **given: Any) -> None:
    """Run a local Flowroute sandbox; with a subcommand, drive a running one instead."""
    if context.invoked_subcommand is None:
        sandbox(**given)


# typer reads the parameters from inspect.signature: one per declared setting. They belong to
# the group, so `flowroute sandbox --port 8080` still serves while `flowroute sandbox reset`
# (docs/decisions/0017-cli-first-hour.md) talks to a running one.
_sandbox_group.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
    [
        inspect.Parameter(
            "context", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
        ),
        *(_sandbox_parameter(option) for option in command_line_options()),
    ],
    return_annotation=None,
)
sandbox_control.app.callback(
    invoke_without_command=True,
    cls=PlainHelp,
    # As wide as the terminal (click stops at 80 by default): a wide one shows one line each.
    context_settings={"max_content_width": 1000},
)(_sandbox_group)
app.add_typer(sandbox_control.app, name="sandbox")


@app.command()
def demo(
    against: Annotated[
        str | None,
        typer.Option(help="Run against this sandbox or API URL instead of an embedded sandbox."),
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", help="Do not ask before spending money on a real account.")
    ] = False,
) -> None:
    """The whole Flowroute story (numbers, routes, SMS, E911, CNAM, CDRs) against a sandbox."""
    from .demo import run_demo

    raise typer.Exit(run_demo(against=against, yes=yes))
