"""E911 records as Flowroute shapes them."""

from __future__ import annotations

from typing import Any

from ...addresses import FIELDS
from ..records import E911


def e911_resource(record: E911, base: str) -> dict[str, Any]:
    attributes = {name: getattr(record, name) for name in FIELDS}
    for name in ("address_type", "address_type_number"):
        attributes[name] = attributes[name] or ""
    return {
        "type": "e911",
        "id": str(record.id),
        "attributes": attributes,
        "links": {"self": f"{base}/v2/e911s/{record.id}"},
    }


def e911_number(value: str, alias: str | None, base: str) -> dict[str, Any]:
    """A number using an E911 record (``/v2/e911s/{id}/relationships/numbers``)."""
    return {
        "type": "number",
        "id": value,
        "attributes": {"alias": alias, "value": value},
        "links": {"self": f"{base}/v2/numbers/{value}"},
    }
