"""E911 addresses."""

from __future__ import annotations

from pydantic import ConfigDict

from ._base import FlowrouteModel


class E911Address(FlowrouteModel):
    """An emergency address that numbers can be associated with (``id`` is numeric)."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    label: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    street_number: str | None = None
    street_name: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    zip: str | None = None
    address_type: str | None = None
    address_type_number: str | None = None
