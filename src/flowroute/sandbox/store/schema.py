"""Tables. Every row belongs to an account (one per access key); accounts never see each other.

Every table with an integer key uses SQLite's AUTOINCREMENT (PostgreSQL sequences behave so
already): an id, once handed out and deleted, is never given to another record.
Changing a table here needs a migration in ``store/migrations/versions``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("access_key", String(128), nullable=False, unique=True),
    # A salted hash of the secret key (see sandbox/passwords.py); never the secret itself.
    Column("secret_hash", String(256), nullable=False),
    Column("clock_offset", Float, nullable=False, default=0.0),
    # How webhooks are shaped for this account: "jsonapi" (default) or "compact".
    Column("webhook_format", String(16), nullable=False, default="jsonapi"),
    sqlite_autoincrement=True,
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
    Column("e911_id", Integer),
    Column("cnam_id", Integer),
    UniqueConstraint("account_id", "value", name="uq_number_owner"),
    sqlite_autoincrement=True,
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
    sqlite_autoincrement=True,
)


messages = Table(
    "messages",
    metadata,
    Column("id", String(40), primary_key=True),  # mdr2-<32 hex>
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("direction", String(8), nullable=False),
    Column("from_number", String(16), nullable=False),
    Column("to_number", String(16), nullable=False),
    Column("body", Text),
    Column("is_mms", Boolean, nullable=False),
    Column("media", JSON, nullable=False, default=list),
    Column("message_encoding", Integer, nullable=False),
    Column("segments", Integer, nullable=False),
    Column("amount_nanodollars", Integer, nullable=False),
    Column("message_type", String(16), nullable=False),
    Column("created_at", Float, nullable=False, index=True),  # virtual epoch seconds
    Column("dlr_callback", String(2048)),
    # "delivered", "failed" or "none": how the sandbox plays this message's receipts.
    Column("outcome", String(16), nullable=False, default="delivered"),
)

callbacks = Table(
    "callbacks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(16), nullable=False, default=""),  # "" = account level
    Column("kind", String(32), nullable=False),  # sms_callback, mms_callback, *_dlr_callback
    Column("url", String(2048), nullable=False),
    UniqueConstraint("account_id", "number", "kind", name="uq_callback"),
    sqlite_autoincrement=True,
)

opt_outs = Table(
    "opt_outs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("number", String(16), nullable=False),  # the account's number
    Column("subscriber", String(16), nullable=False),  # who texted STOP
    UniqueConstraint("account_id", "number", "subscriber", name="uq_opt_out"),
    sqlite_autoincrement=True,
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # inbound_sms, inbound_mms, dlr
    Column("message_id", String(40)),
    Column("url", String(2048), nullable=False),
    Column("body", Text, nullable=False),
    Column("due_at", Float, nullable=False, index=True),  # virtual epoch seconds
    Column("attempts", Integer, nullable=False, default=0),
    Column("state", String(16), nullable=False, default="pending"),
    # A claim is a lease: the worker sending this delivery owns it until this real (wall-clock)
    # epoch second. NULL or past means anyone may send it, so a crash never loses a webhook.
    Column("lease_until", Float),
    sqlite_autoincrement=True,
)

attempts = Table(
    "attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("delivery_id", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("message_id", String(40)),
    Column("url", String(2048), nullable=False),
    Column("body", Text, nullable=False),
    Column("at", Float, nullable=False),
    Column("status_code", Integer),
    Column("outcome", String(16), nullable=False),  # delivered, failed, blocked
    Column("error", Text),
    # Revision 0004; NULL for a blocked attempt (never sent) and for older rows.
    Column("latency_ms", Float),
    Column("response_excerpt", Text),  # the start of the receiver's answer, as text
    sqlite_autoincrement=True,
)


e911s = Table(
    "e911s",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("label", String(128), nullable=False),
    Column("first_name", String(128), nullable=False),
    Column("last_name", String(128), nullable=False),
    Column("street_number", String(32), nullable=False),
    Column("street_name", String(256), nullable=False),
    Column("city", String(128), nullable=False),
    Column("state", String(2), nullable=False),
    Column("country", String(2), nullable=False),
    Column("zip", String(16), nullable=False),
    Column("address_type", String(32)),
    Column("address_type_number", String(32)),
    # The whole address, normalised (case and spacing) and hashed: two records for one place
    # are refused by the database itself, so concurrent creates cannot both pass.
    Column("address_key", String(64), nullable=False),
    UniqueConstraint("account_id", "address_key", name="uq_e911_address"),
    sqlite_autoincrement=True,
)

cnams = Table(
    "cnams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("value", String(15), nullable=False),
    Column("created_at", Float, nullable=False),  # virtual epoch seconds
    # Set by the control API; otherwise review happens by itself after the approval delay.
    Column("decision", String(16)),
    Column("decided_at", Float),
    Column("rejection_reason", String(256)),
    sqlite_autoincrement=True,
)


# Call records: explicit ones, plus generated blocks expanded on demand (1M records cost one row).
calls = Table(
    "calls",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("start_time", Float, nullable=False),
    Column("row", JSON, nullable=False),  # the 25 CSV fields, in column order
    sqlite_autoincrement=True,
)

call_blocks = Table(
    "call_blocks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seed", Integer, nullable=False),
    Column("size", Integer, nullable=False),
    Column("start_time", Float, nullable=False),
    Column("end_time", Float, nullable=False),
    sqlite_autoincrement=True,
)

cdr_exports = Table(
    "cdr_exports",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("token", String(64), nullable=False, unique=True),
    Column("callback_url", String(2048)),
    Column("filters", JSON, nullable=False),
    Column("requested_at", Float, nullable=False),
    Column("completes_at", Float, nullable=False),
    Column("failure", String(256)),  # set when the export fails (magic filter)
    Column("totals", JSON),  # computed once, when first seen completed
    sqlite_autoincrement=True,
)


# Injected faults and send attempts live here when several processes share the database
# (PostgreSQL workers), so limits and faults hold across them; a single-process sandbox keeps
# both in memory.
faults = Table(
    "faults",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("method", String(8), nullable=False),
    Column("path", String(512), nullable=False),
    Column("remaining", Integer, nullable=False),
    Column("status", Integer),
    Column("delay", Float, nullable=False, default=0.0),
    Column("drop", Boolean, nullable=False, default=False),
    Column("when", String(8), nullable=False, default="before"),
    Column("headers", JSON, nullable=False, default=dict),
    sqlite_autoincrement=True,
)

send_attempts = Table(
    "send_attempts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(8), nullable=False),  # sms, mms
    Column("at", Float, nullable=False),  # real (wall-clock) epoch seconds
    Index("ix_send_attempts_window", "account_id", "kind", "at"),
    sqlite_autoincrement=True,
)


def address_key(parts: Iterable[object]) -> str:
    """``e911s.address_key``: the address fields (street number to unit number, in order),
    compared case- and space-insensitively."""
    text = "\x1f".join(" ".join(str(part or "").lower().split()) for part in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
