"""Everything the sandbox sends out over the network: webhook POSTs and MMS media fetches, and
the policy that decides which hosts it may contact (loopback only unless the operator allows
more). The dispatcher decides *when* to send; this module decides *whether* and *how*."""

from __future__ import annotations

import asyncio
import ipaddress
from urllib.parse import urlsplit

import httpx2

from .settings import SandboxSettings

ATTEMPT_TIMEOUT = 10.0  # one attempt in all: connecting, sending and waiting for the answer
HEADERS = {"Content-Type": "application/json", "User-Agent": "Go-http-client/1.1"}


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Outbound:
    """One HTTP client for the process's outgoing traffic, behind the outbound policy."""

    def __init__(self, settings: SandboxSettings) -> None:
        self.settings = settings
        self._client: httpx2.AsyncClient | None = None

    @property
    def client(self) -> httpx2.AsyncClient:
        if self._client is None:
            self._client = httpx2.AsyncClient(timeout=ATTEMPT_TIMEOUT, follow_redirects=False)
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def refusal(self, url: str) -> str | None:
        """Why the sandbox will not contact ``url`` (None when it will)."""
        if self.settings.allow_external_hosts or is_loopback(url):
            return None
        host = urlsplit(url).hostname or url
        return (
            f"not contacted: {host} is not a loopback address; start the sandbox with "
            "--allow-external-hosts to reach other hosts"
        )

    async def deliver(self, url: str, body: str) -> tuple[str, int | None, str | None]:
        """One webhook attempt: (outcome, status, error), the outcome "delivered" (a 200),
        "failed" (anything else, retried) or "blocked" (refused by policy, never sent)."""
        reason = self.refusal(url)
        if reason is not None:
            return "blocked", None, reason
        status, error = await self._post(url, body)
        return ("delivered" if status == 200 else "failed"), status, error

    async def _post(self, url: str, body: str) -> tuple[int | None, str | None]:
        """One POST, bounded in all by ATTEMPT_TIMEOUT: (status, error)."""
        try:
            async with asyncio.timeout(ATTEMPT_TIMEOUT):
                response = await self.client.post(url, content=body, headers=HEADERS)
        except TimeoutError:
            return None, f"no answer within {ATTEMPT_TIMEOUT:g} s"
        except Exception as exc:  # whatever stops the request is a failed attempt, recorded
            return None, f"{type(exc).__name__}: {exc}"
        status = response.status_code
        return status, None if status == 200 else f"receiver answered {status}; Flowroute wants 200"

    async def media_size(self, url: str) -> int | None:
        """Bytes behind a media URL, or None when policy forbids fetching it."""
        if self.refusal(url):
            return None
        size = 0
        async with self.client.stream("GET", url) as response:
            response.raise_for_status()
            async for chunk in response.aiter_bytes():
                size += len(chunk)
        return size
