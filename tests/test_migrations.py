"""`flask db upgrade` on an empty database gives exactly the schema the models describe,
on a SQLite file and on PostgreSQL (when TEST_DATABASE_URL points at one), and
`flask db downgrade base` takes it all away again."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

import app.models  # noqa: F401  (every table in the metadata)
from app.extensions import db
from app.matters import search
from tests.database import ON_POSTGRES, TEST_DATABASE_URL

ROOT = Path(__file__).resolve().parent.parent


def flask_db(url, *args, tmp_path):
    env = dict(os.environ, DATABASE_URL=url, WEIYI_CONFIG="default", UPLOAD_FOLDER=str(tmp_path / "uploads"))
    env.pop("TEST_DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"flask db {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


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
