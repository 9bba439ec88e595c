"""CDR exports as Flowroute shapes them."""

from __future__ import annotations

from typing import Any

from ..clock import from_epoch, iso_seconds
from ..records import Export

URL_LIFETIME = 3 * 86400
TOTALS = (
    "total_cost",
    "call_subtotal",
    "connect_fees",
    "cnamlookup_fees",
    "usf_fees",
    "ccrf",
    "num_calls",
    "billed_minutes",
)


def download_path(export: Export) -> str:
    return f"/cdr-downloads/{export.token}.csv.gz"


def export_resource(export: Export, base: str) -> dict[str, Any]:
    completed = export.status == "completed"
    done = export.status != "processing"
    summary = export.totals or {}
    attributes: dict[str, Any] = {
        "callback_url": export.callback_url,
        "status": export.status,
        "download_url": f"{base}{download_path(export)}" if completed else None,
        "requested_at": iso_seconds(from_epoch(export.requested_at)),
        "created_at": iso_seconds(from_epoch(export.requested_at)),
        "expires_at": iso_seconds(from_epoch(export.completes_at + URL_LIFETIME))
        if completed
        else None,
        "filter_parameters": export.filters,
        **{k: summary.get(k) if done else None for k in TOTALS},
    }
    if export.failure and done:
        attributes["failure_reason"] = export.failure
    return {
        "type": "cdrexport",
        "id": str(export.id),
        "attributes": attributes,
        "links": {"self": f"{base}/v2/cdrs/exports/{export.id}"},
    }


def export_list_item(export: Export, base: str) -> dict[str, Any]:
    resource = export_resource(export, base)
    resource["id"] = int(resource["id"])  # list items carry integer ids...
    return {"data": resource}  # ...each wrapped in its own "data", as Flowroute does
