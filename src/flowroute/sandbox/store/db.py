"""Engine creation: SQLite in memory (tests), a SQLite file (``--db``), or a PostgreSQL URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from .schema import metadata


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


def make_engine(db: str | None) -> Engine:
    url = database_url(db)
    if url == "sqlite://":
        # One shared connection: the in-memory database lives exactly as long as the engine.
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    elif url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
    else:
        engine = create_engine(url, pool_pre_ping=True)
    if url.startswith("sqlite"):
        event.listen(engine, "connect", _sqlite_pragmas)
    where = describe_database(db)
    try:
        metadata.create_all(engine)
        missing = _missing_columns(engine)
        problem = missing and (
            f"the database {where} was made by an older sandbox version ({missing}); start with "
            "a new --db file or delete this one"
        )
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        problem = f"cannot use the database {where}: {reason}"
    if problem:
        engine.dispose()
        raise DatabaseError(problem)
    return engine


class DatabaseError(ValueError):
    """The sandbox cannot use the database it was given (unreachable, or an older layout)."""


def _missing_columns(engine: Engine) -> str | None:
    """create_all adds missing tables but never columns: a file from an older sandbox version
    would fail on its first request, so refuse it at startup instead (no migrations yet)."""
    found = inspect(engine)
    for table in metadata.sorted_tables:
        present = {column["name"] for column in found.get_columns(table.name)}
        missing = [c.name for c in table.columns if c.name not in present]
        if missing:
            return f"table {table.name} lacks {', '.join(missing)}"
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
