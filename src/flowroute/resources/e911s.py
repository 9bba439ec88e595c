"""E911 addresses: validate, create, update, delete, and which numbers use them."""

from __future__ import annotations

from typing import Any, Required, TypedDict, Unpack

from .._core.call import Call, PageCall, query
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint, paginated
from ..addresses import FIELDS as ADDRESS_FIELDS
from ..addresses import address_errors
from ..phone import to_nanp
from ..types._base import parse_empty, parse_one, parse_page
from ..types.e911 import E911Address
from ..types.number import Number
from ._params import non_negative, path_id


def _body(fields: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The JSON:API body, after the same checks Flowroute makes (all problems at once)."""
    zipcode = fields.pop("zipcode", None)
    if zipcode is not None and fields.get("zip") is not None and str(zipcode) != str(fields["zip"]):
        raise InvalidRequestError("pass zip or zipcode (the same field), not two different values")
    fields = {**fields, "zip": fields.get("zip") if fields.get("zip") is not None else zipcode}
    attributes = {k: str(v) for k, v in fields.items() if v is not None}
    checked = address_errors(attributes)
    if partial:  # an update sends a subset; only judge what it sends
        checked = {k: v for k, v in checked.items() if k in attributes}
    if checked:
        problems = "; ".join(f"{k}: {', '.join(v)}" for k, v in checked.items())
        raise InvalidRequestError(f"invalid E911 address: {problems}")
    return {"data": {"type": "e911", "attributes": attributes}}


class Address(TypedDict, total=False):
    """An E911 address, with Flowroute's field names (``zipcode`` is the official SDK's name
    for ``zip``)."""

    label: Required[str]
    first_name: Required[str]
    last_name: Required[str]
    street_number: Required[str | int]
    street_name: Required[str]
    city: Required[str]
    state: Required[str]
    country: Required[str]
    zip: str | int
    zipcode: str | int
    address_type: str
    address_type_number: str


class _AddressCall(Address, RequestOptions, total=False):
    """An address and this call's options (the machinery takes the options out first)."""


class E911s(Resource[M]):
    """``client.e911s``: emergency addresses for your numbers."""

    @paginated
    def list(
        self,
        *,
        state: str | None = None,
        label: str | None = None,
        street_name: str | None = None,
        city: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[E911Address]:
        """Your addresses; ``label``, ``street_name`` and ``city`` match partially."""
        params = query(
            state=state,
            label=label,
            street_name=street_name,
            city=city,
            offset=non_negative("offset", offset),
        )
        return PageCall("/v2/e911s", params, parse_page(E911Address), 2000, limit, page_size)

    @endpoint
    def retrieve(self, e911_id: str | int, **options: Unpack[RequestOptions]) -> Call[E911Address]:
        return Call("GET", f"/v2/e911s/{path_id('e911_id', e911_id)}", parse_one(E911Address))

    @endpoint
    def validate(self, **address: Unpack[_AddressCall]) -> Call[None]:
        """Check an address (Flowroute geocodes it); raises with the reason if it fails."""
        body = _body(dict(address), partial=False)
        return Call("POST", "/v2/e911s/validate", parse_empty, json=body)

    @endpoint
    def create(self, **address: Unpack[_AddressCall]) -> Call[E911Address]:
        """Validate and store an address (403 "Duplicate address." if you have it already)."""
        body = _body(dict(address), partial=False)
        return Call(
            "POST",
            "/v2/e911s",
            parse_one(E911Address),
            json=body,
            idempotent=False,
            action=f"creating E911 address {address.get('label')!r}",
        )

    @endpoint
    def update(
        self,
        e911_id: str | int,
        *,
        label: str | None = None,
        first_name: str | None = None,
        last_name: str | None = None,
        street_number: str | int | None = None,
        street_name: str | None = None,
        city: str | None = None,
        state: str | None = None,
        country: str | None = None,
        zip: str | int | None = None,
        zipcode: str | int | None = None,
        address_type: str | None = None,
        address_type_number: str | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[E911Address]:
        """Change any fields; Flowroute re-validates the whole address."""
        fields = {k: v for k, v in locals().items() if k in (*ADDRESS_FIELDS, "zipcode")}
        body = _body(fields, partial=True)
        if not body["data"]["attributes"]:
            raise InvalidRequestError("update needs at least one field to change")
        path = f"/v2/e911s/{path_id('e911_id', e911_id)}"
        return Call("PATCH", path, parse_one(E911Address), json=body)

    @endpoint
    def delete(self, e911_id: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Delete an address; refused while numbers are associated with it."""
        return Call("DELETE", f"/v2/e911s/{path_id('e911_id', e911_id)}", parse_empty)

    @endpoint
    def associate(
        self, e911_id: str | int, *, number: str | int, **options: Unpack[RequestOptions]
    ) -> Call[None]:
        """Use this address for ``number`` (idempotent; not for toll-free numbers)."""
        path = f"/v2/numbers/{to_nanp(number)}/relationships/e911s/{path_id('e911_id', e911_id)}"
        return Call("PATCH", path, parse_empty)

    @endpoint
    def disconnect(self, number: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Remove E911 service from ``number``."""
        return Call("DELETE", f"/v2/numbers/{to_nanp(number)}/relationships/e911s", parse_empty)

    @paginated
    def numbers(
        self,
        e911_id: str | int,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[Number]:
        """The numbers associated with an address."""
        path = f"/v2/e911s/{path_id('e911_id', e911_id)}/relationships/numbers"
        return PageCall(path, {}, parse_page(Number), 2000, limit, page_size)
