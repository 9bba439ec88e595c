"""Inbound voice routes and edge strategies (PoPs)."""

from __future__ import annotations

from typing import Literal

from ._base import FlowrouteModel

RouteType = Literal["host", "number", "uri", "sip-reg"]


class Route(FlowrouteModel):
    """An inbound route; ``"0"`` is the built-in ``sip-reg`` route every account has."""

    id: str
    alias: str | None = None
    route_type: str | None = None
    value: str | None = None
    edge_strategy_id: int | None = None


class EdgeStrategy(FlowrouteModel):
    """A Flowroute point of presence a route can prefer."""

    id: int
    name: str | None = None
    description: str | None = None
    firewall_rules: str | None = None
    naptr: str | None = None
