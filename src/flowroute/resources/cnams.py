"""CNAM records (caller ID names) and their assignment to numbers."""

from __future__ import annotations

from typing import Unpack

from .._core.call import Call, PageCall, query
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint, paginated
from ..callerid import cnam_value_error
from ..phone import to_nanp
from ..types._base import parse_empty, parse_one, parse_page
from ..types.cnam import CnamAssignment, CnamRecord
from ._params import non_negative, path_id


def _value(value: str) -> str:
    if problem := cnam_value_error(value):
        raise InvalidRequestError(problem)
    return value


class Cnams(Resource[M]):
    """``client.cnams``: outbound caller ID names (reviewed by Flowroute, up to 48 hours)."""

    @paginated
    def list(
        self,
        *,
        is_approved: bool | None = None,
        value: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[CnamRecord]:
        params = query(is_approved=is_approved, value=value, offset=non_negative("offset", offset))
        return PageCall("/v2/cnams", params, parse_page(CnamRecord), 1000, limit, page_size)

    @endpoint
    def retrieve(self, cnam_id: str | int, **options: Unpack[RequestOptions]) -> Call[CnamRecord]:
        """A record, with the numbers that use it (``number_ids``)."""
        return Call("GET", f"/v2/cnams/{path_id('cnam_id', cnam_id)}", parse_one(CnamRecord))

    @endpoint
    def create(self, value: str, **options: Unpack[RequestOptions]) -> Call[CnamRecord]:
        """A new record (stored upper-cased, pending review)."""
        body = {"value": _value(value)}
        return Call(
            "POST",
            "/v2/cnams",
            parse_one(CnamRecord),
            json=body,
            idempotent=False,
            action=f"creating CNAM record {value!r}",
        )

    @endpoint
    def update(
        self, cnam_id: str | int, *, value: str, **options: Unpack[RequestOptions]
    ) -> Call[CnamRecord]:
        """Change a record that is still pending review."""
        body = {"data": {"type": "cnam", "attributes": {"value": _value(value)}}}
        return Call(
            "PATCH", f"/v2/cnams/{path_id('cnam_id', cnam_id)}", parse_one(CnamRecord), json=body
        )

    @endpoint
    def delete(self, cnam_id: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Delete a record; numbers using it lose it."""
        return Call("DELETE", f"/v2/cnams/{path_id('cnam_id', cnam_id)}", parse_empty)

    @endpoint
    def associate(
        self, cnam_id: str | int, *, number: str | int, **options: Unpack[RequestOptions]
    ) -> Call[CnamAssignment]:
        """Show this name for calls from ``number`` (approved records, long-code numbers)."""
        path = f"/v2/numbers/{to_nanp(number)}/relationships/cnams/{path_id('cnam_id', cnam_id)}"
        return Call("PATCH", path, parse_one(CnamAssignment))

    @endpoint
    def unassociate(
        self, number: str | int, **options: Unpack[RequestOptions]
    ) -> Call[CnamAssignment]:
        """Stop showing a CNAM record for ``number`` (the record is kept)."""
        return Call(
            "DELETE",
            f"/v2/numbers/{to_nanp(number)}/relationships/cnams",
            parse_one(CnamAssignment),
        )
