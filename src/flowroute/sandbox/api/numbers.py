"""Numbers v2 (spec N1-N10): parse the request, call the backend, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from ..backend.numbers import MAX_DETAILS, NUMBER_TYPES, ORDER_FIELDS, Search
from ..errors import ApiError, quoted
from ..web.caller import caller
from ..web.ids import check_number_id
from ..web.parse import attributes, boolean, page, query_params, read_body
from ..web.responses import base_url, document, list_links, no_content
from ..wire.numbers import available_resource, number_detail, number_document, number_resource
from ._routing import WireRouter

router = WireRouter()


def _digits(params: dict[str, str], name: str) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        return None
    digits = value[1:] if value.startswith("+") else value
    if not digits.isascii() or not digits.isdigit() or len(digits) > 15:
        raise ApiError(400, f"{name} must contain only digits (at most 15), got {quoted(value)}.")
    return value


def prefix(value: str | None) -> str | None:
    """``starts_with`` assumes country code 1 unless given with ``+``: 646 -> 1646."""
    if value is None:
        return None
    if value.startswith("+"):
        return value[1:]
    return value if value.startswith("1") else "1" + value


def _max_cost(params: dict[str, str]) -> float | None:
    value = params.get("max_setup_cost")
    if value is None or value == "":
        return None
    try:
        cost = float(value)
    except ValueError:
        cost = float("nan")
    if not 0 <= cost <= 1e9:
        raise ApiError(400, f"max_setup_cost must be a number from 0, got {quoted(value)}.")
    return cost


def _grouped(
    request: Request,
    *,
    key: str,
    kind: str,
    related: str,
    search: Search,
    echo: list[tuple[str, str]],
    maximum: int,
) -> Response:
    backend, account = caller(request)
    limit, offset = page(query_params(request), maximum=maximum)
    ordered = backend.numbers.grouped(account, search, key)
    base = base_url(request)
    data = [
        {"type": kind, "id": value, "links": {"related": f"{base}{related}{quote(value)}"}}
        for value in ordered[offset : offset + limit]
    ]
    links = list_links(request, echo, limit, offset, offset + limit < len(ordered))
    return document({"data": data, "links": links})


@router.get("/v2/numbers/available/areacodes")
async def list_area_codes(request: Request) -> Response:
    params = query_params(request)
    cost = _max_cost(params)
    echo = [("max_setup_cost", params["max_setup_cost"])] if cost is not None else []
    return _grouped(
        request,
        key="npa",
        kind="areacode",
        related="/v2/numbers/available/exchanges?areacode=",
        search=Search(max_setup_cost=cost),
        echo=echo,
        maximum=400,
    )


@router.get("/v2/numbers/available/exchanges")
async def list_exchanges(request: Request) -> Response:
    params = query_params(request)
    cost = _max_cost(params)
    areacode = _digits(params, "areacode")
    if areacode is not None and len(areacode) != 3:
        raise ApiError(400, f"areacode must be 3 digits, got {areacode!r}.")
    echo = [("areacode", areacode)] if areacode else []
    if cost is not None:
        echo.append(("max_setup_cost", params["max_setup_cost"]))
    return _grouped(
        request,
        key="exchange",
        kind="exchange",
        related="/v2/numbers/available?starts_with=1",
        search=Search(max_setup_cost=cost, areacode=areacode),
        echo=echo,
        maximum=200,
    )


@router.get("/v2/numbers/available/tiers")
async def list_tiers(request: Request) -> Response:
    return _grouped(
        request,
        key="tier",
        kind="tier",
        related="/v2/numbers?tier=",
        search=Search(),
        echo=[],
        maximum=200,
    )


def _search(params: dict[str, str]) -> tuple[Search, list[tuple[str, str]]]:
    number_type = params.get("number_type") or None
    if number_type is not None and number_type not in NUMBER_TYPES:
        raise ApiError(
            400, f"number_type must be longcode or toll-free, got {quoted(number_type)}."
        )
    search = Search(
        starts_with=prefix(_digits(params, "starts_with")),
        contains=_digits(params, "contains"),
        ends_with=_digits(params, "ends_with"),
        rate_center=params.get("rate_center") or None,
        state=params.get("state") or None,
        number_type=number_type,
        iso_country=params.get("iso_country") or None,
    )
    echo = [
        ("contains", search.contains),
        ("ends_with", search.ends_with),
        ("starts_with", search.starts_with),
        ("rate_center", params.get("rate_center")),
        ("state", params.get("state")),
        ("number_type", number_type),
        ("iso_country", params.get("iso_country")),
        ("order_by", params.get("order_by")),
    ]
    return search, [(k, v) for k, v in echo if v]


def _order(params: dict[str, str]) -> tuple[str, bool] | None:
    order_by = params.get("order_by")
    if not order_by:
        return None
    field, _, direction = order_by.partition(",")
    field = field.strip().lower()
    direction = (direction or "asc").strip().lower()
    if field not in ORDER_FIELDS or direction not in ("asc", "desc"):
        raise ApiError(
            400,
            f"order_by must be FIELD,asc|desc with FIELD one of {', '.join(ORDER_FIELDS)}; "
            f"got {quoted(order_by)}.",
        )
    return field, direction == "desc"


@router.get("/v2/numbers/available")
async def search_available(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    search, echo = _search(params)
    found = backend.numbers.search(account, search, _order(params))
    base = base_url(request)
    data = [available_resource(p, base) for p in found[offset : offset + limit]]
    links = list_links(request, echo, limit, offset, offset + limit < len(found))
    return document({"data": data, "links": links})


@router.get("/v2/numbers")
async def list_numbers(request: Request) -> Response:
    backend, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=200)
    alias = params.get("alias")
    if alias is not None and len(alias) > 64:
        raise ApiError(400, "alias must be at most 64 characters.")
    tier = params.get("tier") or None
    if tier is not None and len(tier) > 32:
        raise ApiError(400, "tier must be at most 32 characters.")
    filters = {
        "starts_with": prefix(_digits(params, "starts_with")),
        "contains": _digits(params, "contains"),
        "ends_with": _digits(params, "ends_with"),
        "alias": alias,
        "tier": tier,
    }
    active = {name: value for name, value in filters.items() if value is not None}
    found, more = backend.numbers.listing(account, active, limit=limit, offset=offset)
    base = base_url(request)
    data = [number_resource(number, base) for number in found]
    return document(
        {"data": data, "links": list_links(request, active.items(), limit, offset, more)}
    )


@router.get("/v2/numbers/{number_id}")
async def retrieve_number(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    detail = backend.numbers.detail(account, check_number_id(number_id))
    return document(number_document(detail, base_url(request)))


@router.post("/v2/numbers/details")
async def numbers_details(request: Request) -> Response:
    """Details of several of the caller's numbers at once (spec N7)."""
    backend, account = caller(request)
    wanted = (await read_body(request)).get("numbers")
    if isinstance(wanted, str):  # form-encoded single value
        wanted = [wanted]
    if not isinstance(wanted, list) or not wanted or len(wanted) > MAX_DETAILS:
        raise ApiError(
            400, f'Send {{"numbers": ["+12065550100", ...]}} with 1 to {MAX_DETAILS} numbers.'
        )
    values = [check_number_id(str(raw).lstrip("+")) for raw in wanted]
    base = base_url(request)
    data: list[dict[str, Any]] = []
    included: dict[tuple[str, str], dict[str, Any]] = {}
    for detail in backend.numbers.details(account, values):
        resource, related = number_detail(detail, base)
        data.append(resource)
        included.update({(r["type"], r["id"]): r for r in related})
    return document({"data": data, "included": list(included.values())})


