"""Every Numbers operation, sync and async, over real HTTP against the sandbox."""

from __future__ import annotations

import pytest

from flowroute import BadRequestError, InvalidRequestError, NotFoundError
from flowroute.types import AreaCode, AvailableNumber, Exchange, Number, Tier

from ..support import Driver


def test_area_codes_respect_max_setup_cost(fr: Driver) -> None:
    cheap = fr.numbers.area_codes(max_setup_cost=1, limit=400)
    every = fr.numbers.area_codes(limit=400)
    assert all(isinstance(code, AreaCode) for code in every)
    assert {"206", "212", "646"} <= {code.id for code in every}
    assert {c.id for c in cheap} <= {c.id for c in every}
    assert every[0].exchanges_url is not None
    assert every[0].exchanges_url.endswith(
        f"/v2/numbers/available/exchanges?areacode={every[0].id}"
    )


def test_exchanges_filtered_by_area_code(fr: Driver) -> None:
    exchanges = fr.numbers.exchanges(areacode=347, limit=3)
    assert len(exchanges) == 3
    assert all(isinstance(ex, Exchange) and ex.id.startswith("347") for ex in exchanges)
    assert exchanges[0].numbers_url is not None
    assert exchanges[0].numbers_url.endswith(f"starts_with=1{exchanges[0].id}")


def test_tiers(fr: Driver) -> None:
    tiers = fr.numbers.tiers()
    assert {t.id for t in tiers} == {"Standard", "Premium"}
    assert all(isinstance(t, Tier) for t in tiers)


@pytest.mark.parametrize("prefix", [646, "646", "1646", "+1646"])
def test_search_starts_with_any_form(fr: Driver, prefix: object) -> None:
    found = fr.numbers.search(starts_with=prefix, contains=3, ends_with=7, limit=3)
    assert found, "the seeded inventory has 646 numbers containing 3 and ending in 7"
    for number in found:
        assert isinstance(number, AvailableNumber)
        assert number.id.startswith("1646") and number.id.endswith("7") and "3" in number.id[1:]
        assert number.state == "ny" and number.monthly_cost == 1.25


def test_search_filters_and_order(fr: Driver) -> None:
    seattle = fr.numbers.search(rate_center="SEATTLE", state="WA", limit=5)
    assert seattle and all(n.rate_center == "seattle" for n in seattle)
    toll_free = fr.numbers.search(number_type="toll-free", limit=5)
    assert toll_free and all(n.number_type == "toll-free" for n in toll_free)
    by_cost = fr.numbers.search(starts_with=206, order_by="setup_cost,desc", limit=50)
    costs = [n.setup_cost for n in by_cost]
    assert costs == sorted(costs, reverse=True)
    assert fr.numbers.search(iso_country="BE", limit=5) == []


def test_purchase_list_retrieve_update_release(fr: Driver) -> None:
    candidate = fr.numbers.search(starts_with=206, limit=1)[0].id
    bought = fr.numbers.purchase(candidate)
    assert isinstance(bought, Number)
    assert bought.id == candidate and bought.primary_route_id == "0"
    assert bought.raw_document is not None and bought.raw_document["included"][0]["id"] == "0"

    # An owned number leaves the inventory.
    assert candidate not in {n.id for n in fr.numbers.search(starts_with=candidate[:7], limit=200)}
    assert [n.id for n in fr.numbers.list()] == [candidate]

    updated = fr.numbers.update(candidate, alias="front desk", cnam_lookups_enabled=False)
    assert updated.alias == "front desk" and updated.cnam_lookups_enabled is False
    assert [n.id for n in fr.numbers.list(alias="front desk")] == [candidate]
    assert fr.numbers.list(alias="front") == []  # alias is an exact match

    details = fr.numbers.retrieve(f"+1 ({candidate[1:4]}) {candidate[4:7]}-{candidate[7:]}")
    assert details.alias == "front desk" and details.rate_center == "seattle"

    assert fr.numbers.release(candidate) is None
    with pytest.raises(NotFoundError, match="Could not find that resource"):
        fr.numbers.retrieve(candidate)


def test_purchase_options_are_applied(fr: Driver) -> None:
    candidate = fr.numbers.search(starts_with=212, limit=1)[0].id
    bought = fr.numbers.purchase(candidate, cnam_lookups_enabled=False, messaging_enabled=True)
    assert bought.cnam_lookups_enabled is False
    assert bought.messaging_enabled is False  # enabled later by message provisioning (spec N8)


def test_list_filters(fr: Driver, flowroute_sandbox: object) -> None:
    owned = flowroute_sandbox.seed_numbers(12)  # type: ignore[attr-defined]
    first = owned[0]
    assert [n.id for n in fr.numbers.list(starts_with=first[1:7])] == [
        n for n in sorted(owned) if n.startswith(first[:7])
    ]
    assert [n.id for n in fr.numbers.list(ends_with=first[-4:])] == [first]
    assert first in [n.id for n in fr.numbers.list(contains=first[4:9])]


def test_buying_twice_or_buying_unknown_is_a_clear_4xx(fr: Driver) -> None:
    candidate = fr.numbers.search(limit=1)[0].id
    fr.numbers.purchase(candidate)
    with pytest.raises(BadRequestError, match="already on your account"):
        fr.numbers.purchase(candidate)
    with pytest.raises(NotFoundError, match="not available for purchase"):
        fr.numbers.purchase("12125550000")


@pytest.mark.parametrize("bad", ["123", "02065550100", "1206555010x", "+44 20 7946 0958"])
def test_malformed_number_rejected_before_request(fr: Driver, bad: str) -> None:
    with pytest.raises(InvalidRequestError, match="not a valid North American number"):
        fr.numbers.retrieve(bad)


def test_bad_arguments_rejected_before_request(fr: Driver) -> None:
    with pytest.raises(InvalidRequestError, match="alias must be at most 64"):
        fr.numbers.update("12065550100", alias="x" * 65)
    with pytest.raises(InvalidRequestError, match="at least one of"):
        fr.numbers.update("12065550100")
    with pytest.raises(InvalidRequestError, match="starts_with must be"):
        fr.numbers.search(starts_with="20six")
    with pytest.raises(InvalidRequestError, match="limit must be at least 1"):
        fr.numbers.list(limit=0)


def test_retrieve_many(fr: Driver, flowroute_sandbox: object) -> None:
    owned = flowroute_sandbox.seed_numbers(3)  # type: ignore[attr-defined]
    route = fr.routes.create(alias="many", route_type="host", value="many.example.com")
    fr.routes.set_primary(owned[0], route=route.id)
    details = fr.numbers.retrieve_many([owned[0], f"+{owned[1]}", int(owned[2])])
    assert [n.id for n in details] == owned
    assert details[0].primary_route_id == route.id and details[1].primary_route_id == "0"
    assert {r["id"] for r in details[0].raw_document["included"]} == {route.id, "0"}
    with pytest.raises(NotFoundError):
        fr.numbers.retrieve_many(["12065550100"])
    with pytest.raises(InvalidRequestError, match="1 to 200 numbers"):
        fr.numbers.retrieve_many([])
