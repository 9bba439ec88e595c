"""Path values several routers check: a number id."""

from __future__ import annotations

import re

from ..errors import ApiError, quoted

NUMBER_ID = re.compile(r"1[2-9][0-9]{2}[2-9][0-9]{6}")


def check_number_id(value: str) -> str:
    if not NUMBER_ID.fullmatch(value):
        raise ApiError(
            400,
            f"{quoted(value)} is not a valid phone number id: use the 11-digit number with the "
            "leading 1, for example 12065550100.",
        )
    return value