def purchase_options(params: dict[str, str], body: dict[str, Any]) -> dict[str, bool]:
    """Options arrive as query parameters, a flat body, or a JSON:API body."""
    merged = {**attributes(body), **params}
    return {
        name: boolean(merged[name], name)
        for name in ("cnam_lookups_enabled", "messaging_enabled")
        if merged.get(name) is not None
    }


@router.post("/v2/numbers/{number_id}")
async def purchase_number(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    check_number_id(number_id)
    options = purchase_options(query_params(request), await read_body(request))
    detail = backend.numbers.purchase(account, number_id, options)
    return document(number_document(detail, base_url(request)), status=201)


@router.patch("/v2/numbers/{number_id}")
async def update_number(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    check_number_id(number_id)
    body = attributes(await read_body(request))
    kind = body.get("type", "number")
    if kind != "number":
        raise ApiError(400, f"type must be 'number', got {quoted(kind)}.")
    changes: dict[str, Any] = {}
    if "alias" in body:
        alias = body["alias"]
        if alias is not None and (not isinstance(alias, str) or len(alias) > 64):
            raise ApiError(422, "alias must be a string of at most 64 characters.")
        changes["alias"] = alias
    for name in ("cnam_lookups_enabled", "messaging_enabled"):
        if name in body:
            changes[name] = boolean(body[name], name)
    detail = backend.numbers.update(account, number_id, changes)
    return document(number_document(detail, base_url(request)))


@router.delete("/v2/numbers/{number_id}")
async def release_number(request: Request, number_id: str) -> Response:
    backend, account = caller(request)
    backend.numbers.release(account, check_number_id(number_id))
    return no_content()
