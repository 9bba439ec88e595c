"""The sandbox's input bounds, in one place (documented in docs/sandbox.md, "Limits on input")."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from .errors import ApiError, quoted

INT64_MAX = 2**63 - 1
# Record ids live in 32-bit INTEGER columns (PostgreSQL refuses larger values outright).
ID_MAX = 2**31 - 1
MAX_JSON_DEPTH = 32
# Control characters that no text field may hold (NUL breaks PostgreSQL, the rest are never
# meaningful in a Flowroute field); tabs and newlines stay allowed (message bodies use them).
_FORBIDDEN = re.compile(r"[\x00\ud800-\udfff]")


def check_text(value: str, name: str) -> None:
    """A string any column can store: no NUL, no lone surrogate."""
    found = _FORBIDDEN.search(value)
    if found is None:
        return
    char = found.group()
    what = "a NUL character" if char == "\x00" else f"a lone surrogate (U+{ord(char):04X})"
    shown = name.encode("utf-8", "backslashreplace").decode()
    raise ApiError(
        400, f"{shown} contains {what} at position {found.start()}; send valid UTF-8 text."
    )


def check_length(value: str, name: str, maximum: int, *, status: int = 400) -> None:
    if len(value) > maximum:
        raise ApiError(status, f"{name} must be at most {maximum} characters, got {len(value)}.")


def boolean(value: Any, name: str) -> bool:
    """true/false as the SDKs send it: a JSON boolean, or "true"/"false"/"1"/"0"/"yes"/"no"."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise ApiError(400, f"{name} must be true or false, got {quoted(value)}.")


def checked_url(value: Any, name: str) -> str:
    text = value if isinstance(value, str) else ""
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and len(text) <= 2048
    except ValueError:  # e.g. a malformed IPv6 host or port
        valid = False
    if not valid:
        raise ApiError(
            422,
            f"{name} must be an http(s) URL of at most 2048 characters, got {quoted(value, 80)}.",
        )
    return text
