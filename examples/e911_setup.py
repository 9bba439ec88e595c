"""Give every number on the account an E911 address: validate it, store it once, and associate
it with each number that has none (toll-free numbers cannot have one).

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/e911_setup.py
"""

from __future__ import annotations

from flowroute import Flowroute, FlowrouteError
from flowroute.resources.e911s import Address

OFFICE: Address = {
    "label": "Seattle office",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "street_number": "645",
    "street_name": "Elliott Ave W",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98119",
    "address_type": "Suite",
    "address_type_number": "300",
}


def main() -> None:
    with Flowroute() as client:
        try:
            client.e911s.validate(**OFFICE)
        except FlowrouteError as exc:  # e.g. "Could not geocode this address..."
            raise SystemExit(f"fix the address first: {exc}") from None
        existing = next(iter(client.e911s.list(label=OFFICE["label"], limit=1)), None)
        address = existing or client.e911s.create(**OFFICE)
        print(f"E911 address {address.id}: {address.street_number} {address.street_name}")
        numbers = list(client.numbers.list())
        if not numbers:
            numbers = [client.numbers.purchase(next(iter(client.numbers.search(limit=1))).id)]
        for number in numbers:
            if number.e911_address_id or number.number_type == "toll-free":
                continue
            client.e911s.associate(address.id, number=number.id)
            print(f"  {number.id}: associated")
        covered = [n.id for n in client.e911s.numbers(address.id)]
        print(f"{len(covered)} number(s) covered: {', '.join(covered)}")


if __name__ == "__main__":
    main()
