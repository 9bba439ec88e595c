"""The conversations view: threads by (account number, other party), newest first, one
thread's messages with their receipts, and forms to text as either side."""

from __future__ import annotations

from ..records import Message
from ..wire.messages import RECEIPT_PLANS, message_resource
from .context import View, Viewer
from .html import NOTHING, Safe, action_form, fill, join, moment, pager, region

THREADS_PER_PAGE = 50
MESSAGES_PER_PAGE = 50
SNIPPET = 80
ENCODINGS = {0: "GSM/ASCII", 8: "UCS-2"}
IMAGE_ENDINGS = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def phone(value: str) -> str:
    return "+" + value


def _threads(v: Viewer, mine: str | None, other: str | None) -> Safe:
    page = v.count("page")
    found, more = v.backend.inbox.threads(
        v.owner, limit=THREADS_PER_PAGE, offset=page * THREADS_PER_PAGE
    )
    if not found:
        return Safe('<p class="empty">No conversations yet.</p>')
    items = join(
        fill(
            '<li><a id="thread-$mine-$other" href="$href"$current>'
            '<span class="party">$who</span> <span class="via">with $number</span> '
            '<span class="snippet">$arrow $snippet</span> '
            '<span class="when">$when &#183; $size</span></a></li>',
            mine=t.mine,
            other=t.other,
            href=v.link(mine=t.mine, other=t.other),
            current=Safe(' aria-current="true"') if (t.mine, t.other) == (mine, other) else "",
            who=phone(t.other),
            number=phone(t.mine),
            arrow="Sent:" if t.last.direction == "outbound" else "Received:",
            snippet=_snippet(t.last),
            when=moment(t.last.created_at),
            size=f"{t.size} message{'s' if t.size != 1 else ''}",
        )
        for t in found
    )
    return join(
        [
            fill('<ol class="threads">$items</ol>', items=items),
            pager(
                label="Conversation pages",
                older=v.link(page=page + 1) if more else None,
                newer=v.link(page=page - 1 or None) if page else None,
            ),
        ]
    )


def _snippet(message: Message) -> str:
    text = " ".join((message.body or "").split())
    if not text and message.is_mms:
        text = "(media)"
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "\u2026"


def _media(v: Viewer, message: Message) -> Safe:
    items = []
    for index, item in enumerate(message.media or []):
        name = item.get("file_name") or item["url"]
        mime = item.get("mime_type") or ""
        image = mime.startswith("image/") or (
            not mime and str(item["url"]).lower().endswith(IMAGE_ENDINGS)
        )
        size = item.get("file_size")
        caption = f"{name} ({size:,} bytes)" if size else name
        if image:
            src = v.link("/media", message=message.id, index=index)
            items.append(
                fill(
                    '<li><figure><img src="$src" alt="$alt" width="120" height="90" '
                    'loading="lazy"><figcaption>$caption</figcaption></figure></li>',
                    src=src,
                    alt=f"Image {name}",
                    caption=caption,
                )
            )
        else:
            items.append(fill("<li>$caption $mime</li>", caption=caption, mime=mime))
    return fill('<ul class="media">$items</ul>', items=join(items)) if items else Safe("")


def _timeline(message: Message, now: float) -> Safe:
    if message.direction != "outbound":
        return Safe("")
    if message.is_mms:
        return Safe('<p class="receipts">MMS: Flowroute sends no delivery receipts.</p>')
    plan = RECEIPT_PLANS[message.outcome]
    if not plan:
        return Safe('<p class="receipts">No delivery receipts for this destination.</p>')
    steps = []
    for after, level, status, code, description in plan:
        at = message.created_at + after
        done = at <= now
        steps.append(
            fill(
                '<li class="$state"><span class="level">Level $level</span> $status'
                "$code &#8212; $description &#183; $when</li>",
                state="done" if done else "due",
                level=level,
                status=status,
                code=f" ({code})" if code else "",
                description=description,
                when=moment(at) if done else fill("expected $at", at=moment(at)),
            )
        )
    return fill(
        '<ol class="timeline" aria-label="Delivery receipts">$steps</ol>', steps=join(steps)
    )


def message_item(v: Viewer, message: Message, now: float) -> Safe:
    wire = message_resource(message, v.base, "v2.1", now)["attributes"]
    outbound = message.direction == "outbound"
    status = wire["status"] or ("" if outbound else "received")
    return fill(
        '<li id="msg-$id" class="message $direction"><article aria-label="$label">'
        '<p class="meta"><span class="direction">$label</span> &#183; $when</p>'
        '<p class="body">$body</p>$media'
        '<dl class="facts"><div><dt>Segments</dt><dd>$segments</dd></div>'
        "<div><dt>Encoding</dt><dd>$encoding</dd></div>"
        "<div><dt>Cost</dt><dd>$cost</dd></div>"
        '<div><dt>Status</dt><dd class="status">$status</dd></div></dl>'
        "$timeline</article></li>",
        id=message.id,
        direction=message.direction,
        label=("Sent MMS" if message.is_mms else "Sent") if outbound else "Received",
        when=moment(message.created_at),
        body=message.body or "",
        media=_media(v, message),
        segments=message.segments,
        encoding=f"{ENCODINGS.get(message.message_encoding, '?')} ({message.message_encoding})",
        cost=wire["amount_display"],
        status=status or ("\u2014" if message.is_mms else "queued"),
        timeline=_timeline(message, now),
    )


