"""Client-side send pacing: at most N messages in any sliding window, per access key and kind.

Flowroute allows 5 SMS and 1 MMS per second per account, counts every attempt, and answers 429
above that; a sliding window (not a token bucket, whose refill can put N+1 sends in one second)
matches how it counts. Buckets are shared by every client in the process that uses the same
access key, sync or async, so two clients cannot together exceed the account's limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from typing import NamedTuple

# Sends arriving a few milliseconds early must not make a window look over-full on the server.
MARGIN = 1.01


class RateLimit(NamedTuple):
    """Messages per second the client lets through for one access key."""

    sms_per_second: float = 5.0
    mms_per_second: float = 1.0


DEFAULT_RATE_LIMIT = RateLimit()


class SlidingWindow:
    """Reserve send times so that no ``period`` holds more than ``count`` sends."""

    def __init__(self, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("a rate limit must be above 0 messages per second")
        self.count = max(1, math.floor(per_second))
        self.period = self.count / per_second * MARGIN
        self._times: deque[float] = deque(maxlen=self.count)
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Claim the next free slot; returns how long to wait before sending."""
        with self._lock:
            now = time.monotonic()
            slot = now if len(self._times) < self.count else max(now, self._times[0] + self.period)
            self._times.append(slot)
            return slot - now


_windows: dict[tuple[str, str, float], SlidingWindow] = {}
_windows_lock = threading.Lock()


def window_for(access_key: str, kind: str, limit: RateLimit) -> SlidingWindow:
    """The process-wide window for this access key and message kind ("sms" or "mms")."""
    rate = limit.mms_per_second if kind == "mms" else limit.sms_per_second
    key = (access_key, kind, rate)
    with _windows_lock:
        window = _windows.get(key)
        if window is None:
            window = _windows[key] = SlidingWindow(rate)
        return window
