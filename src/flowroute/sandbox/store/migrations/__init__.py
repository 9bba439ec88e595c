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
from typing import Any

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext, RevisionStep
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from ..schema import metadata

HERE = Path(__file__).resolve().parent


@functools.cache
def scripts() -> ScriptDirectory:
    """The revisions shipped with this package (read once per process)."""
    return ScriptDirectory(str(HERE), version_locations=[str(HERE / "versions")])


def head() -> str:
    """The newest revision this code knows."""
    found = scripts().get_current_head()
    assert found is not None, "no revisions in store/migrations/versions"
    return found


def knows(revision: str) -> bool:
    return any(script.revision == revision for script in scripts().walk_revisions())


def _context(conn: Connection, target: str = "head") -> MigrationContext:
    script = scripts()

    def steps(current: Any, _context: MigrationContext) -> list[RevisionStep]:
        return script._upgrade_revs(target, current)  # what alembic's own upgrade command runs

    return MigrationContext.configure(
        conn, opts={"script": script, "fn": steps, "target_metadata": metadata}
    )


def current(conn: Connection) -> tuple[str, ...]:
    """The revisions stamped in the database (empty when it has no alembic_version table)."""
    return _context(conn).get_current_heads()


def stamp(conn: Connection, revision: str) -> None:
    """Record ``revision`` as the database's schema without running anything."""
    _context(conn).stamp(scripts(), revision)


def upgrade(conn: Connection, target: str = "head") -> None:
    """Run every revision from the stamped one to ``target``, in the connection's transaction."""
    context = _context(conn, target)
    with Operations.context(context):
        context.run_migrations()
