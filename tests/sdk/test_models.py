"""Models read JSON:API and compact shapes, tolerate type drift, and keep unknown fields."""

from __future__ import annotations

import httpx2
from hypothesis import given
from hypothesis import strategies as st

from flowroute._core.errors import ErrorDetail, parse_error_details
from flowroute.phone import to_e164, to_nanp
from flowroute.types import Number, Route
from flowroute.types._base import parse_one


def test_jsonapi_and_compact_give_the_same_model() -> None:
    resource = {
        "type": "number",
        "id": "16502390214",
        "attributes": {
            "alias": None,
            "cnam_lookups_enabled": "true",
            "monthly_cost": "1.25",
            "future": 1,
        },
        "relationships": {"primary_route": {"data": {"type": "route", "id": "0"}}},
    }
    response = httpx2.Response(200, json={"data": resource})
    wrapped = parse_one(Number)(response)
    compact = Number.model_validate(
        {
            "id": "16502390214",
            "cnam_lookups_enabled": True,
            "monthly_cost": 1.25,
            "primary_route_id": "0",
        }
    )
    for field in ("id", "cnam_lookups_enabled", "monthly_cost", "primary_route_id"):
        assert getattr(wrapped, field) == getattr(compact, field)
    assert wrapped.to_dict()["future"] == 1  # unknown attribute kept
    assert wrapped.attributes["future"] == 1 and wrapped.raw == resource
    assert "attributes" not in wrapped.to_dict() and "origin" not in wrapped.to_dict()
    assert compact.raw == {} and compact.raw_document is None


def test_edge_strategy_id_as_string() -> None:
    assert (
        Route.model_validate({"id": "1", "attributes": {"edge_strategy_id": "4"}}).edge_strategy_id
        == 4
    )


def test_error_detail_object_is_flattened() -> None:
    body = (
        b'{"errors":[{"detail":{"data":{"attributes":{"zip":["ZIP code must be at least 4"]}}},'
        b'"id":"x","status":422}]}'
    )
    (detail,) = parse_error_details(body)
    assert detail.message == "zip: ZIP code must be at least 4"
    assert parse_error_details(b"<html>") == []
    assert ErrorDetail(detail=None, title="Unauthorized").message == "Unauthorized"


@given(st.from_regex(r"[2-9][0-9]{2}[2-9][0-9]{6}", fullmatch=True))
def test_number_spellings_normalise(digits: str) -> None:
    expected = "1" + digits
    spellings: list[str | int] = [
        digits,
        expected,
        "+" + expected,
        f"({digits[:3]}) {digits[3:6]}-{digits[6:]}",
        f"+1 {digits[:3]} {digits[3:6]} {digits[6:]}",
        int(expected),
    ]
    assert {to_nanp(s) for s in spellings} == {expected}
    assert to_e164(digits) == "+" + expected
