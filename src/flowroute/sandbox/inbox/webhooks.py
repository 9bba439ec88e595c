"""The webhooks view: every delivery with each attempt (time, URL, status, latency, the start
of the receiver's answer, the error or block reason), failed ones on their own, replay."""

from __future__ import annotations

import json

from ..backend.inbox import Delivery
from ..records import Attempt
from .context import View, Viewer
from .html import Safe, action_form, fill, hidden, join, moment, pager, region

PER_PAGE = 25
EXCERPT = 300
DASH = "\u2014"


def _latency(ms: float | None) -> str:
    if ms is None:
        return DASH  # blocked (never sent), or recorded before latency was
    return f"{ms:.0f} ms" if ms >= 100 else f"{ms:.1f} ms"


def _attempt(attempt: Attempt) -> Safe:
    detail = attempt.error or ""
    answer = attempt.response_excerpt
    return fill(
        '<tr class="$outcome"><td>$at</td><td class="url">$url</td><td>$status</td>'
        '<td class="latency">$latency</td><td>$outcome</td>'
        '<td class="answer">$answer</td><td>$detail</td></tr>',
        outcome=attempt.outcome,
        at=moment(attempt.at),
        url=attempt.url,
        status=attempt.status_code if attempt.status_code is not None else DASH,
        latency=_latency(attempt.latency_ms),
        answer=DASH if answer is None else answer or "(empty)",
        detail=detail if len(detail) <= EXCERPT else detail[: EXCERPT - 1] + "\u2026",
    )


def _body(text: str) -> str:
    try:
        return json.dumps(json.loads(text), indent=2)
    except ValueError:
        return text


def _delivery(v: Viewer, delivery: Delivery) -> Safe:
    if delivery.attempts:
        rows = join(_attempt(a) for a in delivery.attempts)
        tried = fill(
            '<div class="scroll"><table><caption>Attempts</caption><thead><tr>'
            '<th scope="col">Time</th><th scope="col">URL</th><th scope="col">Status</th>'
            '<th scope="col">Latency</th><th scope="col">Outcome</th>'
            '<th scope="col">Response</th><th scope="col">Error or block reason</th></tr></thead>'
            "<tbody>$rows</tbody></table></div>",
            rows=rows,
        )
    else:
        tried = fill("<p>Not attempted yet: due $due.</p>", due=moment(delivery.due_at))
    replay = action_form(
        action=v.link("/actions/replay"),
        label=f"Replay delivery {delivery.id}",
        fields=hidden(delivery=delivery.id),
        button=f"Replay #{delivery.id}",
    )
    return fill(
        '<li id="delivery-$id" class="delivery $state">'
        '<article aria-labelledby="delivery-$id-title">'
        '<h2 id="delivery-$id-title">#$id $kind &#183; <span class="state">$state</span></h2>'
        '<p class="url">To $url$message</p>$tried'
        "<details><summary>Body</summary><pre>$body</pre></details>$replay</article></li>",
        id=delivery.id,
        state=delivery.state,
        kind=delivery.kind,
        url=delivery.url,
        message=f" for message {delivery.message_id}" if delivery.message_id else "",
        tried=tried,
        body=_body(delivery.body),
        replay=replay,
    )


def _deliveries(v: Viewer, failed: bool) -> Safe:
    page = v.count("page")
    found, more = v.backend.inbox.deliveries(
        v.owner, failed=failed, limit=PER_PAGE, offset=page * PER_PAGE
    )
    if not found:
        text = "No failed webhooks." if failed else "No webhooks yet."
        return fill('<p class="empty">$text</p>', text=text)
    flag = "1" if failed else None
    return join(
        [
            fill('<ol class="deliveries">$items</ol>', items=join(_delivery(v, d) for d in found)),
            pager(
                label="Webhook pages",
                older=v.link("/webhooks", failed=flag, page=page + 1) if more else None,
                newer=v.link("/webhooks", failed=flag, page=page - 1 or None) if page else None,
            ),
        ]
    )


async def render(v: Viewer) -> View:
    if v.account is None:
        return View("Webhooks", Safe("<h1>Webhooks</h1><p>No accounts yet.</p>"), {})
    failed = v.params.get("failed") == "1"
    regions = {"deliveries": _deliveries(v, failed)}
    title = "Failed webhooks" if failed else "Webhooks"
    filters = fill(
        '<nav class="filters" aria-label="Filter webhooks"><a href="$all"$all_current>All</a> '
        '<a href="$failed"$failed_current>Failed only</a></nav>',
        all=v.link("/webhooks"),
        failed=v.link("/webhooks", failed=1),
        all_current=Safe("") if failed else Safe(' aria-current="page"'),
        failed_current=Safe(' aria-current="page"') if failed else Safe(""),
    )
    main = fill(
        "<h1>$title</h1>$filters<p>Every webhook the sandbox sent or will send for this account, "
        "newest first. Replay sends the same body again as a new attempt.</p>$deliveries",
        title=title,
        filters=filters,
        deliveries=region("deliveries", regions["deliveries"]),
    )
    return View(title, main, regions)
