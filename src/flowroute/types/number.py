"""Phone numbers: your account's numbers, and Flowroute's purchasable inventory."""

from __future__ import annotations

from pydantic import AliasChoices, AliasPath, Field

from ._base import FlowrouteModel, relationship


class Number(FlowrouteModel):
    """A number on your account (``id`` == ``value``, 11 digits with the leading 1)."""

    id: str
    value: str | None = None
    alias: str | None = None
    cnam_lookups_enabled: bool | None = None
    messaging_enabled: bool | None = None
    number_type: str | None = None
    rate_center: str | None = None
    state: str | None = None
    iso_country: str | None = None
    status: str | None = None
    tier: str | None = None
    rate_type: str | None = None
    monthly_cost: float | None = None
    setup_cost: float | None = None
    inbound_rate: float | None = None
    primary_route_id: str | None = relationship("primary_route")
    failover_route_id: str | None = relationship("failover_route")
    cnam_preset_id: str | None = relationship("cnam_preset")
    e911_address_id: str | None = relationship("e911_address")


class AvailableNumber(FlowrouteModel):
    """A number you can buy (from ``numbers.search``)."""

    id: str
    value: str | None = None
    number_type: str | None = None
    rate_center: str | None = None
    state: str | None = None
    iso_country: str | None = None
    tier: str | None = None
    rate_type: str | None = None
    monthly_cost: float | None = None
    setup_cost: float | None = None
    inbound_rate: float | None = None


class AreaCode(FlowrouteModel):
    """An area code (NPA) with purchasable numbers; ``id`` is the three digits."""

    id: str
    exchanges_url: str | None = Field(
        default=None, validation_alias=AliasChoices("exchanges_url", AliasPath("links", "related"))
    )


class Exchange(FlowrouteModel):
    """An exchange (NPA-NXX) with purchasable numbers; ``id`` is the six digits."""

    id: str
    numbers_url: str | None = Field(
        default=None, validation_alias=AliasChoices("numbers_url", AliasPath("links", "related"))
    )


class Tier(FlowrouteModel):
    """A pricing tier with purchasable numbers (``id`` like ``"Standard"``)."""

    id: str
    numbers_url: str | None = Field(
        default=None, validation_alias=AliasChoices("numbers_url", AliasPath("links", "related"))
    )
