"""Routes and edge strategies as Flowroute shapes them."""

from __future__ import annotations

from typing import Any

from ..records import Route

SIP_REG: dict[str, str | None] = {
    "alias": "sip-reg",
    "edge_strategy_id": None,
    "route_type": "sip-reg",
    "value": None,
}


def route_resource(route: Route | None, base: str) -> dict[str, Any]:
    """A route object; ``None`` renders the built-in route ``"0"`` (sip-reg)."""
    attrs: dict[str, object]
    if route is None:
        ident, attrs = "0", dict(SIP_REG)
    else:
        ident = str(route.id)
        attrs = {
            "alias": route.alias,
            "edge_strategy_id": route.edge_strategy_id,
            "route_type": route.route_type,
            "value": route.value,
        }
    return {
        "type": "route",
        "id": ident,
        "attributes": attrs,
        "links": {"self": f"{base}/v2/routes/{ident}"},
    }


def edge_strategy(ident: int, name: str, region: str, rules: str, naptr: str) -> dict[str, Any]:
    return {
        "type": "edge_strategy",
        "id": ident,
        "attributes": {
            "description": "Data will be sent preferentially from our edge systems in "
            f"{region}. We will fall back to other regions if necessary.",
            "firewall_rules": rules,
            "name": name,
            "naptr": f"{naptr}.sip.flowroute.com",
        },
    }
