"""CNAM records as Flowroute shapes them."""

from __future__ import annotations

from email.utils import format_datetime
from typing import Any

from ..clock import from_epoch
from ..records import Cnam


def _stamp(seconds: float | None) -> str | None:
    # "2018-04-16 16:20:32.939166+00:00": space separator, microseconds.
    return None if seconds is None else str(from_epoch(seconds))


def cnam_resource(record: Cnam, base: str) -> dict[str, Any]:
    return {
        "type": "cnam",
        "id": str(record.id),
        "attributes": {
            "approval_datetime": _stamp(record.decided_at) if record.is_approved else None,
            "creation_datetime": _stamp(record.created_at),
            "is_approved": record.is_approved,
            "rejection_reason": record.rejection_reason,
            "value": record.value,
        },
        "links": {"self": f"{base}/v2/cnams/{record.id}"},
    }


def cnam_detail(record: Cnam, base: str) -> dict[str, Any]:
    """One record with the numbers using it."""
    resource = cnam_resource(record, base)
    resource["relationships"] = {
        "numbers": {"data": [{"type": "number", "id": n} for n in record.numbers]}
    }
    return resource


def association(ident: int | None, now: float) -> dict[str, Any]:
    """202 with an integer id and an RFC 1123 date, exactly as Flowroute answers."""
    stamp = format_datetime(from_epoch(now), usegmt=True)
    return {"data": {"attributes": {"date_created": stamp}, "id": ident, "type": "cnam"}}
