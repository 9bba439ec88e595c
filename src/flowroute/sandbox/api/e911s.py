"""E911 addresses (spec E1-E9): validate, create, update, delete, associate with numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from ...addresses import ADDRESS_TYPES, FIELDS, address_errors
from ..errors import ApiError
from ..store.schema import address_key, e911s, numbers
from ._context import caller
from ._http import (
    attributes,
    base_url,
    document,
    list_links,
    no_content,
    page,
    query_params,
    read_body,
)
from ._lookup import check_number_id, owned
from ._routing import WireRouter

router = WireRouter()
ADDRESS = FIELDS[3:]  # what makes two records the same place (unit type and number too)
# The sandbox's geocoder fails, deterministically, for streets or cities named "Nowhere".
UNGEOCODABLE = "nowhere"


def _geocodes(values: dict[str, Any]) -> bool:
    return not any(UNGEOCODABLE in (values[name] or "").lower() for name in ("street_name", "city"))


def e911_resource(row: Row[Any], base: str) -> dict[str, Any]:
    attributes = {name: getattr(row, name) for name in FIELDS}
    for name in ("address_type", "address_type_number"):
        attributes[name] = attributes[name] or ""
    return {
        "type": "e911",
        "id": str(row.id),
        "attributes": attributes,
        "links": {"self": f"{base}/v2/e911s/{row.id}"},
    }


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate like Flowroute: field errors as a 422 object, then the geocoder (400)."""
    if "zipcode" in fields and "zip" not in fields:
        fields = {**fields, "zip": fields["zipcode"]}
    values = {name: fields.get(name) for name in FIELDS}
    values = {k: (str(v).strip() if v is not None else None) for k, v in values.items()}
    if values["country"] == "USA":  # a spelling seen in stored records
        values["country"] = "US"
    errors = address_errors(values)
    if errors:
        raise ApiError(422, {"data": {"attributes": errors}})
    if values["address_type"]:
        values["address_type"] = ADDRESS_TYPES[values["address_type"].lower()]
    else:
        values["address_type"] = values["address_type_number"] = None
    if not _geocodes(values):
        raise ApiError(
            400,
            "Could not geocode this address. Please check the validity of your address.",
            "Client Error",
        )
    values["address_key"] = address_key(values[name] for name in ADDRESS)
    return values


DUPLICATE = "Duplicate address."


def _record(conn: Connection, account_id: int, ident: str) -> Row[Any]:
    if not ident.isdigit():
        raise ApiError(400, f"E911 record id must be numeric, got {ident!r}.")
    row = conn.execute(
        select(e911s).where(e911s.c.account_id == account_id, e911s.c.id == int(ident))
    ).first()
    if row is None:
        raise ApiError(404, f"E911 record {ident} was not found on your account.")
    return row


@router.get("/v2/e911s")
async def list_e911s(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=2000)
    query = select(e911s).where(e911s.c.account_id == account.id)
    echo: list[tuple[str, str]] = []
    for name in ("label", "street_name", "city"):
        if value := params.get(name):
            query = query.where(e911s.c[name].ilike(f"%{value}%"))
            echo.append((name, value))
    if value := params.get("state"):
        query = query.where(func.upper(e911s.c.state) == value.upper())
        echo.append(("state", value))
    query = query.order_by(e911s.c.id).limit(limit + 1).offset(offset)
    base = base_url(request)
    with state.engine.connect() as conn:
        rows = conn.execute(query).all()
    data = [e911_resource(row, base) for row in rows[:limit]]
    return document(
        {"data": data, "links": list_links(request, echo, limit, offset, len(rows) > limit)}
    )


@router.get("/v2/e911s/{ident}")
async def get_e911(request: Request, ident: str) -> Response:
    state, account = caller(request)
    with state.engine.connect() as conn:
        resource = e911_resource(_record(conn, account.id, ident), base_url(request))
    return document({"data": resource, "links": resource["links"]})


@router.post("/v2/e911s/validate")
async def validate_e911(request: Request) -> Response:
    caller(request)
    _clean(attributes(await read_body(request)))
    return no_content()


@router.post("/v2/e911s")
async def create_e911(request: Request) -> Response:
    state, account = caller(request)
    values = _clean(attributes(await read_body(request)))
    try:
        with state.engine.begin() as conn:
            ident = conn.execute(
                insert(e911s).values(account_id=account.id, **values)
            ).inserted_primary_key[0]  # type: ignore[index]
            resource = e911_resource(_record(conn, account.id, str(ident)), base_url(request))
    except IntegrityError:  # the database judges duplicates, so concurrent creates are safe
        raise ApiError(403, DUPLICATE) from None
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.patch("/v2/e911s/{ident}")
async def update_e911(request: Request, ident: str) -> Response:
    state, account = caller(request)
    changes = attributes(await read_body(request))
    try:
        with state.engine.begin() as conn:
            current = _record(conn, account.id, ident)
            merged = {name: getattr(current, name) for name in FIELDS}
            merged.update({k: v for k, v in changes.items() if k in (*FIELDS, "zipcode")})
            values = _clean(merged)
            conn.execute(update(e911s).where(e911s.c.id == current.id).values(**values))
            resource = e911_resource(_record(conn, account.id, ident), base_url(request))
    except IntegrityError:
        raise ApiError(403, DUPLICATE) from None
    return document({"data": resource, "links": resource["links"]})


@router.delete("/v2/e911s/{ident}")
async def delete_e911(request: Request, ident: str) -> Response:
    state, account = caller(request)
    with state.engine.begin() as conn:
        row = _record(conn, account.id, ident)
        attached = conn.scalar(
            select(func.count()).where(
                numbers.c.account_id == account.id, numbers.c.e911_id == row.id
            )
        )
        if attached:
            raise ApiError(
                403,
                f"E911 record {ident} is still associated with {attached} number(s); "
                "disconnect them (DELETE /v2/numbers/{number}/relationships/e911s) first.",
            )
        conn.execute(delete(e911s).where(e911s.c.id == row.id))
    return no_content()


@router.get("/v2/e911s/{ident}/relationships/numbers")
async def e911_numbers(request: Request, ident: str) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=2000)
    base = base_url(request)
    with state.engine.connect() as conn:
        row = _record(conn, account.id, ident)
        values = list(
            conn.execute(
                select(numbers.c.value, numbers.c.alias)
                .where(numbers.c.account_id == account.id, numbers.c.e911_id == row.id)
                .order_by(numbers.c.value)
                .limit(limit + 1)
                .offset(offset)
            )
        )
    data = [
        {
            "type": "number",
            "id": value,
            "attributes": {"alias": alias, "value": value},
            "links": {"self": f"{base}/v2/numbers/{value}"},
        }
        for value, alias in values[:limit]
    ]
    return document(
        {"data": data, "links": list_links(request, [], limit, offset, len(values) > limit)}
    )


@router.patch("/v2/numbers/{number_id}/relationships/e911s/{ident}")
async def associate_e911(request: Request, number_id: str, ident: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.begin() as conn:
        number = owned(conn, account.id, number_id)
        row = _record(conn, account.id, ident)
        if number.number_type == "toll-free":
            raise ApiError(
                422,
                "Cannot assign an E911 record to a number that does not support emergency "
                "services.",
            )
        conn.execute(update(numbers).where(numbers.c.id == number.id).values(e911_id=row.id))
    return no_content()


@router.delete("/v2/numbers/{number_id}/relationships/e911s")
async def disconnect_e911(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.begin() as conn:
        number = owned(conn, account.id, number_id)
        conn.execute(update(numbers).where(numbers.c.id == number.id).values(e911_id=None))
    return no_content()
