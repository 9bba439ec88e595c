"""Porting: can these numbers be moved to Flowroute?"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Unpack

from .._core.call import Call
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint
from ..phone import to_e164
from ..types._base import parse_one
from ..types.cnam import Portability


class Porting(Resource[M]):
    """``client.porting``."""

    @endpoint
    def check_portability(
        self, numbers: Iterable[str | int], **options: Unpack[RequestOptions]
    ) -> Call[Portability]:
        """Which of ``numbers`` (any form) are portable, nonportable or on the hypernetwork."""
        wanted = [to_e164(n) for n in numbers]
        if not wanted:
            raise InvalidRequestError("check_portability needs at least one number")
        body = {"numbers": wanted}
        return Call(
            "POST", "/v2/portorders/portability", parse_one(Portability), json=body, idempotent=True
        )
