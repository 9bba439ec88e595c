"""Markers that tell a resource whether it serves the sync or the async client, parsed or raw."""

from __future__ import annotations

from typing import TypeVar


class Sync:
    """Marker: methods return results directly."""


class Async:
    """Marker: methods return coroutines."""


class RawSync:
    """Marker: methods return ``RawResponse`` objects (``client.with_raw_response``)."""


class RawAsync:
    """Marker: methods return coroutines of ``RawResponse`` objects."""


M = TypeVar("M", Sync, Async, RawSync, RawAsync)
