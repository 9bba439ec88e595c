"""Numbers v2: search inventory, purchase, list, inspect, update and release numbers."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import Literal, Unpack

from .._core.call import Call, PageCall, query
from .._core.errors import InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions
from .._core.resource import Resource, endpoint, paginated
from ..phone import to_e164, to_nanp
from ..types._base import parse_empty, parse_list, parse_one, parse_page
from ..types.number import AreaCode, AvailableNumber, Exchange, Number, Tier
from ._params import digits, non_negative

NumberType = Literal["longcode", "toll-free"]
MAX_ALIAS = 64
MAX_DETAILS = 200


def _alias(value: str | None) -> str | None:
    if value is not None and len(value) > MAX_ALIAS:
        raise InvalidRequestError(f"alias must be at most {MAX_ALIAS} characters, got {len(value)}")
    return value


class Numbers(Resource[M]):
    """``client.numbers``: phone numbers on your account and in Flowroute's inventory."""

    @paginated
    def area_codes(
        self,
        *,
        max_setup_cost: float | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[AreaCode]:
        """Area codes (NPAs) that have purchasable numbers, optionally under a setup cost."""
        params = query(max_setup_cost=max_setup_cost, offset=non_negative("offset", offset))
        return PageCall(
            "/v2/numbers/available/areacodes", params, parse_page(AreaCode), 400, limit, page_size
        )

    @paginated
    def exchanges(
        self,
        *,
        areacode: str | int | None = None,
        max_setup_cost: float | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[Exchange]:
        """Exchanges (NPA-NXX) that have purchasable numbers, optionally in one area code."""
        params = query(
            areacode=digits("areacode", areacode, max_length=3),
            max_setup_cost=max_setup_cost,
            offset=non_negative("offset", offset),
        )
        return PageCall(
            "/v2/numbers/available/exchanges", params, parse_page(Exchange), 200, limit, page_size
        )

    @paginated
    def tiers(
        self,
        *,
        limit: int | None = None,
        page_size: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[Tier]:
        """Pricing tiers that have purchasable numbers."""
        return PageCall("/v2/numbers/available/tiers", {}, parse_page(Tier), 200, limit, page_size)

    @paginated
    def search(
        self,
        *,
        starts_with: str | int | None = None,
        contains: str | int | None = None,
        ends_with: str | int | None = None,
        rate_center: str | None = None,
        state: str | None = None,
        number_type: NumberType | None = None,
        iso_country: str | None = None,
        order_by: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[AvailableNumber]:
        """Purchasable numbers. ``starts_with`` takes an area code (206) or a full prefix (1206)."""
        params = query(
            starts_with=digits("starts_with", starts_with),
            contains=digits("contains", contains),
            ends_with=digits("ends_with", ends_with),
            rate_center=rate_center,
            state=state,
            number_type=number_type,
            iso_country=iso_country,
            order_by=order_by,
            offset=non_negative("offset", offset),
        )
        return PageCall(
            "/v2/numbers/available", params, parse_page(AvailableNumber), 200, limit, page_size
        )

    @paginated
    def list(
        self,
        *,
        starts_with: str | int | None = None,
        contains: str | int | None = None,
        ends_with: str | int | None = None,
        alias: str | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[Number]:
        """Numbers on your account. ``alias`` is an exact match."""
        params = query(
            starts_with=digits("starts_with", starts_with),
            contains=digits("contains", contains),
            ends_with=digits("ends_with", ends_with),
            alias=_alias(alias),
            offset=non_negative("offset", offset),
        )
        return PageCall("/v2/numbers", params, parse_page(Number), 200, limit, page_size)

    @endpoint
    def retrieve(self, number: str | int, **options: Unpack[RequestOptions]) -> Call[Number]:
        """Details of a number you own, with its routes, CNAM and E911 relationships."""
        return Call("GET", f"/v2/numbers/{to_nanp(number)}", parse_one(Number))

    @endpoint
    def retrieve_many(
        self, numbers: Iterable[str | int], **options: Unpack[RequestOptions]
    ) -> Call[builtins.list[Number]]:
        """Details of up to 200 of your numbers in one request."""
        wanted = [to_e164(n) for n in numbers]
        if not 1 <= len(wanted) <= MAX_DETAILS:
            raise InvalidRequestError(
                f"retrieve_many takes 1 to {MAX_DETAILS} numbers, got {len(wanted)}"
            )
        return Call("POST", "/v2/numbers/details", parse_list(Number), json={"numbers": wanted})

    @endpoint
    def purchase(
        self,
        number: str | int,
        *,
        cnam_lookups_enabled: bool | None = None,
        messaging_enabled: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[Number]:
        """Buy a number from inventory. Never retried once it may have reached Flowroute."""
        wire = to_nanp(number)
        settings = {
            "cnam_lookups_enabled": cnam_lookups_enabled,
            "messaging_enabled": messaging_enabled,
        }
        body = {k: v for k, v in settings.items() if v is not None} or None
        return Call(
            "POST",
            f"/v2/numbers/{wire}",
            parse_one(Number),
            json=body,
            idempotent=False,
            action=f"the purchase of {wire}",
        )

    @endpoint
    def update(
        self,
        number: str | int,
        *,
        alias: str | None = None,
        cnam_lookups_enabled: bool | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[Number]:
        """Change a number's alias or CNAM lookups (dip charges apply when enabled)."""
        body: dict[str, object] = {"type": "number"}
        if alias is not None:
            body["alias"] = _alias(alias)
        if cnam_lookups_enabled is not None:
            body["cnam_lookups_enabled"] = cnam_lookups_enabled
        if len(body) == 1:
            raise InvalidRequestError(
                "update needs at least one of alias= or cnam_lookups_enabled="
            )
        return Call("PATCH", f"/v2/numbers/{to_nanp(number)}", parse_one(Number), json=body)

    @endpoint
    def release(self, number: str | int, **options: Unpack[RequestOptions]) -> Call[None]:
        """Release a number back to inventory (billing stops)."""
        return Call("DELETE", f"/v2/numbers/{to_nanp(number)}", parse_empty)
