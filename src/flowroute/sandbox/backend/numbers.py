"""Numbers (spec N1-N10): the account's own copy of the inventory, purchases, its numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, Select, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ApiError
from ..inventory import Purchasable, by_value, inventory
from ..records import NUMBER_COLUMNS, Account, Number, NumberDetail, Route
from ..store.schema import cnams, numbers, routes
from ._context import Context, fits, insert_missing
from ._lookup import ROUTE_SELECT, e911_record, owned_number
from .cnams import cnam_record

ORDER_FIELDS: dict[str, Callable[[Purchasable], Any]] = {
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
NUMBER_TYPES = ("longcode", "toll-free")
MAX_DETAILS = 200
MAX_SEED = 2000


class Search(NamedTuple):
    """Inventory filters, already parsed; None means "any"."""

    starts_with: str | None = None
    contains: str | None = None
    ends_with: str | None = None
    rate_center: str | None = None
    state: str | None = None
    number_type: str | None = None
    iso_country: str | None = None
    max_setup_cost: float | None = None
    areacode: str | None = None

    def keep(self, p: Purchasable) -> bool:
        return (
            (self.starts_with is None or p.value.startswith(self.starts_with))
            and (self.contains is None or self.contains in p.value)
            and (self.ends_with is None or p.value.endswith(self.ends_with))
            and (self.rate_center is None or p.rate_center == self.rate_center.lower())
            and (self.state is None or p.state == self.state.lower())
            and (self.number_type is None or p.number_type == self.number_type)
            and (self.iso_country is None or p.iso_country == self.iso_country.upper())
            and (self.max_setup_cost is None or p.setup_cost <= self.max_setup_cost)
            and (self.areacode is None or p.npa == self.areacode)
        )


_NUMBER_SELECT = tuple(numbers.c[name] for name in NUMBER_COLUMNS)
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
    query = select(*_NUMBER_SELECT).where(numbers.c.account_id == bindparam("account"))
    for name in filters:
        query = query.where(_LIST_FILTERS[name])
    return query.order_by(numbers.c.value).limit(bindparam("limit")).offset(bindparam("offset"))


def _assign(
    conn: Connection,
    account_id: int,
    item: Purchasable,
    options: dict[str, bool],
    *,
    skip_taken: bool = False,
) -> bool:
    """Put ``item`` on the account; with ``skip_taken``, a number the account already holds
    (a concurrent purchase) is skipped instead of failing: returns whether it was added."""
    values = dict(
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
    if skip_taken:
        return insert_missing(conn, numbers, values)
    conn.execute(insert(numbers).values(**values))
    return True


class Numbers:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def _available(self, conn: Connection, account_id: int) -> list[Purchasable]:
        """The account's own copy of the inventory, minus what it already owns."""
        taken = set(conn.scalars(select(numbers.c.value).where(numbers.c.account_id == account_id)))
        return [p for p in inventory(self.ctx.settings.seed) if p.value not in taken]

    def search(
        self, account: Account, search: Search, order: tuple[str, bool] | None = None
    ) -> list[Purchasable]:
        """Purchasable numbers matching ``search``; ``order`` is (ORDER_FIELDS key, descending)."""
        with self.ctx.engine.connect() as conn:
            found = [p for p in self._available(conn, account.id) if search.keep(p)]
        if order is not None:
            found.sort(key=ORDER_FIELDS[order[0]], reverse=order[1])
        return found

    def grouped(self, account: Account, search: Search, key: str) -> list[str]:
        """Distinct ``npa``, ``exchange`` or ``tier`` values of the matching inventory, sorted."""
        values: Iterable[str] = (getattr(p, key) for p in self.search(account, search))
        return sorted(set(values))

    def listing(
        self, account: Account, filters: dict[str, str], *, limit: int, offset: int
    ) -> tuple[list[Number], bool]:
        """A page of the account's numbers and whether another page follows."""
        # One extra row tells whether a next page exists without a COUNT.
        bound = {**filters, "account": account.id, "limit": limit + 1, "offset": offset}
        with self.ctx.engine.connect() as conn:
            rows = conn.execute(_list_statement(tuple(filters)), bound).all()
        return [Number(*row) for row in rows[:limit]], len(rows) > limit

    def _detail(self, conn: Connection, account: Account, value: str) -> NumberDetail:
        row = owned_number(conn, account.id, value)
        route_ids = [r for r in (row.primary_route_id, row.failover_route_id) if r]
        found: tuple[Route | None, ...] = tuple(
            Route(*route) for route in conn.execute(ROUTE_SELECT.where(routes.c.id.in_(route_ids)))
        )
        if 0 in (row.primary_route_id, row.failover_route_id):
            found = (None, *found)
        cnam = None
        if row.cnam_id is not None:
            stored = conn.execute(select(cnams).where(cnams.c.id == row.cnam_id)).first()
            # Only approved records can be attached, so no clock is needed to review it.
            cnam = cnam_record(stored, float("inf"), 0.0) if stored else None
        return NumberDetail(
            number=Number(*(row._mapping[name] for name in NUMBER_COLUMNS)),
            primary_route_id=row.primary_route_id,
            failover_route_id=row.failover_route_id,
            e911_id=row.e911_id,
            cnam_id=row.cnam_id,
            routes=found,
            e911=e911_record(conn, account.id, row.e911_id) if row.e911_id is not None else None,
            cnam=cnam,
        )

    def detail(self, account: Account, value: str) -> NumberDetail:
        with self.ctx.engine.connect() as conn:
            return self._detail(conn, account, value)

    def details(self, account: Account, values: list[str]) -> list[NumberDetail]:
        with self.ctx.engine.connect() as conn:
            return [self._detail(conn, account, value) for value in values]

    def purchase(self, account: Account, value: str, options: dict[str, bool]) -> NumberDetail:
        item = by_value(self.ctx.settings.seed).get(value)
        if item is None:
            raise ApiError(
                404,
                f"Number {value} is not available for purchase. Search GET "
                "/v2/numbers/available for numbers you can buy.",
            )
        already = ApiError(400, f"Number {value} is already on your account.")
        try:
            with self.ctx.engine.begin() as conn:
                mine = conn.scalar(
                    select(numbers.c.id).where(
                        numbers.c.account_id == account.id, numbers.c.value == value
                    )
                )
                if mine is not None:
                    raise already
                _assign(conn, account.id, item, options)
                return self._detail(conn, account, value)
        except IntegrityError:  # the same purchase committed concurrently (another worker)
            raise already from None

    def update(self, account: Account, value: str, changes: dict[str, Any]) -> NumberDetail:
        fits(numbers, changes)
        with self.ctx.engine.begin() as conn:
            owned_number(conn, account.id, value)
            if changes:
                conn.execute(
                    update(numbers)
                    .where(numbers.c.account_id == account.id, numbers.c.value == value)
                    .values(**changes)
                )
            return self._detail(conn, account, value)

    def release(self, account: Account, value: str) -> None:
        with self.ctx.engine.begin() as conn:
            owned_number(conn, account.id, value)
            conn.execute(
                delete(numbers).where(numbers.c.account_id == account.id, numbers.c.value == value)
            )

    def seed(self, account: Account, count: int) -> list[str]:
        """Put ``count`` numbers from inventory on the account at once (control API). Race-safe:
        numbers a concurrent purchase or seed takes first are skipped, not an error."""
        if not 0 <= count <= MAX_SEED:
            raise ApiError(400, f"numbers must be from 0 to {MAX_SEED} per call, got {count}.")
        added: list[str] = []
        with self.ctx.engine.begin() as conn:
            pool = self._available(conn, account.id)
            if count > len(pool):
                raise ApiError(409, f"Only {len(pool)} numbers are left in the inventory.")
            for item in pool:
                if len(added) == count:
                    break
                if _assign(conn, account.id, item, {}, skip_taken=True):
                    added.append(item.value)
        if len(added) < count:  # the rest of the inventory went to concurrent calls
            raise ApiError(409, f"Only {len(added)} numbers were left in the inventory.")
        return added
