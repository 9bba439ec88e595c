"""A fresh sandbox account per test: what the ``flowroute_sandbox`` fixture hands out.

Core dependencies only, so the same code serves an in-process sandbox and a shared one in
another process (pytest-xdist workers pointed at one ``--flowroute-sandbox-url``).

Every test's sync clients and control handle borrow one connection pool that lives for the
session: a test costs no TCP connection, and closing its clients leaves the pool open.
"""

from __future__ import annotations

import threading
from typing import Any

import httpx2

from .._client import AsyncFlowroute, Flowroute
from .._core.ratelimit import RateLimit
from .._core.transport import warm_transport
from .remote import SandboxControl

# Accounts minted per control call: one round trip serves this many tests.
BATCH = 32


class _Borrowed(httpx2.BaseTransport):
    """The session's connection pool, lent to one test: closing the borrower keeps it open."""

    def __init__(self, pool: httpx2.BaseTransport) -> None:
        self._pool = pool

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        return self._pool.handle_request(request)

    def close(self) -> None:
        pass


class AccountPool:
    """New empty accounts from ``POST /_sandbox/accounts``, taken a batch at a time."""

    def __init__(self, base_url: str, *, fallback: tuple[str, str]) -> None:
        self.base_url = base_url.rstrip("/")
        # Under strict auth the sandbox mints nothing: tests share this account, reset each time.
        self._fallback = fallback
        self._minting = True
        self._spare: list[tuple[str, str]] = []
        self._limits: RateLimit | None = None
        self._lock = threading.Lock()
        self._connections = warm_transport()
        # One httpx2 client under every test's SDK clients: closing those leaves it open.
        self._lent = httpx2.Client(transport=_Borrowed(self._connections))

    def __repr__(self) -> str:
        return f"AccountPool(base_url={self.base_url!r}, spare={len(self._spare)})"

    def take(self) -> SandboxAccount:
        with self._lock:
            if self._minting and not self._spare:
                self._minting = self._refill()
            if self._minting:
                key, secret = self._spare.pop()
            else:
                key, secret = self._fallback
            account = SandboxAccount(
                self.base_url,
                access_key=key,
                secret_key=secret,
                send_limits=self._limits,
                transport=_Borrowed(self._connections),
                lent=self._lent,
            )
        if not self._minting:
            try:
                account.reset()
            except RuntimeError:
                account.close()
                raise RuntimeError(
                    f"the sandbox at {self.base_url} runs with strict auth, so it mints no "
                    f"per-test accounts, and it refused the fallback account {key!r}: set "
                    "flowroute_sandbox_strict_auth (ini) to one of its KEY:SECRET pairs"
                ) from None
        return account

    def _refill(self) -> bool:
        """Take a batch of new accounts; False when the sandbox mints none (strict auth)."""
        with httpx2.Client(timeout=30, transport=_Borrowed(self._connections)) as http:
            response = http.post(f"{self.base_url}/_sandbox/accounts", json={"count": BATCH})
        if response.status_code == 403:
            return False
        if response.status_code != 201:
            raise RuntimeError(
                f"the sandbox at {self.base_url} did not mint test accounts "
                f"({response.status_code}): {response.text[:200]}"
            )
        document: dict[str, Any] = response.json()
        limits = document["send_limits"]
        self._limits = RateLimit(limits["sms_per_second"], limits["mms_per_second"])
        self._spare = [(item["access_key"], item["secret_key"]) for item in document["data"]]
        return True

    def close(self) -> None:
        self._lent.close()
        self._connections.close()


class SandboxAccount(SandboxControl):
    """One account on a sandbox: its control handle (``clock``, ``faults``, ``seed_numbers()``,
    ``inject_inbound()``, ...) plus SDK clients for it, every one closed by ``close()``.

    ``access_key`` and ``secret_key`` are the account's credentials, for code under test that
    reads its own configuration (environment variables, settings files)."""

    def __init__(
        self,
        base_url: str,
        *,
        access_key: str,
        secret_key: str,
        send_limits: RateLimit | None = None,
        transport: httpx2.BaseTransport | None = None,
        lent: httpx2.Client | None = None,
    ) -> None:
        super().__init__(
            base_url, access_key=access_key, secret_key=secret_key, transport=transport
        )
        self._send_limits = send_limits
        self._lent = lent
        self._clients: list[Flowroute] = []
        self._async_clients: list[AsyncFlowroute] = []
        self._controls: list[SandboxControl] = []

    def __repr__(self) -> str:
        return f"SandboxAccount(base_url={self.base_url!r}, access_key={self.access_key!r})"

    @property
    def secret_key(self) -> str:
        return self._secret_key

    def _options(self, options: dict[str, Any]) -> dict[str, Any]:
        # Paced to the sandbox's own send limits, so tests never trip them by accident.
        defaults: dict[str, Any] = {"access_key": self.access_key, "secret_key": self._secret_key}
        if self._send_limits is not None:
            defaults["rate_limit"] = self._send_limits
        return {"base_url": self.base_url, **defaults, **options}

    def client(self, **options: Any) -> Flowroute:
        """A ``Flowroute`` on this account (closed when the test ends)."""
        if self._lent is not None and "http_client" not in options:
            options["http_client"] = self._lent
        client = Flowroute(**self._options(options))
        self._clients.append(client)
        return client

    def async_client(self, **options: Any) -> AsyncFlowroute:
        """An ``AsyncFlowroute`` on this account (closed when the test ends)."""
        client = AsyncFlowroute(**self._options(options))
        self._async_clients.append(client)
        return client

    def control(self, *, access_key: str, secret_key: str) -> SandboxControl:
        """Control handle for another account on the same sandbox (closed when the test ends)."""
        control = SandboxControl(
            self.base_url, access_key=access_key, secret_key=secret_key, transport=self._transport
        )
        self._controls.append(control)
        return control

    def close_async_clients(self) -> None:
        """Close the async clients this account gave out, each on the event loop its
        connections belong to; call it while that loop is still open (the pytest plugin does,
        before pytest-asyncio closes the test's loop)."""
        for client in self._async_clients:
            loop = client._runner.pool.loop
            if loop is None:  # never sent a request: nothing is open
                continue
            if not loop.is_closed() and not loop.is_running():
                loop.run_until_complete(client.close())
        self._async_clients.clear()

    def close(self) -> None:
        """Close every client and control handle this account gave out, then its own."""
        for client in self._clients:
            client.close()
        self.close_async_clients()
        for control in self._controls:
            control.close()
        self._clients.clear()
        self._controls.clear()
        super().close()
