"""Send an SMS from one of your numbers and look up its delivery status.

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/send_and_track_sms.py +12065550123 "Your order has shipped"
"""

from __future__ import annotations

import sys

from flowroute import Flowroute
from flowroute.segments import analyze


def main(to: str, body: str) -> None:
    with Flowroute() as client:
        mine = next(iter(client.numbers.list(limit=1)), None)
        if mine is None:  # a fresh account: buy a number to send from
            mine = client.numbers.purchase(next(iter(client.numbers.search(limit=1))).id)
        info = analyze(body)
        print(f"{len(body)} characters, encoding {info.encoding}: {info.segments} segment(s)")
        sent = client.messages.send(to=to, from_=mine.id, body=body, max_segments=3)
        record = client.messages.retrieve(sent.id)
        receipts = ", ".join(f"L{r.level} {r.status}" for r in record.delivery_receipts)
        print(f"{sent.id}: {record.status or 'accepted'} ({receipts or 'no receipts yet'})")


if __name__ == "__main__":
    main(
        sys.argv[1] if len(sys.argv) > 1 else "+12065550123",
        sys.argv[2] if len(sys.argv) > 2 else "Your order has shipped",
    )
