"""``flowroute demo``: the seed SDK walkthrough, against an embedded sandbox (no account needed),
another sandbox (``--against URL``), or a real account (after confirmation: it spends money).

Steps that need a sandbox's control API (moving its clock, an inbound text, generated calls) are
skipped against a real account."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import httpx2
from rich.console import Console
from rich.panel import Panel
from rich.prompt import Confirm
from rich.table import Table

from .. import Flowroute, FlowrouteError, webhooks
from .._core.config import mask
from ..resources.cdrs import iter_records
from ..sandbox.receiver import WebhookReceiver
from ..sandbox.remote import SandboxControl
from ..sandbox.server import running
from ..sandbox.settings import SandboxSettings
from ._common import Connection
from .cdrs import download_bar, summary_table


def _step(console: Console, title: str) -> None:
    console.print(f"\n[bold cyan]> {title}[/]")


def _walkthrough(console: Console, client: Flowroute) -> str:
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
            f"${n.setup_cost:.2f}",
            f"${n.monthly_cost:.2f}",
        )
    console.print(table)

    _step(console, f"Purchase {candidates[0].id}")
    number = client.numbers.purchase(candidates[0].id)
    console.print(f"  bought {number.id}; primary route {number.primary_route_id} (sip-reg)")

    _step(console, "Create a host route and a SIP URI route")
    host = client.routes.create(alias="office-pbx", route_type="host", value="pbx.example.com:5060")
    uri = client.routes.create(
        alias="backup-uri", route_type="uri", value="sip:backup@sip.example.com"
    )
    routes = Table("id", "alias", "type", "value")
    for route in client.routes.list():
        routes.add_row(route.id, route.alias, route.route_type, route.value or "-")
    console.print(routes)

    _step(console, "Set the primary and failover routes")
    client.routes.set_primary(number.id, route=host.id)
    client.routes.set_failover(number.id, route=uri.id)
    client.numbers.update(number.id, alias="demo line")

    _step(console, "Number details")
    details = client.numbers.retrieve(number.id)
    info = Table(show_header=False)
    for key in ("id", "alias", "rate_center", "state", "primary_route_id", "failover_route_id"):
        info.add_row(key, str(getattr(details, key)))
    console.print(info)
    return number.id


def _messaging(console: Console, client: Flowroute, sandbox: SandboxControl, number: str) -> None:
    mobile = "12065550123"
    with WebhookReceiver() as inbox:
        _step(console, f"Local webhook receiver at {inbox.url}; point the callbacks at it")
        for kind in ("sms", "sms_dlr"):  # inbound texts and delivery receipts
            client.callbacks.set(kind, inbox.url)

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
            console.print(f"  inbound from {message.from_}: {message.body!r}")

    _step(console, "Message detail records")
    table = Table("direction", "from", "to", "body", "status", "cost")
    for record in client.messages.list(start_date=date.today() - timedelta(days=1)):
        table.add_row(
            record.direction,
            record.from_,
            record.to,
            record.body,
            record.status,
            f"${record.amount_display}",
        )
    console.print(table)


def _e911_and_cnam(
    console: Console, client: Flowroute, sandbox: SandboxControl | None, number: str
) -> None:
    address = {
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
            client.e911s.validate(**{**address, "street_name": "Nowhere Lane"})
        except FlowrouteError as exc:
            console.print(f"  refused as expected: {exc}".split(" (POST")[0])

    _step(console, "Validate, create and associate a real one")
    client.e911s.validate(**address)
    record = client.e911s.create(**address)
    client.e911s.associate(record.id, number=number)
    console.print(
        f"  E911 address {record.id} ({record.street_number} {record.street_name}) -> {number}"
    )

    _step(console, "Create a CNAM record: pending review")
    cnam = client.cnams.create("Lovelace Labs")
    console.print(f"  {cnam.value!r}: approved={cnam.is_approved}")

    if sandbox is None:
        console.print("  Flowroute reviews it within 48 hours; then: flowroute cnam associate")
        return
    _step(console, "Advance the sandbox clock 48 hours: reviewed and approved")
    sandbox.clock.advance(hours=48)
    cnam = client.cnams.retrieve(cnam.id)
    console.print(f"  {cnam.value!r}: approved={cnam.is_approved} at {cnam.approval_datetime}")
    client.cnams.associate(cnam.id, number=number)
    details = client.numbers.retrieve(number)
    console.print(f"  {number}: CNAM {details.cnam_preset_id}, E911 {details.e911_address_id}")


def _cdrs(console: Console, client: Flowroute, sandbox: SandboxControl | None) -> None:
    start, end = "2026-01-01", "2026-02-01"
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


def _story(console: Console, client: Flowroute, sandbox: SandboxControl | None) -> str:
    """The whole walkthrough; returns the number it bought."""
    number = _walkthrough(console, client)
    if sandbox is not None:
        _messaging(console, client, sandbox, number)
    else:
        console.print("\n(messaging skipped: a real account would text a real phone)")
    _e911_and_cnam(console, client, sandbox, number)
    _cdrs(console, client, sandbox)
    return number


def _control(url: str, access_key: str, secret_key: str) -> SandboxControl | None:
    """The control API when ``url`` is a sandbox; None for Flowroute itself."""
    control = SandboxControl(url, access_key=access_key, secret_key=secret_key)
    try:
        control.clock.now()
    except (RuntimeError, httpx2.HTTPError, ValueError):
        control.close()
        return None
    return control


def _against(console: Console, url: str, yes: bool) -> None:
    key, secret = Connection.sandbox_credentials()
    sandbox = _control(url, key, secret)
    if sandbox is None:
        console.print(
            f"[bold yellow]{url} is not a sandbox.[/] The demo buys a number (setup and monthly "
            "charges), adds an E911 address and a CNAM record, and exports CDRs on the account "
            f"{mask(key)}."
        )
        if not yes and not Confirm.ask("Spend money on this account?", console=console):
            raise DemoCancelled
    with Flowroute(access_key=key, secret_key=secret, base_url=url) as client:
        console.print(f"{'sandbox' if sandbox else 'Flowroute'} at {url}")
        number = _story(console, client, sandbox)
    console.print(
        f"\nThe demo bought {number}; release it with: flowroute numbers release {number}"
    )


NEXT_STEPS = (
    "flowroute sandbox                      keep a sandbox running on port 8080",
    "flowroute --base-url http://127.0.0.1:8080 --access-key me --secret-key s numbers search",
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
        console.print(f"[bold red]error:[/] {exc}")
        return 1
    console.print("\n[bold green]Done.[/] Try next:")
    for line in NEXT_STEPS:
        console.print(f"  {line}", soft_wrap=True, highlight=False)
    return 0
