"""CDR exports, sync and async, against the sandbox: jobs, totals, downloads, records."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import httpx2
import pytest

from flowroute import APIError, ExportFailedError, InvalidRequestError, PermissionDeniedError
from flowroute.resources.cdrs import COLUMNS, iter_records
from flowroute.sandbox.server import SandboxServer
from flowroute.types.cdr import CallRecord, CdrExport

from ..support import Driver, Receiver

RECORD = {
    "direction": "Inbound",
    "start_time": "2026-01-02 10:00:00",
    "end_time": "2026-01-02 10:00:29+00",
    "destination": "12063389999",
    "number_alias": "Office Line 2",
    "callerid": "+12069928999",
    "total_cost": "0.00474784",
    "destination_name": "UNITED STATES",
    "callerid_country": "UNITED STATES",
    "line_information": "61",
    "result": "completed",
    "call_fail_sip_code": "200",
    "call_fail_reason": "OK",
    "duration": "29",
    "billed_duration": "30",
    "rate": "0.001500",
    "first_increment": "6",
    "subsequent_increment": "6",
    "cost_subtotal": "0.00075000",
    "connect_fee": "0.0000",
    "usf_fee": "0.00000000",
    "ccrf": "0.00009784",
    "cnam_lookup_fee": "0.00390000",
    "custom_x_tag": "",
    "customer_ip": "53.186.152.52",
}


@pytest.fixture
def calls(flowroute_sandbox: SandboxServer) -> None:
    flowroute_sandbox.seed_numbers(2)
    flowroute_sandbox.generate_calls(2000, start="2026-01-01", end="2026-01-31", seed=7)
    flowroute_sandbox.add_calls([RECORD])


def test_export_lifecycle(
    fr: Driver, calls: None, flowroute_sandbox: SandboxServer, tmp_path: Path
) -> None:
    created = fr.cdrs.create(
        start="2026-01-01", end="2026-01-15", callback_url="http://127.0.0.1:9/none"
    )
    assert isinstance(created, CdrExport)
    assert (created.status, created.download_url, created.total_cost) == ("processing", None, None)
    assert [e.id for e in fr.cdrs.list(status="processing")] == [created.id]

    flowroute_sandbox.clock.advance(seconds=5)
    done = fr.cdrs.wait(created.id, timeout=5)
    assert done.status == "completed" and done.download_url and done.num_calls
    assert done.expires_at is not None and done.requested_at is not None
    assert (done.expires_at - done.requested_at).total_seconds() == 3 * 86400 + 5
    assert [e.id for e in fr.cdrs.list(status="completed")] == [created.id]

    path = tmp_path / "january.csv.gz"
    progress: list[tuple[int, int | None]] = []
    assert (
        fr.cdrs.download(
            created.id, path, progress=lambda done, total: progress.append((done, total))
        )
        == path
    )
    assert progress[-1][0] == path.stat().st_size and list(tmp_path.iterdir()) == [path]
    records = list(iter_records(path))
    assert len(records) == done.num_calls
    micro = Decimal("0.000001")  # export totals carry six decimals, truncated
    assert (
        sum((r.total_cost for r in records), Decimal(0)).quantize(micro, ROUND_DOWN)
        == done.total_cost
    )
    assert (
        sum((r.cost_subtotal for r in records), Decimal(0)).quantize(micro, ROUND_DOWN)
        == done.call_subtotal
    )
    assert -(-sum(r.billed_duration for r in records) // 60) == done.billed_minutes


def test_header_and_a_row_read_back(
    fr: Driver, calls: None, flowroute_sandbox: SandboxServer, tmp_path: Path
) -> None:
    export = fr.cdrs.create(start="2026-01-02", end="2026-01-03", number_aliases=["Office Line 2"])
    flowroute_sandbox.clock.advance(seconds=5)
    fr.cdrs.wait(export.id)
    path = fr.cdrs.download(export.id, tmp_path / "one.csv.gz")
    import gzip

    lines = gzip.decompress(path.read_bytes()).decode().splitlines()
    assert lines[0] == ",".join(COLUMNS) and len(COLUMNS) == 25
    (record,) = iter_records(path)
    assert isinstance(record, CallRecord)
    assert record.number_alias == "Office Line 2" and record.callerid == "+12069928999"
    assert record.total_cost == Decimal("0.00474784") and record.duration == 29
    assert (
        record.start_time is not None
        and record.start_time.isoformat() == "2026-01-02T10:00:00+00:00"
    )
    assert record.call_fail_sip_code == 200 and record.customer_ip == "53.186.152.52"


def test_window_and_filter_errors(fr: Driver, raw_ok: httpx2.Client) -> None:
    with pytest.raises(InvalidRequestError, match="at most 92 days"):
        fr.cdrs.create(start="2026-01-01", end="2026-04-05")
    with pytest.raises(InvalidRequestError, match="end must be after start"):
        fr.cdrs.create(start="2026-02-01", end="2026-01-01")
    body = {
        "data": {
            "type": "cdrexport",
            "attributes": {"filter_parameters": {"start_call_start_time": "2026-01-01 00:00:00"}},
        }
    }
    response = raw_ok.post("/v2/cdrs/exports", json=body)
    assert response.status_code == 422 and "start_call_end_time is required" in response.text
    response = raw_ok.post("/v2/cdrs/exports", json={"data": {"attributes": {}}})
    assert response.status_code == 422 and "filter_parameters is required" in response.text
    wide = {
        "start_call_start_time": "2026-01-01 00:00:00",
        "start_call_end_time": "2026-06-01 00:00:00",
    }
    response = raw_ok.post(
        "/v2/cdrs/exports", json={"data": {"attributes": {"filter_parameters": wide}}}
    )
    assert response.status_code == 422 and "at most 92 days" in response.text


@pytest.fixture
def raw_ok(raw: httpx2.Client) -> httpx2.Client:
    return raw


def test_failed_export(fr: Driver, flowroute_sandbox: SandboxServer) -> None:
    export = fr.cdrs.create(start="2026-01-01", end="2026-01-02", number_aliases=["FAIL-please"])
    flowroute_sandbox.clock.advance(seconds=5)
    with pytest.raises(
        ExportFailedError, match=f"CDR export {export.id} failed: The export failed"
    ):
        fr.cdrs.wait(export.id)
    with pytest.raises(InvalidRequestError, match="is failed: wait for it"):
        fr.cdrs.download(export.id, "never.csv.gz")


def test_download_expires_after_three_days(
    fr: Driver, calls: None, flowroute_sandbox: SandboxServer, tmp_path: Path
) -> None:
    export = fr.cdrs.create(start="2026-01-01", end="2026-01-02")
    flowroute_sandbox.clock.advance(seconds=5 + 3 * 86400 + 1)
    with pytest.raises(PermissionDeniedError, match="download URLs last 3 days"):
        fr.cdrs.download(export.id, tmp_path / "late.csv.gz")
    assert list(tmp_path.iterdir()) == []


def test_dropped_download_leaves_no_file(
    fr: Driver, calls: None, flowroute_sandbox: SandboxServer, tmp_path: Path
) -> None:
    export = fr.cdrs.create(start="2026-01-01", end="2026-01-31")
    flowroute_sandbox.clock.advance(seconds=5)
    flowroute_sandbox.faults.add("GET", "/cdr-downloads/*", drop=True, public=True)
    target = tmp_path / "export.csv.gz"
    with pytest.raises(APIError):
        fr.cdrs.download(export.id, target)
    assert list(tmp_path.iterdir()) == []  # neither the file nor a temporary left behind
    assert fr.cdrs.download(export.id, target) == target  # the retry succeeds
    assert sum(1 for _ in iter_records(target)) > 0


def test_official_demo_access_pattern(
    raw: httpx2.Client, calls: None, flowroute_sandbox: SandboxServer
) -> None:
    filters = {
        "start_call_start_time": "2026-01-01 00:00:00",
        "start_call_end_time": "2026-01-02 00:00:00",
    }
    created = raw.post(
        "/v2/cdrs/exports",
        json={"data": {"type": "cdrexport", "attributes": {"filter_parameters": filters}}},
    )
    assert (
        created.status_code == 201
        and created.json()["data"]["attributes"]["status"] == "processing"
    )
    result = raw.get("/v2/cdrs/exports").json()
    assert result["data"][0]["data"]["id"] == int(
        created.json()["data"]["id"]
    )  # cdr_demo.py does this
    assert_unknown = raw.post(
        "/v2/cdrs/exports",
        json={"data": {"attributes": {"filter_parameters": {**filters, "colour": "red"}}}},
    )
    assert (
        assert_unknown.status_code == 422
        and "Unknown filter_parameters: colour" in assert_unknown.text
    )


def test_completion_callback(
    flowroute_sandbox: SandboxServer, calls: None, receiver: Receiver
) -> None:
    client = flowroute_sandbox.client()
    export = client.cdrs.create(
        start="2026-01-01", end="2026-01-02", callback_url=f"{receiver.url}/cdr"
    )
    assert receiver.requests == []
    flowroute_sandbox.clock.advance(seconds=5)
    (event,) = receiver.bodies("/cdr")
    attributes = event["data"]["attributes"]
    assert (attributes["resource_id"], attributes["status"], attributes["resource_type"]) == (
        export.id,
        "completed",
        "cdrexports",
    )
    flowroute_sandbox.clock.advance(seconds=600)
    assert len(receiver.requests) == 1  # delivered once


def test_records_by_export_id(fr: Driver, calls: None, flowroute_sandbox: SandboxServer) -> None:
    export = fr.cdrs.create(start="2026-01-02", end="2026-01-03", number_aliases=["Office Line 2"])
    flowroute_sandbox.clock.advance(seconds=5)
    fr.cdrs.wait(export.id)
    records = fr.cdrs.records(export.id)
    folder = records.path.parent
    assert [r.callerid for r in records] == ["+12069928999"]
    assert not folder.exists()  # the temporary download is gone once read
