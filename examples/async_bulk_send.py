"""Send one text to many recipients with AsyncFlowroute: 20 requests in flight, paced by the
client's rate limiter (Flowroute allows 5 SMS a second per account), and a report of which
sends failed and which may have gone out (never retried blindly).

    FLOWROUTE_BASE_URL=http://127.0.0.1:8080 FLOWROUTE_ACCESS_KEY=demo FLOWROUTE_SECRET_KEY=demo \
        python examples/async_bulk_send.py --count 10
"""

from __future__ import annotations

import argparse
import asyncio

from flowroute import AsyncFlowroute, FlowrouteError, IndeterminateResultError, RateLimit


async def send_all(
    client: AsyncFlowroute, sender: str, recipients: list[str], body: str
) -> dict[str, str]:
    """Each recipient's outcome: a message id, or why it failed."""
    in_flight = asyncio.Semaphore(20)

    async def one(to: str) -> str:
        async with in_flight:
            try:
                return (await client.messages.send(to=to, from_=sender, body=body)).id
            except IndeterminateResultError:
                return "may have been sent: check before resending"
            except FlowrouteError as exc:
                return f"failed: {exc}"

    outcomes = await asyncio.gather(*(one(to) for to in recipients))
    return dict(zip(recipients, outcomes, strict=True))


async def own_number(client: AsyncFlowroute) -> str:
    """A number to send from: the account's first, else a newly bought one."""
    async for number in client.numbers.list(limit=1):
        return number.id
    async for candidate in client.numbers.search(limit=1):
        return (await client.numbers.purchase(candidate.id)).id
    raise SystemExit("no numbers available to buy")


async def main(count: int, per_second: float) -> None:
    limit = RateLimit(sms_per_second=per_second)
    async with AsyncFlowroute(rate_limit=limit) as client:
        sender = await own_number(client)
        recipients = [f"1206555{1000 + i}" for i in range(count)]
        outcomes = await send_all(client, sender, recipients, "Our spring sale starts today!")
    sent = [to for to, outcome in outcomes.items() if outcome.startswith("mdr")]
    print(f"sent {len(sent)} of {len(recipients)} from {sender}")
    for to, outcome in outcomes.items():
        if not outcome.startswith("mdr"):
            print(f"  {to}: {outcome}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--per-second", type=float, default=5.0, help="SMS rate limit")
    options = parser.parse_args()
    asyncio.run(main(options.count, options.per_second))
