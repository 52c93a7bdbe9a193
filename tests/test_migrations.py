"""`flask db upgrade` on an empty database gives exactly the schema the models describe,
on a SQLite file and on PostgreSQL (when TEST_DATABASE_URL points at one), and
`flask db downgrade base` takes it all away again; on SQLite a batch migration, which copies the
table, leaves micro_matter's expression index and search triggers in place."""

import logging
import shutil
import sqlite3
import uuid
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import app.models  # noqa: F401  (every table in the metadata)
from app import create_app
from app.extensions import db
from app.matters import search
from tests.database import ON_POSTGRES, TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent
# What Alembic and its env.py say on every run, now that it runs in this process.
pytestmark = [
    pytest.mark.filterwarnings("ignore:'get_engine' is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:.*expression-based index:UserWarning"),
    pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index"),
]


def flask_db(url, *args, tmp_path):
    """`flask db ARGS` on the database at `url`, through the app's command line as `flask --app wsgi`
    runs it, in this process: a new process spent 5 s of its 7 importing the app."""
    app = create_app("default", SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with logging_kept(), app.app_context():
        try:
            result = app.test_cli_runner().invoke(args=["db", *args])
        finally:
            db.session.remove()
            db.engine.dispose()
    assert result.exit_code == 0, f"flask db {' '.join(args)} failed:\n{result.output}\n{result.exception!r}"
    return result


@contextmanager
def logging_kept():
    """Alembic's env.py sets logging up from alembic.ini (`fileConfig`), which switches off every
    logger there is and replaces the root logger's handlers: the suite's are put back after."""
    loggers = [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]
    kept = [
        (logger, logger.level, logger.disabled, logger.propagate, list(logger.handlers))
        for logger in loggers
        if isinstance(logger, logging.Logger)
    ]
    try:
        yield
    finally:
        for logger, level, disabled, propagate, handlers in kept:
            logger.setLevel(level)
            logger.disabled, logger.propagate, logger.handlers[:] = disabled, propagate, handlers


def pending_changes(url):
    """What `flask db migrate` would still generate against this database (empty when in step)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(
                connection, opts={"compare_type": True, "include_name": search.include_name}
            )
            return compare_metadata(context, db.metadata)
    finally:
        engine.dispose()


def tables(url):
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def describe(change):
    """("add_table", Table) -> "add_table audit_head"; modify_* changes come as lists of tuples."""
    if isinstance(change, list):
        return "; ".join(describe(c) for c in change)
    op, *rest = change
    names = [getattr(x, "name", None) or str(x) for x in rest if x is not None][:3]
    return f"{op} {' '.join(map(str, names))}"[:120]


def check_upgrade_and_downgrade(url, tmp_path):
    flask_db(url, "upgrade", tmp_path=tmp_path)
    changes = pending_changes(url)
    assert not changes, (
        "the migrations do not match the models; run `flask --app wsgi db migrate` and review it. "
        f"{len(changes)} differences: " + ", ".join(describe(c) for c in changes[:40])
    )
    assert {t.name for t in db.metadata.sorted_tables} <= tables(url)
    flask_db(url, "downgrade", "base", tmp_path=tmp_path)
    assert tables(url) <= {"alembic_version"}


@pytest.mark.slow
def test_migrations_on_an_empty_sqlite_file(tmp_path):
    check_upgrade_and_downgrade(f"sqlite:///{tmp_path / 'migrated.db'}", tmp_path)


@pytest.fixture
def empty_postgres_database():
    """A new, empty database on the test server, dropped afterwards."""
    if not ON_POSTGRES:
        pytest.skip("TEST_DATABASE_URL is not a PostgreSQL URL (make test-postgres runs this)")
    name = f"weiyi_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.slow
def test_migrations_on_an_empty_postgres_database(empty_postgres_database, tmp_path):
    check_upgrade_and_downgrade(empty_postgres_database, tmp_path)


# A later migration that alters micro_matter in batch mode (SQLite copies the table; recreate="always"
# makes it copy even with nothing to change).
BATCH_COPY = """
from alembic import op

revision = "batchcopy0001"
down_revision = {head!r}


def upgrade():
    with op.batch_alter_table("micro_matter", recreate="always"):
        pass


def downgrade():
    upgrade()
"""


def insert(connection, table, **values):
    columns, marks = ", ".join(f'"{name}"' for name in values), ", ".join("?" * len(values))
    return connection.execute(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', tuple(values.values())).lastrowid  # noqa: S608  # nosec B608


def matter_schema(path):
    """micro_matter's indexes and triggers as SQLite keeps them (name and statement)."""
    with closing(sqlite3.connect(path)) as connection:
        return set(
            connection.execute(
                "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'micro_matter' AND type != 'table'"
            )
        )


def found(path, word):
    query = f"SELECT rowid FROM {search.FTS_TABLE} WHERE search_text MATCH ?"  # noqa: S608  # nosec B608
    with closing(sqlite3.connect(path)) as connection:
        return [row for (row,) in connection.execute(query, (word,))]


@pytest.mark.slow
def test_a_batch_migration_on_sqlite_keeps_the_expression_index_and_the_search_triggers(tmp_path):
    path = tmp_path / "migrated.db"
    url = f"sqlite:///{path}"
    flask_db(url, "upgrade", tmp_path=tmp_path)
    with closing(sqlite3.connect(path)) as connection, connection:
        now = "2026-01-01 00:00:00"
        user = insert(
            connection,
            "user",
            username="u",
            display_name="U",
            password_hash="-",
            is_admin=0,
            session_token="t",
            created_at=now,
        )
        community = insert(
            connection,
            "community",
            slug="c",
            name="C",
            kind="urban",
            district="D",
            register_size=1,
            annual_budget=1,
            created_at=now,
        )
        common = dict(
            community_id=community,
            proposer_id=user,
            description="-",
            description_html="-",
            category="other",
            location="-",
            estimated_cost=1,
            project_type="goods",
            status="collecting",
            support_count=0,
            created_at=now,
            updated_at=now,
            status_changed_at=now,
            version_id=1,
        )
        ramp = insert(connection, "micro_matter", title="坡道", search_text="坡 道 坡道", **common)
    before = matter_schema(path)
    assert {("index", "ix_micro_matter_list_newest"), ("trigger", f"{search.FTS_TABLE}_au")} <= {
        row[:2] for row in before
    }

    migrations = tmp_path / "migrations"
    shutil.copytree(ROOT / "migrations", migrations, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory(str(migrations)).get_current_head()
    (migrations / "versions" / "batchcopy0001_copy_micro_matter.py").write_text(BATCH_COPY.format(head=head))
    flask_db(url, "upgrade", "--directory", str(migrations), tmp_path=tmp_path)
    assert matter_schema(path) == before
    assert not pending_changes(url)
    with closing(sqlite3.connect(path)) as connection, connection:  # the triggers work, the index is whole
        light = insert(connection, "micro_matter", title="路灯", search_text="路 灯 路灯", **common)
        connection.execute("UPDATE micro_matter SET search_text = '坡 道 坡道 加 装' WHERE id = ?", (ramp,))
        connection.execute(f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('integrity-check')")  # noqa: S608  # nosec B608
    assert found(path, "坡道") == [ramp] and found(path, "加") == [ramp] and found(path, "路灯") == [light]

    flask_db(url, "downgrade", "--directory", str(migrations), head, tmp_path=tmp_path)  # copies it again
    assert matter_schema(path) == before
