"""E911 address rules, shared by the SDK (checks before sending) and the sandbox (answers).

Flowroute's rules: first/last name, street number and name, city, state, country and ZIP are
required; ``state`` is a two-letter upper-case US state or Canadian province; ``country`` is US
or CA; the ZIP is 4 to 7 characters; ``address_type`` is one of Flowroute's unit types (any case)
and then needs ``address_type_number``.
"""

from __future__ import annotations

from typing import Any

_TYPES = (
    "Apartment Basement Building Department Floor Front Key Lobby Lot Lower Office Penthouse "
    "Pier Rear Room Side Slip Space Stop Suite Trailer Unit Upper"
)
ADDRESS_TYPES = {name.lower(): name for name in _TYPES.split()}
US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "VI",
        "GU",
        "AS",
        "MP",
    ]
)
CA_PROVINCES = frozenset(
    ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)
FIELDS = (
    "label",
    "first_name",
    "last_name",
    "street_number",
    "street_name",
    "city",
    "state",
    "country",
    "zip",
    "address_type",
    "address_type_number",
)
REQUIRED = (
    "label",
    "first_name",
    "last_name",
    "street_number",
    "street_name",
    "city",
    "state",
    "country",
    "zip",
)
ZIP_MESSAGE = "ZIP code must be at least 4 and at most 7 digits long"


def address_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """Field name -> what is wrong with it (empty when the address may be sent)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    for name in REQUIRED:
        if not values.get(name):
            add(name, f"{name} is required")
    country = values.get("country")
    if country and country not in ("US", "CA"):
        add("country", f"country must be US or CA (upper case), got {country!r}")
    state = values.get("state")
    if state:
        allowed = CA_PROVINCES if country == "CA" else US_STATES
        if state != state.upper() or len(state) != 2 or state not in allowed:
            add(
                "state",
                f"state must be a two-letter upper-case state or province code, got {state!r}",
            )
    zip_code = values.get("zip")
    if zip_code and not 4 <= len(str(zip_code).replace(" ", "")) <= 7:
        add("zip", ZIP_MESSAGE)
    kind = values.get("address_type")
    if kind:
        if str(kind).lower() not in ADDRESS_TYPES:
            add("address_type", f"address_type must be one of {', '.join(ADDRESS_TYPES.values())}")
        if not values.get("address_type_number"):
            add("address_type_number", "address_type_number is required when address_type is given")
    return errors
