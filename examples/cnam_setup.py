"""Show your business name on outbound calls. Flowroute reviews a new name for up to 48 hours,
so run this again later: the first run submits the name, a later one associates it.

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/cnam_setup.py "Lovelace Labs"
"""

from __future__ import annotations

import sys

from flowroute import Flowroute
from flowroute.callerid import cnam_value_error


def main(name: str) -> None:
    problem = cnam_value_error(name)  # the same rule Flowroute applies, checked locally
    if problem:
        raise SystemExit(problem)
    with Flowroute() as client:
        record = next(iter(client.cnams.list(value=name.upper(), limit=1)), None)
        if record is None:
            record = client.cnams.create(name)
            print(f"submitted {record.value!r} (CNAM {record.id}) for review; run again later")
            return
        if record.rejection_reason:
            raise SystemExit(f"{record.value!r} was rejected: {record.rejection_reason}")
        if not record.is_approved:
            print(
                f"{record.value!r} is still pending review (submitted {record.creation_datetime})"
            )
            return
        for number in client.numbers.list():
            if number.cnam_preset_id != record.id:
                client.cnams.associate(record.id, number=number.id)
                print(f"  {number.id}: shows {record.value!r}")
        print(
            f"{record.value!r} is on {len(client.cnams.retrieve(record.id).number_ids)} number(s)"
        )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Lovelace Labs")
