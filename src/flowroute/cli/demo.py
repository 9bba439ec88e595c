"""``flowroute demo``: the seed SDK walkthrough, against an embedded sandbox (no account needed),
another sandbox (``--against URL``), or a real account (after confirmation: it spends money).

Steps that need a sandbox's control API (moving its clock, an inbound text, generated calls) are
skipped against a real account."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.prompt import Confirm
from rich.table import Table
from rich.text import Text

from .. import Flowroute, FlowrouteError, webhooks
from .._core.config import mask
from ..resources.cdrs import iter_records
from ..resources.e911s import Address
from ..resources.routes import CreatableRouteType
from ..sandbox.receiver import WebhookReceiver
from ..sandbox.remote import SandboxControl
from ..sandbox.server import running
from ..sandbox.settings import SandboxSettings
from ..types.cdr import CdrExport
from ._common import money
from .callbacks import KINDS
from .cdrs import download_bar, summary_table
from .demo_account import demo_client, release_command


def _step(console: Console, title: str) -> None:
    console.print(f"\n[bold cyan]> {title}[/]")


CNAM = "LOVELACE LABS"  # as Flowroute stores it (upper case), so an earlier run's is found
DEMO_ALIAS = "flowroute-demo"  # marks the number an earlier run bought, so a rerun reuses it
ROUTES: tuple[tuple[str, CreatableRouteType, str], ...] = (
    ("office-pbx", "host", "pbx.example.com:5060"),
    ("backup-uri", "uri", "sip:backup@sip.example.com"),
)


def _number(console: Console, client: Flowroute) -> tuple[str, bool]:
    """The demo's number: an earlier run's (found by its alias), else one bought now."""
    earlier = next(iter(client.numbers.list(alias=DEMO_ALIAS, limit=1)), None)
    if earlier is not None:
        _step(console, f"Reuse {earlier.id}, bought by an earlier run (alias {DEMO_ALIAS})")
        return earlier.id, False
    _step(console, "Area codes with numbers for at most $3.25 setup")
    codes = [code.id for code in client.numbers.area_codes(max_setup_cost=3.25, limit=8)]
    console.print("  " + ", ".join(codes))

    _step(console, "Exchanges in 206")
    exchanges = [ex.id for ex in client.numbers.exchanges(areacode=206, limit=5)]
    console.print("  " + ", ".join(exchanges))

    _step(console, "Purchasable numbers starting with 206")
    table = Table("number", "rate center", "state", "tier", "setup", "monthly")
    candidates = list(client.numbers.search(starts_with=206, limit=3))
    for n in candidates:
        table.add_row(
            n.id,
            n.rate_center,
            (n.state or "").upper(),
            n.tier,
            money(n.setup_cost),
            money(n.monthly_cost),
        )
    console.print(table)

    _step(console, f"Purchase {candidates[0].id}")
    number = client.numbers.purchase(candidates[0].id)
    client.numbers.update(number.id, alias=DEMO_ALIAS)  # at once: a failed run is reused too
    console.print(f"  bought {number.id}; primary route {number.primary_route_id} (sip-reg)")
    return number.id, True


def _walkthrough(console: Console, client: Flowroute) -> tuple[str, bool]:
    """Returns the number and whether this run bought it."""
    number, bought = _number(console, client)

    _step(console, "Host and SIP URI routes (reused when an earlier run made them)")
    existing = {route.alias: route for route in client.routes.list()}
    host, uri = (
        existing.get(alias) or client.routes.create(alias=alias, route_type=kind, value=value)
        for alias, kind, value in ROUTES
    )
    routes = Table("id", "alias", "type", "value")
    for route in client.routes.list():
        routes.add_row(route.id, route.alias, route.route_type, route.value or "-")
    console.print(routes)

    _step(console, "Set the primary and failover routes")
    client.routes.set_primary(number, route=host.id)
    client.routes.set_failover(number, route=uri.id)

    _step(console, "Number details")
    details = client.numbers.retrieve(number)
    info = Table(show_header=False)
    for key in ("id", "alias", "rate_center", "state", "primary_route_id", "failover_route_id"):
        value = str(getattr(details, key))
        info.add_row(key, value.upper() if key == "state" else value)
    console.print(info)
    return number, bought


@contextmanager
def _callbacks(client: Flowroute, url: str) -> Iterator[None]:
    """Inbound texts and receipts to ``url`` while it listens; cleared after, so no callback is
    left at a closed port."""
    for kind in KINDS:
        client.callbacks.set(kind, url)
    try:
        yield
    finally:
        for kind in KINDS:
            client.callbacks.clear(kind)


def _messaging(console: Console, client: Flowroute, sandbox: SandboxControl, number: str) -> None:
    mobile = "12065550123"
    with WebhookReceiver() as inbox, _callbacks(client, inbox.url):
        _step(console, f"Local webhook receiver at {inbox.url}; point the callbacks at it")

        _step(console, f"Send an SMS from {number} to {mobile}")
        sent = client.messages.send(to=mobile, from_=number, body="Your table for 2 is ready.")
        console.print(f"  accepted as {sent.id} ({sent.segments} segment)")

        _step(console, "Advance the sandbox clock 5 s: delivery receipts arrive")
        sandbox.clock.advance(seconds=5)
        for receipt in inbox.of_type(webhooks.DeliveryReceipt):
            description = receipt.status_code_description
            console.print(f"  receipt level {receipt.level}: {receipt.status} ({description})")

        _step(console, "The customer replies; the sandbox posts it to the receiver")
        sandbox.inject_inbound(from_=mobile, to=number, body="Thanks, on my way!")
        for message in inbox.of_type(webhooks.InboundMessage):
            console.print(f"  inbound from {message.from_}: {message.body!r}", markup=False)

    _step(console, "Message detail records")
    table = Table("direction", "from", "to", "body", "status", "cost")
    for record in client.messages.list(start_date=date.today() - timedelta(days=1)):
        table.add_row(
            record.direction,
            record.from_,
            record.to,
            Text(record.body or ""),  # a text's "[/b]" is data, not markup
            record.status,
            money(record.amount_display, per_message=True),
        )
    console.print(table)


def _e911_and_cnam(
    console: Console, client: Flowroute, sandbox: SandboxControl | None, number: str
) -> None:
    address: Address = {
        "label": "Head office",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "street_number": "645",
        "street_name": "Elliott Ave W",
        "city": "Seattle",
        "state": "WA",
        "country": "US",
        "zip": "98119",
        "address_type": "Suite",
        "address_type_number": "300",
    }
    if sandbox is not None:  # the sandbox's documented never-geocodes street
        _step(console, "Validate an E911 address that cannot be geocoded")
        try:
            nowhere: Address = {**address, "street_name": "Nowhere Lane"}
            client.e911s.validate(**nowhere)
        except FlowrouteError as exc:
            console.print(f"  refused as expected: {exc}".split(" (POST")[0], markup=False)

    _step(console, "Validate, create (or reuse an earlier run's) and associate a real one")
    client.e911s.validate(**address)
    earlier = (a for a in client.e911s.list(label=address["label"]) if a.label == address["label"])
    record = next(earlier, None) or client.e911s.create(**address)
    client.e911s.associate(record.id, number=number)
    console.print(
        f"  E911 address {record.id} ({record.street_number} {record.street_name}) -> {number}"
    )

    _step(console, "Create a CNAM record, pending review (or reuse an earlier run's)")
    earlier_cnam = (c for c in client.cnams.list(value=CNAM) if c.value == CNAM)
    cnam = next(earlier_cnam, None) or client.cnams.create(CNAM)
    console.print(f"  {cnam.value!r}: approved={cnam.is_approved}")

    if sandbox is None:
        console.print("  Flowroute reviews it within 48 hours; then: flowroute cnam associate")
        return
    if not cnam.is_approved:
        _step(console, "Advance the sandbox clock 48 hours: reviewed and approved")
        sandbox.clock.advance(hours=48)
        cnam = client.cnams.retrieve(cnam.id)
    console.print(f"  {cnam.value!r}: approved={cnam.is_approved} at {cnam.approval_datetime}")
    client.cnams.associate(cnam.id, number=number)
    details = client.numbers.retrieve(number)
    console.print(f"  {number}: CNAM {details.cnam_preset_id}, E911 {details.e911_address_id}")


def _window(export: CdrExport) -> tuple[str, str]:
    """The dates an export covers, as the demo asked for them."""
    given = export.filter_parameters or {}
    start, end = (given.get(name) for name in ("start_call_start_time", "start_call_end_time"))
    return str(start)[:10], str(end)[:10]


def _cdrs(console: Console, client: Flowroute, sandbox: SandboxControl | None) -> None:
    start, end = "2026-01-01", "2026-02-01"
    earlier = next(
        (e for e in client.cdrs.list(status="completed") if _window(e) == (start, end)), None
    )
    if earlier is not None:  # the calls were generated then; generating more would add to them
        _step(console, f"Reuse the CDR export from {start} to {end} an earlier run made")
        export = earlier
    else:
        if sandbox is not None:
            _step(console, "A month of calls on the account (20,000 generated call records)")
            sandbox.generate_calls(20_000, start=start, end=end, seed=42)
        _step(console, f"Create a CDR export from {start} to {end}, and wait for it")
        export = client.cdrs.create(start=start, end=end)
        console.print(f"  export {export.id}: {export.status}")
        if sandbox is not None:
            sandbox.clock.advance(seconds=10)
        export = client.cdrs.wait(export.id, timeout=600)
    console.print(f"  export {export.id}: {export.status}, {export.num_calls:,} calls")

    _step(console, "Download it and summarise")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cdrs.csv.gz"
        with download_bar(console, path.name) as progress:
            client.cdrs.download(export.id, path, progress=progress)
        console.print(summary_table(iter_records(path)))


def _story(console: Console, client: Flowroute, sandbox: SandboxControl | None) -> tuple[str, bool]:
    """The whole walkthrough; returns the number and whether this run bought it."""
    number, bought = _walkthrough(console, client)
    if sandbox is not None:
        _messaging(console, client, sandbox, number)
    else:
        console.print("\n(messaging skipped: a real account would text a real phone)")
    _e911_and_cnam(console, client, sandbox, number)
    _cdrs(console, client, sandbox)
    return number, bought


def _against(console: Console, url: str, yes: bool) -> None:
    client, sandbox = demo_client(url)
    with client:
        if sandbox is None:
            console.print(
                f"[bold yellow]{url} is not a sandbox.[/] The demo buys a number (setup and "
                f"monthly charges) unless one an earlier run bought (alias {DEMO_ALIAS}) is "
                "still there, adds an E911 address and a CNAM record, and exports CDRs on the "
                f"account {mask(client.access_key)}."
            )
            if not yes and not Confirm.ask("Spend money on this account?", console=console):
                raise DemoCancelled
        console.print(f"{'sandbox' if sandbox else 'Flowroute'} at {url}")
        number, bought = _story(console, client, sandbox)
    how = "bought it" if bought else "reused it (an earlier run bought it)"
    console.print(f"\nThe demo's number is {number}; this run {how}.")
    console.print(
        "Release it with: " + release_command(url=url, number=number, sandbox=sandbox is not None),
        soft_wrap=True,
        highlight=False,
        markup=False,
    )


NEXT_STEPS = (
    "flowroute sandbox                      keep a sandbox running on port 8080, then open",
    "  http://127.0.0.1:8080/                its inbox: conversations, receipts, webhooks",
    "flowroute --base-url http://127.0.0.1:8080 --access-key sandbox-access-key "
    "--secret-key sandbox-secret-key numbers search",
    "flowroute listen --sandbox http://127.0.0.1:8080   print inbound texts and receipts",
    "def test_x(flowroute_sandbox): ...     the pytest fixture (docs/sandbox.md)",
    "python examples/two_way_sms_bot.py     one of the examples/; docs/cli.md for every command",
)


class DemoCancelled(Exception):
    pass


def run_demo(*, against: str | None = None, yes: bool = False) -> int:
    console = Console()
    try:
        if against is None:
            console.print(
                Panel.fit("Flowroute SDK demo: an embedded sandbox, no account, no network")
            )
            with running(SandboxSettings(clock_speed=0)) as sandbox, sandbox.client() as client:
                console.print(f"sandbox at {sandbox.base_url}")  # time moves when the demo says
                _story(console, client, sandbox)
        else:
            _against(console, against, yes)
    except DemoCancelled:
        console.print("nothing was done")
        return 1
    except FlowrouteError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        return 1
    console.print("\n[bold green]Done.[/] Try next:")
    for line in NEXT_STEPS:
        console.print(f"  {line}", soft_wrap=True, highlight=False)
    return 0
