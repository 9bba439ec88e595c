"""Numbers (owned and purchasable) as Flowroute shapes them."""

from __future__ import annotations

from typing import Any

from ..inventory import Purchasable
from ..records import NUMBER_COLUMNS, Number, NumberDetail
from .cnams import cnam_resource
from .e911s import e911_resource
from .routes import route_resource


def number_resource(number: Number | tuple[Any, ...], base: str) -> dict[str, Any]:
    attributes = dict(zip(NUMBER_COLUMNS, number, strict=True))
    attributes["note"] = None
    attributes["rate_type"] = "toll-free" if attributes["number_type"] == "toll-free" else "local"
    attributes["status"] = "PURCHASED"
    value = attributes["value"]
    return {
        "type": "number",
        "id": value,
        "attributes": attributes,
        "links": {"self": f"{base}/v2/numbers/{value}"},
    }


def _relation(kind: str, ident: int | None) -> dict[str, Any]:
    return {"data": None if ident is None else {"type": kind, "id": str(ident)}}


def number_detail(detail: NumberDetail, base: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A number with its relationships, and what they point at (for ``included``)."""
    resource = number_resource(detail.number, base)
    resource["relationships"] = {
        "cnam_preset": _relation("cnam", detail.cnam_id),
        "e911_address": _relation("e911", detail.e911_id),
        "failover_route": _relation("route", detail.failover_route_id),
        "primary_route": _relation("route", detail.primary_route_id),
    }
    included = [route_resource(route, base) for route in detail.routes]
    if detail.e911 is not None:
        included.append(e911_resource(detail.e911, base))
    if detail.cnam is not None:
        included.append(cnam_resource(detail.cnam, base))
    return resource, included


def number_document(detail: NumberDetail, base: str) -> dict[str, Any]:
    resource, included = number_detail(detail, base)
    return {"data": resource, "included": included, "links": {"self": resource["links"]["self"]}}


def available_resource(p: Purchasable, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": p.value,
        "attributes": {
            "inbound_rate": p.inbound_rate,
            "iso_country": p.iso_country,
            "monthly_cost": p.monthly_cost,
            "number_type": p.number_type,
            "rate_center": p.rate_center,
            "rate_type": p.rate_type,
            "setup_cost": p.setup_cost,
            "state": p.state,
            "tier": p.tier,
            "value": p.value,
        },
        "links": {"related": f"{base}/v2/numbers/{p.value}"},
    }
