"""NANP phone-number normalisation: any common spelling in, Flowroute's wire forms out.

Flowroute is a NANP carrier, so a small exact parser beats importing ``phonenumbers`` (which
would cost ~100 ms of import time for rules we do not need).
"""

from __future__ import annotations

import re

from ._core.errors import InvalidRequestError

_SEPARATORS = re.compile(r"[\s().\-]")
_NANP = re.compile(r"1[2-9]\d{2}[2-9]\d{6}")


def to_nanp(value: str | int, *, field: str = "number") -> str:
    """``"+1 (206) 555-0100"``, ``"2065550100"`` or ``12065550100`` -> ``"12065550100"``."""
    text = _SEPARATORS.sub("", str(value))
    digits = text[1:] if text.startswith("+") else text
    if len(digits) == 10 and not text.startswith("+"):
        digits = "1" + digits
    if not _NANP.fullmatch(digits):
        raise InvalidRequestError(
            f"{field} {value!r} is not a valid North American number: give 11 digits with the "
            "leading 1 (12065550100), 10 digits (2065550100) or E.164 (+12065550100); the area "
            "code and exchange cannot start with 0 or 1"
        )
    return digits


def to_e164(value: str | int, *, field: str = "number") -> str:
    """Same as ``to_nanp`` but with the ``+`` that Messages v2.2 and porting expect."""
    return "+" + to_nanp(value, field=field)
