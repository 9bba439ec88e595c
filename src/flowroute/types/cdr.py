"""CDR exports and the call records inside them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from pydantic import ConfigDict

from ._base import FlowrouteModel


class CdrExport(FlowrouteModel):
    """An export job: ``processing``, then ``completed`` (with ``download_url``) or ``failed``."""

    model_config = ConfigDict(coerce_numbers_to_str=True)

    id: str
    status: str | None = None
    download_url: str | None = None
    callback_url: str | None = None
    requested_at: datetime | None = None
    created_at: datetime | None = None
    expires_at: datetime | None = None
    total_cost: Decimal | None = None
    call_subtotal: Decimal | None = None
    connect_fees: Decimal | None = None
    cnamlookup_fees: Decimal | None = None
    usf_fees: Decimal | None = None
    ccrf: Decimal | None = None
    num_calls: int | None = None
    billed_minutes: int | None = None
    filter_parameters: dict[str, Any] | None = None
    failure_reason: str | None = None


class CallRecord(NamedTuple):
    """One row of an export (Flowroute's 25 columns, typed). A plain NamedTuple, not a pydantic
    model: exports run to millions of rows and are read in constant memory."""

    direction: str
    start_time: datetime | None
    end_time: datetime | None
    destination: str
    number_alias: str
    callerid: str
    total_cost: Decimal
    destination_name: str
    callerid_country: str
    line_information: str
    result: str
    call_fail_sip_code: int | None
    call_fail_reason: str
    duration: int
    billed_duration: int
    rate: Decimal
    first_increment: int | None
    subsequent_increment: int | None
    cost_subtotal: Decimal
    connect_fee: Decimal
    usf_fee: Decimal
    ccrf: Decimal
    cnam_lookup_fee: Decimal
    custom_x_tag: str
    customer_ip: str
