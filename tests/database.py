"""The test database: in-memory SQLite by default, a real PostgreSQL when
TEST_DATABASE_URL points at one (`make test` runs the suite on both).

Most tests share one app (tests/conftest.py): its schema is created once and after each
test every row is deleted (`reset_database`), children first; ids start again at 1.
On PostgreSQL only the tables that got rows are emptied and the used id sequences restarted,
which is much faster than creating fifty tables again (or truncating them all). Tests with an
app of their own call `fresh_schema` and `empty_database`; on PostgreSQL they use the same
database, so if one dropped tables, the next test notices (one catalogue query) and builds
the schema again.
"""

import os
from pathlib import Path

from sqlalchemy import text

from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith("postgresql")
SKIP_ON_POSTGRES_REASON = (
    "runs against a file-backed SQLite live server (tests/browser/conftest.py); covered by the SQLite run of the suite"
)


def _table_names():
    return sorted(table.name for table in db.metadata.sorted_tables)


def _schema_complete():
    present = set(db.session.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")))
    db.session.commit()
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
    """Delete every row, keep the tables; ids start again at 1."""
    db.session.remove()
    with db.engine.begin() as connection:
        if ON_POSTGRES:
            # A test that left a transaction open elsewhere makes this fail clearly instead of hanging.
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))
            # DELETE from the tables that have rows (children first) is much quicker than TRUNCATE of
            # every table (a new file per table); then the used id sequences start again at 1.
            names = [table.name for table in reversed(db.metadata.sorted_tables)]
            probe = " UNION ALL ".join(f"(SELECT '{name}' FROM \"{name}\" LIMIT 1)" for name in names)
            filled = set(connection.execute(text(probe)).scalars())
            for name in names:
                if name in filled:
                    connection.execute(text(f'DELETE FROM "{name}"'))
            for (sequence,) in connection.execute(
                text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' AND last_value IS NOT NULL")
            ):
                connection.execute(text(f'ALTER SEQUENCE "{sequence}" RESTART'))
        else:
            connection.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())


def shared_schema_ready():
    """Called in the shared app's context before a test. Its in-memory SQLite database is its own;
    a PostgreSQL database is shared with the tests' own apps, which may have dropped tables."""
    if ON_POSTGRES:
        fresh_schema()


def reset_database():
    """Called in the shared app's context after a test: no rows left, the schema kept."""
    db.session.remove()
    if not ON_POSTGRES or _schema_complete():
        clear_tables()


def empty_database():
    """Called in the app context after a test on an app of its own."""
    db.session.remove()
    if not ON_POSTGRES:
        db.drop_all()
        return
    if _schema_complete():
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
