"""Live updates: a Server-Sent Events stream per open page.

Every POLL seconds the stream compares the account's fingerprint (aggregates over the
database, so it sees what any worker wrote) with the last one; when it changed, or at least
every REFRESH seconds (edits in place, receipts falling due as time passes), it renders the
page's view again and sends the regions whose HTML changed, as one ``regions`` event of
JSON ``{name: html}``. Many changes between two polls cost one rendering, so a page never
falls behind a fast stream of messages: it skips to the newest state.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from .context import Viewer
from .html import Safe
from .views import build, fingerprint

POLL = 0.25
REFRESH = 1.0
# A stream ends after this long and the browser reconnects at once: a stopping server waits
# for open responses, so none may stay open for ever.
LIFETIME = 30.0
# A comment line this often while nothing changes: proxies keep the stream open, and a server
# that learns of a closed connection only when writing to it (ASGI 2.4) learns of it.
KEEPALIVE = 10.0


def _event(regions: dict[str, Safe]) -> str:
    return f"event: regions\ndata: {json.dumps(regions)}\n\n"


async def stream(v: Viewer, path: str, since: str | None) -> AsyncIterator[str]:
    yield "retry: 500\n\n"
    shown = (await build(v, path)).regions
    last = fingerprint(v)
    if last != since:  # something changed between the page's rendering and this stream
        yield _event(shown)
    rendered = wrote = time.monotonic()
    end = rendered + LIFETIME
    while time.monotonic() < end:
        await asyncio.sleep(POLL)
        if time.monotonic() - wrote >= KEEPALIVE:
            wrote = time.monotonic()
            yield ": keep-alive\n\n"
        current = fingerprint(v)
        if current == last and time.monotonic() - rendered < REFRESH:
            continue
        regions = (await build(v, path)).regions
        if current == last:
            regions.pop("clock")  # its text moves with time; the page's script ticks it
        last, rendered = current, time.monotonic()
        changed = {name: html for name, html in regions.items() if shown.get(name) != html}
        if changed:
            shown.update(changed)
            wrote = time.monotonic()
            yield _event(changed)
