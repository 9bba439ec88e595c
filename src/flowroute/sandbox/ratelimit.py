"""Flowroute's per-account send limits: attempts in the last real second, counted per kind.

Real (monotonic) time, not the virtual clock: these limits are about how fast a client calls.
Every attempt counts, including refused ones, as Flowroute documents. ``SendLimiter`` counts in
process memory (one process); workers sharing a database count there (backend/shared.py).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Protocol

WINDOW = 1.0


class Limiter(Protocol):
    def allow(self, account_id: int, kind: str) -> bool: ...


class SendLimiter:
    def __init__(self, per_second: dict[str, float]) -> None:
        self._limits = per_second
        self._seen: dict[tuple[int, str], deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, account_id: int, kind: str) -> bool:
        """Record an attempt; False when it exceeds the limit for ``kind`` ("sms" or "mms")."""
        now = time.monotonic()
        with self._lock:
            seen = self._seen.setdefault((account_id, kind), deque())
            while seen and now - seen[0] >= WINDOW:
                seen.popleft()
            seen.append(now)
            return len(seen) <= self._limits[kind]
