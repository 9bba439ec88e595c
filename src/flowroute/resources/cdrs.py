"""CDR exports: create, list, check, wait for, download, and read call detail records."""

from __future__ import annotations

import builtins
import contextlib
import csv
import gzip
import io
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal, Unpack

from .._core.call import Call, Download, Flow, PageCall, Sleep, query
from .._core.errors import ExportFailedError, ExportWaitTimeout, InvalidRequestError
from .._core.modes import M
from .._core.options import RequestOptions, WaitOptions
from .._core.resource import Resource, endpoint, flow, paginated
from ..types._base import FlowrouteModel, parse_one, parse_page
from ..types.cdr import CallRecord, CdrExport
from ._params import non_negative, path_id

MAX_WINDOW_DAYS = 92
Status = Literal["processing", "completed", "failed"]
COLUMNS = CallRecord._fields


def _when(value: date | datetime | str, name: str) -> datetime:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise InvalidRequestError(f"{name} must be a date or date-time, got {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _export_page(content: bytes) -> tuple[list[CdrExport], str | None]:
    # The list wraps each item in its own {"data": ...}; the parser unwraps it.
    items, next_url = parse_page(_Wrapped)(content)
    return [item.data for item in items], next_url


class _Wrapped(FlowrouteModel):
    """A list item as Flowroute sends it: ``{"data": {export}}``."""

    data: CdrExport


def _download(
    export_id: str | int,
    destination: str | os.PathLike[str] | IO[bytes],
    progress: Callable[[int, int | None], None] | None,
) -> Flow[Path | None]:
    export: CdrExport = yield Call(
        "GET", f"/v2/cdrs/exports/{path_id('export_id', export_id)}", parse_one(CdrExport)
    )
    if export.status != "completed" or not export.download_url:
        raise InvalidRequestError(
            f"CDR export {export_id} is {export.status}: wait for it to complete before downloading"
        )
    yield Download(export.download_url, destination, progress)
    return Path(destination) if isinstance(destination, str | os.PathLike) else None


class Cdrs(Resource[M]):
    """``client.cdrs``: call detail record exports."""

    @paginated
    def list(
        self,
        *,
        status: Status | None = None,
        limit: int | None = None,
        page_size: int | None = None,
        offset: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> PageCall[CdrExport]:
        params = query(status=status, offset=non_negative("offset", offset))
        return PageCall("/v2/cdrs/exports", params, _export_page, 200, limit, page_size)

    @endpoint
    def create(
        self,
        *,
        start: date | datetime | str,
        end: date | datetime | str,
        callback_url: str | None = None,
        number_aliases: builtins.list[str] | None = None,
        number_aliases_contains: str | None = None,
        destination_numbers: builtins.list[str] | None = None,
        callerid_numbers: builtins.list[str] | None = None,
        custom_x_tags: builtins.list[str] | None = None,
        caller_ip: str | None = None,
        duration_greater_than: int | None = None,
        **options: Unpack[RequestOptions],
    ) -> Call[CdrExport]:
        """Export calls that started in [start, end) (UTC, at most 92 days)."""
        begin, finish = _when(start, "start"), _when(end, "end")
        if finish <= begin:
            raise InvalidRequestError("end must be after start")
        if (finish - begin).total_seconds() > MAX_WINDOW_DAYS * 86400:
            raise InvalidRequestError(
                f"an export covers at most {MAX_WINDOW_DAYS} days; split the range into several"
            )
        optional = {
            "number_aliases": number_aliases,
            "number_aliases_contains": number_aliases_contains,
            "destination_numbers": destination_numbers,
            "callerid_numbers": callerid_numbers,
            "custom_x_tags": custom_x_tags,
            "caller_ip": caller_ip,
            "duration_greater_than": duration_greater_than,
        }
        filters: dict[str, Any] = {
            "start_call_start_time": begin.strftime("%Y-%m-%d %H:%M:%S"),
            "start_call_end_time": finish.strftime("%Y-%m-%d %H:%M:%S"),
            **{k: v for k, v in optional.items() if v is not None},
        }
        attributes: dict[str, Any] = {"filter_parameters": filters}
        if callback_url is not None:
            attributes["callback_url"] = callback_url
        body = {"data": {"type": "cdrexport", "attributes": attributes}}
        return Call(
            "POST",
            "/v2/cdrs/exports",
            parse_one(CdrExport),
            json=body,
            idempotent=False,
            action="creating a CDR export",
        )

    @endpoint
    def retrieve(self, export_id: str | int, **options: Unpack[RequestOptions]) -> Call[CdrExport]:
        return Call(
            "GET", f"/v2/cdrs/exports/{path_id('export_id', export_id)}", parse_one(CdrExport)
        )

    @flow
    def wait(
        self,
        export_id: str | int,
        *,
        timeout: float = 600.0,
        poll_interval: float = 1.0,
        **options: Unpack[WaitOptions],
    ) -> Flow[CdrExport]:
        """Poll (with backoff up to 15 s) until the export completes; raises ExportFailedError
        if it fails and ExportWaitTimeout after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        delay = poll_interval
        path = f"/v2/cdrs/exports/{path_id('export_id', export_id)}"
        while True:
            export: CdrExport = yield Call("GET", path, parse_one(CdrExport))
            if export.status == "completed":
                return export
            if export.status == "failed":
                raise ExportFailedError(export)
            if time.monotonic() + delay > deadline:
                raise ExportWaitTimeout(
                    f"CDR export {export_id} still {export.status} after {timeout:g} s"
                )
            yield Sleep(delay)
            delay = min(delay * 2, 15.0)

    @flow
    def download(
        self,
        export_id: str | int,
        destination: str | os.PathLike[str] | IO[bytes],
        *,
        progress: Callable[[int, int | None], None] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Flow[Path | None]:
        """Stream the export's gzip CSV to ``destination`` (a path, written atomically and
        checked as gzip, or a binary file). Returns the path (None for a file object)."""
        return (yield from _download(export_id, destination, progress))

    @flow
    def records(
        self,
        export_id: str | int,
        *,
        progress: Callable[[int, int | None], None] | None = None,
        **options: Unpack[RequestOptions],
    ) -> Flow[RecordFile]:
        """Download a completed export to a temporary file and read it: ``for call in
        client.cdrs.records(id)`` (``await`` it first on the async client)."""
        path = Path(tempfile.mkdtemp(prefix="flowroute-cdrs-")) / f"export-{export_id}.csv.gz"
        try:
            yield from _download(export_id, path, progress)
        except BaseException:
            RecordFile(path).close()
            raise
        return RecordFile(path)


class RecordFile:
    """An export downloaded to a temporary file: iterate it for CallRecords (lazily, constant
    memory); the file is deleted when iteration ends or on ``close()``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __iter__(self) -> Iterator[CallRecord]:
        try:
            yield from iter_records(self.path)
        finally:
            self.close()

    def close(self) -> None:
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()

    def __enter__(self) -> RecordFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def _decimal(text: str) -> Decimal:
    return Decimal(text) if text else Decimal(0)


def _int(text: str) -> int | None:
    return int(text) if text.strip().lstrip("-").isdigit() else None


def _time(text: str) -> datetime | None:
    # "2019-06-25 18:18:54+00"
    return (
        datetime.fromisoformat(text + ":00")
        if text.endswith("+00")
        else (datetime.fromisoformat(text) if text else None)
    )


def record(row: list[str]) -> CallRecord:
    """One CSV row (in Flowroute's column order) as a typed CallRecord."""
    (direction, start, end, destination, alias, callerid, total, dest_name, country, line, result,
     sip, reason, duration, billed, rate, first, subsequent, subtotal, connect, usf, ccrf, cnam,
     x_tag, ip) = row  # fmt: skip
    return CallRecord(
        direction, _time(start), _time(end), destination, alias, callerid, _decimal(total),
        dest_name, country, line, result, _int(sip), reason, int(duration or 0), int(billed or 0),
        _decimal(rate), _int(first), _int(subsequent), _decimal(subtotal), _decimal(connect),
        _decimal(usf), _decimal(ccrf), _decimal(cnam), x_tag, ip,
    )  # fmt: skip


def iter_records(source: str | os.PathLike[str] | IO[bytes]) -> Iterator[CallRecord]:
    """Read a downloaded export (path or binary file; gzip or plain CSV) row by row, in
    constant memory."""
    raw: IO[bytes] = open(source, "rb") if isinstance(source, str | os.PathLike) else source  # noqa: SIM115
    try:
        head = raw.read(2)
        raw.seek(0)
        stream: Any = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
        reader = csv.reader(io.TextIOWrapper(stream, encoding="utf-8", newline=""))
        header = next(reader, None)
        if header is not None and tuple(header) != COLUMNS:
            raise InvalidRequestError(
                f"not a Flowroute CDR export: unexpected header {header[:3]}..."
            )
        for row in reader:
            yield record(row)
    finally:
        if raw is not source:
            raw.close()
