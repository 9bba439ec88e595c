"""Per-app state: settings, database, clock, faults, and the access key -> account lookup."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from contextlib import suppress
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request

from .clock import Clock
from .dispatcher import Dispatcher
from .errors import ApiError
from .faults import FaultBook
from .passwords import hash_secret, verify_secret
from .ratelimit import SendLimiter
from .settings import SandboxSettings
from .store.db import make_engine
from .store.schema import accounts

_ACCOUNT_TIME = select(accounts.c.clock_offset, accounts.c.webhook_format).where(
    accounts.c.id == bindparam("account")
)


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    access_key: str
    # A fast in-memory check of the secret this process already verified against the stored
    # salted hash (the slow hash runs once per key and process, not on every request).
    verified: bytes = field(repr=False)


def _quick(secret: str) -> bytes:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    return (key, secret) if sep and key else None


class SandboxState:
    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self.engine: Engine = make_engine(settings.db)
        self.clock = Clock(settings.clock_speed)
        self.faults = FaultBook()
        self.limiter = SendLimiter({"sms": settings.sms_per_second, "mms": settings.mms_per_second})
        self.dispatcher = Dispatcher(self.engine, self.clock, settings)
        self._accounts: dict[str, Account] = {}
        self._lock = threading.Lock()

    def authenticate(self, request: Request) -> Account:
        """The caller's account; created on first use unless strict auth lists the keys."""
        credentials = basic_credentials(request.headers.get("authorization"))
        if credentials is None:
            raise ApiError(401, "Authentication failed.", "Unauthorized")
        key, secret = credentials
        strict = self.settings.strict_auth
        if strict is not None and strict.get(key) != secret:
            raise ApiError(401, "Authentication failed.", "Unauthorized")
        account = self._accounts.get(key)
        if account is not None and hmac.compare_digest(account.verified, _quick(secret)):
            return account
        return self._load_or_create(key, secret)

    def _load_or_create(self, key: str, secret: str) -> Account:
        with self._lock, self.engine.begin() as conn:
            row = conn.execute(select(accounts).where(accounts.c.access_key == key)).first()
            if row is None:
                with suppress(IntegrityError):  # another worker may have created it first
                    conn.execute(
                        insert(accounts).values(
                            access_key=key,
                            secret_hash=hash_secret(secret),
                            webhook_format=self.settings.webhook_format,
                        )
                    )
                row = conn.execute(select(accounts).where(accounts.c.access_key == key)).one()
            if not verify_secret(secret, row.secret_hash):
                raise ApiError(401, "Authentication failed.", "Unauthorized")
            account = Account(row.id, row.access_key, _quick(secret))
            self._accounts[key] = account
            return account

    def clock_offset(self, account: Account) -> float:
        return self.clock_offset_by_id(account.id)

    def clock_offset_by_id(self, account_id: int) -> float:
        with self.engine.connect() as conn:
            offset = conn.scalar(select(accounts.c.clock_offset).where(accounts.c.id == account_id))
        return float(offset or 0.0)

    # These helpers open their own connection: never call them inside another transaction, since
    # in-memory SQLite shares one connection and closing the inner one rolls back the outer.
    def now(self, account: Account) -> float:
        """The account's virtual time, as epoch seconds."""
        return self.clock.epoch(self.clock_offset(account))

    def now_and_webhook_format(
        self, account: Account, conn: Connection | None = None
    ) -> tuple[float, str]:
        """The account's virtual time and webhook shape in one query, on ``conn`` if given
        (the messaging hot path reads it inside its own transaction)."""
        if conn is None:
            with self.engine.connect() as own:
                return self.now_and_webhook_format(account, own)
        offset, shape = conn.execute(_ACCOUNT_TIME, {"account": account.id}).one()
        return self.clock.epoch(float(offset or 0.0)), str(shape or "jsonapi")

    def set_clock_offset(self, account: Account, offset: float) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                update(accounts).where(accounts.c.id == account.id).values(clock_offset=offset)
            )
