"""The ``flowroute`` command: resource groups, ``sandbox``, ``demo``, ``listen``, ``configure``.
Errors print as one line with an exit status; no tracebacks."""

from __future__ import annotations

from typing import Annotated

import typer

from ..sandbox.settings import SandboxSettings, WebhookFormat, parse_credentials
from . import callbacks, cdrs, cnam, e911, messages, numbers, porting, routes
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


@app.callback()
def connection(
    access_key: Annotated[
        str | None, typer.Option(envvar="FLOWROUTE_ACCESS_KEY", help="Access key.")
    ] = None,
    secret_key: Annotated[
        str | None,
        typer.Option(envvar="FLOWROUTE_SECRET_KEY", help="Secret key.", show_default=False),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(envvar="FLOWROUTE_BASE_URL", help="API or sandbox URL.")
    ] = None,
    profile: Annotated[
        str, typer.Option(envvar="FLOWROUTE_PROFILE", help="Saved profile (flowroute configure).")
    ] = "default",
    debug: Annotated[
        bool, typer.Option(help="Print each HTTP request and answer (credentials redacted).")
    ] = False,
) -> None:
    """Credentials: flags, else FLOWROUTE_* variables, else the saved profile."""
    Connection.access_key = access_key
    Connection.secret_key = secret_key
    Connection.base_url = base_url
    Connection.profile = profile
    if debug:
        enable_debug()


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    db: Annotated[
        str | None, typer.Option(help="SQLite file or postgresql:// URL; default in memory.")
    ] = None,
    strict_auth: Annotated[
        list[str] | None,
        typer.Option("--strict-auth", help="Only accept these KEY:SECRET pairs (repeatable)."),
    ] = None,
    seed: Annotated[int, typer.Option(help="Inventory seed: same seed, same numbers.")] = 0,
    clock_speed: Annotated[
        float, typer.Option(help="Virtual seconds per real second (0 freezes the clock).")
    ] = 1.0,
    workers: Annotated[
        int, typer.Option(help="Worker processes; above 1 needs a PostgreSQL --db.")
    ] = 1,
    sms_per_second: Annotated[float, typer.Option(help="Per-account SMS limit (429 above).")] = 5.0,
    mms_per_second: Annotated[float, typer.Option(help="Per-account MMS limit (429 above).")] = 1.0,
    latency: Annotated[float, typer.Option(help="Seconds added to every API request.")] = 0.0,
    cnam_approval_delay: Annotated[
        float, typer.Option(help="Virtual seconds until a CNAM record is reviewed.")
    ] = 48 * 3600.0,
    webhook_format: Annotated[
        WebhookFormat, typer.Option(help="Webhook body shape for new accounts (jsonapi, compact).")
    ] = "jsonapi",
    allow_external_hosts: Annotated[
        bool, typer.Option(help="Deliver webhooks and fetch media beyond loopback addresses.")
    ] = False,
) -> None:
    """Run a local Flowroute sandbox."""
    from rich.console import Console

    from ..sandbox.server import serve
    from ..sandbox.store.db import describe_database

    try:
        strict = parse_credentials(strict_auth) if strict_auth else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--strict-auth") from None
    console = Console()
    url = f"http://{host}:{port}"
    console.print(f"[bold green]Flowroute sandbox[/] on [link={url}]{url}[/link]")
    console.print(
        "  credentials: "
        + ("only the --strict-auth keys" if strict else "any KEY:SECRET, one account per key")
    )
    # Never echo a --strict-auth secret: show the key and elide the secret.
    key, secret = (next(iter(strict)), "...") if strict else ("demo", "demo")
    console.print(
        f"  SDK:         Flowroute(base_url={url!r}, access_key={key!r}, secret_key=...)",
        soft_wrap=True,
    )
    console.print(
        f"  CLI:         flowroute --base-url {url} --access-key {key} --secret-key {secret} "
        "numbers search",
        soft_wrap=True,
    )
    console.print(f"  control API: {url}/_sandbox/  (docs at {url}/_sandbox/docs)")
    reach = "any host" if allow_external_hosts else "loopback hosts only"
    console.print(f"  webhooks:    {webhook_format} bodies, to {reach}")
    console.print(f"  storage:     {describe_database(db)}\n")
    settings = SandboxSettings(
        db=db,
        strict_auth=strict,
        seed=seed,
        clock_speed=clock_speed,
        allow_external_hosts=allow_external_hosts,
        sms_per_second=sms_per_second,
        mms_per_second=mms_per_second,
        latency=latency,
        cnam_approval_delay=cnam_approval_delay,
        webhook_format=webhook_format,
    )
    try:
        serve(settings, host=host, port=port, workers=workers)
    except ValueError as exc:  # a database it cannot use, --workers without PostgreSQL
        fail(str(exc), 2)


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
