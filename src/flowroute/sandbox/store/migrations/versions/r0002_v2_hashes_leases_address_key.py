"""v2: salted secret hashes, delivery leases, a whole-address E911 key, ids never reused.

Revision ID: 0002
Revises: 0001

Data is converted, not dropped: every plain secret is hashed, every delivery is unclaimed, every
E911 record gets its address key. On SQLite each table with an integer id is rebuilt with
AUTOINCREMENT (its sqlite_sequence starts at the table's largest id); on PostgreSQL the tables
stay and each id sequence is moved, if need be, past the largest id.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

from flowroute.sandbox.passwords import hash_secret
from flowroute.sandbox.store.schema import address_key

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

# Every table with an integer id (messages have string ids).
INTEGER_IDS = (
    "accounts",
    "numbers",
    "routes",
    "callbacks",
    "opt_outs",
    "deliveries",
    "attempts",
    "e911s",
    "cnams",
    "calls",
    "call_blocks",
    "cdr_exports",
)
# What address_key covers, in its order (api/e911s.py ADDRESS).
ADDRESS = (
    "street_number",
    "street_name",
    "city",
    "state",
    "country",
    "zip",
    "address_type",
    "address_type_number",
)
ACCOUNT_COLUMNS = ("id", "access_key", "secret_hash", "clock_offset", "webhook_format")


def upgrade() -> None:
    bind = op.get_bind()
    op.add_column("accounts", sa.Column("secret_hash", sa.String(256)))
    _hash_secrets(bind)
    op.add_column("e911s", sa.Column("address_key", sa.String(64)))
    _key_addresses(bind)
    # NULL for every row: a delivery that a crashed process had claimed is free to send again.
    op.add_column("deliveries", sa.Column("lease_until", sa.Float))
    for table in INTEGER_IDS:
        with _rebuild(bind, table) as batch:
            if table == "accounts":
                batch.drop_column("secret_key")
                batch.alter_column("secret_hash", existing_type=sa.String(256), nullable=False)
            elif table == "deliveries":
                batch.drop_column("claimed")
            elif table == "e911s":
                batch.alter_column("address_key", existing_type=sa.String(64), nullable=False)
                batch.create_unique_constraint("uq_e911_address", ["account_id", "address_key"])
    if bind.dialect.name == "postgresql":
        _continue_sequences(bind)


def downgrade() -> None:
    raise NotImplementedError("secrets are stored hashed from 0002 on; they cannot be un-hashed")


def _rebuild(bind: sa.Connection, table: str) -> AbstractContextManager[BatchOperations]:
    """SQLite: the table rebuilt (copy, drop, rename) with AUTOINCREMENT, whether or not it
    changes; the copy keeps every id, so sqlite_sequence starts at the largest. Elsewhere: plain
    ALTER TABLE for whatever changes."""
    sqlite = bind.dialect.name == "sqlite"
    return op.batch_alter_table(
        table,
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
        # secret_hash is added last; the rebuilt table has it where create_all puts it.
        partial_reordering=[ACCOUNT_COLUMNS] if sqlite and table == "accounts" else None,
    )


def _hash_secrets(bind: sa.Connection) -> None:
    accounts = sa.table(
        "accounts", sa.column("id"), sa.column("secret_key"), sa.column("secret_hash")
    )
    for ident, secret in bind.execute(sa.select(accounts.c.id, accounts.c.secret_key)).all():
        hashed = hash_secret(secret)
        bind.execute(sa.update(accounts).where(accounts.c.id == ident).values(secret_hash=hashed))


def _key_addresses(bind: sa.Connection) -> None:
    e911s = sa.table(
        "e911s", *(sa.column(n) for n in ("id", "account_id", "address_key", *ADDRESS))
    )
    fields = [e911s.c[name] for name in ADDRESS]
    rows = bind.execute(sa.select(e911s.c.id, e911s.c.account_id, *fields).order_by(e911s.c.id))
    taken: set[tuple[int, str]] = set()
    for ident, account_id, *parts in rows.all():
        key = address_key(parts)
        if (account_id, key) in taken:
            # Two v1 records for one place: v1 compared the street fields as stored (case aside),
            # so inner spacing told them apart, and two concurrent creates could both pass its
            # check. The database now refuses such a pair, so the later record (higher id) gets
            # a key of its own: its address with its id appended, hashed. Both are kept; an
            # update of the later one computes the plain key again and is refused as a duplicate
            # until the address differs or the earlier record is deleted.
            key = address_key([*parts, f"v1 record {ident}"])
        taken.add((account_id, key))
        bind.execute(sa.update(e911s).where(e911s.c.id == ident).values(address_key=key))


def _continue_sequences(bind: sa.Connection) -> None:
    """Each id sequence past its table's largest id (rows inserted with explicit ids do not move
    it); never backwards, so an id handed out and deleted is still not handed out again."""
    for table in INTEGER_IDS:
        sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table})
        if sequence is None:
            continue
        largest = bind.scalar(sa.text(f'SELECT max(id) FROM "{table}"'))
        last = bind.scalar(sa.text(f"SELECT last_value FROM {sequence}"))
        if largest is not None and largest >= last:
            bind.execute(
                sa.text("SELECT setval(CAST(:s AS regclass), :v)"), {"s": sequence, "v": largest}
            )
