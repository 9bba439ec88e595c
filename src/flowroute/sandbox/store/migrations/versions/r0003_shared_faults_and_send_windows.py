"""v3: injected faults and send attempts in the database, shared by PostgreSQL workers.

Revision ID: 0003
Revises: 0002

Two new tables, nothing converted.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _account() -> sa.ForeignKey:
    return sa.ForeignKey("accounts.id", ondelete="CASCADE")


def upgrade() -> None:
    op.create_table(
        "faults",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, _account(), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.String(512), nullable=False),
        sa.Column("remaining", sa.Integer, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("delay", sa.Float, nullable=False),
        sa.Column("drop", sa.Boolean, nullable=False),
        sa.Column("when", sa.String(8), nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_faults_account_id", "faults", ["account_id"])
    op.create_table(
        "send_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("account_id", sa.Integer, _account(), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_send_attempts_window", "send_attempts", ["account_id", "kind", "at"])
