"""Argument checks shared by resources, so bad input fails before a request is made."""

from __future__ import annotations

from .._core.errors import InvalidRequestError


def non_negative(name: str, value: int | None) -> int | None:
    if value is not None and (not isinstance(value, int) or value < 0):
        raise InvalidRequestError(f"{name} must be a whole number >= 0, got {value!r}")
    return value


def digits(name: str, value: str | int | None, *, max_length: int = 11) -> str | None:
    """Search fragments (starts_with, contains...) are digits, optionally with a leading +."""
    if value is None:
        return None
    text = str(value).strip()
    body = text[1:] if text.startswith("+") else text
    if not body.isdigit() or len(body) > max_length:
        raise InvalidRequestError(f"{name} must be up to {max_length} digits, got {value!r}")
    return text


def path_id(name: str, value: str | int) -> str:
    """Ids that go into a URL path: digits only, so nothing can escape the path."""
    text = str(value).strip()
    if not text.isdigit():
        raise InvalidRequestError(f"{name} must be a numeric id such as '98396', got {value!r}")
    return text
