"""Schema migrations: a database from the first release (fixtures/sandbox-v1.sqlite3, made by that
release's own sandbox) is upgraded in place with its data; a newer one is refused in one line;
new SQLite files are private (0600)."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import httpx2
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, insert, select, text
from typer.testing import CliRunner

from flowroute import PermissionDeniedError
from flowroute.cli.app import app
from flowroute.sandbox import SandboxSettings
from flowroute.sandbox.passwords import verify_secret
from flowroute.sandbox.server import running
from flowroute.sandbox.store import migrations
from flowroute.sandbox.store.db import DatabaseError, make_engine
from flowroute.sandbox.store.migrations import v1_schema as v1
from flowroute.sandbox.store.schema import address_key, metadata

from ..support import free_port

FIXTURE = Path(__file__).parent / "fixtures" / "sandbox-v1.sqlite3"
# What fixtures/make_sandbox_v1.py put there (see fixtures/README.md).
ALPHA = ("fixture-alpha", "alpha-plain-secret-4711")
BETA = ("fixture-beta", "beta-plain-secret-0815")
ADDRESS = ("645", "Elliott Ave W", "Seattle", "WA", "US", "98119", "Suite", "300")
LONG_SECRET = "".join(f"long-plain-secret-{i:04d}:" for i in range(150))
STREET = ("street_number", "street_name", "city", "state", "country", "zip")
OLD_MAX_ID = {"routes": 3, "e911s": 4, "cnams": 3, "deliveries": 4, "attempts": 4, "numbers": 3}


@pytest.fixture
def v1_file(tmp_path: Path) -> Path:
    path = tmp_path / "sandbox.db"
    shutil.copyfile(FIXTURE, path)
    return path


def rows(path: Path, query: str, *params: object) -> list[tuple[Any, ...]]:
    """Run one statement on the file (committed; the connection closed) and return its rows."""
    with closing(sqlite3.connect(path)) as db, db:
        return db.execute(query, params).fetchall()


def sqlite_schema(path: Path) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """Every table (columns in order, constraints in any order: SQLite does not care, and a
    rebuilt table lists them as it found them) and index, as SQLite keeps them."""
    found = rows(path, "SELECT type, name, sql FROM sqlite_master WHERE name != 'alembic_version'")
    schema = {}
    for kind, name, sql in found:
        if sql is None:  # SQLite's own indexes for UNIQUE constraints
            continue
        lines = [line.strip().rstrip(",") for line in str(sql).splitlines()]
        lines[0] = lines[0].replace(f'"{name}"', str(name))  # a rebuilt table's name is quoted
        constraint = ("CONSTRAINT ", "UNIQUE ", "FOREIGN KEY", "PRIMARY KEY", "CHECK ")
        columns = [line for line in lines if not line.startswith(constraint)]
        schema[str(kind), str(name)] = (columns, sorted(set(lines) - set(columns)))
    return schema


def schema_differences(engine: Engine) -> list[object]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), metadata))


def test_revision_0001_is_exactly_the_first_release_schema(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'v1.db'}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0001")
    engine.dispose()
    # The fixture's tables were made by the release itself, so this is the release's schema.
    assert sqlite_schema(tmp_path / "v1.db") == sqlite_schema(FIXTURE)
    assert migrations.head() == migrations.REVISIONS[-1]


def test_a_v1_file_is_upgraded_in_place_with_its_data(
    v1_file: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # A third account whose secret spans overflow pages: freed by the rebuild and not all used
    # again, they keep the plain text unless the migration wipes them (secure_delete, VACUUM).
    rows(v1_file, "INSERT INTO accounts VALUES (3, 'long', ?, 0, 'jsonapi')", LONG_SECRET)
    counts = {t: rows(v1_file, f"SELECT count(*) FROM {t}")[0][0] for t in v1.metadata.tables}
    assert counts["e911s"] == 4
    assert rows(v1_file, "SELECT claimed FROM deliveries WHERE id = 1") == [(1,)]

    with caplog.at_level(logging.WARNING, logger="flowroute.sandbox"):
        engine = make_engine(str(v1_file))
    try:
        assert schema_differences(engine) == []
    finally:
        engine.dispose()
    assert caplog.messages == [
        f"upgraded the database sqlite:///{v1_file} from schema revision 0001 to {migrations.HEAD} (older "
        "sandboxes cannot use it)"
    ]

    assert rows(v1_file, "SELECT version_num FROM alembic_version") == [(migrations.head(),)]
    assert {t: rows(v1_file, f"SELECT count(*) FROM {t}")[0][0] for t in counts} == counts
    # Secrets: hashed, still the same secrets, and no plain copy left anywhere in the files.
    hashes = dict(rows(v1_file, "SELECT access_key, secret_hash FROM accounts"))
    files = list(v1_file.parent.glob(v1_file.name + "*"))  # the database, and any -wal, -shm
    for key, secret in (ALPHA, BETA, ("long", LONG_SECRET)):
        assert verify_secret(secret, str(hashes[key]))
        leaks = [f"{key} in {f.name}" for f in files if secret[:20].encode() in f.read_bytes()]
        assert leaks == []  # (names only: a failure shows no file bytes)
    # The delivery a crash left claimed is pending and free to send; nothing else changed.
    assert rows(v1_file, "SELECT id, state, attempts, lease_until FROM deliveries") == [
        (ident, "pending", 1, None) for ident in (1, 2, 3, 4)
    ]
    # E911: the whole-address key; alpha's records 1 and 3 are one place, so 3 got its own key.
    keys = dict(rows(v1_file, "SELECT id, address_key FROM e911s"))
    assert keys[1] == keys[4] == address_key(ADDRESS)  # beta's record 4: another account
    assert keys[3] == address_key([*ADDRESS, "v1 record 3"])
    assert len({keys[1], keys[2], keys[3]}) == 3
    # AUTOINCREMENT, counting on from the largest id.
    sequences = dict(rows(v1_file, "SELECT name, seq FROM sqlite_sequence"))
    assert {t: sequences[t] for t in OLD_MAX_ID} == OLD_MAX_ID
    # Exactly the tables, columns, constraints and indexes a new database gets.
    make_engine(str(tmp_path / "fresh.db")).dispose()
    assert sqlite_schema(v1_file) == sqlite_schema(tmp_path / "fresh.db")
    assert rows(tmp_path / "fresh.db", "SELECT * FROM alembic_version") == [(migrations.head(),)]


def test_revision_0004_adds_attempt_latency_and_excerpt_keeping_the_rows(tmp_path: Path) -> None:
    path = tmp_path / "v3.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        migrations.upgrade(conn, "0003")
    engine.dispose()
    rows(path, "INSERT INTO accounts VALUES (1, 'k', 'hash', 0, 'jsonapi')")
    attempt = "INSERT INTO attempts VALUES (?, 1, 7, 'sms', NULL, 'http://x/h', '{}', 5.0, ?, ?, ?)"
    rows(path, attempt, 1, 200, "delivered", None)
    rows(path, attempt, 2, None, "blocked", "not contacted: no")
    rows(path, attempt, 3, 503, "failed", "receiver answered 503")
    rows(path, "DELETE FROM attempts WHERE id = 3")  # its id stays used

    make_engine(str(path)).dispose()
    assert rows(path, "SELECT version_num FROM alembic_version") == [(migrations.HEAD,)]
    kept = "SELECT id, status_code, outcome, error, latency_ms, response_excerpt FROM attempts"
    assert rows(path, kept) == [
        (1, 200, "delivered", None, None, None),
        (2, None, "blocked", "not contacted: no", None, None),
    ]
    assert rows(path, "SELECT seq FROM sqlite_sequence WHERE name = 'attempts'") == [(3,)]
    make_engine(str(tmp_path / "fresh.db")).dispose()
    assert sqlite_schema(path) == sqlite_schema(tmp_path / "fresh.db")


def test_a_sandbox_serves_an_upgraded_v1_file(v1_file: Path) -> None:
    with running(SandboxSettings(db=str(v1_file), clock_speed=0)) as server:
        with server.client(access_key=ALPHA[0], secret_key=ALPHA[1]) as alpha:
            numbers = {n.id: n for n in alpha.numbers.list()}
            assert len(numbers) == 2
            (front,) = [n for n in numbers.values() if n.alias == "front desk"]
            details = alpha.numbers.retrieve(front.id)
            assert (details.primary_route_id, details.failover_route_id) == ("1", "2")
            assert (details.e911_address_id, details.cnam_preset_id) == ("1", "1")
            assert [(r.id, r.alias) for r in alpha.routes.list()][1:] == [
                ("1", "office-pbx"),
                ("2", "backup"),
            ]
            e911s = {int(e.id): e for e in alpha.e911s.list()}
            assert sorted(e911s) == [1, 2, 3]
            assert e911s[3].street_name == "Elliott  Ave W" and e911s[1].label == "Head office"
            # Record 3 is the same place as record 1 now: kept, but while it stays that place
            # an update is a duplicate; moved elsewhere, it is an ordinary record again.
            with pytest.raises(PermissionDeniedError, match="Duplicate address"):
                alpha.e911s.update(3, label="Annex, renamed")
            assert alpha.e911s.update(3, street_number="647").street_number == "647"
            cnams = sorted(str(c.value) for c in alpha.cnams.list())
            assert cnams == ["LOVELACE LABS", "PENDING NAME"]
            bodies = sorted(str(m.body) for m in alpha.messages.list(start_date="2000-01-01"))
            assert bodies == ["STOP", "Thanks, on my way!", "Your table for 2 is ready."]
            assert alpha.callbacks.get("sms").callback_url == "http://127.0.0.1:9/hook"
            # New ids follow every old one (route 3 was alpha's, deleted, then beta's) and are
            # never handed out twice from now on.
            first = alpha.routes.create(alias="new", route_type="host", value="n.example")
            alpha.routes.delete(first.id)
            second = alpha.routes.create(alias="newer", route_type="host", value="n.example")
            assert OLD_MAX_ID["routes"] < int(first.id) < int(second.id)
            office = alpha.e911s.retrieve(1)
            fields = {name: getattr(office, name) for name in ("first_name", "last_name")}
            moved = alpha.e911s.create(
                **fields, label="New", street_number="1", street_name="Pike St",
                city="Seattle", state="WA", country="US", zip="98101",
            )  # fmt: skip
            assert int(moved.id) > OLD_MAX_ID["e911s"]
            assert int(alpha.cnams.create("New Name").id) > OLD_MAX_ID["cnams"]
        with server.client(access_key=BETA[0], secret_key=BETA[1]) as beta:
            assert len(list(beta.numbers.list())) == 1
            assert [r.alias for r in beta.routes.list()][1:] == ["office-pbx"]
            assert [e.id for e in beta.e911s.list()] == ["4"]
            bodies = [str(m.body) for m in beta.messages.list(start_date="2000-01-01")]
            assert bodies == ["Hello from beta"]
        wrong = httpx2.get(f"{server.base_url}/v2/numbers", auth=(ALPHA[0], "not-the-secret"))
        assert wrong.status_code == 401
        assert ALPHA[1] not in wrong.text


def test_two_processes_upgrading_one_sqlite_file_take_turns(v1_file: Path) -> None:
    engines = _together(lambda: make_engine(str(v1_file)))
    for engine in engines:
        engine.dispose()
    hashes = dict(rows(v1_file, "SELECT access_key, secret_hash FROM accounts"))
    assert verify_secret(ALPHA[1], str(hashes[ALPHA[0]]))  # hashed once, not twice


def test_a_database_from_a_newer_sandbox_is_refused_in_one_line(tmp_path: Path) -> None:
    path = _stamped_by_the_future(tmp_path)
    result = CliRunner().invoke(app, ["sandbox", "--db", str(path), "--port", "0"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: the database sqlite:///{path} was written by a newer flowroute sandbox (schema "
        f"revision 0099_future; this one knows up to {migrations.head()}): upgrade "
        "flowroute-sdk or use another --db\n"
    )
    port = str(free_port())
    proc = subprocess.run(  # noqa: PLW1510 - the exit code is asserted
        [sys.executable, "-m", "flowroute.sandbox", "--db", str(path), "--port", port],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if "0099_future" in line]
    # The same sentence (argparse adds its prefix, and here its usage lines before it).
    assert result.stderr.strip().removeprefix("error: ") in line
    assert rows(path, "SELECT * FROM alembic_version") == [("0099_future",)]  # left alone


def test_an_unversioned_v2_database_is_stamped_not_upgraded(tmp_path: Path) -> None:
    """Builds between the first release and migrations made v2 tables without alembic_version."""
    path = tmp_path / "between.db"
    engine = create_engine(f"sqlite:///{path}")
    metadata.create_all(engine)
    engine.dispose()
    make_engine(str(path)).dispose()
    assert rows(path, "SELECT * FROM alembic_version") == [(migrations.HEAD,)]


def test_an_unversioned_database_older_than_v1_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    rows(path, "CREATE TABLE numbers (id INTEGER PRIMARY KEY, account_id INTEGER)")
    with pytest.raises(DatabaseError, match=r"table numbers lacks value, alias, .* cannot be"):
        make_engine(str(path))


def test_new_sqlite_files_and_their_wal_and_shm_are_private(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    engine = make_engine(str(path))
    try:
        with engine.begin() as conn:  # a write, with the connection kept open: -wal and -shm
            values = {"access_key": "k", "secret_hash": "-", "clock_offset": 0.0}
            conn.execute(insert(metadata.tables["accounts"]).values(values))
            files = sorted(tmp_path.iterdir())
            assert [f.name for f in files] == ["private.db", "private.db-shm", "private.db-wal"]
            assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == dict.fromkeys(
                (f.name for f in files), 0o600
            )
    finally:
        engine.dispose()


def test_postgres_v1_schema_is_upgraded_by_concurrent_sandboxes(postgres_database: str) -> None:
    v1_engine = create_engine(postgres_database.replace("postgresql://", "postgresql+psycopg://"))
    with v1_engine.begin() as conn:
        migrations.upgrade(conn, "0001")
        account = dict(clock_offset=0.0, webhook_format="jsonapi")
        conn.execute(
            insert(v1.accounts).values(id=7, access_key="pg", secret_key="pg-s", **account)
        )
        route = dict(account_id=7, route_type="host", value="pg.example")
        conn.execute(insert(v1.routes).values(alias="a", **route))
        conn.execute(insert(v1.routes).values(id=40, alias="b", **route))  # the sequence lags
        delivery = dict(account_id=7, kind="dlr", url="u", body="{}", due_at=0.0, attempts=0)
        conn.execute(insert(v1.deliveries).values(state="pending", claimed=True, **delivery))
        tried = dict(account_id=7, delivery_id=1, kind="dlr", url="u", body="{}", at=1.0)
        conn.execute(insert(v1.attempts).values(status_code=200, outcome="delivered", **tried))
        person = dict(account_id=7, label="l", first_name="f", last_name="l")
        place = dict(zip(STREET, ADDRESS[:6], strict=True))
        for street in ("Elliott Ave W", "Elliott  Ave W"):
            conn.execute(insert(v1.e911s).values(**person, **{**place, "street_name": street}))
    v1_engine.dispose()

    engines = _together(lambda: make_engine(postgres_database))  # one migrates, one waits
    try:
        engine = engines[0]
        assert schema_differences(engine) == []
        with engine.begin() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == migrations.HEAD
            secret_hash = conn.scalar(text("SELECT secret_hash FROM accounts"))
            assert verify_secret("pg-s", secret_hash)
            assert conn.execute(text("SELECT state, lease_until FROM deliveries")).all() == [
                ("pending", None)
            ]
            # Attempts from before revision 0004 have no latency or excerpt.
            assert conn.execute(
                text("SELECT status_code, outcome, latency_ms, response_excerpt FROM attempts")
            ).all() == [(200, "delivered", None, None)]
            keys = conn.scalars(text("SELECT address_key FROM e911s ORDER BY id")).all()
            bare = [*ADDRESS[:6], None, None]  # no unit
            assert keys == [address_key(bare), address_key([*bare, "v1 record 2"])]
            routes = metadata.tables["routes"]
            created = conn.execute(insert(routes).values(alias="c", **route)).inserted_primary_key
            assert created is not None and created[0] == 41
            created = conn.execute(
                insert(metadata.tables["accounts"]).values(
                    access_key="pg2", secret_hash="x", **account
                )
            ).inserted_primary_key
            assert created is not None and created[0] == 8
            assert conn.scalar(select(routes.c.alias).where(routes.c.id == 40)) == "b"
    finally:
        for engine in engines:
            engine.dispose()


def _together(start: Callable[[], Engine]) -> list[Engine]:
    """Two make_engine calls released at the same instant, as two processes starting at once."""
    barrier = threading.Barrier(2)
    results: list[Engine] = []
    errors: list[BaseException] = []

    def run() -> None:
        barrier.wait()
        try:
            results.append(start())
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 2
    return results


def _stamped_by_the_future(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    make_engine(str(path)).dispose()
    rows(path, "UPDATE alembic_version SET version_num = '0099_future'")
    return path


def test_the_revision_list_is_alembics() -> None:
    """``REVISIONS`` lets a current database start without importing alembic; it must name
    exactly the files in versions/, oldest first."""
    walked = [script.revision for script in migrations.scripts().walk_revisions()]
    assert tuple(reversed(walked)) == migrations.REVISIONS
    assert migrations.scripts().get_current_head() == migrations.HEAD


def test_a_current_database_starts_without_alembic(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from flowroute.sandbox.store.db import make_engine\n"
        f"make_engine(None).dispose(); make_engine({str(tmp_path / 'x.db')!r}).dispose()\n"
        f"make_engine({str(tmp_path / 'x.db')!r}).dispose()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
