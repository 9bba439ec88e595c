"""Engine creation: SQLite in memory (tests), a SQLite file (``--db``), or a PostgreSQL URL.

``make_engine`` also brings the database's schema up to date: an empty database gets the tables
(stamped with the newest revision); one from an older sandbox is upgraded in place, data kept;
one from a newer sandbox is refused with one line. See ``store/migrations``.
"""

from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import time
from contextlib import suppress
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, make_url, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.pool import NullPool, StaticPool

from . import migrations
from .migrations import v1_schema
from .schema import metadata

logger = logging.getLogger("flowroute.sandbox")
# The pg_advisory_xact_lock key ("Flowrout" in ASCII): one migrating process per database.
MIGRATION_LOCK = 0x466C6F77726F7574
OURS = frozenset(metadata.tables) | frozenset(v1_schema.metadata.tables)


def database_url(db: str | None) -> str:
    """``None``/``:memory:`` -> in-memory SQLite; a path -> SQLite file; a URL -> as given."""
    if not db or db == ":memory:":
        return "sqlite://"
    if "://" in db:
        return db.replace("postgresql://", "postgresql+psycopg://", 1)
    return f"sqlite:///{db}"


def describe_database(db: str | None) -> str:
    """For banners and logs: where state lives, with any password hidden."""
    url = database_url(db)
    return "in memory" if url == "sqlite://" else make_url(url).render_as_string(hide_password=True)


class DatabaseError(ValueError):
    """The sandbox cannot use the database it was given (unreachable, unknown or newer layout)."""


def make_engine(db: str | None) -> Engine:
    url = database_url(db)
    where = describe_database(db)
    engine: Engine | None = None
    try:
        if url == "sqlite://":
            # One shared connection: the in-memory database lives exactly as long as the engine.
            engine = create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
            event.listen(engine, "connect", _sqlite_pragmas)
            with engine.begin() as conn:  # always new, so always empty
                metadata.create_all(conn)
                migrations.stamp(conn, "head")
        elif url.startswith("sqlite"):
            _create_private(make_url(url).database or "")
            _migrate_sqlite_file_patiently(url, where)
            engine = create_engine(url, connect_args={"check_same_thread": False})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    # Sandboxes or workers starting together: one migrates, the others wait for
                    # its commit and then find the schema current. Released at commit.
                    conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                _bring_up_to_date(conn, where)
    except DatabaseError:
        if engine is not None:
            engine.dispose()
        raise
    except (SQLAlchemyError, migrations.MigrationError, OSError) as exc:
        if engine is not None:
            engine.dispose()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise DatabaseError(f"cannot use the database {where}: {reason}") from None
    return engine


def _bring_up_to_date(conn: Connection, where: str) -> bool:
    """Create, stamp or upgrade the schema in ``conn``'s transaction; True if it upgraded."""
    found = migrations.current(conn)
    if not found:
        tables = set(inspect(conn).get_table_names())
        if not tables & OURS:  # a new database (or one holding only other programs' tables)
            metadata.create_all(conn)
            migrations.stamp(conn, "head")
            return False
        found = (_unversioned_revision(conn, tables, where),)
        migrations.stamp(conn, found[0])
    head = migrations.head()
    unknown = [revision for revision in found if not migrations.knows(revision)]
    if unknown:
        raise DatabaseError(
            f"the database {where} was written by a newer flowroute sandbox (schema revision "
            f"{', '.join(unknown)}; this one knows up to {head}): upgrade flowroute-sdk or use "
            "another --db"
        )
    if found == (head,):
        return False
    migrations.upgrade(conn)
    logger.warning(
        "upgraded the database %s from schema revision %s to %s (older sandboxes cannot use it)",
        where,
        ", ".join(found),
        head,
    )
    return True


