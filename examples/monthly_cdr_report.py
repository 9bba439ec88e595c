"""Last month's calls per number: an export, waited for, streamed and totalled in constant
memory (exports run to millions of rows).

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/monthly_cdr_report.py 2026-01
"""

from __future__ import annotations

import sys
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from flowroute import Flowroute


def month_bounds(month: str | None) -> tuple[date, date]:
    """``YYYY-MM``, or the previous calendar month."""
    if month is None:
        first_of_this = datetime.now(UTC).date().replace(day=1)
        start = (first_of_this - timedelta(days=1)).replace(day=1)
    else:
        start = date.fromisoformat(f"{month}-01")
    end = (start + timedelta(days=32)).replace(day=1)
    return start, end


def main(month: str | None) -> None:
    start, end = month_bounds(month)
    with Flowroute() as client:
        export = client.cdrs.create(start=start, end=end)
        export = client.cdrs.wait(export.id, timeout=1800)
        print(f"{start:%B %Y}: export {export.id}, {export.num_calls or 0:,} calls")
        calls: dict[str, int] = defaultdict(int)
        seconds: dict[str, int] = defaultdict(int)
        cost: dict[str, Decimal] = defaultdict(Decimal)
        with client.cdrs.records(export.id) as records:
            for call in records:
                # Our number: the destination of inbound calls, the caller ID of outbound ones.
                ours = call.destination if call.direction == "Inbound" else call.callerid
                calls[ours] += 1
                seconds[ours] += call.billed_duration
                cost[ours] += call.total_cost
        row = "{:<14}{:>8,}{:>10,.1f}{:>12.2f}"
        print(f"{'number':<14}{'calls':>8}{'minutes':>10}{'cost':>12}")
        for number in sorted(calls, key=lambda n: cost[n], reverse=True):
            print(row.format(number, calls[number], seconds[number] / 60, cost[number]))
        total = (sum(calls.values()), sum(seconds.values()) / 60, sum(cost.values()))
        print(row.format("total", *total))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
