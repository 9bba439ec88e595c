"""v1: the first release's schema (commit 0f288f5), exactly as its create_all made it.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

from flowroute.sandbox.store.migrations.v1_schema import metadata

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    metadata.create_all(op.get_bind())


def downgrade() -> None:
    metadata.drop_all(op.get_bind())
