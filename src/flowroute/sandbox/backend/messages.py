"""Messaging (spec M1-M6, N11): sending with Flowroute's limits, pricing and opt-outs, inbound
texts, callbacks, and the webhooks both produce (scheduled side by side below)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, bindparam, delete, insert, select

from ...segments import analyze
from ..dispatcher import schedule
from ..errors import ApiError, quoted
from ..limits import boolean, checked_url
from ..ratelimit import Limiter
from ..records import MESSAGE_COLUMNS, Account, Message
from ..store.schema import callbacks, messages, numbers, opt_outs
from ..wire.messages import RECEIPT_PLANS, SMS_NANODOLLARS, inbound_webhook, receipt_webhook
from ._context import Context, fits, insert_missing
from ._lookup import owned_number

MMS_NANODOLLARS = 19_500_000  # $0.0195 per message
MMS_MAX_BYTES = 767_840
MAX_MEDIA = 10
# Flowroute documents no maximum; 5,000 characters (at most 77 segments) keeps every price
# within the amount column and refuses what is surely a mistake.
MAX_BODY_CHARS = 5000

# Magic destinations (last seven digits), documented in docs/sandbox.md.
MAGIC_OPTED_OUT = "5550197"  # refused at send time with code 1110
MAGIC_NO_RECEIPT = "5550198"  # no delivery receipts at all
MAGIC_FAILS = "5550199"  # level 1, then a failed level 2

CALLBACK_KINDS = ("sms_callback", "mms_callback", "sms_dlr_callback", "mms_dlr_callback")
CALLBACK_ALIASES = {"dlr_callback": "sms_dlr_callback"}  # deprecated name, still accepted
_NANP = re.compile(r"1[2-9]\d{2}[2-9]\d{6}", re.ASCII)

MediaSize = Callable[[str], Awaitable[int | None]]

# Statements on the send path are built once: SQLAlchemy then reuses their compiled form.
_NUMBER_TYPE = select(numbers.c.number_type).where(
    numbers.c.account_id == bindparam("account"), numbers.c.value == bindparam("number")
)
_SENDER = select(
    numbers.c.number_type,
    select(opt_outs.c.id)
    .where(
        opt_outs.c.account_id == numbers.c.account_id,
        opt_outs.c.number == numbers.c.value,
        opt_outs.c.subscriber == bindparam("subscriber"),
    )
    .exists()
    .label("opted_out"),
).where(numbers.c.account_id == bindparam("account"), numbers.c.value == bindparam("number"))
_CALLBACKS = select(callbacks.c.number, callbacks.c.url).where(
    callbacks.c.account_id == bindparam("account"),
    callbacks.c.kind == bindparam("kind"),
    callbacks.c.number.in_(bindparam("numbers", expanding=True)),
)
_MESSAGE_SELECT = select(*(messages.c[name] for name in MESSAGE_COLUMNS))


def callback_kind(value: str) -> str:
    kind = CALLBACK_ALIASES.get(value, value)
    if kind not in CALLBACK_KINDS:
        raise ApiError(
            400,
            f"Unknown callback type {quoted(value)}: use one of {', '.join(CALLBACK_KINDS)} "
            "(or dlr_callback).",
        )
    return kind


def nanp(value: Any, name: str, *, form: str = "12065550100", status: int = 422) -> str:
    text = (
        str(value).strip() if isinstance(value, str | int) and not isinstance(value, bool) else ""
    )
    digits = text[1:] if text.startswith("+") else text
    if not _NANP.fullmatch(digits):
        raise ApiError(
            status,
            f"{name} {quoted(text)} is not a valid North American number; send it as {form}.",
        )
    return digits


def _check_body(body: Any, status: int) -> None:
    if body is not None and not isinstance(body, str):
        raise ApiError(status, "body must be a string.")
    if body is not None and len(body) > MAX_BODY_CHARS:
        raise ApiError(
            status, f"body must be at most {MAX_BODY_CHARS} characters, got {len(body)}."
        )


def _outcome_for(to_number: str) -> str:
    if to_number.endswith(MAGIC_FAILS):
        return "failed"
    if to_number.endswith(MAGIC_NO_RECEIPT):
        return "none"
    return "delivered"


def _price(body: str | None, is_mms: bool) -> tuple[int, int, int]:
    """(message_encoding, segments, amount_nanodollars)."""
    info = analyze(body or "")
    if is_mms:
        return info.encoding, 1, MMS_NANODOLLARS
    return info.encoding, info.segments, SMS_NANODOLLARS * info.segments


def _message_type(number_type: str) -> str:
    return "toll-free" if number_type == "toll-free" else "longcode"


def _callback_url(conn: Connection, account_id: int, number: str, kind: str) -> str | None:
    """The number's own callback of ``kind``, else the account's."""
    params = {"account": account_id, "kind": kind, "numbers": [number, ""]}
    rows = dict(conn.execute(_CALLBACKS, params).all())
    return rows.get(number) or rows.get("")


def _store(
    conn: Connection,
    *,
    account_id: int,
    direction: str,
    sender: str,
    to: str,
    body: str | None,
    media: list[dict[str, Any]],
    is_mms: bool,
    message_type: str,
    created_at: float,
    dlr_callback: str | None = None,
) -> Message:
    """Price and insert a message."""
    encoding, segments, amount = _price(body, is_mms)
    row = Message(
        id="mdr2-" + uuid.uuid4().hex,
        account_id=account_id,
        direction=direction,
        from_number=sender,
        to_number=to,
        body=body,
        is_mms=is_mms,
        media=media,
        message_encoding=encoding,
        segments=segments,
        amount_nanodollars=amount,
        message_type=message_type,
        created_at=created_at,
        dlr_callback=dlr_callback,
        # Only what we send has receipts to play out (magic destinations pick the ending).
        outcome=_outcome_for(to) if direction == "outbound" else "delivered",
    )
    conn.execute(insert(messages), row._asdict())
    return row


# --- the webhooks a message causes: receipts for what is sent, a post for what arrives ---------


def schedule_receipts(conn: Connection, row: Message, shape: str, base: str) -> None:
    kind = "mms_dlr_callback" if row.is_mms else "sms_dlr_callback"
    url = row.dlr_callback or _callback_url(conn, row.account_id, row.from_number, kind)
    if not url:
        return
    for receipt in RECEIPT_PLANS[row.outcome]:
        schedule(
            conn,
            account_id=row.account_id,
            kind="dlr",
            message_id=row.id,
            url=url,
            body=receipt_webhook(row, receipt, shape, base),
            due_at=row.created_at + receipt[0],
        )


def schedule_inbound(conn: Connection, row: Message, shape: str, base: str) -> str | None:
    """Post an arriving text to the number's (else the account's) SMS or MMS callback, now;
    returns the callback URL (None when there is none)."""
    url = _callback_url(
        conn, row.account_id, row.to_number, "mms_callback" if row.is_mms else "sms_callback"
    )
    if url:
        schedule(
            conn,
            account_id=row.account_id,
            kind="inbound_mms" if row.is_mms else "inbound_sms",
            message_id=row.id,
            url=url,
            body=inbound_webhook(row, url, shape, base),
            due_at=row.created_at,
        )
    return url


def _record_keyword(
    conn: Connection, account_id: int, number: str, subscriber: str, text: str | None
) -> None:
    """STOP (a single word, any case) opts the subscriber out of this number; START/UNSTOP in."""
    keyword = (text or "").strip().upper()
    values = {"account_id": account_id, "number": number, "subscriber": subscriber}
    if keyword == "STOP":
        insert_missing(conn, opt_outs, values)
    elif keyword in ("START", "UNSTOP"):
        conn.execute(
            delete(opt_outs).where(*(opt_outs.c[name] == value for name, value in values.items()))
        )


def _inbound_media(body: dict[str, Any]) -> list[dict[str, Any]]:
    items = body.get("media") or [{"url": url} for url in body.get("media_urls") or []]
    shape = 'media must be a list of {"url", "mime_type", "file_size", "file_name"}'
    if (
        not isinstance(items, list)
        or len(items) > MAX_MEDIA
        or not all(isinstance(i, dict) for i in items)
    ):
        raise ApiError(400, f"{shape} (at most {MAX_MEDIA}).")
    media = []
    for item in items:
        url = checked_url(item.get("url"), "each media url")
        size = item.get("file_size") or 0
        if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MMS_MAX_BYTES:
            raise ApiError(
                400, f"media file_size must be a whole number of bytes up to {MMS_MAX_BYTES}."
            )
        entry: dict[str, Any] = {
            "url": url,
            "mime_type": item.get("mime_type") or "image/jpeg",
            "file_size": size,
            "file_name": item.get("file_name") or url.rsplit("/", 1)[-1],
        }
        for name in ("mime_type", "file_name"):
            text = entry[name]
            if not isinstance(text, str) or len(text) > 256:
                raise ApiError(400, f"media {name} must be text of at most 256 characters.")
        media.append(entry)
    return media


class Messages:
    def __init__(self, ctx: Context, limiter: Limiter, media_size: MediaSize) -> None:
        self.ctx = ctx
        self.limiter = limiter
        self.media_size = media_size

    async def _check_media(self, urls: list[str], body: str | None) -> list[dict[str, Any]]:
        total = len((body or "").encode())
        media = []
        for url in urls:
            try:
                size = await self.media_size(url)
            except ApiError:
                raise  # the outbound policy's refusal (a 422 with its reason)
            except Exception as exc:  # any fetch failure is the sender's problem, as on Flowroute
                raise ApiError(
                    422, f'Error fetching media: could not fetch "{url}" ({type(exc).__name__}).'
                ) from None
            if size is not None:
                total += size
                if total > MMS_MAX_BYTES:
                    raise ApiError(
                        422,
                        f'Error fetching media: File at "{url}" is over {MMS_MAX_BYTES} byte '
                        "limit.",
                    )
            media.append(
                {
                    "url": url,
                    "file_size": size,
                    "file_name": urlsplit(url).path.rsplit("/", 1)[-1][:256] or None,
                    "mime_type": None,
                }
            )
        return media

    async def send(
        self, account: Account, fields: dict[str, Any], *, version: str, base: str
    ) -> Message:
        flag = fields.get("is_mms")
        forced = boolean(flag, "is_mms") if flag is not None and flag != "" else False
        media_urls = fields.get("media_urls") or []
        is_mms = forced or bool(media_urls)
        settings = self.ctx.settings
        if not self.limiter.allow(account.id, "mms" if is_mms else "sms"):
            limit = settings.mms_per_second if is_mms else settings.sms_per_second
            raise ApiError(
                429,
                f"Too many {'MMS' if is_mms else 'SMS'} requests: the limit is {limit:g} per "
                "second.",
            )
        form = "+12065550100" if version == "v2.2" else "12065550100"
        to = nanp(fields.get("to"), "to", form=form)
        sender = nanp(fields.get("from"), "from", form=form)
        body = fields.get("body")
        _check_body(body, 422)
        if not isinstance(media_urls, list) or not all(isinstance(u, str) for u in media_urls):
            raise ApiError(422, "media_urls must be a list of URLs.")
        if len(media_urls) > MAX_MEDIA:
            raise ApiError(422, f"media_urls may hold at most {MAX_MEDIA} URLs.")
        media_urls = [checked_url(u, "each media_urls entry") for u in media_urls]
        if not is_mms and not (body or "").strip():
            raise ApiError(422, "body is required for an SMS (send media_urls or is_mms for MMS).")
        if is_mms and not body and not media_urls:
            raise ApiError(422, "An MMS needs a body or media_urls.")
        dlr = (
            checked_url(fields["dlr_callback"], "dlr_callback")
            if fields.get("dlr_callback")
            else None
        )
        media = await self._check_media(media_urls, body) if is_mms else []
        with self.ctx.engine.begin() as conn:
            now, shape = self.ctx.now_and_webhook_format(account.id, conn)
            status = conn.execute(
                _SENDER, {"account": account.id, "number": sender, "subscriber": to}
            ).first()
            if status is None:
                raise ApiError(403, f"from {sender} is not a number on your account.")
            if to.endswith(MAGIC_OPTED_OUT) or status.opted_out:
                raise ApiError(
                    400,
                    f"Message rejected: {to} has opted out of messages from {sender} "
                    "(replied STOP).",
                    code=1110,
                )
            row = _store(
                conn,
                account_id=account.id,
                direction="outbound",
                sender=sender,
                to=to,
                body=body,
                media=media,
                is_mms=is_mms,
                message_type=_message_type(status.number_type),
                created_at=now,
                dlr_callback=dlr,
            )
            schedule_receipts(conn, row, shape, base)
        return row

    def receive(
        self, account: Account, fields: dict[str, Any], *, base: str
    ) -> tuple[Message, str | None]:
        """A text from ``fields["from"]`` arriving at the account's number ``fields["to"]``
        (control API): stored, STOP/START applied, posted to the callback. Returns the message
        and the callback URL it goes to."""
        sender = nanp(fields.get("from"), "from", status=400)
        to = nanp(fields.get("to"), "to", status=400)
        text = fields.get("body")
        _check_body(text, 400)
        media = _inbound_media(fields)
        is_mms = bool(media) or boolean(fields.get("is_mms") or False, "is_mms")
        if not is_mms and not text:
            raise ApiError(400, "An inbound SMS needs a body (or send media for an MMS).")
        with self.ctx.engine.begin() as conn:
            now, shape = self.ctx.now_and_webhook_format(account.id, conn)
            number_type = conn.scalar(_NUMBER_TYPE, {"account": account.id, "number": to})
            if number_type is None:
                raise ApiError(404, f"to {to} is not a number on your account.")
            row = _store(
                conn,
                account_id=account.id,
                direction="inbound",
                sender=sender,
                to=to,
                body=text,
                media=media,
                is_mms=is_mms,
                message_type=_message_type(number_type),
                created_at=now,
            )
            _record_keyword(conn, account.id, to, sender, text)
            url = schedule_inbound(conn, row, shape, base)
        return row, url

    def listing(
        self, account: Account, *, start: float, end: float | None, limit: int, offset: int
    ) -> tuple[list[Message], bool]:
        query = _MESSAGE_SELECT.where(
            messages.c.account_id == account.id, messages.c.created_at >= start
        )
        if end is not None:
            query = query.where(messages.c.created_at <= end)
        query = query.order_by(messages.c.created_at, messages.c.id).limit(limit + 1).offset(offset)
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Message(*row) for row in rows[:limit]], len(rows) > limit

    def outbox(self, account: Account) -> list[Message]:
        """Messages the account sent, oldest first (control API)."""
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(
                _MESSAGE_SELECT.where(
                    messages.c.account_id == account.id, messages.c.direction == "outbound"
                ).order_by(messages.c.created_at, messages.c.id)
            ).all()
        return [Message(*row) for row in rows]

    def get(self, account: Account, ident: str) -> Message:
        with self.ctx.engine.connect() as conn:
            row = conn.execute(
                _MESSAGE_SELECT.where(messages.c.account_id == account.id, messages.c.id == ident)
            ).first()
        if row is None:
            raise ApiError(404, f"Message {quoted(ident, 60)} was not found on your account.")
        return Message(*row)

    def callback(self, account: Account, kind: str) -> str | None:
        """The account-level callback URL of ``kind``."""
        with self.ctx.engine.connect() as conn:
            return _callback_url(conn, account.id, "", kind)

    def set_callback(
        self, account: Account, kind: str, url: str | None, *, number: str = ""
    ) -> None:
        """Set (or with None clear) the account's, or one number's, callback of ``kind``."""
        if url is not None:
            fits(callbacks, {"url": url}, {"url": "callback_url"})
        with self.ctx.engine.begin() as conn:
            if number:
                owned_number(conn, account.id, number)
            conn.execute(
                delete(callbacks).where(
                    callbacks.c.account_id == account.id,
                    callbacks.c.number == number,
                    callbacks.c.kind == kind,
                )
            )
            if url is not None:
                conn.execute(
                    insert(callbacks).values(
                        account_id=account.id, number=number, kind=kind, url=url
                    )
                )