def _unversioned_revision(conn: Connection, tables: set[str], where: str) -> str:
    """Which revision a database without alembic_version is at, judged by its tables."""
    found = inspect(conn)
    if "accounts" in tables:
        columns = {column["name"] for column in found.get_columns("accounts")}
        if "secret_hash" in columns:  # made by a build between the first release and migrations
            if "faults" not in tables:
                return "0002"
            tried = {column["name"] for column in found.get_columns("attempts")}
            return "0004" if "latency_ms" in tried else "0003"
    # The first release created any missing table at startup and refused a missing column, so
    # its databases hold every v1 column; anything less is older still and cannot be upgraded.
    for table in v1_schema.metadata.sorted_tables:
        if table.name in tables:
            present = {column["name"] for column in found.get_columns(table.name)}
            missing = [c.name for c in table.columns if c.name not in present]
            if missing:
                raise DatabaseError(
                    f"the database {where} was made by an older sandbox version (table "
                    f"{table.name} lacks {', '.join(missing)}) that cannot be upgraded; start "
                    "with a new --db file or delete this one"
                )
    v1_schema.metadata.create_all(conn)  # any table the first release would have added itself
    return "0001"


class FileLock:
    """An exclusive lock on ``<database>.lock`` for as long as one sandbox process uses a SQLite
    file: its send limits, faults and webhook leases live in that process, so a second process
    on the same file is refused instead of silently double-sending."""

    def __init__(self, db: str) -> None:
        self.path = f"{make_url(database_url(db)).database}.lock"
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(self._fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(self._fd)
            self._fd = None
            raise DatabaseError(
                f"the database {describe_database(db)} is in use by another sandbox process "
                f"(pid {holder}); stop it first, or share state between processes with "
                "--db postgresql://..."
            ) from None
        os.ftruncate(self._fd, 0)
        os.write(self._fd, str(os.getpid()).encode())

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


def lock_database(db: str | None) -> FileLock | None:
    """The lock a sandbox holds on its SQLite file (None for memory or a shared database)."""
    if database_url(db) == "sqlite://" or not database_url(db).startswith("sqlite"):
        return None
    return FileLock(str(db))


def _create_private(path: str) -> None:
    """A new database file is readable by its owner only; SQLite gives the -wal and -shm files
    it makes beside it the same mode. An existing file keeps the mode it has."""
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))


# How long a SQLite file's migration keeps retrying while another process holds the file.
SQLITE_MIGRATION_PATIENCE = 60.0


def _migrate_sqlite_file_patiently(url: str, where: str) -> None:
    """``_migrate_sqlite_file``, retried while another process holds the file. SQLite answers
    some waits (a journal-mode switch, a reader meeting another process's VACUUM or WAL
    checkpoint) with "database is locked" at once instead of calling the busy handler."""
    deadline = time.monotonic() + SQLITE_MIGRATION_PATIENCE
    pause = 0.02
    while True:
        try:
            _migrate_sqlite_file(url, where)
            return
        except OperationalError as exc:
            if "locked" not in str(exc.orig) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 1.0)


def _migrate_sqlite_file(url: str, where: str) -> None:
    """Bring a SQLite file up to date on a connection of its own: foreign keys off (a rebuilt
    table is dropped and renamed, which must not cascade) and one real transaction, taken with
    BEGIN IMMEDIATE so a second process starting on the same file waits and then finds it done."""
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 60})
    event.listen(engine, "connect", _migration_pragmas)
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    try:
        with engine.begin() as conn:
            upgraded = _bring_up_to_date(conn, where)
            orphan = upgraded and conn.exec_driver_sql("PRAGMA foreign_key_check").first()
            if orphan:  # the rebuilt tables were copied with foreign keys off: check them once
                raise DatabaseError(
                    f"cannot upgrade the database {where}: table {orphan[0]} has rows of an "
                    "account that does not exist (left as it was)"
                )
        if upgraded:
            # secure_delete zeroed every dropped page (old plain secrets among them); now write
            # the file compactly and fold the WAL into it. Best effort: a busy reader elsewhere
            # only delays this to SQLite's next checkpoint.
            raw = engine.raw_connection()
            try:
                with suppress(sqlite3.Error):
                    cursor = raw.cursor()
                    cursor.execute("VACUUM")
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
    finally:
        engine.dispose()


def _migration_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # the begin listener issues BEGIN, for DDL too
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=OFF")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
