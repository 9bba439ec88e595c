"""Schema migrations: Alembic revisions in ``versions/``, run in code (no alembic.ini, no env.py).

``store.db.make_engine`` decides what a database needs and calls these on a connection it has
opened and locked. Revision 0001 is the first release's schema (``v1_schema.py``, frozen);
each later change to ``store/schema.py`` adds one revision file, ``versions/rNNNN_<what>.py``,
with ``revision = "NNNN"``, ``down_revision`` the previous one, and an ``upgrade()`` that
converts the data too. On SQLite, anything ALTER TABLE cannot do goes through
``op.batch_alter_table(..., recreate="always")`` with foreign keys off (make_engine's migration
connection has them off). tests/sandbox/test_migrations.py checks that upgrading leaves exactly
the tables that ``schema.metadata`` creates.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Column, Connection, MetaData, String, Table, insert, inspect, select

from ..schema import metadata

if TYPE_CHECKING:  # alembic costs ~100 ms to import: only a database that needs upgrading pays
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

HERE = Path(__file__).resolve().parent
# The revisions in versions/, oldest first (tests check this against alembic's own reading).
REVISIONS = ("0001", "0002", "0003", "0004")
HEAD = REVISIONS[-1]
# Alembic's own bookkeeping table, read and written here without importing alembic.
_VERSION = Table(
    "alembic_version",
    MetaData(),
    Column("version_num", String(32), primary_key=True),
)


class MigrationError(ValueError):
    """Alembic could not run the revisions (a broken install, say)."""


@functools.cache
def scripts() -> ScriptDirectory:
    """The revisions shipped with this package (read once per process)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(HERE), version_locations=[str(HERE / "versions")])


def head() -> str:
    """The newest revision this code knows."""
    return HEAD


def knows(revision: str) -> bool:
    return revision in REVISIONS


def _context(conn: Connection, target: str = "head") -> MigrationContext:
    from alembic.runtime.migration import MigrationContext, RevisionStep

    script = scripts()

    def steps(current: Any, _context: MigrationContext) -> list[RevisionStep]:
        return script._upgrade_revs(target, current)  # what alembic's own upgrade command runs

    return MigrationContext.configure(
        conn, opts={"script": script, "fn": steps, "target_metadata": metadata}
    )


def current(conn: Connection) -> tuple[str, ...]:
    """The revisions stamped in the database (empty when it has no alembic_version table)."""
    if not inspect(conn).has_table(_VERSION.name):
        return ()
    return tuple(conn.scalars(select(_VERSION.c.version_num)))


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` (or "head") as the database's schema without running anything."""
    _VERSION.create(conn, checkfirst=True)
    conn.execute(_VERSION.delete())
    conn.execute(insert(_VERSION).values(version_num=HEAD if revision == "head" else revision))


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run every revision from the stamped one to ``target``, in the connection's transaction."""
    from alembic.operations import Operations
    from alembic.util import CommandError

    context = _context(conn, target)
    try:
        with Operations.context(context):
            context.run_migrations()
    except CommandError as exc:
        raise MigrationError(str(exc)) from None
