"""The test database: in-memory SQLite by default, a real PostgreSQL when
TEST_DATABASE_URL points at one (`make test` runs the suite on both).

Most tests share one app (tests/conftest.py): its schema is created once and after each
test every row is deleted (`reset_database`): only the tables that hold rows, without
foreign-key checks, and ids start again at 1 (on PostgreSQL the used id sequences restart).
That takes about a millisecond; creating ninety tables again, or deleting from every one of
them with the checks on, took 15–20. Tests with an app of their own call `fresh_schema` and
`empty_database`; on PostgreSQL they use the same database, so if one dropped tables, the next
test notices (one catalogue query) and builds the schema again.

With pytest-xdist each worker is a process of its own: its own in-memory SQLite database, and
on PostgreSQL a database of its own (tests/__init__.py). What takes long to build and is the same
for every worker (the demo's rows, the authorisation world, the demo's SQLite file) is built once
per run by the first worker that needs it and read by the others (`once_per_run`).
"""

import atexit
import copy
import fcntl
import os
import pickle
import shutil
import sqlite3
import tempfile
from contextlib import closing, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text

from app.extensions import db, limiter, write_lock

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
SKIP_ON_POSTGRES_REASON = (
    "runs against a file-backed SQLite live server (tests/browser/conftest.py); covered by the SQLite run of the suite"
)


def _table_names():
    return sorted(table.name for table in db.metadata.sorted_tables)


