"""Python handle on a running sandbox's control API (``/_sandbox/``), for one account.

Needs only the core dependencies, so it also drives a sandbox in another process or machine.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

import httpx2

from .._core.transport import warm_transport

DEFAULT_ACCESS_KEY = "sandbox-access-key"
DEFAULT_SECRET_KEY = "sandbox-secret-key"


class ControlError(RuntimeError):
    """The control API refused a request; ``detail`` is its explanation."""

    def __init__(self, method: str, path: str, status: int, detail: str) -> None:
        super().__init__(f"sandbox control {method} {path} failed: {status} {detail}")
        self.status = status
        self.detail = detail


def _detail(text: str) -> str:
    """The sandbox's error explanation (``{"errors": [{"detail": ...}]}``), else the text."""
    try:
        return str(json.loads(text)["errors"][0]["detail"])
    except (ValueError, LookupError, TypeError):
        return text


def _waiting(path: str, wait: bool) -> str:
    return f"{path}?wait={'true' if wait else 'false'}"


class SandboxControl:
    """``reset()``, ``clock``, ``faults`` and ``seed_numbers()`` for the given credentials."""

    def __init__(
        self,
        base_url: str,
        *,
        access_key: str = DEFAULT_ACCESS_KEY,
        secret_key: str = DEFAULT_SECRET_KEY,
        transport: httpx2.BaseTransport | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.access_key = access_key
        self._secret_key = secret_key
        self._transport = transport
        self._client: httpx2.Client | None = None
        self.clock = ClockControl(self)
        self.faults = FaultControl(self)

    def __repr__(self) -> str:
        return f"SandboxControl(base_url={self.base_url!r}, access_key={self.access_key!r})"

    def _http(self) -> httpx2.Client:
        # Built on first use: a per-test handle that never calls the control API costs nothing.
        if self._client is None:
            self._client = httpx2.Client(
                base_url=self.base_url + "/_sandbox",
                auth=(self.access_key, self._secret_key),
                timeout=30,
                # No SSL context for plain HTTP; the pytest fixture lends its session-wide pool.
                transport=self._transport or warm_transport(),
            )
        return self._client

    def call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http().request(method, path, json=body)
        if response.status_code >= 400:
            raise ControlError(method, path, response.status_code, _detail(response.text))
        return response.json() if response.content else None

    def reset(self) -> None:
        """Delete this account's numbers, routes and faults and rewind its clock."""
        self.call("POST", "/reset")

    def inject_inbound(
        self,
        *,
        from_: str,
        to: str,
        body: str | None = None,
        media: list[dict[str, Any]] | None = None,
        wait: bool = True,
    ) -> dict[str, Any]:
        """A text from ``from_`` arriving at your number ``to``; delivered to your callback now.
        ``media`` items are ``{"url", "mime_type", "file_size", "file_name"}`` (MMS).

        Returns once the webhook has been attempted (see ``webhooks()``); ``wait=False``
        returns at once and the sandbox delivers it in the background."""
        payload: dict[str, Any] = {"from": from_, "to": to, "body": body, "media": media or []}
        result: dict[str, Any] = self.call("POST", _waiting("/inbound", wait), payload)
        return result

    def outbox(self) -> list[dict[str, Any]]:
        """Messages this account sent (message resources, oldest first)."""
        sent: list[dict[str, Any]] = self.call("GET", "/outbox")["data"]
        return sent

    def webhooks(self) -> list[dict[str, Any]]:
        """Every webhook attempt, oldest first: url, body, status_code, outcome (delivered,
        failed, blocked), error (or the outbound policy's block reason), at, ``latency_ms``
        (milliseconds until the answer, or the failure) and ``response_excerpt`` (the first
        200 characters of the receiver's answer, control characters removed). Both are None
        for a blocked attempt, which was never sent; the excerpt is None without an answer."""
        attempts: list[dict[str, Any]] = self.call("GET", "/webhooks")["data"]
        return attempts

    def set_webhook_format(self, shape: Literal["jsonapi", "compact"]) -> None:
        """Shape of the webhooks this account receives (Flowroute uses both)."""
        self.call("POST", "/settings", {"webhook_format": shape})

    def generate_calls(self, count: int, *, start: str, end: str, seed: int | None = None) -> None:
        """``count`` realistic call records on the account's numbers between start and end."""
        body: dict[str, Any] = {"count": count, "start": start, "end": end}
        if seed is not None:
            body["seed"] = seed
        self.call("POST", "/calls/generate", body)

    def add_calls(self, records: list[dict[str, Any]]) -> None:
        """Exact call records (CSV column names as keys; ``start_time`` required)."""
        self.call("POST", "/calls", {"records": records})

    def seed_numbers(self, count: int) -> list[str]:
        """Put ``count`` numbers from inventory on the account at once."""
        numbers: list[str] = self.call("POST", "/seed", {"numbers": count})["numbers"]
        return numbers

    def approve_cnam(self, cnam_id: str) -> dict[str, Any]:
        """Approve a pending CNAM record now, instead of after the review delay."""
        record: dict[str, Any] = self.call("POST", f"/cnams/{cnam_id}/approve")["data"]
        return record

    def reject_cnam(self, cnam_id: str, *, reason: str | None = None) -> dict[str, Any]:
        """Reject a CNAM record now, with ``reason`` (the sandbox's stock reason if None)."""
        body = {"reason": reason} if reason else {}
        record: dict[str, Any] = self.call("POST", f"/cnams/{cnam_id}/reject", body)["data"]
        return record

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


class ClockControl:
    def __init__(self, control: SandboxControl) -> None:
        self._control = control

    def now(self) -> datetime:
        return datetime.fromisoformat(self._control.call("GET", "/clock")["now"])

    def advance(
        self,
        seconds: float = 0,
        *,
        minutes: float = 0,
        hours: float = 0,
        days: float = 0,
        wait: bool = True,
    ) -> datetime:
        """Move this account's virtual time forward (nothing sleeps).

        Returns once every webhook that fell due (receipts, retries) has been attempted, so a
        test can assert on its receiver straight after; ``wait=False`` returns at once and the
        sandbox sends them in the background."""
        total = seconds + 60 * minutes + 3600 * hours + 86400 * days
        path = _waiting("/clock/advance", wait)
        return datetime.fromisoformat(self._control.call("POST", path, {"seconds": total})["now"])


class FaultControl:
    def __init__(self, control: SandboxControl) -> None:
        self._control = control

    def add(
        self,
        method: str,
        path: str,
        *,
        status: int | None = None,
        count: int = 1,
        delay: float = 0.0,
        drop: bool = False,
        when: Literal["before", "after"] = "before",
        headers: dict[str, str] | None = None,
        public: bool = False,
    ) -> dict[str, Any]:
        """The next ``count`` requests matching ``method`` and ``path`` (glob) fail this way.
        ``when="after"``: the request takes effect, then the failure is returned. A fault on
        ``/cdr-downloads/*`` hits this account's export downloads (``public`` is no longer
        needed for that and is ignored)."""
        body = {
            "method": method,
            "path": path,
            "status": status,
            "count": count,
            "delay": delay,
            "drop": drop,
            "when": when,
            "headers": headers or {},
            "public": public,
        }
        fault: dict[str, Any] = self._control.call("POST", "/faults", body)["data"]
        return fault

    def list(self) -> list[dict[str, Any]]:
        faults: list[dict[str, Any]] = self._control.call("GET", "/faults")["data"]
        return faults

    def clear(self) -> None:
        self._control.call("DELETE", "/faults")
