"""Plain typed records the backend returns and the wire layer renders. No behaviour here.

NamedTuples: built straight from a selected row (``Route(*row)``) at almost no cost, which
matters on the hot listing paths.
"""

from __future__ import annotations

from typing import Any, NamedTuple


class Account(NamedTuple):
    id: int
    access_key: str


class Number(NamedTuple):
    """One of an account's numbers, in the order of ``NUMBER_COLUMNS``."""

    alias: str | None
    cnam_lookups_enabled: bool
    inbound_rate: float
    iso_country: str
    messaging_enabled: bool
    monthly_cost: float
    number_type: str
    rate_center: str | None
    setup_cost: float
    state: str | None
    tier: str
    value: str


NUMBER_COLUMNS = Number._fields


class Route(NamedTuple):
    id: int
    alias: str
    route_type: str
    value: str
    edge_strategy_id: int | None


class E911(NamedTuple):
    id: int
    label: str
    first_name: str
    last_name: str
    street_number: str
    street_name: str
    city: str
    state: str
    country: str
    zip: str
    address_type: str | None
    address_type_number: str | None


E911_COLUMNS = E911._fields


class Cnam(NamedTuple):
    """A CNAM record as of the account's virtual now (review applied)."""

    id: int
    value: str
    created_at: float
    is_approved: bool
    decided_at: float | None
    rejection_reason: str | None
    numbers: tuple[str, ...] = ()


class NumberDetail(NamedTuple):
    """A number with what its relationships point at (``included`` on the wire)."""

    number: Number
    primary_route_id: int | None
    failover_route_id: int | None
    e911_id: int | None
    cnam_id: int | None
    routes: tuple[Route | None, ...]  # None is the built-in sip-reg route "0"
    e911: E911 | None
    cnam: Cnam | None


class Message(NamedTuple):
    id: str
    account_id: int
    direction: str
    from_number: str
    to_number: str
    body: str | None
    is_mms: bool
    media: list[dict[str, Any]]
    message_encoding: int
    segments: int
    amount_nanodollars: int
    message_type: str
    created_at: float
    dlr_callback: str | None
    outcome: str


MESSAGE_COLUMNS = Message._fields


class Export(NamedTuple):
    """A CDR export as of the account's virtual now."""

    id: int
    status: str  # processing, completed, failed
    token: str
    callback_url: str | None
    filters: dict[str, Any]
    requested_at: float
    completes_at: float
    failure: str | None
    totals: dict[str, Any] | None


class Attempt(NamedTuple):
    id: int
    delivery_id: int
    kind: str
    message_id: str | None
    url: str
    body: str
    at: float
    status_code: int | None
    outcome: str
    error: str | None
    latency_ms: float | None  # None: blocked, or recorded before revision 0004
    response_excerpt: str | None  # the start of the receiver's answer (None: no answer)


class Clock(NamedTuple):
    now: float
    offset: float
    speed: float
