"""A write lock held elsewhere (a restore, a long count, an operator's sqlite3 session) never takes
the site down: pages are still answered, a write that cannot get the lock in time gets a 503 page
with Retry-After (rendered without the database), never a 500."""

import sqlite3
from contextlib import contextmanager

import pytest
from sqlalchemy import event, select, text

from app import create_app
from app.core.errors import is_lock_timeout
from app.extensions import db
from app.matters.models import MicroMatter
from tests.database import ON_POSTGRES, empty_database, fresh_schema
from tests.helpers import Builder, FreshRequestClient, login
from tests.matters.helpers import fields


@pytest.fixture
def file_app(tmp_path):
    """SQLite in a file (WAL, as in production), whatever TEST_DATABASE_URL says: the lock is SQLite's."""
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'weiyi.db'}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        DATABASE_LOCK_TIMEOUT_MS=200,
    )
    app.test_client_class = FreshRequestClient
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


@contextmanager
def lock_held(app):
    """A second connection holding SQLite's write lock (BEGIN IMMEDIATE) until the block ends."""
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def _world():
    make = Builder()
    community = make.community()
    user = make.user()
    make.member(community, user)
    return community, user


def test_reads_are_answered_and_writes_get_503_while_the_lock_is_held(file_app):
    community, user = _world()
    slug = community.slug
    visitor, resident = file_app.test_client(), file_app.test_client()
    login(resident, user)
    with lock_held(file_app):
        for client in (visitor, resident):
            for path in ("/", f"/c/{slug}/", f"/c/{slug}/matters/"):
                assert client.get(path).status_code == 200, path
        assert visitor.get(f"/c/{slug}/matters/999999").status_code == 404
        response = resident.post(f"/c/{slug}/matters/new", data=fields(action="save"))
        assert response.status_code == 503
        assert response.headers["Retry-After"] == str(file_app.config["LOCK_RETRY_AFTER_SECONDS"])
        assert "请稍后再试" in response.get_data(as_text=True) or "try again" in response.get_data(as_text=True)
    db.session.rollback()
    assert db.session.scalars(select(MicroMatter)).all() == []  # nothing half-written
    # the lock gone, the same write goes through
    assert resident.post(f"/c/{slug}/matters/new", data=fields(action="save")).status_code == 302
    assert len(db.session.scalars(select(MicroMatter)).all()) == 1


def test_the_503_page_is_rendered_without_the_database(file_app):
    community, user = _world()
    url = f"/c/{community.slug}/matters/new"
    resident = file_app.test_client()
    login(resident, user)
    statements = []

    def note(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with lock_held(file_app):
        event.listen(db.engine, "before_cursor_execute", note)
        try:
            response = resident.post(url, data=fields(action="save"))
        finally:
            event.remove(db.engine, "before_cursor_execute", note)
    assert response.status_code == 503
    # the write that could not begin is the last statement: the error page asked nothing more
    assert statements and statements[-1] == "BEGIN IMMEDIATE"


def test_json_clients_get_503_as_json(file_app):
    community, user = _world()
    url = f"/c/{community.slug}/matters/new"
    resident = file_app.test_client()
    login(resident, user)
    with lock_held(file_app):
        response = resident.post(url, data=fields(action="save"), headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.is_json
    assert "Retry-After" in response.headers


def test_lock_timeouts_are_told_apart_from_other_errors():
    locked = sqlite3.OperationalError("database is locked")
    assert is_lock_timeout(locked)
    assert not is_lock_timeout(sqlite3.OperationalError("no such table: x"))
    assert not is_lock_timeout(ValueError("database is locked"))

    class LockNotAvailable(Exception):
        sqlstate = "55P03"

    wrapped = RuntimeError("wrapper")
    wrapped.__cause__ = LockNotAvailable()
    assert is_lock_timeout(wrapped)


@pytest.fixture
def pg_app(tmp_path):
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL's lock_timeout: run with TEST_DATABASE_URL=postgresql+psycopg://…")
    app = create_app("test", UPLOAD_FOLDER=str(tmp_path / "uploads"), DATABASE_LOCK_TIMEOUT_MS=300)
    app.test_client_class = FreshRequestClient
    with app.app_context():
        fresh_schema()
        yield app
        empty_database()


def test_on_postgresql_a_write_waiting_past_lock_timeout_gets_503(pg_app):
    community, user = _world()
    url = f"/c/{community.slug}/matters/new"
    resident = pg_app.test_client()
    login(resident, user)
    db.session.commit()
    with db.engine.connect() as other:
        other.execute(text("LOCK TABLE micro_matter IN EXCLUSIVE MODE"))  # reads pass, writes wait
        assert resident.get(f"/c/{community.slug}/matters/").status_code == 200
        response = resident.post(url, data=fields(action="save"))
        assert response.status_code == 503 and "Retry-After" in response.headers
        other.rollback()
    assert resident.post(url, data=fields(action="save")).status_code == 302
