"""Markers that tell a resource whether it serves the sync or the async client."""

from __future__ import annotations

from typing import TypeVar


class Sync:
    """Marker: methods return results directly."""


class Async:
    """Marker: methods return coroutines."""


M = TypeVar("M", Sync, Async)
