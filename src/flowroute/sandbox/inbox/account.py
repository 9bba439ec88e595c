"""The account view: numbers with their routes, E911 address and CNAM; routes; E911
addresses; CNAM records (approve or reject pending ones); CDR exports; the virtual clock;
injected faults."""

from __future__ import annotations

from ..records import E911, Cnam, Route
from ..web.fault_input import METHODS
from ..wire.cdrs import download_path
from .context import View, Viewer
from .html import Safe, action_form, fill, hidden, join, moment, pager, region, table

NUMBERS_PER_PAGE = 50
LISTED = 200


def _route(route: Route | None) -> str:
    if route is None:
        return "sip-reg (0)"
    return f"{route.alias} ({route.route_type} {route.value}, id {route.id})"


def _address(record: E911) -> str:
    unit = f" {record.address_type} {record.address_type_number}" if record.address_type else ""
    return (
        f"{record.label}: {record.street_number} {record.street_name}{unit}, {record.city} "
        f"{record.state} {record.zip}"
    )


def _numbers(v: Viewer) -> Safe:
    page = v.count("page")
    found, more = v.backend.numbers.listing(
        v.owner, {}, limit=NUMBERS_PER_PAGE, offset=page * NUMBERS_PER_PAGE
    )
    if not found:
        return Safe('<p class="empty">No numbers: buy one through the API or seed some.</p>')
    rows = []
    for detail in v.backend.numbers.details(v.owner, [n.value for n in found]):
        routes = {0 if r is None else r.id: r for r in detail.routes}

        def slot(ident: int | None, routes: dict[int, Route | None] = routes) -> str:
            return "" if ident is None or ident not in routes else _route(routes[ident])

        rows.append(
            (
                "+" + detail.number.value,
                detail.number.alias or "",
                detail.number.number_type,
                slot(detail.primary_route_id),
                slot(detail.failover_route_id),
                _address(detail.e911) if detail.e911 else "",
                detail.cnam.value if detail.cnam else "",
            )
        )
    headers = ("Number", "Alias", "Type", "Primary route", "Failover route", "E911", "CNAM")
    return join(
        [
            table(caption="Numbers", headers=headers, rows=rows),
            pager(
                label="Number pages",
                older=v.link("/account", page=page + 1) if more else None,
                newer=v.link("/account", page=page - 1 or None) if page else None,
            ),
        ]
    )


def _routes(v: Viewer) -> Safe:
    rows = [
        ("0", "sip-reg", "sip-reg", "(built in)")
        if r is None
        else (r.id, r.alias, r.route_type, r.value)
        for r in v.backend.routes.listing(v.owner, None)
    ]
    return table(caption="Routes", headers=("Id", "Alias", "Type", "Value"), rows=rows)


def _e911s(v: Viewer) -> Safe:
    found, _ = v.backend.e911s.listing(v.owner, {}, limit=LISTED, offset=0)
    if not found:
        return Safe('<p class="empty">No E911 addresses.</p>')
    rows = [(r.id, _address(r), f"{r.first_name} {r.last_name}") for r in found]
    return table(caption="E911 addresses", headers=("Id", "Address", "Name"), rows=rows)


def _cnam_state(record: Cnam) -> str:
    if record.decided_at is None:
        return "pending"
    return "approved" if record.is_approved else f"rejected: {record.rejection_reason}"


def _cnam_actions(v: Viewer, record: Cnam) -> Safe:
    if record.decided_at is not None:
        return Safe("")
    approve = action_form(
        action=v.link("/actions/cnam"),
        label=f"Approve CNAM {record.value}",
        fields=hidden(cnam=record.id, decision="approve"),
        button=f"Approve {record.value}",
    )
    reason_id = f"cnam-{record.id}-reason"
    reject = action_form(
        action=v.link("/actions/cnam"),
        label=f"Reject CNAM {record.value}",
        fields=join(
            [
                hidden(cnam=record.id, decision="reject"),
                fill(
                    '<label for="$id">Reason</label> <input id="$id" name="reason" '
                    'maxlength="256" value="Rejected by review."> ',
                    id=reason_id,
                ),
            ]
        ),
        button=f"Reject {record.value}",
    )
    return join([approve, reject])


def _cnams(v: Viewer) -> Safe:
    found = v.backend.cnams.listing(v.owner, patterns={})
    if not found:
        return Safe('<p class="empty">No CNAM records.</p>')
    items = join(
        fill(
            '<li id="cnam-$id"><strong>$value</strong> &#183; <span class="state">$state</span>'
            " &#183; created $created $actions</li>",
            id=r.id,
            value=r.value,
            state=_cnam_state(r),
            created=moment(r.created_at),
            actions=_cnam_actions(v, r),
        )
        for r in found
    )
    return fill('<ul class="cnams">$items</ul>', items=items)


