"""Client-side send pacing per access key and kind, so Flowroute never answers 429.

Flowroute allows 5 SMS and 1 MMS per second per account, counts every attempt that *arrives*
in any second, and answers 429 above that. Two rules keep a client under it:

- sends are spaced ``1/rate`` apart (plus a small margin), never let through in bursts;
- a send also waits until one second after the send ``rate`` places earlier has *finished*:
  that request reached the server before it finished, so the two can never share a second,
  however slow the first one was (a TLS handshake, a queue on the way).

Windows are shared by every client in the process that uses the same access key, sync or async,
so two clients cannot together exceed the account's limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import NamedTuple

# Sends arriving a few milliseconds early must not make a second look over-full on the server.
MARGIN = 1.015
WINDOW = 1.0
POLL = 0.005


class RateLimit(NamedTuple):
    """Messages per second the client lets through for one access key."""

    sms_per_second: float = 5.0
    mms_per_second: float = 1.0


DEFAULT_RATE_LIMIT = RateLimit()


class Ticket:
    """One send's place in its window. ``wait()`` until it may go; ``finish()`` when done."""

    __slots__ = ("finished", "previous", "slot")

    def __init__(self, slot: float, previous: Ticket | None) -> None:
        self.slot = slot
        self.previous = previous  # the send ``count`` places earlier, if any
        self.finished: float | None = None

    def wait(self) -> float:
        """Seconds to wait now (0 when the send may go)."""
        now = time.monotonic()
        earliest = self.slot
        if self.previous is not None:
            done = self.previous.finished
            # Still in flight: check again shortly (it has a second's head start anyway).
            earliest = max(earliest, done + WINDOW if done is not None else now + POLL)
        return max(0.0, earliest - now)

    def finish(self) -> None:
        self.finished = time.monotonic()
        self.previous = None  # keep the chain from growing


class SendWindow:
    """Hands out tickets at least ``interval`` apart, at most ``count`` per window."""

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("a rate limit must be above 0 messages per second")
        self.count = max(1, math.floor(per_second))
        self.interval = MARGIN / per_second
        self._next = 0.0
        self._recent: deque[Ticket] = deque(maxlen=self.count)
        self._lock = threading.Lock()

    def reserve(self) -> Ticket:
        with self._lock:
            slot = max(time.monotonic(), self._next)
            self._next = slot + self.interval
            full = len(self._recent) == self.count
            ticket = Ticket(slot, self._recent[0] if full else None)
            self._recent.append(ticket)
            return ticket


_windows: dict[tuple[str, str, float], SendWindow] = {}
_windows_lock = threading.Lock()


def window_for(access_key: str, kind: str, limit: RateLimit) -> SendWindow:
    """The process-wide window for this access key and message kind ("sms" or "mms")."""
    rate = limit.mms_per_second if kind == "mms" else limit.sms_per_second
    key = (access_key, kind, rate)
    with _windows_lock:
        window = _windows.get(key)
        if window is None:
            window = _windows[key] = SendWindow(rate)
        return window
