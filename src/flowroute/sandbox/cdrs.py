"""Call detail records: a deterministic generator of realistic calls, filters, totals, and the
gzip CSV that an export's download URL serves, streamed (never built whole in memory)."""

from __future__ import annotations

import csv
import heapq
import io
import random
import zlib
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

COLUMNS = (
    "direction", "start_time", "end_time", "destination", "number_alias", "callerid",
    "total_cost", "destination_name", "callerid_country", "line_information", "result",
    "call_fail_sip_code", "call_fail_reason", "duration", "billed_duration", "rate",
    "first_increment", "subsequent_increment", "cost_subtotal", "connect_fee", "usf_fee", "ccrf",
    "cnam_lookup_fee", "custom_x_tag", "customer_ip",
)  # fmt: skip
INDEX = {name: i for i, name in enumerate(COLUMNS)}
UNIT = 10**8  # costs are kept in 1e-8 dollars and printed with 8 decimals
FAILURES = (("486", "Busy Here"), ("404", "Not Found"), ("487", "Request Terminated"))
X_TAGS = ("", "", "support", "campaign-a")
Row = tuple[str, ...]


def money(units: int, places: int = 8) -> str:
    whole, frac = divmod(units, UNIT)
    return f"{whole}.{frac:08d}"[: len(str(whole)) + 1 + places]


def csv_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def generate(
    seed: int, count: int, start: float, end: float, numbers: list[tuple[str, str]]
) -> Iterator[tuple[float, Row]]:
    """``count`` calls spread over [start, end), in time order, the same for the same inputs."""
    rng = random.Random(seed)
    step = (end - start) / max(count, 1)
    lines = numbers or [("12065550100", "")]
    for i in range(count):
        began = start + i * step + rng.random() * step * 0.9
        number, alias = lines[rng.randrange(len(lines))]
        other = f"1{rng.randint(200, 999)}{rng.randint(200, 999)}{rng.randint(0, 9999):04d}"
        inbound = rng.random() < 0.55
        failed = rng.random() < 0.08
        duration = 0 if failed else rng.randint(1, 900)
        billed = 0 if failed else max(6, -(-duration // 6) * 6)
        rate = 1_500 if inbound else 9_500 if rng.random() < 0.2 else 4_500  # per minute, 1e-6 $
        subtotal = billed * rate * 100 // 60  # 1e-8 $
        cnam = 390_000 if inbound and not failed and rng.random() < 0.5 else 0
        ccrf = subtotal * 13 // 100
        sip, reason = rng.choice(FAILURES) if failed else ("200", "OK")
        yield (
            began,
            (
                "Inbound" if inbound else "Outbound",
                csv_time(began),
                csv_time(began + duration),
                number if inbound else other,
                alias,
                f"+{other}" if inbound else f"+{number}",
                money(subtotal + ccrf + cnam),
                "UNITED STATES",
                "UNITED STATES" if inbound else "N/A",
                "61",
                "failed" if failed else "completed",
                sip,
                reason,
                str(duration),
                str(billed),
                f"0.{rate:06d}",
                "6",
                "6",
                money(subtotal),
                "0.0000",
                money(0),
                money(ccrf),
                money(cnam),
                rng.choice(X_TAGS),
                f"203.0.113.{rng.randint(1, 254)}" + ("" if inbound else ":5060"),
            ),
        )


def matches(row: Row, filters: dict[str, Any]) -> bool:
    """Flowroute's optional export filters (the time window is applied by the caller)."""
    alias = row[INDEX["number_alias"]]
    if (names := filters.get("number_aliases")) and alias not in names:
        return False
    if (part := filters.get("number_aliases_contains")) and part.lower() not in alias.lower():
        return False
    if (wanted := filters.get("destination_numbers")) and row[INDEX["destination"]] not in {
        str(n).lstrip("+") for n in wanted
    }:
        return False
    if (wanted := filters.get("callerid_numbers")) and row[INDEX["callerid"]].lstrip("+") not in {
        str(n).lstrip("+") for n in wanted
    }:
        return False
    if (tags := filters.get("custom_x_tags")) and row[INDEX["custom_x_tag"]] not in tags:
        return False
    if (ip := filters.get("caller_ip")) and row[INDEX["customer_ip"]].split(":")[0] != ip:
        return False
    longer = filters.get("duration_greater_than")
    return longer is None or int(row[INDEX["duration"]]) > int(longer)


def select(
    sources: Iterable[Iterator[tuple[float, Row]]],
    start: float,
    end: float,
    filters: dict[str, Any],
) -> Iterator[Row]:
    """Rows from every source, merged in time order, in [start, end) and matching ``filters``."""
    for began, row in heapq.merge(*sources, key=lambda pair: pair[0]):
        if start <= began < end and matches(row, filters):
            yield row


def totals(rows: Iterable[Row]) -> dict[str, Any]:
    """The export's summary, computed from exactly the rows it exports."""
    sums = dict.fromkeys(("total", "subtotal", "connect", "cnam", "usf", "ccrf"), 0)
    calls = billed = 0
    for row in rows:
        calls += 1
        billed += int(row[INDEX["billed_duration"]])
        for key, column in (
            ("total", "total_cost"),
            ("subtotal", "cost_subtotal"),
            ("connect", "connect_fee"),
            ("cnam", "cnam_lookup_fee"),
            ("usf", "usf_fee"),
            ("ccrf", "ccrf"),
        ):
            whole, _, frac = row[INDEX[column]].partition(".")
            sums[key] += int(whole) * UNIT + int(frac.ljust(8, "0")[:8])
    return {
        "total_cost": money(sums["total"], 6),
        "call_subtotal": money(sums["subtotal"], 6),
        "connect_fees": money(sums["connect"], 6),
        "cnamlookup_fees": money(sums["cnam"], 6),
        "usf_fees": money(sums["usf"], 6),
        "ccrf": money(sums["ccrf"], 6),
        "num_calls": calls,
        "billed_minutes": -(-billed // 60),
    }


def gzip_csv(rows: Iterable[Row], batch: int = 5000) -> Iterator[bytes]:
    """The download: header then rows, gzip-compressed, a few thousand rows at a time."""
    packer = zlib.compressobj(5, zlib.DEFLATED, 31)  # wbits 31: a gzip file
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    pending = 1
    for row in rows:
        writer.writerow(row)
        pending += 1
        if pending >= batch:
            yield packer.compress(buffer.getvalue().encode())
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    yield packer.compress(buffer.getvalue().encode()) + packer.flush()
