"""Buy a number in an area code and send its calls to your PBX, with a SIP URI as failover.

Run against the sandbox:  flowroute sandbox &  then
    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/buy_and_route.py 206
"""

from __future__ import annotations

import sys

from flowroute import Flowroute


def main(area_code: str) -> None:
    with Flowroute() as client:
        candidate = next(iter(client.numbers.search(starts_with=area_code, limit=1)))
        number = client.numbers.purchase(candidate.id)
        pbx = client.routes.create(
            alias=f"pbx-{number.id}", route_type="host", value="pbx.example.com:5060"
        )
        backup = client.routes.create(
            alias=f"backup-{number.id}", route_type="uri", value="sip:backup@sip.example.com"
        )
        client.routes.set_primary(number.id, route=pbx.id)
        client.routes.set_failover(number.id, route=backup.id)
        details = client.numbers.retrieve(number.id)
        print(
            f"{details.id}: primary route {details.primary_route_id}, "
            f"failover {details.failover_route_id}"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "206")
