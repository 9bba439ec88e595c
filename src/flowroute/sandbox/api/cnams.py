"""CNAM records (spec C1-C7): create, review on the virtual clock, associate with numbers."""

from __future__ import annotations

import re
from email.utils import format_datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, insert, select, update
from starlette.requests import Request
from starlette.responses import Response

from ...callerid import cnam_value_error
from ..clock import from_epoch
from ..errors import ApiError
from ..state import Account, SandboxState
from ..store.schema import cnams, numbers
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

router = WireRouter()

# Values the sandbox's reviewers reject (documented in docs/sandbox.md), and why.
PROFANITY = frozenset({"DAMN", "HELL", "CRAP", "SUCKS"})
_PHONE = re.compile(r"\d[\d\s\-.()]{5,}\d")


def review(value: str) -> str | None:
    """The rejection reason for ``value``, or None when it is approved."""
    if _PHONE.search(value):
        return "Phone numbers are not allowed as a caller ID name."
    if "POLICE" in value:
        return "Misleading: the name impersonates a public authority."
    if PROFANITY & set(re.split(r"[^A-Z]+", value)):
        return "Inappropriate language."
    return None


def status(row: Row[Any], now: float, delay: float) -> tuple[bool, float | None, str | None]:
    """(is_approved, decided_at, rejection_reason) as of ``now``."""
    if row.decision is not None:
        return row.decision == "approved", row.decided_at, row.rejection_reason
    if now < row.created_at + delay:
        return False, None, None
    reason = review(row.value)
    return reason is None, row.created_at + delay, reason


def _stamp(seconds: float | None) -> str | None:
    # "2018-04-16 16:20:32.939166+00:00": space separator, microseconds.
    return None if seconds is None else str(from_epoch(seconds))


def cnam_resource(row: Row[Any], base: str, now: float, delay: float) -> dict[str, Any]:
    approved, decided_at, reason = status(row, now, delay)
    return {
        "type": "cnam",
        "id": str(row.id),
        "attributes": {
            "approval_datetime": _stamp(decided_at) if approved else None,
            "creation_datetime": _stamp(row.created_at),
            "is_approved": approved,
            "rejection_reason": reason,
            "value": row.value,
        },
        "links": {"self": f"{base}/v2/cnams/{row.id}"},
    }


def _value(fields: dict[str, Any]) -> str:
    value = fields.get("value")
    if not isinstance(value, str):
        raise ApiError(422, 'Send {"value": "YOUR NAME"}: the caller ID name, up to 15 characters.')
    if problem := cnam_value_error(value):
        raise ApiError(422, problem[0].upper() + problem[1:] + ".")
    return value.upper()


def _record(conn: Connection, account_id: int, ident: str, missing: str | None = None) -> Row[Any]:
    row = None
    if ident.isdigit():
        row = conn.execute(
            select(cnams).where(cnams.c.account_id == account_id, cnams.c.id == int(ident))
        ).first()
    if row is None:
        raise ApiError(
            404,
            missing or f"CNAM record {ident} was not found on your account.",
            "Resource not found",
        )
    return row


def _now(state: SandboxState, account: Account, conn: Connection) -> float:
    return state.now_and_webhook_format(account, conn)[0]


@router.get("/v2/cnams")
async def list_cnams(request: Request) -> Response:
    state, account = caller(request)
    params = query_params(request)
    limit, offset = page(params, maximum=10000)
    query = select(cnams).where(cnams.c.account_id == account.id)
    echo: list[tuple[str, str]] = []
    patterns = {"value": "%{}%", "contains": "%{}%", "starts_with": "{}%", "ends_with": "%{}"}
    for name, pattern in patterns.items():
        if value := params.get(name):
            query = query.where(cnams.c.value.ilike(pattern.format(value)))
            echo.append((name, value))
    wanted = params.get("is_approved")
    base = base_url(request)
    delay = state.settings.cnam_approval_delay
    with state.engine.connect() as conn:
        now = _now(state, account, conn)
        rows = conn.execute(query.order_by(cnams.c.id)).all()
    items = [cnam_resource(row, base, now, delay) for row in rows]
    if wanted:
        approved = boolean(wanted, "is_approved")
        items = [i for i in items if i["attributes"]["is_approved"] is approved]
        echo.append(("is_approved", wanted))
    links = list_links(request, echo, limit, offset, offset + limit < len(items))
    return document({"data": items[offset : offset + limit], "links": links})