def _autocommit():
    """A connection without BEGIN and COMMIT: one round trip per statement instead of three."""
    return db.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def _schema_complete():
    with _autocommit() as connection:
        present = set(connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    return present >= set(_table_names())


_schema_built = False  # the first test of a run builds it anew (a crashed run may have left rows)


def fresh_schema():
    """Called in an app context before a test: an empty database with every table."""
    global _schema_built
    if not ON_POSTGRES:
        db.create_all()
        return
    if not _schema_built or not _schema_complete():
        _schema_built = True
        db.session.remove()
        with db.engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        db.create_all()


def clear_tables():
    """Delete every row, keep the tables; ids start again at 1. Only the tables that hold rows are
    emptied (one probe finds them), without foreign-key checks: every table that holds rows is
    emptied, so no row can be left pointing at a deleted one. About 1 ms instead of 15–20 ms."""
    db.session.remove()
    if _on_postgres():
        tables = ", ".join(f"'{name}'" for name in _children_first())
        with _autocommit() as connection:  # the DO block is a transaction of its own
            connection.exec_driver_sql(_POSTGRES_CLEAR.format(tables=tables))
        return
    names = _children_first()
    raw = db.engine.raw_connection()  # sqlite3 in autocommit mode (app/extensions.py)
    try:
        connection = raw.driver_connection
        filled = {name for (name,) in connection.execute(_probe(names))}
        # Only outside a transaction; with the checks on, each DELETE would look up every child table.
        connection.execute("PRAGMA foreign_keys = OFF")
        try:
            connection.execute("BEGIN")
            for name in names:
                if name in filled:
                    connection.execute(f'DELETE FROM "{name}"')
            connection.execute("COMMIT")
        finally:
            connection.execute("PRAGMA foreign_keys = ON")
    finally:
        raw.close()


def _on_postgres():
    """The current app's database (a test's SQLite file app in a PostgreSQL run is SQLite)."""
    return db.engine.dialect.name == "postgresql"


def _children_first():
    return [table.name for table in reversed(db.metadata.sorted_tables)]


def _probe(names):
    return " UNION ALL ".join(f"SELECT '{name}' FROM (SELECT 1 FROM \"{name}\" LIMIT 1)" for name in names)


# One statement, one round trip: the tables that hold rows are emptied, children first, without
# foreign-key triggers (replica role), then the id sequences that were used start again at 1.
# DELETE is much quicker than TRUNCATE here (a new file per table). A test that left a transaction
# open elsewhere makes it fail clearly (lock_timeout) instead of hanging.
_POSTGRES_CLEAR = """
DO $$
DECLARE
    name text;
    filled boolean;
BEGIN
    PERFORM set_config('lock_timeout', '10s', true), set_config('session_replication_role', 'replica', true);
    FOREACH name IN ARRAY ARRAY[{tables}] LOOP
        CONTINUE WHEN to_regclass(quote_ident(name)) IS NULL;  -- dropped by a test's own app
        EXECUTE 'SELECT EXISTS (SELECT FROM ' || quote_ident(name) || ')' INTO filled;
        IF filled THEN
            EXECUTE 'DELETE FROM ' || quote_ident(name);
        END IF;
    END LOOP;
    PERFORM setval(quote_ident(sequencename)::regclass, 1, false)
        FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL;
END
$$"""


def shared_schema_ready():
    """Called in the shared app's context before a test. Its in-memory SQLite database is its own;
    a PostgreSQL database is shared with the tests' own apps, which may have dropped tables."""
    if ON_POSTGRES:
        fresh_schema()


@contextmanager
def the_shared_app(app, uploads):
    """The run's app in an app context, with the upload folder `uploads` and a copy of its
    configuration; left with every row deleted, and its configuration and page cache as they were.
    For a test (`app`), or for a module whose tests share what it loaded (they only read)."""
    config = copy.deepcopy(dict(app.config))
    app.config["UPLOAD_FOLDER"] = str(uploads)
    Path(uploads).mkdir()
    # The limiter is one object for every app; an app made by another test may have switched it on.
    limiter.init_app(app)
    try:
        with app.app_context():
            shared_schema_ready()
            yield app
            reset_database()
    finally:
        app.config.clear()
        app.config.update(config)
        if hasattr(app.wsgi_app, "clear"):  # the page cache: pages of this test's data and config
            app.wsgi_app.clear()


def reset_database():
    """Called in the shared app's context after a test: no rows left, the schema kept."""
    clear_tables()


def empty_database():
    """Called in the app context after a test on an app of its own."""
    db.session.remove()
    if not ON_POSTGRES:
        db.drop_all()
        return
    clear_tables()
    db.session.remove()
    db.engine.dispose()  # each test's app has its own pool: do not let connections pile up


def skip_browser_tests_on_postgres(items):
    if not ON_POSTGRES:
        return
    import pytest

    marker = pytest.mark.skip(reason=SKIP_ON_POSTGRES_REASON)
    browser_tests = Path(__file__).resolve().parent / "browser"
    for item in items:
        if browser_tests in item.path.parents:
            item.add_marker(marker)


def table_rows():
    """Every row of every table: {table name: [row dicts]} (see `restore_rows`)."""
    from sqlalchemy import select

    rows = {
        table.name: [dict(row._mapping) for row in db.session.execute(select(table))]
        for table in db.metadata.sorted_tables
    }
    db.session.rollback()
    return rows


def restore_rows(rows, tables=None):
    """Put rows taken by `table_rows` back (ids included): a second or two for the whole demo,
    which takes 10–20 s to load. Every table is emptied first, or, with `tables` (names), only
    those are: the others still hold exactly these rows (the route walks know which tables a
    request wrote to: tests/security/writes.py), a few milliseconds instead of a quarter second."""
    postgres = _on_postgres()
    if tables is None:
        clear_tables()
        chosen = db.metadata.sorted_tables
    else:
        chosen = [table for table in db.metadata.sorted_tables if table.name in set(tables)]
        if not chosen:
            return
        db.session.remove()
    with db.engine.begin() as connection:
        if postgres:
            if tables is not None:  # rows of the other tables still refer to the ones deleted here
                connection.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            # After the write lock, which starts the transaction anew (BEGIN IMMEDIATE): a COMMIT
            # would switch the pragma off again.
            write_lock(connection)
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        if tables is not None:
            for table in reversed(chosen):
                connection.execute(table.delete())
        for table in chosen:
            # In id order, so a row referring to another of its table (a reply) follows it.
            ordered = sorted(rows.get(table.name) or (), key=lambda row: row.get("id") or 0)
            if ordered:
                connection.execute(table.insert(), ordered)
        if postgres:
            _set_sequences(connection, chosen, rows)
    db.session.remove()


def _set_sequences(connection, tables, rows):
    """The id sequences of these tables go on after the rows put back (or start at 1), in one statement."""
    settings = []
    for table in tables:
        columns = [
            c
            for c in table.primary_key.columns
            if c.autoincrement is True or (c.autoincrement == "auto" and c.type.python_type is int)
        ]
        if len(columns) != 1:
            continue
        sequence = f"pg_get_serial_sequence('\"{table.name}\"', '{columns[0].name}')"
        if rows.get(table.name):
            settings.append(f'setval({sequence}, (SELECT max("{columns[0].name}") FROM "{table.name}"))')
        else:  # as `clear_tables` leaves it: the next row is 1
            settings.append(f"setval({sequence}, 1, false)")
    if settings:
        connection.exec_driver_sql("SELECT " + ", ".join(settings))


def keys_of(value):
    """`value` (a dict, list or tuple of rows and other values) with each row as (model, primary
    key) and everything else copied: it outlives the session and the rows."""
    if isinstance(value, db.Model):
        return _Key(type(value), inspect(value).identity)
    if isinstance(value, list | tuple):
        return type(value)(keys_of(v) for v in value)
    if isinstance(value, dict):
        return {k: keys_of(v) for k, v in value.items()}
    return copy.deepcopy(value)  # e.g. the demo's random generator, which the first test may go on using


def objects_of(value):
    """The inverse of `keys_of`: the rows of this session (loaded from the database again)."""
    if isinstance(value, _Key):
        return db.session.get(value.model, value.identity)
    if isinstance(value, list | tuple):
        return type(value)(objects_of(v) for v in value)
    if isinstance(value, dict):
        return {k: objects_of(v) for k, v in value.items()}
    return copy.deepcopy(value)


@dataclass(frozen=True)
class _Key:
    model: type
    identity: tuple


DEMO_PASSWORD = "password123"  # every demo account's, as for the accounts tests make
# The steps tests stop the demo at (`load_demo(until=...)`): a loading that passes one keeps the
# rows there on its way, so that those tests restore them instead of running the steps again.
DEMO_STOPS = ("app.voting.demo",)


@dataclass(frozen=True)
class DatabaseSnapshot:
    """The database's rows, a context (its rows kept as keys) and a copy of the stored files:
    `restore()` puts them back and returns the context (the demo's, a test module's world)."""

    rows: dict  # table_rows()
    context: dict  # keys_of(the context, e.g. the one the demo's steps filled)
    uploads: Path  # a copy of the files stored

    @classmethod
    def take(cls, context, uploads):
        shutil.copytree(current_app.config["UPLOAD_FOLDER"], uploads, dirs_exist_ok=True)
        return cls(table_rows(), keys_of(context), uploads)

    def restore(self):
        restore_rows(self.rows)
        shutil.copytree(self.uploads, current_app.config["UPLOAD_FOLDER"], dirs_exist_ok=True)
        return objects_of(self.context)


_demo_snapshots = {}  # (database kind, number of steps) -> DatabaseSnapshot of the demo, in this process


def load_demo(until=None):
    """In the current app context, on an empty database: the demo (app.demo.STEPS up to and
    including the step `until`, every step by default) with the files it stored; returns the
    context the steps filled. The steps run once per run (10–20 s for the whole demo; with
    pytest-xdist in the first worker that needs them), which keeps their rows (and every stop of
    DEMO_STOPS it passed): later calls, on this app or another, in this worker or another, restore
    them in a second or two, and a longer demo goes on from the longest one kept."""
    from app.demo import STEPS, rows_kept

    kind = db.engine.dialect.name
    count = len(STEPS) if until is None else STEPS.index(until) + 1
    if (kind, count) in _demo_snapshots:
        return _demo_snapshots[kind, count].restore()
    with _run_lock(f"demo-{kind}"):  # the other workers wait for the steps instead of running them too
        _demo_snapshots.update(_saved_demo_snapshots(kind))
        if (kind, count) in _demo_snapshots:
            return _demo_snapshots[kind, count].restore()
        done = max((n for k, n in _demo_snapshots if k == kind and n < count), default=0)
        if done:
            context = _demo_snapshots[kind, done].restore()
        else:
            clear_tables()
            context = {"password": DEMO_PASSWORD}
        stops = {count} | {n for n, step in enumerate(STEPS, 1) if step.__module__ in DEMO_STOPS}
        with rows_kept():  # as `flask demo` loads
            for number, step in enumerate(STEPS[done:count], done + 1):
                step(context)
                if number in stops:
                    db.session.commit()
                    name = f"demo-{kind}-{number}"
                    _demo_snapshots[kind, number] = snapshot = DatabaseSnapshot.take(context, _files_folder(name))
                    _save(name, snapshot)
    return context


def _saved_demo_snapshots(kind):
    """The demo's stops another worker of this run has saved: (kind, number of steps) -> snapshot."""
    if _shared is None:
        return {}
    prefix = f"demo-{kind}-"
    saved = {}
    for path in _shared.glob(f"{prefix}*.pickle"):
        key = kind, int(path.name.removeprefix(prefix).removesuffix(".pickle"))
        if key not in _demo_snapshots:
            saved[key] = pickle.loads(path.read_bytes())
    return saved


# ---- built once per run: under pytest-xdist, shared by the workers through files

_shared = None  # the folder every xdist worker of this run shares (tests/conftest.py); None without xdist


def share_builds_in(folder):
    global _shared
    _shared = Path(folder)


def once_per_run(name, build):
    """`build(folder)`'s value, built once per run: with pytest-xdist the first worker that asks
    builds it (the others wait) and saves it pickled beside `folder`, where the files it keeps go,
    and the others read it. The value must hold nothing of the process that built it but data
    and the files in `folder` (rows, ids, session tokens: the same in every worker's database)."""
    with _run_lock(name):
        saved = _shared / f"{name}.pickle" if _shared is not None else None
        if saved is not None and saved.exists():
            return pickle.loads(saved.read_bytes())
        value = build(_files_folder(name))
        _save(name, value)
        return value


def _run_lock(name):
    """Held by one worker at a time (an exclusive lock on a file of the shared folder; freed if
    the worker dies); without xdist, nothing to wait for."""
    return nullcontext() if _shared is None else _file_lock(_shared / f"{name}.lock")


@contextmanager
def _file_lock(path):
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _files_folder(name):
    """An empty folder for the files a build keeps: in the shared folder, or a temporary one
    (removed at exit) without xdist."""
    if _shared is None:
        folder = Path(tempfile.mkdtemp(prefix=f"weiyi-{name}-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        return folder
    folder = _shared / name
    shutil.rmtree(folder, ignore_errors=True)  # left by a build that failed
    folder.mkdir()
    return folder


def _save(name, value):
    """Pickled where the other workers look (written aside, then renamed: never read half-written)."""
    if _shared is None:
        return
    partial = _shared / f"{name}.partial"
    partial.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    partial.replace(_shared / f"{name}.pickle")


def load_demo_file(path):
    """A SQLite file at `path` with the schema and the whole demo (see `load_demo`)."""
    for _app in sqlite_file_app(path):
        load_demo()


def demo_file():
    """The path of a SQLite file holding the demo, written once per run (`once_per_run`)."""

    def write(folder):
        load_demo_file(folder / "demo.db")
        return folder / "demo.db"

    return once_per_run("demo-file", write)


def copy_sqlite_file(source, target):
    """`target` becomes a copy of the SQLite database `source` (milliseconds; its WAL included)."""
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as duplicate:
        original.backup(duplicate)


def sqlite_file_app(path):
    """Yields an app on a SQLite file (WAL mode, as in production) with its schema, inside its app
    context; for tests about the database files themselves or about several threads sharing them."""
    from app import create_app
    from tests.helpers import FreshRequestClient

    app = create_app("test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", UPLOAD_FOLDER=str(path.parent / "uploads"))
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()
