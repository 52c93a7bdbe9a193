"""The audit log is append-only and chained by hashes: `flask --app wsgi audit verify` says it
is intact, and names the entries when one is edited, deleted or cut off the end with raw SQL;
the application itself cannot change or delete an entry."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import delete, select, text, update

from app import create_app
from app.audit.models import AuditEntry
from app.audit.services import record, verify
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def chain(app, make):
    """Six entries made the way the services make them."""
    community = make.community()
    user = make.user()
    for n in range(6):
        record("test.action", user, actor=user, community=community, n=n, note="议事")
        db.session.commit()
    return app


def run_verify(app):
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def raw(sql, **params):
    db.session.execute(text(sql), params)
    db.session.commit()
    db.session.expire_all()


def test_an_untouched_log_is_intact(chain):
    assert run_verify(chain) == (0, "audit log intact: 6 entries\n")


@pytest.mark.parametrize("column, value", [
    ("action", "'test.other'"), ("actor_id", "NULL"), ("object_id", "999"), ("data", "'{\"n\": 99}'"),
    ("at", "'2020-01-01 00:00:00'"),
])
def test_an_edited_entry_is_named(chain, column, value):
    raw(f"UPDATE audit_entry SET {column} = {value} WHERE id = 3")
    code, output = run_verify(chain)
    assert code == 1
    assert "entry 3: content was edited" in output


def test_an_edited_hash_breaks_the_next_link(chain):
    raw("UPDATE audit_entry SET hash = :h WHERE id = 2", h="f" * 64)
    code, output = run_verify(chain)
    assert code == 1 and "entry 2: content was edited" in output and "entry 3: link" in output


def test_a_deleted_entry_is_named(chain):
    raw("DELETE FROM audit_entry WHERE id = 4")
    code, output = run_verify(chain)
    assert code == 1
    assert "entries 4..4 are missing (deleted)" in output and "entry 5: link to the previous entry is broken" in output


def test_entries_cut_off_the_end_are_noticed(chain):
    raw("DELETE FROM audit_entry WHERE id >= 5")
    code, output = run_verify(chain)
    assert code == 1 and "entries 5..6 are missing at the end (deleted)" in output


def test_an_emptied_log_is_noticed(chain):
    raw("DELETE FROM audit_entry")
    code, output = run_verify(chain)
    assert code == 1 and "entries 1..6 are missing at the end" in output


def test_an_entry_appended_outside_the_app_is_noticed(chain):
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()))
    raw("INSERT INTO audit_entry (id, at, action, object_type, data, prev_hash, hash) "
        "VALUES (7, :at, 'test.forged', 'X', '{}', :prev, :hash)", at=last.at, prev=last.hash, hash="a" * 64)
    code, output = run_verify(chain)
    assert code == 1 and "entry 7" in output


def test_the_app_cannot_update_or_delete_entries(chain):
    entry = db.session.get(AuditEntry, 2)
    entry.action = "test.rewritten"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.get(AuditEntry, 2))
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.execute(update(AuditEntry).where(AuditEntry.id == 2).values(action="test.bulk"))
    db.session.rollback()
    with pytest.raises(PermissionError):
        db.session.execute(delete(AuditEntry).where(AuditEntry.id >= 5))
    db.session.rollback()
    assert verify() == [] and db.session.get(AuditEntry, 2).action == "test.action"


def test_the_real_command_line(tmp_path):
    """`flask --app wsgi audit verify` itself, on a SQLite file with an edited entry: exit 1, naming it.
    (The intact case runs the same command in-process above.)"""
    url = f"sqlite:///{tmp_path / 'audit.db'}"
    app = create_app("test", SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        db.create_all()
        for n in range(3):
            record("test.cli", object_type="Test", object_id=n)
            db.session.commit()
        raw("UPDATE audit_entry SET object_id = 42 WHERE id = 2")
        db.session.remove()
        db.engine.dispose()
    env = dict(os.environ, DATABASE_URL=url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    broken = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "entry 2: content was edited" in broken.stderr