@router.get("/v2/cnams/{ident}")
async def get_cnam(request: Request, ident: str) -> Response:
    state, account = caller(request)
    with state.engine.connect() as conn:
        row = _record(conn, account.id, ident)
        resource = cnam_resource(
            row, base_url(request), _now(state, account, conn), state.settings.cnam_approval_delay
        )
        attached = conn.scalars(
            select(numbers.c.value).where(
                numbers.c.account_id == account.id, numbers.c.cnam_id == row.id
            )
        ).all()
    resource["relationships"] = {
        "numbers": {"data": [{"type": "number", "id": n} for n in attached]}
    }
    return document({"data": resource, "links": resource["links"]})


@router.post("/v2/cnams")
async def create_cnam(request: Request) -> Response:
    """JSON (flat or JSON:API) or form-encoded ``value=...`` (what the Python SDK sends)."""
    state, account = caller(request)
    value = _value(attributes(await read_body(request)))
    with state.engine.begin() as conn:
        now = _now(state, account, conn)
        created = conn.execute(
            insert(cnams).values(account_id=account.id, value=value, created_at=now)
        )
        row = _record(conn, account.id, str(created.inserted_primary_key[0]))  # type: ignore[index]
        resource = cnam_resource(row, base_url(request), now, state.settings.cnam_approval_delay)
    return document({"data": resource, "links": resource["links"]}, status=201)


@router.patch("/v2/cnams/{ident}")
async def update_cnam(request: Request, ident: str) -> Response:
    state, account = caller(request)
    value = _value(attributes(await read_body(request)))
    delay = state.settings.cnam_approval_delay
    with state.engine.begin() as conn:
        now = _now(state, account, conn)
        row = _record(conn, account.id, ident)
        if status(row, now, delay)[1] is not None:
            raise ApiError(
                403, f"CNAM record {ident} has been reviewed; only pending records can be changed."
            )
        conn.execute(update(cnams).where(cnams.c.id == row.id).values(value=value, created_at=now))
        resource = cnam_resource(_record(conn, account.id, ident), base_url(request), now, delay)
    return document({"data": resource, "links": resource["links"]})


@router.delete("/v2/cnams/{ident}")
async def delete_cnam(request: Request, ident: str) -> Response:
    state, account = caller(request)
    with state.engine.begin() as conn:
        row = _record(conn, account.id, ident, "CNAM record not found. Nothing to delete.")
        # Deleting a record detaches it from every number (as on Flowroute).
        conn.execute(update(numbers).where(numbers.c.cnam_id == row.id).values(cnam_id=None))
        conn.execute(delete(cnams).where(cnams.c.id == row.id))
    return no_content()


def _accepted(ident: int | None, now: float) -> Response:
    # 202 with an integer id and an RFC 1123 date, exactly as Flowroute answers.
    stamp = format_datetime(from_epoch(now), usegmt=True)
    return document(
        {"data": {"attributes": {"date_created": stamp}, "id": ident, "type": "cnam"}}, status=202
    )


async def associate_cnam(request: Request, number_id: str, ident: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.begin() as conn:
        now = _now(state, account, conn)
        number = owned(conn, account.id, number_id)
        row = _record(conn, account.id, ident)
        approved, decided, reason = status(row, now, state.settings.cnam_approval_delay)
        if not approved:
            detail = (
                f"CNAM record {ident} was rejected: {reason}"
                if decided is not None
                else f"CNAM record {ident} is pending approval; numbers can use it once approved."
            )
            raise ApiError(422, detail)
        if number.number_type == "toll-free":
            raise ApiError(
                422, "CNAM records can only be assigned to long-code (local US) numbers."
            )
        conn.execute(update(numbers).where(numbers.c.id == number.id).values(cnam_id=row.id))
    return _accepted(row.id, now)


async def unassociate_cnam(request: Request, number_id: str) -> Response:
    state, account = caller(request)
    check_number_id(number_id)
    with state.engine.begin() as conn:
        now = _now(state, account, conn)
        number = owned(conn, account.id, number_id)
        conn.execute(update(numbers).where(numbers.c.id == number.id).values(cnam_id=None))
    return _accepted(None, now)


# Both spellings work: docs and Node use .../cnams; Python, Ruby, PHP and .NET use .../cnam.
for _path in ("cnam", "cnams"):
    router.add(
        f"/v2/numbers/{{number_id}}/relationships/{_path}/{{ident}}", "PATCH", associate_cnam
    )
    router.add(f"/v2/numbers/{{number_id}}/relationships/{_path}", "DELETE", unassociate_cnam)


def decide(
    conn: Connection, account_id: int, ident: str, now: float, reason: str | None
) -> Row[Any]:
    """Approve (``reason`` None) or reject a record now (control API)."""
    row = _record(conn, account_id, ident)
    conn.execute(
        update(cnams)
        .where(cnams.c.id == row.id)
        .values(
            decision="rejected" if reason else "approved", decided_at=now, rejection_reason=reason
        )
    )
    return _record(conn, account_id, ident)
