"""Numbers v2 (spec N1-N10): inventory search, purchase, account numbers, update, release."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from operator import itemgetter
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, Row, Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import Response

from ..errors import ApiError
from ..inventory import Purchasable, by_value, inventory
from ..store.schema import cnams, e911s, numbers, routes
from ._context import caller
from ._http import (
    attributes,
    base_url,
    boolean,
    document,
    list_links,
    no_content,
    page,
    query_params,
    read_body,
)
from ._lookup import check_number_id, owned
from ._routing import WireRouter
from .cnams import cnam_resource
from .e911s import e911_resource
from .routes import route_resource

router = WireRouter()

ORDER_FIELDS = {
    "monthly_cost": lambda p: p.monthly_cost,
    "setup_cost": lambda p: p.setup_cost,
    "iso_country": lambda p: p.iso_country,
    "number_type": lambda p: p.number_type,
    "state": lambda p: p.state or "",
    "rate_center": lambda p: p.rate_center or "",
    "number": lambda p: p.value,
    "value": lambda p: p.value,
    "tn": lambda p: p.value,
}


def _digits(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    if not value.lstrip("+").isdigit():
        raise ApiError(400, f"{name} must contain only digits, got {value!r}.")
    return value


def prefix(value: str | None) -> str | None:
    """``starts_with`` assumes country code 1 unless given with ``+``: 646 -> 1646."""
    if value is None:
        return None
    if value.startswith("+"):
        return value[1:]
    return value if value.startswith("1") else "1" + value


# --- rendering -------------------------------------------------------------------------------


_STORED_ATTRIBUTES = (
    "alias",
    "cnam_lookups_enabled",
    "inbound_rate",
    "iso_country",
    "messaging_enabled",
    "monthly_cost",
    "number_type",
    "rate_center",
    "setup_cost",
    "state",
    "tier",
    "value",
)


_ATTRIBUTE_COLUMNS = tuple(numbers.c[name] for name in _STORED_ATTRIBUTES)
_pick_attributes = itemgetter(*_STORED_ATTRIBUTES)


def number_resource(stored: tuple[Any, ...], base: str) -> dict[str, Any]:
    """A number resource from its stored attribute values, in ``_STORED_ATTRIBUTES`` order."""
    attributes = dict(zip(_STORED_ATTRIBUTES, stored, strict=True))
    attributes["note"] = None
    attributes["rate_type"] = "toll-free" if attributes["number_type"] == "toll-free" else "local"
    attributes["status"] = "PURCHASED"
    value = attributes["value"]
    return {
        "type": "number",
        "id": value,
        "attributes": attributes,
        "links": {"self": f"{base}/v2/numbers/{value}"},
    }


def _relation(kind: str, ident: int | None) -> dict[str, Any]:
    return {"data": None if ident is None else {"type": kind, "id": str(ident)}}


def number_detail(
    conn: Connection, row: Row[Any], base: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A number with its relationships, and the routes it references (for ``included``)."""
    resource = number_resource(_pick_attributes(row._mapping), base)
    resource["relationships"] = {
        "cnam_preset": _relation("cnam", row.cnam_id),
        "e911_address": _relation("e911", row.e911_id),
        "failover_route": _relation("route", row.failover_route_id),
        "primary_route": _relation("route", row.primary_route_id),
    }
    route_ids = [r for r in (row.primary_route_id, row.failover_route_id) if r is not None]
    included = [
        route_resource(route, base)
        for route in conn.execute(select(routes).where(routes.c.id.in_(route_ids)))
    ]
    if 0 in route_ids:
        included.insert(0, route_resource(None, base))
    if row.e911_id is not None:
        address = conn.execute(select(e911s).where(e911s.c.id == row.e911_id)).first()
        included.extend([e911_resource(address, base)] if address else [])
    if row.cnam_id is not None:
        name = conn.execute(select(cnams).where(cnams.c.id == row.cnam_id)).first()
        # Only approved records can be attached, so no clock is needed to render it.
        included.extend([cnam_resource(name, base, float("inf"), 0.0)] if name else [])
    return resource, included


def number_document(conn: Connection, row: Row[Any], base: str) -> dict[str, Any]:
    resource, included = number_detail(conn, row, base)
    return {"data": resource, "included": included, "links": {"self": resource["links"]["self"]}}


