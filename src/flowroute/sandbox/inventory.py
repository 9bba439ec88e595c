"""Flowroute's purchasable inventory, generated deterministically from a seed.

Real NANP area codes with their states and (Flowroute-style, lower-case abbreviated) rate
centres; the same seed always yields the same numbers. Each account searches its own copy:
what it owns is taken out at query time, and other accounts never change what it sees.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from functools import cache

# (NPA, state, rate centres)
LOCAL_AREA_CODES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("201", "nj", ("oradell", "hackensack")),
    ("206", "wa", ("seattle",)),
    ("212", "ny", ("nwyrcyzn01",)),
    ("213", "ca", ("losangeles",)),
    ("303", "co", ("denver",)),
    ("305", "fl", ("miami",)),
    ("312", "il", ("chicago",)),
    ("347", "ny", ("nwyrcyzn03", "nwyrcyzn05")),
    ("404", "ga", ("atlanta",)),
    ("415", "ca", ("sanfrancisco",)),
    ("425", "wa", ("bellevue", "redmond")),
    ("503", "or", ("portland",)),
    ("512", "tx", ("austin",)),
    ("602", "az", ("phoenix",)),
    ("617", "ma", ("boston",)),
    ("646", "ny", ("nwyrcyzn01",)),
    ("650", "ca", ("millbrae", "paloalto")),
    ("702", "nv", ("lasvegas",)),
    ("713", "tx", ("houston",)),
    ("720", "co", ("denver",)),
    ("801", "ut", ("saltlakecity",)),
    ("813", "fl", ("tampa",)),
    ("919", "nc", ("raleigh",)),
    ("971", "or", ("portland",)),
)
TOLL_FREE_AREA_CODES = ("833", "844", "855", "866", "877", "888")

EXCHANGES_PER_AREA_CODE = 6
NUMBERS_PER_EXCHANGE = 40


@dataclass(frozen=True, slots=True)
class Purchasable:
    value: str
    npa: str
    exchange: str
    number_type: str
    rate_center: str | None
    state: str | None
    tier: str
    setup_cost: float
    monthly_cost: float
    inbound_rate: float
    iso_country: str = "US"
    rate_type: str = "local"


# Setup cost by tier; the monthly price is the same for every local number.
TIERS = {"Standard": 1.0, "Premium": 3.99}


def _numbers_for(
    npa: str,
    toll_free: bool,
    state: str | None,
    centres: tuple[str | None, ...],
    rng: random.Random,
) -> list[Purchasable]:
    out: list[Purchasable] = []
    exchanges = sorted(rng.sample(range(200, 1000), EXCHANGES_PER_AREA_CODE))
    for index, nxx in enumerate(exchanges):
        centre = centres[index % len(centres)]
        lines = rng.sample(range(10000), NUMBERS_PER_EXCHANGE)
        for line in sorted(lines):
            tier = "Premium" if line % 1000 == 0 or rng.random() < 0.1 else "Standard"
            out.append(
                Purchasable(
                    value=f"1{npa}{nxx}{line:04d}",
                    npa=npa,
                    exchange=f"{npa}{nxx}",
                    number_type="toll-free" if toll_free else "longcode",
                    rate_center=centre,
                    state=state,
                    tier=tier,
                    setup_cost=TIERS[tier],
                    monthly_cost=1.25,
                    inbound_rate=0.012 if not toll_free else 0.025,
                    rate_type="toll-free" if toll_free else "local",
                )
            )
    return out


@cache
def inventory(seed: int) -> tuple[Purchasable, ...]:
    """Every purchasable number for a seed, sorted by value."""
    rng = random.Random(seed)
    out: list[Purchasable] = []
    for npa, state, centres in LOCAL_AREA_CODES:
        out.extend(_numbers_for(npa, False, state, centres, rng))
    for npa in TOLL_FREE_AREA_CODES:
        out.extend(_numbers_for(npa, True, None, (None,), rng))
    out.sort(key=lambda p: p.value)
    return tuple(out)


@cache
def by_value(seed: int) -> dict[str, Purchasable]:
    return {p.value: p for p in inventory(seed)}
