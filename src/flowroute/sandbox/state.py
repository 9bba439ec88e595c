"""Per-app state: settings, database, clock, the backend, the dispatcher, faults and limits."""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import Engine
from starlette.types import Scope

from .backend import Backend, Context
from .backend.shared import StoredFaults, StoredSendLimiter
from .clock import Clock
from .dispatcher import Dispatcher
from .errors import ApiError
from .faults import FaultBook, Faults
from .outbound import Outbound
from .ratelimit import Limiter, SendLimiter
from .records import Account
from .settings import SandboxSettings
from .store.db import DatabaseError, lock_database, make_engine

_ACCOUNT = "flowroute.account"


def basic_credentials(header: str | None) -> tuple[str, str] | None:
    if not header or not header.lower().startswith("basic ") or len(header) > 4096:
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
        try:
            self._lock = lock_database(settings.db)
        except DatabaseError:
            self.engine.dispose()
            raise
        self.clock = Clock(settings.clock_speed)
        shared = settings.shared_database
        limits = {"sms": settings.sms_per_second, "mms": settings.mms_per_second}
        # Several workers share a database: limits and faults live in it, so they hold across
        # workers; one process keeps them in memory.
        self.faults: Faults = StoredFaults(self.engine) if shared else FaultBook()
        limiter: Limiter = StoredSendLimiter(self.engine, limits) if shared else SendLimiter(limits)
        self.outbound = Outbound(settings)
        self.dispatcher = Dispatcher(self.engine, self.clock, settings, self.outbound)
        self.backend = Backend(
            Context(self.engine, self.clock, settings),
            limiter=limiter,
            media_size=self.outbound.media_size,
        )

    async def start(self) -> None:
        await self.dispatcher.start()

    async def stop(self) -> None:
        """Finish or release the webhooks in flight, then let another process use the file."""
        try:
            await self.dispatcher.stop()
        finally:
            if self._lock is not None:
                self._lock.release()
            self.engine.dispose()

    def authenticate(self, scope: Scope) -> Account:
        """The caller's account (remembered on the request, so checking twice costs nothing)."""
        account: Account | None = scope.get(_ACCOUNT)
        if account is None:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            credentials = basic_credentials(header)
            if credentials is None:
                raise ApiError(401, "Authentication failed.", "Unauthorized")
            account = scope[_ACCOUNT] = self.backend.accounts.authenticate(*credentials)
        return account

    def try_authenticate(self, scope: Scope) -> Account | None:
        try:
            return self.authenticate(scope)
        except ApiError:
            return None
