"""Portability check (spec T1): which numbers could be ported in, from deterministic rules.

Sandbox rules (docs/sandbox.md): a number ending in 9 is nonportable; everything else is
portable; numbers in area codes 206 and 425 are also hypernetwork-enabled.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..web.caller import caller
from ..web.parse import read_body
from ..web.responses import document
from ._routing import WireRouter

router = WireRouter()
_E164 = re.compile(r"\+1[2-9]\d{2}[2-9]\d{6}", re.ASCII)
HYPERNETWORK_AREA_CODES = ("206", "425")


@router.post("/v2/portorders/portability")
async def check_portability(request: Request) -> Response:
    """JSON ``{"numbers": [...]}`` or form ``numbers=...&numbers=...`` (the Python SDK)."""
    caller(request)
    wanted: Any = (await read_body(request)).get("numbers")
    if isinstance(wanted, str):
        wanted = [wanted]
    if not isinstance(wanted, list) or not wanted:
        raise ApiError(400, 'Send {"numbers": ["+14252081174", ...]} (E.164, with the leading +).')
    bad = [n for n in wanted if not isinstance(n, str) or not _E164.fullmatch(n)]
    if bad:
        raise ApiError(
            400, f"Numbers must be E.164 with the leading +, e.g. +14252081174; got {bad[0]!r}."
        )
    result: dict[str, list[str]] = {"hypernetwork_enabled": [], "nonportable": [], "portable": []}
    for number in dict.fromkeys(wanted):
        result["nonportable" if number.endswith("9") else "portable"].append(number)
        if number[2:5] in HYPERNETWORK_AREA_CODES:
            result["hypernetwork_enabled"].append(number)
    return document({"data": result})