async def _exports(v: Viewer) -> Safe:
    found, _ = await v.backend.cdrs.listing(v.owner, None, limit=LISTED, offset=0)
    if not found:
        return Safe('<p class="empty">No CDR exports.</p>')
    rows = [
        (
            e.id,
            e.status if not e.failure else f"{e.status}: {e.failure}",
            moment(e.requested_at),
            moment(e.completes_at),
            fill('<a href="$href" download>Download</a>', href=v.base + download_path(e))
            if e.status == "completed"
            else "",
        )
        for e in found
    ]
    return table(
        caption="CDR exports",
        headers=("Id", "Status", "Requested", "Completes", "Download"),
        rows=rows,
    )


def _clock_controls(v: Viewer) -> Safe:
    buttons = join(
        fill(
            '<button type="submit" name="seconds" value="$seconds">$label</button> ',
            seconds=seconds,
            label=label,
        )
        for seconds, label in ((3600, "+1 h"), (48 * 3600, "+48 h"))
    )
    quick = fill(
        '<form class="inline" method="post" action="$action" data-action '
        'aria-label="Advance the clock">$buttons<p class="result" role="status"></p></form>',
        action=v.link("/actions/clock"),
        buttons=buttons,
    )
    custom = action_form(
        action=v.link("/actions/clock"),
        label="Advance the clock by hours",
        fields=Safe(
            '<label for="clock-hours">Hours</label> <input id="clock-hours" name="hours" '
            'type="number" min="0" step="any" required> '
        ),
        button="Advance",
    )
    return join([quick, custom])


def _faults(v: Viewer) -> Safe:
    found = v.state.faults.list(v.owner.id)
    if not found:
        return Safe('<p class="empty">No faults.</p>')
    rows = [
        (f.id, f.method, f.path, f.status or "", f.when, f.count, f"{f.delay:g} s", f.drop)
        for f in found
    ]
    headers = ("Id", "Method", "Path", "Status", "When", "Left", "Delay", "Drop")
    return table(caption="Injected faults", headers=headers, rows=rows)


_FAULT_FIELDS = """<p><label for="fault-method">Method</label>
<select id="fault-method" name="method">$methods</select></p>
<p><label for="fault-path">Path (a glob)</label>
<input id="fault-path" name="path" required value="/v2/numbers*" maxlength="512"></p>
<p><label for="fault-status">Status</label>
<input id="fault-status" name="status" type="number" min="100" max="599" value="503" required></p>
<p><label for="fault-count">Count</label>
<input id="fault-count" name="count" type="number" min="1" max="1000000" value="1" required></p>
<p><label for="fault-when">When</label>
<select id="fault-when" name="when"><option value="before">before (nothing happens)</option>
<option value="after">after (the change is committed)</option></select></p>"""


def _fault_forms(v: Viewer) -> Safe:
    methods = join(fill('<option value="$m">$m</option>', m=m) for m in METHODS)
    add = action_form(
        action=v.link("/actions/fault"),
        label="Add a fault",
        fields=fill(_FAULT_FIELDS, methods=methods),
        button="Add fault",
        css="stacked",
    )
    clear = action_form(
        action=v.link("/actions/clear-faults"), label="Clear faults", button="Clear all faults"
    )
    return join([add, clear])


_MAIN = """<h1>Account $key</h1>
<section aria-labelledby="numbers-title"><h2 id="numbers-title">Numbers</h2>$numbers</section>
<section aria-labelledby="routes-title"><h2 id="routes-title">Routes</h2>$routes</section>
<section aria-labelledby="e911-title"><h2 id="e911-title">E911 addresses</h2>$e911s</section>
<section aria-labelledby="cnam-title"><h2 id="cnam-title">CNAM records</h2>$cnams</section>
<section aria-labelledby="cdr-title"><h2 id="cdr-title">CDR exports</h2>$exports</section>
<section aria-labelledby="clock-title"><h2 id="clock-title">Virtual clock</h2>
<p>Move this account's time forward: receipts, webhook retries, CNAM reviews and exports fall
due.</p>$clock</section>
<section aria-labelledby="faults-title"><h2 id="faults-title">Faults</h2>$faults$fault_forms
</section>"""


async def render(v: Viewer) -> View:
    if v.account is None:
        return View("Account", Safe("<h1>Account</h1><p>No accounts yet.</p>"), {})
    regions = {
        "numbers": _numbers(v),
        "routes": _routes(v),
        "e911s": _e911s(v),
        "cnams": _cnams(v),
        "exports": await _exports(v),
        "faults": _faults(v),
    }
    main = fill(
        _MAIN,
        key=v.account.access_key,
        clock=_clock_controls(v),
        fault_forms=_fault_forms(v),
        **{name: region(name, content) for name, content in regions.items()},
    )
    return View(f"Account {v.account.access_key}", main, regions)
