"""Tables. Every row belongs to an account (one per access key); accounts never see each other."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("access_key", String(128), nullable=False, unique=True),
    Column("secret_key", String(256), nullable=False),
    Column("clock_offset", Float, nullable=False, default=0.0),
)

numbers = Table(
    "numbers",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    # Each account has its own copy of the inventory, so accounts stay fully isolated.
    Column("value", String(16), nullable=False),
    Column("alias", String(64)),
    Column("cnam_lookups_enabled", Boolean, nullable=False, default=True),
    Column("messaging_enabled", Boolean, nullable=False, default=False),
    Column("number_type", String(16), nullable=False),
    Column("rate_center", String(32)),
    Column("state", String(2)),
    Column("iso_country", String(2), nullable=False, default="US"),
    Column("tier", String(32), nullable=False),
    Column("monthly_cost", Float, nullable=False),
    Column("setup_cost", Float, nullable=False),
    Column("inbound_rate", Float, nullable=False),
    Column("primary_route_id", Integer),
    Column("failover_route_id", Integer),
    UniqueConstraint("account_id", "value", name="uq_number_owner"),
)

routes = Table(
    "routes",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("alias", String(64), nullable=False),
    Column("route_type", String(16), nullable=False),
    Column("value", String(256), nullable=False),
    Column("edge_strategy_id", Integer),
    UniqueConstraint("account_id", "alias", name="uq_route_alias"),
)
