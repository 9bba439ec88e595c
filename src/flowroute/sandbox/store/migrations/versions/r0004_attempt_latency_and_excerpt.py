"""v4: each webhook attempt's latency and an excerpt of the receiver's answer.

Revision ID: 0004
Revises: 0003

Two nullable columns on ``attempts``; the rows already there keep NULL in both (their latency
and answer were not recorded). On SQLite the table is rebuilt, so it reads exactly as a new
database's, and its AUTOINCREMENT counter carries on from where it was (never back).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_SEQUENCE = sa.table("sqlite_sequence", sa.column("name"), sa.column("seq"))


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    counted = _sequence(bind) if sqlite else None
    with op.batch_alter_table(
        "attempts",
        recreate="always" if sqlite else "auto",
        table_kwargs={"sqlite_autoincrement": True},
    ) as batch:
        batch.add_column(sa.Column("latency_ms", sa.Float))
        batch.add_column(sa.Column("response_excerpt", sa.Text))
    if counted is not None and counted > (_sequence(bind) or 0):
        # The copy restarts the counter at the largest id left; ids of deleted rows stay used.
        name = _SEQUENCE.c.name == "attempts"
        if _sequence(bind) is None:
            bind.execute(sa.insert(_SEQUENCE).values(name="attempts", seq=counted))
        else:
            bind.execute(sa.update(_SEQUENCE).where(name).values(seq=counted))


def downgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("response_excerpt")
        batch.drop_column("latency_ms")


def _sequence(bind: sa.Connection) -> int | None:
    """SQLite's AUTOINCREMENT counter for attempts (None before its first row)."""
    found = bind.scalar(sa.select(_SEQUENCE.c.seq).where(_SEQUENCE.c.name == "attempts"))
    return None if found is None else int(found)
