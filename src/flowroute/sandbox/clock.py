"""The virtual clock: real time scaled by ``clock_speed``, plus each account's own offset.

Tests advance an account's clock instead of sleeping; accounts never shift each other's time.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._wall_start = time.time()
        self._mono_start = time.monotonic()

    def now(self, offset: float = 0.0) -> datetime:
        elapsed = (time.monotonic() - self._mono_start) * self.speed
        return datetime.fromtimestamp(self._wall_start + elapsed + offset, UTC)


def iso_seconds(moment: datetime) -> str:
    """``2019-03-18T23:20:30+00:00``, the CDR/number timestamp format."""
    return moment.replace(microsecond=0).isoformat()
