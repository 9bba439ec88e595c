"""The page around every view: title, navigation, account switcher, virtual clock."""

from __future__ import annotations

from .context import ROOT, View, Viewer
from .html import Safe, duration, esc, fill, join, moment, region

VIEWS = (("", "Conversations"), ("/webhooks", "Webhooks"), ("/account", "Account"))
STATIC = ROOT + "/static"

_DOCUMENT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<link rel="stylesheet" href="$static/inbox.css">
<link rel="icon" href="$static/icon.svg" type="image/svg+xml">
<script src="$static/inbox.js" defer></script>
</head>
<body data-events="$events">
<a class="skip" href="#main">Skip to content</a>
<header class="top">
<p class="brand">Flowroute sandbox inbox</p>
<nav aria-label="Views"><ul>$nav</ul></nav>
$who
$clock
</header>
<main id="main" tabindex="-1">
$main
</main>
<p id="notice" class="notice" role="status" aria-live="polite"></p>
</body>
</html>
"""


def clock(v: Viewer) -> Safe:
    """The account's virtual time (ticking in the page) and how far it was moved ahead."""
    if v.account is None:
        return Safe("")
    now = v.backend.accounts.clock(v.account)
    return fill(
        '<p class="clock">Virtual time <span data-clock data-speed="$speed">$time</span> '
        '<span class="offset">clock offset <strong data-offset>$offset</strong>, '
        "speed $speed&#215;</span></p>",
        speed=f"{now.speed:g}",
        time=moment(now.now),
        offset=duration(now.offset),
    )


def _who(v: Viewer, path: str) -> Safe:
    if not v.switching:
        return fill(
            '<p class="who">Signed in as <strong>$key</strong></p>',
            key=v.account.access_key if v.account else "",
        )
    if not v.accounts:
        return Safe("")
    options = join(
        fill(
            '<option value="$key"$selected>$key</option>',
            key=a.access_key,
            selected=Safe(" selected") if a == v.account else Safe(""),
        )
        for a in v.accounts
    )
    return fill(
        '<form class="who" method="get" action="$action">'
        '<label for="account-switch">Account</label> '
        '<select id="account-switch" name="account">$options</select> '
        '<button type="submit">Switch</button></form>',
        action=ROOT + path,
        options=options,
    )


def document(v: Viewer, view: View, *, path: str, events: str) -> Safe:
    nav = join(
        fill(
            '<li><a href="$href"$current>$label</a></li>',
            href=v.link(target),
            current=Safe(' aria-current="page"') if target == path else Safe(""),
            label=label,
        )
        for target, label in VIEWS
    )
    who = v.account.access_key + " · " if v.account else ""
    return fill(
        _DOCUMENT,
        title=f"{view.title} · {who}Flowroute sandbox inbox",
        static=STATIC,
        events=events,
        nav=nav,
        who=_who(v, path),
        clock=region("clock", view.regions.get("clock", Safe(""))),
        main=view.main,
    )


def message_page(*, title: str, detail: str) -> Safe:
    """A page for an error (no account, bad parameter, credentials needed)."""
    return fill(
        _DOCUMENT,
        title=f"{title} · Flowroute sandbox inbox",
        static=STATIC,
        events="",
        nav=Safe(""),
        who=Safe(""),
        clock=Safe(""),
        main=fill("<h1>$title</h1><p>$detail</p>", title=title, detail=esc(detail)),
    )
