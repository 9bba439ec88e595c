"""Injected faults: the next N matching requests of an account answer an error status, wait, or
lose their connection, either before the request is handled or after its change is committed.

Kept in process memory (they are short-lived test controls); with several PostgreSQL workers each
worker has its own, so inject faults against a single-process sandbox.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal

When = Literal["before", "after"]


@dataclass
class Fault:
    method: str
    path: str
    count: int = 1
    status: int | None = None
    delay: float = 0.0
    drop: bool = False
    when: When = "before"
    headers: dict[str, str] = field(default_factory=dict)
    id: int = 0

    def matches(self, method: str, path: str) -> bool:
        return self.method in ("*", method) and fnmatchcase(path, self.path)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultBook:
    """Faults per access key; ``take`` consumes one use of the first match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_key: dict[str, list[Fault]] = {}
        self._next_id = 1

    def add(self, key: str, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._by_key.setdefault(key, []).append(fault)
        return fault

    def list(self, key: str) -> list[Fault]:
        with self._lock:
            return list(self._by_key.get(key, []))

    def clear(self, key: str) -> None:
        with self._lock:
            self._by_key.pop(key, None)

    def _prune(self, key: str) -> None:
        if not self._by_key.get(key):
            self._by_key.pop(key, None)

    @property
    def active(self) -> bool:
        """Any fault pending for anyone (checked before decoding credentials on every request)."""
        return bool(self._by_key)

    def take(self, key: str, method: str, path: str) -> Fault | None:
        with self._lock:
            faults = self._by_key.get(key, [])
            for fault in faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        faults.remove(fault)
                        self._prune(key)
                    return fault
        return None
