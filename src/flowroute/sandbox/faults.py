"""Injected faults: the next N matching requests of an account answer an error status, wait, or
lose their connection, either before the request is handled or after its change is committed.

A fault belongs to the account that added it and matches only that account's authenticated
requests, and the downloads of its own CDR exports (which carry no credentials). ``FaultBook``
keeps them in process memory (one process); workers sharing a database keep them there
(backend/shared.py), so a fault added through one worker hits requests served by another.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from fnmatch import fnmatchcase
from typing import Any, Literal, Protocol

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

    def summary(self) -> str:
        """What it does, for the log: ``status 503 after handling, delay 2 s``."""
        parts = [f"status {self.status}"] if self.status is not None else []
        parts += ["connection dropped"] if self.drop else []
        parts += [f"delay {self.delay:g} s"] if self.delay else []
        return f"{', '.join(parts)} ({self.when} handling)"


class Faults(Protocol):
    def add(self, account_id: int, fault: Fault) -> Fault: ...
    def list(self, account_id: int) -> list[Fault]: ...
    def clear(self, account_id: int) -> None: ...
    @property
    def active(self) -> bool: ...
    def take(self, account_id: int, method: str, path: str) -> Fault | None: ...


class FaultBook:
    """Faults per account id; ``take`` consumes one use of the first match."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_account: dict[int, list[Fault]] = {}
        self._next_id = 1

    def add(self, account_id: int, fault: Fault) -> Fault:
        with self._lock:
            fault.id = self._next_id
            self._next_id += 1
            self._by_account.setdefault(account_id, []).append(fault)
        return fault

    def list(self, account_id: int) -> list[Fault]:
        with self._lock:
            return list(self._by_account.get(account_id, []))

    def clear(self, account_id: int) -> None:
        with self._lock:
            self._by_account.pop(account_id, None)

    @property
    def active(self) -> bool:
        """Any fault pending for anyone (checked before authenticating on every request)."""
        return bool(self._by_account)

    def take(self, account_id: int, method: str, path: str) -> Fault | None:
        with self._lock:
            faults = self._by_account.get(account_id, [])
            for fault in faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        faults.remove(fault)
                        if not faults:
                            self._by_account.pop(account_id, None)
                    return fault
        return None
