"""E911 addresses, CNAM records and the portability check, sync and async, against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from flowroute import (
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)
from flowroute._core.errors import BadRequestError
from flowroute.sandbox.server import SandboxServer
from flowroute.types.cnam import CnamRecord
from flowroute.types.e911 import E911Address

from ..support import Driver

ADDRESS: dict[str, Any] = {
    "label": "Office Space III",
    "first_name": "Albus",
    "last_name": "Rasputin, Jr.",
    "street_number": "645",
    "street_name": "Elliott Ave W",
    "city": "Seattle",
    "state": "WA",
    "country": "US",
    "zip": "98119",
    "address_type": "suite",
    "address_type_number": "333",
}


@pytest.fixture
def number(flowroute_sandbox: SandboxServer) -> str:
    return flowroute_sandbox.seed_numbers(1)[0]


def test_e911_workflow(fr: Driver, number: str) -> None:
    """validate fails for the magic address -> create -> associate twice -> delete refused ->
    disconnect -> delete succeeds."""
    with pytest.raises(BadRequestError, match="Could not geocode this address") as info:
        fr.e911s.validate(**{**ADDRESS, "street_name": "Nowhere Lane"})
    assert info.value.errors[0].title == "Client Error"
    assert fr.e911s.validate(**ADDRESS) is None

    record = fr.e911s.create(**ADDRESS)
    assert isinstance(record, E911Address) and record.address_type == "Suite"
    fr.e911s.associate(record.id, number=number)
    fr.e911s.associate(record.id, number=number)  # idempotent
    assert [n.id for n in fr.e911s.numbers(record.id)] == [number]
    assert fr.numbers.retrieve(number).e911_address_id == record.id

    with pytest.raises(PermissionDeniedError, match="still associated with 1 number"):
        fr.e911s.delete(record.id)
    fr.e911s.disconnect(number)
    assert fr.e911s.numbers(record.id) == []
    fr.e911s.delete(record.id)
    with pytest.raises(NotFoundError):
        fr.e911s.retrieve(record.id)


def test_e911_list_update_and_duplicates(fr: Driver) -> None:
    first = fr.e911s.create(**ADDRESS)
    second = fr.e911s.create(**{**ADDRESS, "label": "Annex", "street_number": "700", "state": "WA"})
    assert [r.id for r in fr.e911s.list(state="wa")] == [first.id, second.id]
    assert [r.id for r in fr.e911s.list(label="annex")] == [second.id]
    assert [r.id for r in fr.e911s.list(city="sea", limit=1)] == [first.id]
    updated = fr.e911s.update(first.id, last_name="Wiley")
    assert (updated.last_name, updated.street_name) == ("Wiley", "Elliott Ave W")
    with pytest.raises(PermissionDeniedError, match="Duplicate address"):
        fr.e911s.create(**{**ADDRESS, "label": "Same place"})


def test_e911_refused_for_toll_free(fr: Driver, flowroute_sandbox: SandboxServer) -> None:
    toll_free = next(n.id for n in fr.numbers.search(number_type="toll-free", limit=1))
    fr.numbers.purchase(toll_free)
    record = fr.e911s.create(**ADDRESS)
    with pytest.raises(UnprocessableEntityError, match="does not support emergency services"):
        fr.e911s.associate(record.id, number=toll_free)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"state": "wa"}, "state: state must be a two-letter upper-case"),
        ({"state": "ZZ"}, "state must be a two-letter"),
        ({"country": "MX"}, "country must be US or CA"),
        ({"zip": "123"}, "ZIP code must be at least 4 and at most 7 digits long"),
        ({"zip": "12345678"}, "ZIP code must be at least 4"),
        ({"address_type": "Castle"}, "address_type must be one of Apartment"),
        (
            {"address_type_number": None},
            "address_type_number is required when address_type is given",
        ),
        ({"first_name": ""}, "first_name is required"),
    ],
)
def test_e911_bad_input_before_sending(fr: Driver, change: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        fr.e911s.create(**{**ADDRESS, **change})


def test_cnam_workflow(fr: Driver, number: str, flowroute_sandbox: SandboxServer) -> None:
    """create -> associate fails (pending) -> advance 48 h -> approved -> associate -> number
    details show it -> delete detaches it."""
    record = fr.cnams.create("Acme Corp")
    assert isinstance(record, CnamRecord)
    assert (record.value, record.is_approved, record.approval_datetime) == (
        "ACME CORP",
        False,
        None,
    )
    with pytest.raises(UnprocessableEntityError, match="pending approval"):
        fr.cnams.associate(record.id, number=number)

    flowroute_sandbox.clock.advance(hours=47)
    assert fr.cnams.retrieve(record.id).is_approved is False
    flowroute_sandbox.clock.advance(hours=1)
    approved = fr.cnams.retrieve(record.id)
    assert approved.is_approved and approved.approval_datetime is not None

    assignment = fr.cnams.associate(record.id, number=number)
    assert assignment.id == record.id and assignment.date_created.endswith(" GMT")
    details = fr.numbers.retrieve(number)
    assert details.cnam_preset_id == record.id
    assert {i["type"] for i in details.raw_document["included"]} >= {"cnam", "route"}
    assert fr.cnams.retrieve(record.id).number_ids == [number]

    fr.cnams.delete(record.id)
    assert fr.numbers.retrieve(number).cnam_preset_id is None
    with pytest.raises(NotFoundError, match=r"CNAM record not found\. Nothing to delete\."):
        fr.cnams.delete(record.id)


def test_cnam_list_update_and_unassociate(
    fr: Driver, number: str, flowroute_sandbox: SandboxServer
) -> None:
    pending = fr.cnams.create("Pending Co")
    renamed = fr.cnams.update(pending.id, value="Renamed Co")
    assert renamed.value == "RENAMED CO"
    flowroute_sandbox.clock.advance(days=2)
    fr.cnams.create("Brand New")
    assert [r.value for r in fr.cnams.list(is_approved=True)] == ["RENAMED CO"]
    assert [r.value for r in fr.cnams.list(is_approved=False)] == ["BRAND NEW"]
    assert [r.value for r in fr.cnams.list(value="brand")] == ["BRAND NEW"]
    with pytest.raises(PermissionDeniedError, match="only pending records can be changed"):
        fr.cnams.update(renamed.id, value="Too Late")
    fr.cnams.associate(renamed.id, number=number)
    assert fr.cnams.unassociate(number).id is None
    assert fr.numbers.retrieve(number).cnam_preset_id is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("206 555 0100 X", "Phone numbers are not allowed"),
        ("Seattle Police", "impersonates a public authority"),
        ("Damn Fine Cafe", "Inappropriate language"),
    ],
)
def test_cnam_magic_rejections(
    fr: Driver, flowroute_sandbox: SandboxServer, number: str, value: str, reason: str
) -> None:
    record = fr.cnams.create(value)
    flowroute_sandbox.clock.advance(hours=48)
    reviewed = fr.cnams.retrieve(record.id)
    assert reviewed.is_approved is False and reason in (reviewed.rejection_reason or "")
    with pytest.raises(UnprocessableEntityError, match="was rejected"):
        fr.cnams.associate(record.id, number=number)


def test_cnam_control_approve_and_reject(fr: Driver, flowroute_sandbox: SandboxServer) -> None:
    quick = fr.cnams.create("Quick Co")
    flowroute_sandbox.call("POST", f"/cnams/{quick.id}/approve")
    assert fr.cnams.retrieve(quick.id).is_approved
    nope = fr.cnams.create("Nope Co")
    flowroute_sandbox.call("POST", f"/cnams/{nope.id}/reject", {"reason": "Not your brand."})
    assert fr.cnams.retrieve(nope.id).rejection_reason == "Not your brand."


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("A" * 16, "at most 15 characters"),
        ("12345", "at least one letter"),
        ("Café Ünï", "may only use letters"),
        ("  ", "value is required"),
    ],
)
def test_cnam_bad_values_before_sending(fr: Driver, value: str, message: str) -> None:
    with pytest.raises(InvalidRequestError, match=message):
        fr.cnams.create(value)


def test_cnam_only_on_long_code(fr: Driver, flowroute_sandbox: SandboxServer) -> None:
    toll_free = next(n.id for n in fr.numbers.search(number_type="toll-free", limit=1))
    fr.numbers.purchase(toll_free)
    record = fr.cnams.create("Toll Co")
    flowroute_sandbox.clock.advance(hours=48)
    with pytest.raises(UnprocessableEntityError, match="only be assigned to long-code"):
        fr.cnams.associate(record.id, number=toll_free)


def test_portability(fr: Driver) -> None:
    result = fr.porting.check_portability(["(206) 555-0100", "12125550109", "+1 303 555 0100"])
    assert result.portable == ["+12065550100", "+13035550100"]
    assert result.nonportable == ["+12125550109"]
    assert result.hypernetwork_enabled == ["+12065550100"]
    with pytest.raises(InvalidRequestError):
        fr.porting.check_portability(["+44 20 7946 0958"])


def test_other_accounts_see_nothing(fr: Driver, other_account: tuple[Any, Any]) -> None:
    record = fr.e911s.create(**ADDRESS)
    name = fr.cnams.create("Mine Only")
    _, other = other_account
    with pytest.raises(NotFoundError):
        other.e911s.retrieve(record.id)
    with pytest.raises(NotFoundError):
        other.cnams.retrieve(name.id)
    assert list(other.e911s.list()) == [] and list(other.cnams.list()) == []


def test_seed_keyword_zipcode(fr: Driver) -> None:
    fields = {k: v for k, v in ADDRESS.items() if k != "zip"}
    assert fr.e911s.validate(**fields, zipcode="98119") is None
    assert fr.e911s.create(**fields, zipcode=98119).zip == "98119"
    with pytest.raises(InvalidRequestError, match="zip is required"):
        fr.e911s.create(**fields)
