"""The database layer under concurrent writers, on whatever TEST_DATABASE_URL names:
PostgreSQL through psycopg 3 (its advisory lock serialises audit appends), and a
SQLite file (BEGIN IMMEDIATE with a busy timeout) when the suite runs on SQLite."""

import threading

import pytest
from sqlalchemy import func, select, text

from app.audit.models import AuditEntry
from app.audit.services import count, record, verify
from app.extensions import db
from tests.database import ON_POSTGRES, sqlite_file_app

WRITERS = 6
ENTRIES_EACH = 15


@pytest.fixture
def shared_app(app, tmp_path):
    """An app whose database several threads can share: the test server, or a SQLite file."""
    if ON_POSTGRES:
        yield app
        return
    yield from sqlite_file_app(tmp_path / "shared.db")


def test_driver_is_the_configured_one(app):
    if ON_POSTGRES:
        assert db.engine.dialect.name == "postgresql"
        assert db.engine.dialect.driver == "psycopg"
        assert db.session.scalar(text("SHOW server_encoding")) == "UTF8"
    else:
        assert db.engine.dialect.name == "sqlite"


def test_text_round_trips_unicode_and_json(app, make):
    user = make.user(display_name="王阿姨 🌸")
    record("test.unicode", user, actor=user, note='议事 — ‘quotes’ "and" \\ back', n=3)
    db.session.commit()
    db.session.expire_all()
    entry = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    assert entry.data == {"note": '议事 — ‘quotes’ "and" \\ back', "n": 3}
    assert db.session.get(type(user), user.id).display_name == "王阿姨 🌸"
    assert verify() == []


def test_audit_appends_from_concurrent_writers_form_one_chain(shared_app):
    """Without the append lock two writers read the same last entry and collide on its id."""
    barrier = threading.Barrier(WRITERS)
    errors = []

    def writer(n):
        with shared_app.app_context():
            try:
                barrier.wait(timeout=30)
                for i in range(ENTRIES_EACH):
                    record("test.concurrent", object_type="Test", object_id=n * 1000 + i, writer=n)
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(repr(exc))

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors[:3]
    with shared_app.app_context():
        assert count() == WRITERS * ENTRIES_EACH
        ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
        assert ids == list(range(1, WRITERS * ENTRIES_EACH + 1))
        assert db.session.scalar(select(func.count(func.distinct(AuditEntry.object_id)))) == WRITERS * ENTRIES_EACH
        assert verify() == []


def test_a_failed_transaction_leaves_no_audit_entry(app, make):
    user = make.user()
    record("test.kept", user, actor=user)
    db.session.commit()
    record("test.rolled_back", user, actor=user)
    db.session.rollback()
    assert db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all() == ["test.kept"]
    assert verify() == []
