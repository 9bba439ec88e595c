"""Accounts: one per access key (created on first use unless strict auth lists the keys), each
with its own virtual clock offset and webhook shape, and a reset that empties it."""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import threading

from sqlalchemy import delete, select, update

from ..errors import ApiError
from ..passwords import hash_secret, mint_secret, verify_secret
from ..records import Account, Clock
from ..settings import is_webhook_format
from ..store.schema import (
    accounts,
    attempts,
    call_blocks,
    callbacks,
    calls,
    cdr_exports,
    cnams,
    deliveries,
    e911s,
    faults,
    messages,
    numbers,
    opt_outs,
    routes,
    send_attempts,
)
from ._context import Context, insert_missing

# An account's clock may run at most this far ahead: datetimes stay representable (year 9999)
# and every virtual timestamp stays a finite float.
MAX_CLOCK_OFFSET = 100 * 365 * 86400.0
# Keys whose secret this process verified and remembers (one fast check instead of PBKDF2).
VERIFIED_CACHE = 50_000
# Accounts one ``POST /_sandbox/accounts`` may mint (a test run asks for a batch at a time).
MAX_MINTED = 100
ACCOUNT_TABLES = (
    numbers,
    routes,
    messages,
    callbacks,
    opt_outs,
    deliveries,
    attempts,
    e911s,
    cnams,
    calls,
    call_blocks,
    cdr_exports,
    faults,
    send_attempts,
)


def _unauthorized() -> ApiError:
    return ApiError(401, "Authentication failed.", "Unauthorized")


def _quick(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


class Accounts:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        # access key -> (account, a fast check of the secret this process verified against the
        # stored salted hash): the slow hash runs once per key and process.
        self._verified: dict[str, tuple[Account, bytes]] = {}
        self._lock = threading.Lock()

    def authenticate(self, key: str, secret: str) -> Account:
        strict = self.ctx.settings.strict_auth
        if strict is not None:
            expected = strict.get(key)
            if expected is None or not hmac.compare_digest(_quick(expected), _quick(secret)):
                raise _unauthorized()
        known = self._verified.get(key)
        if known is not None and hmac.compare_digest(known[1], _quick(secret)):
            return known[0]
        return self._load_or_create(key, secret)

    def _load_or_create(self, key: str, secret: str) -> Account:
        if len(key) > accounts.c.access_key.type.length:  # type: ignore[attr-defined]
            raise _unauthorized()
        with self._lock, self.ctx.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.access_key == key)).first()
            if row is None:  # another worker may create it at the same moment
                insert_missing(
                    conn,
                    accounts,
                    {
                        "access_key": key,
                        "secret_hash": hash_secret(secret),
                        "webhook_format": self.ctx.settings.webhook_format,
                    },
                )
                row = conn.execute(select(accounts).where(accounts.c.access_key == key)).one()
            if not verify_secret(secret, row.secret_hash):
                raise _unauthorized()
            account = Account(row.id, row.access_key)
            self._remember(key, account, secret)
            return account

    def mint(self, count: int) -> list[tuple[str, str]]:
        """``count`` new empty accounts with random keys and secrets: (access key, secret).

        Refused under strict auth, whose keys are fixed by the operator."""
        if self.ctx.settings.strict_auth is not None:
            raise ApiError(
                403,
                "This sandbox runs with strict auth: its accounts are the --strict-auth keys, "
                "so it mints none. Use one of those keys.",
                "Forbidden",
            )
        minted = [(f"sbx_{secrets.token_hex(12)}", *mint_secret()) for _ in range(count)]
        rows = [
            {
                "access_key": key,
                "secret_hash": stored,
                "webhook_format": self.ctx.settings.webhook_format,
            }
            for key, _, stored in minted
        ]
        with self.ctx.engine.begin() as conn:
            inserted = conn.execute(
                accounts.insert().returning(accounts.c.access_key, accounts.c.id), rows
            )
            ids: dict[str, int] = {key: ident for key, ident in inserted}
        # Known to this process from the start: a test's first request skips the lookup.
        with self._lock:
            for key, secret, _ in minted:
                self._remember(key, Account(ids[key], key), secret)
        return [(key, secret) for key, secret, _ in minted]

    def _remember(self, key: str, account: Account, secret: str) -> None:
        """Cache a verified key (under ``_lock``), forgetting the oldest beyond VERIFIED_CACHE:
        a test suite mints one account per test; an exposed sandbox may see any number."""
        self._verified[key] = (account, _quick(secret))
        if len(self._verified) > VERIFIED_CACHE:
            self._verified.pop(next(iter(self._verified)))

    def owner_of_download(self, token: str) -> int | None:
        """The account a CDR download URL belongs to (faults on downloads are its owner's)."""
        with self.ctx.engine.connect() as conn:
            owner: int | None = conn.scalar(
                select(cdr_exports.c.account_id).where(cdr_exports.c.token == token)
            )
        return owner

    # --- clock -------------------------------------------------------------------------------

    def clock(self, account: Account) -> Clock:
        with self.ctx.engine.connect() as conn:
            offset = conn.scalar(select(accounts.c.clock_offset).where(accounts.c.id == account.id))
        offset = float(offset or 0.0)
        return Clock(self.ctx.clock.epoch(offset), offset, self.ctx.clock.speed)

    def advance_clock(self, account: Account, seconds: float) -> Clock:
        """Move the account's time forward, atomically (concurrent advances all count)."""
        if not math.isfinite(seconds) or not 0 <= seconds <= MAX_CLOCK_OFFSET:
            raise ApiError(
                400,
                f'Send {{"seconds": N}} with N >= 0 and at most {MAX_CLOCK_OFFSET:.0f} '
                f"(100 years); got {seconds!r}.",
            )
        column = accounts.c.clock_offset
        with self.ctx.engine.begin() as conn:
            changed = conn.execute(
                update(accounts)
                .where(accounts.c.id == account.id, column + seconds <= MAX_CLOCK_OFFSET)
                .values(clock_offset=column + seconds)
            ).rowcount
        if not changed:
            raise ApiError(
                400,
                "seconds would move this account's clock more than 100 years ahead; "
                "POST /_sandbox/reset rewinds it.",
            )
        return self.clock(account)

    # --- switches and reset --------------------------------------------------------------------

    def set_webhook_format(self, account: Account, shape: object) -> str:
        if not isinstance(shape, str) or not is_webhook_format(shape):
            raise ApiError(400, 'webhook_format must be "jsonapi" or "compact".')
        with self.ctx.engine.begin() as conn:
            conn.execute(
                update(accounts).where(accounts.c.id == account.id).values(webhook_format=shape)
            )
        return shape

    def reset(self, account: Account) -> None:
        """Empty the account and rewind its clock (its key and secret stay)."""
        with self.ctx.engine.begin() as conn:
            for table in ACCOUNT_TABLES:
                conn.execute(delete(table).where(table.c.account_id == account.id))
            conn.execute(
                update(accounts)
                .where(accounts.c.id == account.id)
                .values(webhook_format=self.ctx.settings.webhook_format, clock_offset=0.0)
            )
