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
        return from_epoch(self.epoch(offset))

    def epoch(self, offset: float = 0.0) -> float:
        """Virtual now as epoch seconds (what the store keeps)."""
        elapsed = (time.monotonic() - self._mono_start) * self.speed
        return self._wall_start + elapsed + offset


def iso_seconds(moment: datetime) -> str:
    """``2019-03-18T23:20:30+00:00``, the CDR/number timestamp format."""
    return moment.replace(microsecond=0).isoformat()


def from_epoch(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def mdr_timestamp(seconds: float) -> str:
    """``2017-12-21T16:44:34.93Z``: message timestamps carry two fractional digits."""
    moment = from_epoch(seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 10000:02d}Z"
