"""Client CPU per call: the SDK vs raw httpx2 doing the same HTTP work (server in another process).

Measured with time.process_time in this process only, in alternating paired rounds.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import httpx2

from flowroute import Flowroute
from flowroute.sandbox import SandboxControl

KEY, SECRET = "bench-cpu", "bench-secret"


def _cpu_per_call(fn: Callable[[], object], calls: int) -> float:
    start = time.process_time()
    for _ in range(calls):
        fn()
    return (time.process_time() - start) / calls


def _paired(raw_times: list[float], sdk_times: list[float]) -> tuple[float, float]:
    """Median raw time and median of per-round ratios: adjacent rounds share the machine's
    momentary speed, so their ratio is far steadier than either absolute time."""
    ratio = statistics.median(s / r for r, s in zip(raw_times, sdk_times, strict=True))
    base = statistics.median(raw_times)
    return base, base * ratio


def _alternate(
    raw: Callable[[], object], sdk: Callable[[], object], *, rounds: int, calls: int
) -> tuple[float, float]:
    raw_times, sdk_times = [], []
    for index in range(rounds):
        # ABBA order cancels a steady drift in machine speed.
        if index % 2:
            sdk_times.append(_cpu_per_call(sdk, calls))
            raw_times.append(_cpu_per_call(raw, calls))
        else:
            raw_times.append(_cpu_per_call(raw, calls))
            sdk_times.append(_cpu_per_call(sdk, calls))
    return _paired(raw_times, sdk_times)


def run(base_url: str, *, page_sizes: tuple[int, ...] = (10, 50)) -> dict[str, tuple[float, float]]:
    control = SandboxControl(base_url, access_key=KEY, secret_key=SECRET)
    control.reset()
    control.seed_numbers(max(page_sizes))
    raw = httpx2.Client(auth=(KEY, SECRET), headers={"Accept": "application/vnd.api+json"})
    sdk = Flowroute(access_key=KEY, secret_key=SECRET, base_url=base_url)
    url = f"{base_url}/v2/numbers"

    results = {}
    for size in page_sizes:

        def raw_list(size: int = size) -> object:
            return [item["id"] for item in raw.get(url, params={"limit": size}).json()["data"]]

        def sdk_list(size: int = size) -> object:
            return [number.id for number in sdk.numbers.list(limit=size)]

        raw_list(), sdk_list()  # warm connections, caches, pydantic schemas
        results[f"list of {size} numbers"] = _alternate(raw_list, sdk_list, rounds=40, calls=10)

    stock = [n.id for n in sdk.numbers.search(limit=200)]
    buy = iter(stock)

    def raw_purchase() -> object:
        return raw.post(f"{url}/{next(buy)}").json()["data"]["id"]

    def sdk_purchase() -> object:
        return sdk.numbers.purchase(next(buy)).id

    raw_times, sdk_times = [], []
    for index in range(80):  # purchases consume inventory: buy, measure, then release untimed
        buy = iter(stock[:10])
        # ABBA order, as for the listings: a steady drift in machine speed cancels out.
        if index % 2:
            sdk_times.append(_cpu_per_call(sdk_purchase, 5))
            raw_times.append(_cpu_per_call(raw_purchase, 5))
        else:
            raw_times.append(_cpu_per_call(raw_purchase, 5))
            sdk_times.append(_cpu_per_call(sdk_purchase, 5))
        for number in stock[:10]:
            raw.delete(f"{url}/{number}")
    results["purchase"] = _paired(raw_times, sdk_times)
    control.reset()
    raw.close()
    sdk.close()
    control.close()
    return results
