"""E911 addresses (spec E1-E9): validate, create, update, delete, associate with numbers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from ...addresses import ADDRESS_TYPES, FIELDS, address_errors
from ..errors import ApiError
from ..records import E911, Account
from ..store.schema import address_key, e911s, numbers
from ._context import Context, fits
from ._lookup import E911_SELECT, e911_record, owned_number

ADDRESS = FIELDS[3:]  # what makes two records the same place (unit type and number too)
# The sandbox's geocoder fails, deterministically, for streets or cities named "Nowhere".
UNGEOCODABLE = "nowhere"
DUPLICATE = "Duplicate address."
SEARCHABLE = ("label", "street_name", "city")


def _geocodes(values: dict[str, Any]) -> bool:
    return not any(UNGEOCODABLE in (values[name] or "").lower() for name in ("street_name", "city"))


def clean(fields: dict[str, Any]) -> dict[str, Any]:
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
    fits(e911s, values)
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


class E911s:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _record(self, conn: Connection, account_id: int, ident: int) -> E911:
        record = e911_record(conn, account_id, ident)
        if record is None:
            raise ApiError(404, f"E911 record {ident} was not found on your account.")
        return record

    def listing(
        self, account: Account, filters: dict[str, str], *, limit: int, offset: int
    ) -> tuple[list[E911], bool]:
        """A page of records; ``filters`` holds substrings of SEARCHABLE fields and ``state``."""
        query = E911_SELECT.where(e911s.c.account_id == account.id)
        for name in SEARCHABLE:
            if value := filters.get(name):
                query = query.where(e911s.c[name].ilike(f"%{value}%"))
        if value := filters.get("state"):
            query = query.where(func.upper(e911s.c.state) == value.upper())
        query = query.order_by(e911s.c.id).limit(limit + 1).offset(offset)
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [E911(*row) for row in rows[:limit]], len(rows) > limit

    def get(self, account: Account, ident: int) -> E911:
        with self.ctx.engine.connect() as conn:
            return self._record(conn, account.id, ident)

    def create(self, account: Account, fields: dict[str, Any]) -> E911:
        values = clean(fields)
        try:
            with self.ctx.engine.begin() as conn:
                ident = conn.execute(
                    insert(e911s).values(account_id=account.id, **values)
                ).inserted_primary_key[0]  # type: ignore[index]
                return self._record(conn, account.id, ident)
        except IntegrityError:  # the database judges duplicates, so concurrent creates are safe
            raise ApiError(403, DUPLICATE) from None

    def update(self, account: Account, ident: int, changes: dict[str, Any]) -> E911:
        try:
            with self.ctx.engine.begin() as conn:
                merged = self._record(conn, account.id, ident)._asdict()
                merged.update({k: v for k, v in changes.items() if k in (*FIELDS, "zipcode")})
                values = clean(merged)
                conn.execute(update(e911s).where(e911s.c.id == ident).values(**values))
                return self._record(conn, account.id, ident)
        except IntegrityError:
            raise ApiError(403, DUPLICATE) from None

    def delete(self, account: Account, ident: int) -> None:
        with self.ctx.engine.begin() as conn:
            self._record(conn, account.id, ident)
            attached = conn.scalar(
                select(func.count()).where(
                    numbers.c.account_id == account.id, numbers.c.e911_id == ident
                )
            )
            if attached:
                raise ApiError(
                    403,
                    f"E911 record {ident} is still associated with {attached} number(s); "
                    "disconnect them (DELETE /v2/numbers/{number}/relationships/e911s) first.",
                )
            conn.execute(delete(e911s).where(e911s.c.id == ident))

    def numbers(
        self, account: Account, ident: int, *, limit: int, offset: int
    ) -> tuple[list[tuple[str, str | None]], bool]:
        """(value, alias) of the numbers using record ``ident``, and whether more follow."""
        with self.ctx.engine.connect() as conn:
            self._record(conn, account.id, ident)
            rows = [
                (value, alias)
                for value, alias in conn.execute(
                    select(numbers.c.value, numbers.c.alias)
                    .where(numbers.c.account_id == account.id, numbers.c.e911_id == ident)
                    .order_by(numbers.c.value)
                    .limit(limit + 1)
                    .offset(offset)
                )
            ]
        return rows[:limit], len(rows) > limit

    def associate(self, account: Account, number: str, ident: int | None) -> None:
        """Attach record ``ident`` to ``number`` (None disconnects)."""
        with self.ctx.engine.begin() as conn:
            row = owned_number(conn, account.id, number)
            if ident is not None:
                self._record(conn, account.id, ident)
                if row.number_type == "toll-free":
                    raise ApiError(
                        422,
                        "Cannot assign an E911 record to a number that does not support "
                        "emergency services.",
                    )
            conn.execute(update(numbers).where(numbers.c.id == row.id).values(e911_id=ident))