# --- inventory ---------------------------------------------------------------------------------


def available(seed: int, conn: Connection, account_id: int) -> list[Purchasable]:
    """The account's own copy of the inventory, minus what it already owns."""
    taken = set(conn.scalars(select(numbers.c.value).where(numbers.c.account_id == account_id)))
    return [p for p in inventory(seed) if p.value not in taken]


def _max_cost(params: dict[str, str]) -> float | None:
    value = params.get("max_setup_cost")
    if value is None or value == "":
        return None
    try:
        return float(value)
    except ValueError:
        raise ApiError(400, f"max_setup_cost must be a number, got {value!r}.") from None


def _grouped_page(
    request: Request,
    *,
    keys: Iterable[str],
    kind: str,
    related: Callable[[str], str],
    echo: list[tuple[str, str]],
    maximum: int,
) -> Response:
    params = query_params(request)
    limit, offset = page(params, maximum=maximum)
    ordered = sorted(set(keys))
    chunk = ordered[offset : offset + limit]
    data = [{"type": kind, "id": key, "links": {"related": related(key)}} for key in chunk]
    links = list_links(request, echo, limit, offset, offset + limit < len(ordered))
    return document({"data": data, "links": links})


@router.get("/v2/numbers/available/areacodes")
async def list_area_codes(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    cost = _max_cost(params)
    with state.engine.connect() as conn:
        pool = available(state.settings.seed, conn, account.id)
    base = base_url(request)
    keys = (p.npa for p in pool if cost is None or p.setup_cost <= cost)
    echo = [("max_setup_cost", params["max_setup_cost"])] if cost is not None else []
    return _grouped_page(
        request,
        keys=keys,
        kind="areacode",
        related=lambda k: f"{base}/v2/numbers/available/exchanges?areacode={k}",
        echo=echo,
        maximum=400,
    )


@router.get("/v2/numbers/available/exchanges")
async def list_exchanges(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    cost = _max_cost(params)
    areacode = _digits(params, "areacode")
    if areacode is not None and len(areacode) != 3:
        raise ApiError(400, f"areacode must be 3 digits, got {areacode!r}.")
    with state.engine.connect() as conn:
        pool = available(state.settings.seed, conn, account.id)
    base = base_url(request)
    keys = (
        p.exchange
        for p in pool
        if (cost is None or p.setup_cost <= cost) and (areacode is None or p.npa == areacode)
    )
    echo = [("areacode", areacode)] if areacode else []
    if cost is not None:
        echo.append(("max_setup_cost", params["max_setup_cost"]))
    return _grouped_page(
        request,
        keys=keys,
        kind="exchange",
        related=lambda k: f"{base}/v2/numbers/available?starts_with=1{k}",
        echo=echo,
        maximum=200,
    )


@router.get("/v2/numbers/available/tiers")
async def list_tiers(request: Request) -> Response:
    state, account = caller(request)
    with state.engine.connect() as conn:
        pool = available(state.settings.seed, conn, account.id)
    base = base_url(request)
    return _grouped_page(
        request,
        keys=(p.tier for p in pool),
        kind="tier",
        related=lambda k: f"{base}/v2/numbers?tier={quote(k)}",
        echo=[],
        maximum=200,
    )


def _search_filters(
    params: dict[str, str],
) -> tuple[list[tuple[str, str]], Callable[[Purchasable], bool]]:
    starts = prefix(_digits(params, "starts_with"))
    contains = _digits(params, "contains")
    ends = _digits(params, "ends_with")
    rate_center = (params.get("rate_center") or "").lower() or None
    state_code = (params.get("state") or "").lower() or None
    number_type = params.get("number_type") or None
    if number_type is not None and number_type not in ("longcode", "toll-free"):
        raise ApiError(400, f"number_type must be longcode or toll-free, got {number_type!r}.")
    iso = (params.get("iso_country") or "").upper() or None

    def keep(p: Purchasable) -> bool:
        return (
            (starts is None or p.value.startswith(starts))
            and (contains is None or contains in p.value)
            and (ends is None or p.value.endswith(ends))
            and (rate_center is None or p.rate_center == rate_center)
            and (state_code is None or p.state == state_code)
            and (number_type is None or p.number_type == number_type)
            and (iso is None or p.iso_country == iso)
        )

    echo = [
        ("contains", contains),
        ("ends_with", ends),
        ("starts_with", starts),
        ("rate_center", params.get("rate_center")),
        ("state", params.get("state")),
        ("number_type", number_type),
        ("iso_country", params.get("iso_country")),
        ("order_by", params.get("order_by")),
    ]
    return [(k, v) for k, v in echo if v], keep


def _order(params: dict[str, str], items: list[Purchasable]) -> list[Purchasable]:
    order_by = params.get("order_by")
    if not order_by:
        return items
    field, _, direction = order_by.partition(",")
    key = ORDER_FIELDS.get(field.strip().lower())
    direction = (direction or "asc").strip().lower()
    if key is None or direction not in ("asc", "desc"):
        raise ApiError(
            400,
            f"order_by must be FIELD,asc|desc with FIELD one of {', '.join(ORDER_FIELDS)}; "
            f"got {order_by!r}.",
        )
    return sorted(items, key=key, reverse=direction == "desc")


def available_resource(p: Purchasable, base: str) -> dict[str, Any]:
    return {
        "type": "number",
        "id": p.value,
        "attributes": {
            "inbound_rate": p.inbound_rate,
            "iso_country": p.iso_country,
            "monthly_cost": p.monthly_cost,
            "number_type": p.number_type,
            "rate_center": p.rate_center,
            "rate_type": p.rate_type,
            "setup_cost": p.setup_cost,
            "state": p.state,
            "tier": p.tier,
            "value": p.value,
        },
        "links": {"related": f"{base}/v2/numbers/{p.value}"},
    }


@router.get("/v2/numbers/available")
async def search_available(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    echo, keep = _search_filters(params)
    with state.engine.connect() as conn:
        pool = [p for p in available(state.settings.seed, conn, account.id) if keep(p)]
    pool = _order(params, pool)
    base = base_url(request)
    data = [available_resource(p, base) for p in pool[offset : offset + limit]]
    links = list_links(request, echo, limit, offset, offset + limit < len(pool))
    return document({"data": data, "links": links})


# --- account numbers ---------------------------------------------------------------------------


_LIST_FILTERS = {
    "starts_with": numbers.c.value.startswith(bindparam("starts_with")),
    "contains": numbers.c.value.contains(bindparam("contains")),
    "ends_with": numbers.c.value.endswith(bindparam("ends_with")),
    "alias": numbers.c.alias == bindparam("alias"),
    "tier": numbers.c.tier == bindparam("tier"),
}


@cache
def _list_statement(filters: tuple[str, ...]) -> Select[Any]:
    """One prebuilt statement per filter combination: SQLAlchemy then skips re-compiling."""
    query = select(*_ATTRIBUTE_COLUMNS).where(numbers.c.account_id == bindparam("account"))
    for name in filters:
        query = query.where(_LIST_FILTERS[name])
    return query.order_by(numbers.c.value).limit(bindparam("limit")).offset(bindparam("offset"))


@router.get("/v2/numbers")
async def list_numbers(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    alias = params.get("alias")
    if alias is not None and len(alias) > 64:
        raise ApiError(400, "alias must be at most 64 characters.")
    filters = {
        "starts_with": prefix(_digits(params, "starts_with")),
        "contains": _digits(params, "contains"),
        "ends_with": _digits(params, "ends_with"),
        "alias": alias,
        "tier": params.get("tier") or None,
    }
    active = {name: value for name, value in filters.items() if value is not None}
    # One extra row tells whether a next page exists without a COUNT.
    bound = {**active, "account": account.id, "limit": limit + 1, "offset": offset}
    with state.engine.connect() as conn:
        rows = conn.execute(_list_statement(tuple(active)), bound).all()
    base = base_url(request)
    data = [number_resource(row, base) for row in rows[:limit]]
    links = list_links(request, active.items(), limit, offset, len(rows) > limit)
    return document({"data": data, "links": links})


@router.get("/v2/numbers/{number_id}")
async def retrieve_number(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.connect() as conn:
        return document(
            number_document(conn, owned(conn, account.id, number_id), base_url(request))
        )


MAX_DETAILS = 200


@router.post("/v2/numbers/details")
async def numbers_details(request: Request) -> Response:
    """Details of several of the caller's numbers at once (spec N7)."""
    state, account = caller(request)
    wanted = (await read_body(request)).get("numbers")
    if isinstance(wanted, str):  # form-encoded single value
        wanted = [wanted]
    if not isinstance(wanted, list) or not wanted or len(wanted) > MAX_DETAILS:
        raise ApiError(
            400, f'Send {{"numbers": ["+12065550100", ...]}} with 1 to {MAX_DETAILS} numbers.'
        )
    base = base_url(request)
    data: list[dict[str, Any]] = []
    included: dict[tuple[str, str], dict[str, Any]] = {}
    with state.engine.connect() as conn:
        for raw in wanted:
            value = check_number_id(str(raw).lstrip("+"))
            resource, routes_used = number_detail(conn, owned(conn, account.id, value), base)
            data.append(resource)
            included.update({(r["type"], r["id"]): r for r in routes_used})
    return document({"data": data, "included": list(included.values())})


def purchase_options(params: dict[str, str], body: dict[str, Any]) -> dict[str, bool]:
    """Options arrive as query parameters, a flat body, or a JSON:API body."""
    merged = {**attributes(body), **params}
    return {
        name: boolean(merged[name], name)
        for name in ("cnam_lookups_enabled", "messaging_enabled")
        if merged.get(name) is not None
    }


def assign_number(
    conn: Connection, account_id: int, item: Purchasable, options: dict[str, bool]
) -> None:
    conn.execute(
        insert(numbers).values(
            account_id=account_id,
            value=item.value,
            number_type=item.number_type,
            rate_center=item.rate_center,
            state=item.state,
            iso_country=item.iso_country,
            tier=item.tier,
            monthly_cost=item.monthly_cost,
            setup_cost=item.setup_cost,
            inbound_rate=item.inbound_rate,
            cnam_lookups_enabled=options.get("cnam_lookups_enabled", True),
            # Messaging is provisioned by a separate task; it starts disabled (spec N8).
            messaging_enabled=False,
            primary_route_id=0,
        )
    )


@router.post("/v2/numbers/{number_id}")
async def purchase_number(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    options = purchase_options(query_params(request), await read_body(request))
    item = by_value(state.settings.seed).get(number_id)
    unavailable = ApiError(
        404,
        f"Number {number_id} is not available for purchase. Search GET /v2/numbers/available "
        "for numbers you can buy.",
    )
    if item is None:
        raise unavailable
    already = ApiError(400, f"Number {number_id} is already on your account.")
    try:
        with state.engine.begin() as conn:
            mine = conn.scalar(
                select(numbers.c.id).where(
                    numbers.c.account_id == account.id, numbers.c.value == number_id
                )
            )
            if mine is not None:
                raise already
            assign_number(conn, account.id, item, options)
            doc = number_document(conn, owned(conn, account.id, number_id), base_url(request))
    except IntegrityError:  # the same purchase committed concurrently (another worker)
        raise already from None
    return document(doc, status=201)


@router.patch("/v2/numbers/{number_id}")
async def update_number(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    body = attributes(await read_body(request))
    kind = body.get("type", "number")
    if kind != "number":
        raise ApiError(400, f"type must be 'number', got {kind!r}.")
    changes: dict[str, Any] = {}
    if "alias" in body:
        alias = body["alias"]
        if alias is not None and (not isinstance(alias, str) or len(alias) > 64):
            raise ApiError(422, "alias must be a string of at most 64 characters.")
        changes["alias"] = alias
    if "cnam_lookups_enabled" in body:
        changes["cnam_lookups_enabled"] = boolean(
            body["cnam_lookups_enabled"], "cnam_lookups_enabled"
        )
    if "messaging_enabled" in body:
        changes["messaging_enabled"] = boolean(body["messaging_enabled"], "messaging_enabled")
    with state.engine.begin() as conn:
        owned(conn, account.id, number_id)
        if changes:
            conn.execute(
                update(numbers)
                .where(numbers.c.account_id == account.id, numbers.c.value == number_id)
                .values(**changes)
            )
        doc = number_document(conn, owned(conn, account.id, number_id), base_url(request))
    return document(doc)


@router.delete("/v2/numbers/{number_id}")
async def release_number(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.begin() as conn:
        owned(conn, account.id, number_id)
        conn.execute(
            delete(numbers).where(numbers.c.account_id == account.id, numbers.c.value == number_id)
        )
    return no_content()
