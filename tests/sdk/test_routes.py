"""Every Routes operation, sync and async, over real HTTP against the sandbox."""

from __future__ import annotations

import pytest

from flowroute import (
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from flowroute.types import EdgeStrategy, Route

from ..support import Driver


def test_create_each_type_and_list(fr: Driver) -> None:
    host = fr.routes.create(
        alias="pbx", route_type="host", value="24.239.23.40:5060", edge_strategy_id=4
    )
    number = fr.routes.create(alias="cell", route_type="number", value="+1 647 699 8778")
    uri = fr.routes.create(
        alias="sip", route_type="uri", value="sip:alice@atlanta.com;transport=tls"
    )
    assert isinstance(host, Route) and host.edge_strategy_id == 4
    assert number.value == "16476998778"  # normalised by the SDK
    assert uri.route_type == "uri"

    listed = fr.routes.list()
    assert [r.id for r in listed] == ["0", host.id, number.id, uri.id]
    assert listed[0].route_type == "sip-reg" and listed[0].value is None
    assert [r.id for r in fr.routes.list(route_type="uri")] == [uri.id]
    assert [r.id for r in fr.routes.list(route_type="sip-reg")] == ["0"]


def test_update_and_delete(fr: Driver) -> None:
    route = fr.routes.create(alias="old", route_type="host", value="old.example.com")
    updated = fr.routes.update(route.id, alias="new", route_type="uri", value="sip:new@example.com")
    assert (updated.alias, updated.route_type, updated.value) == (
        "new",
        "uri",
        "sip:new@example.com",
    )
    assert fr.routes.delete(route.id) is None
    assert [r.id for r in fr.routes.list()] == ["0"]
    with pytest.raises(NotFoundError, match=f"Route {route.id} was not found"):
        fr.routes.delete(route.id)


def test_primary_and_failover_routes(fr: Driver, flowroute_sandbox: object) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)  # type: ignore[attr-defined]
    primary = fr.routes.create(alias="primary", route_type="host", value="pbx.example.com")
    failover = fr.routes.create(alias="failover", route_type="number", value="12065550199")
    fr.routes.set_primary(number, route=primary.id)
    fr.routes.set_failover(number, route=failover.id)
    details = fr.numbers.retrieve(number)
    assert (details.primary_route_id, details.failover_route_id) == (primary.id, failover.id)
    included = {item["id"] for item in details.raw_document["included"]}
    assert included == {primary.id, failover.id}

    with pytest.raises(PermissionDeniedError, match="disassociate all numbers"):
        fr.routes.delete(primary.id)

    fr.routes.clear_primary(number)
    fr.routes.clear_failover(number)
    details = fr.numbers.retrieve(number)
    assert details.primary_route_id is None and details.failover_route_id is None
    fr.routes.delete(primary.id)
    fr.routes.set_primary(number, route=0)  # back to sip-reg
    assert fr.numbers.retrieve(number).primary_route_id == "0"


def test_edge_strategies(fr: Driver) -> None:
    strategies = fr.routes.edge_strategies()
    assert all(isinstance(s, EdgeStrategy) for s in strategies)
    east = next(s for s in strategies if s.id == 4)
    assert east.name == "US-East-VA" and east.naptr == "us-east-va.sip.flowroute.com"


def test_duplicate_alias_is_refused(fr: Driver) -> None:
    fr.routes.create(alias="dup", route_type="host", value="a.example.com")
    with pytest.raises(PermissionDeniedError, match="alias 'dup' already exists"):
        fr.routes.create(alias="dup", route_type="host", value="b.example.com")


def test_unknown_route_for_number_is_422(fr: Driver, flowroute_sandbox: object) -> None:
    (number,) = flowroute_sandbox.seed_numbers(1)  # type: ignore[attr-defined]
    with pytest.raises(UnprocessableEntityError, match="Route 999999 does not exist"):
        fr.routes.set_primary(number, route=999999)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"alias": "x", "route_type": "pstn", "value": "x"},
            "route_type must be one of host, number, uri",
        ),
        ({"alias": "x", "route_type": "host", "value": "not a host!"}, "not a valid host route"),
        (
            {"alias": "x", "route_type": "uri", "value": "alice@example.com"},
            "not a valid uri route",
        ),
        (
            {"alias": "x", "route_type": "number", "value": "555"},
            "not a valid North American number",
        ),
        ({"alias": " ", "route_type": "host", "value": "a.example.com"}, "alias must not be empty"),
    ],
)
def test_bad_route_input_rejected_before_request(
    fr: Driver, kwargs: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        fr.routes.create(**kwargs)


def test_bad_route_ids_rejected_before_request(fr: Driver) -> None:
    with pytest.raises(InvalidRequestError, match="numeric id"):
        fr.routes.delete("../numbers")
    with pytest.raises(InvalidRequestError, match="route_type must be one of"):
        fr.routes.list(route_type="PSTN")
