"""CNAM (caller ID name) value rules, shared by the SDK and the sandbox.

At most 15 characters, at least one letter, only letters, digits, spaces and
``- _ . , @ + & ' / "``; Flowroute stores the value upper-cased.
"""

from __future__ import annotations

import re

MAX_LENGTH = 15
_ALLOWED = re.compile(r"[A-Za-z0-9 \-_.,@+&'/\"]*")


def cnam_value_error(value: str) -> str | None:
    """Why ``value`` cannot be a CNAM record (None when it can)."""
    if not value.strip():
        return "value is required: the caller ID name, up to 15 characters"
    if len(value) > MAX_LENGTH:
        return f"value must be at most {MAX_LENGTH} characters, got {len(value)}"
    if not any(ch.isalpha() for ch in value):
        return "value must contain at least one letter"
    if not _ALLOWED.fullmatch(value):
        bad = sorted({ch for ch in value if not _ALLOWED.fullmatch(ch)})
        return (
            f"value may only use letters, digits, spaces and - _ . , @ + & ' / \" "
            f"(not {' '.join(bad)})"
        )
    return None