def _thread(v: Viewer, mine: str | None, other: str | None) -> Safe:
    if mine is None or other is None:
        return Safe('<p class="empty">Choose a conversation, or start one below.</p>')
    older_offset = v.count("older")
    found, older = v.backend.inbox.thread(
        v.owner, mine=mine, other=other, limit=MESSAGES_PER_PAGE, offset=older_offset
    )
    now = v.backend.ctx.now(v.owner.id)
    more = pager(
        label="Messages",
        older=v.link(mine=mine, other=other, older=older_offset + MESSAGES_PER_PAGE)
        if older
        else None,
        newer=v.link(mine=mine, other=other, older=older_offset - MESSAGES_PER_PAGE or None)
        if older_offset
        else None,
    )
    items = join(message_item(v, m, now) for m in found)
    if not found:
        items = Safe('<li class="empty">No messages in this conversation yet.</li>')
    return fill('$more<ol class="messages">$items</ol>', more=more, items=items)


_FORMS = """<section class="act" aria-labelledby="act-title">
<h2 id="act-title">Text as either side</h2>
<datalist id="account-numbers">$numbers</datalist>
$customer
$account
</section>"""

_FIELDS = """<p><label for="$side-from">From $from_hint</label>
<input id="$side-from" name="from" required inputmode="numeric" autocomplete="off"
 $from_list value="$sender"></p>
<p><label for="$side-to">To $to_hint</label>
<input id="$side-to" name="to" required inputmode="numeric" autocomplete="off"
 $to_list value="$to"></p>
<p><label for="$side-body">Message</label>
<textarea id="$side-body" name="body" rows="3" maxlength="5000"></textarea></p>
<p><label for="$side-media">Image URL (optional, makes it an MMS)</label>
<input id="$side-media" name="media_url" type="url" autocomplete="off"></p>"""


CUSTOMER_HINT, NUMBER_HINT = "(the customer)", "(one of the account's numbers)"
LISTED = Safe(' list="account-numbers"')


def _side_form(
    v: Viewer, *, side: str, title: str, button: str, sender: str | None, to: str | None
) -> Safe:
    """A form to text as ``side``: "customer" (to one of the account's numbers, whose field
    suggests them) or "account" (from one of them)."""
    customer = side == "customer"
    fields = fill(
        _FIELDS,
        side=side,
        from_hint=CUSTOMER_HINT if customer else NUMBER_HINT,
        to_hint=NUMBER_HINT if customer else CUSTOMER_HINT,
        sender=sender or "",
        to=to or "",
        from_list=NOTHING if customer else LISTED,
        to_list=LISTED if customer else NOTHING,
    )
    form = action_form(
        action=v.link(f"/actions/{side}"), label=title, fields=fields, button=button, css="stacked"
    )
    return fill('<h3 id="$side-title">$title</h3>$form', side=side, title=title, form=form)


def _forms(v: Viewer, mine: str | None, other: str | None) -> Safe:
    numbers, _ = v.backend.numbers.listing(v.owner, {}, limit=200, offset=0)
    return fill(
        _FORMS,
        numbers=join(fill('<option value="$n">', n=n.value) for n in numbers),
        customer=_side_form(
            v,
            side="customer",
            title="Text the account as a customer",
            button="Send as the customer",
            sender=other,
            to=mine,
        ),
        account=_side_form(
            v,
            side="account",
            title="Send from the account",
            button="Send from the account",
            sender=mine,
            to=other,
        ),
    )


async def render(v: Viewer) -> View:
    if v.account is None:
        return View(
            "Conversations",
            Safe(
                "<h1>Conversations</h1><p>This sandbox has no accounts yet: any API call with "
                "a key and secret creates one.</p>"
            ),
            {},
        )
    mine, other = v.number("mine"), v.number("other")
    regions = {"threads": _threads(v, mine, other), "thread": _thread(v, mine, other)}
    heading = f"Conversation with {phone(other)}" if mine and other else "Conversations"
    main = fill(
        '<h1>$heading</h1><div class="conversations">'
        '<section class="thread-list" aria-labelledby="threads-title">'
        '<h2 id="threads-title">Threads</h2>$threads</section>'
        '<section class="thread" aria-labelledby="thread-title">'
        '<h2 id="thread-title">$title</h2>$thread$forms</section></div>',
        heading=heading,
        threads=region("threads", regions["threads"]),
        title=f"{phone(other)} and {phone(mine)}" if mine and other else "Messages",
        thread=region("thread", regions["thread"]),
        forms=_forms(v, mine, other),
    )
    return View(heading, main, regions)
