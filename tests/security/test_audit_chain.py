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
from app.audit.models import AuditEntry, AuditHead, canonical
from app.audit.services import _digest, head, record, verify
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


@pytest.mark.parametrize(
    "column, value",
    [
        ("action", "'test.other'"),
        ("actor_id", "NULL"),
        ("object_id", "999"),
        ("data", "'{\"n\": 99}'"),
        ("at", "'2020-01-01 00:00:00'"),
    ],
)
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
    raw(
        "INSERT INTO audit_entry (id, at, action, object_type, data, prev_hash, hash) "
        "VALUES (7, :at, 'test.forged', 'X', '{}', :prev, :hash)",
        at=last.at,
        prev=last.hash,
        hash="a" * 64,
    )
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
    broken = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "audit", "verify"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert "entry 2: content was edited" in broken.stderr


# --- Witnessing: a published head catches a chain rewritten with recomputed hashes -------------------


def insider_rewrite(entry_id, **changes):
    """What someone able to write the database (and read this source) can do: change an entry, recompute
    its hash and every later one and move the head record, all behind the application's back."""
    entries = AuditEntry.__table__
    connection = db.session.connection()
    rows = connection.execute(select(entries).where(entries.c.id >= entry_id).order_by(entries.c.id)).all()
    prev_hash = rows[0].prev_hash
    for row in rows:
        values = {**row._mapping, **(changes if row.id == entry_id else {})}
        payload = canonical(
            row.id,
            values["at"],
            values["actor_id"],
            values["community_id"],
            values["action"],
            values["object_type"],
            values["object_id"],
            values["data"],
        )
        new_hash = _digest(prev_hash, payload)
        connection.execute(
            entries.update()
            .where(entries.c.id == row.id)
            .values(prev_hash=prev_hash, hash=new_hash, **(changes if row.id == entry_id else {}))
        )
        prev_hash = new_hash
    connection.execute(AuditHead.__table__.update().values(last_hash=prev_hash))
    db.session.commit()
    db.session.expire_all()


def verify_heads(app, *heads):
    args = ["audit", "verify"]
    for published in heads:
        args += ["--head", published]
    result = app.test_cli_runner().invoke(args=args)
    return result.exit_code, result.stdout, result.stderr


def stored_hash(entry_id):
    return db.session.get(AuditEntry, entry_id).hash


def test_the_head_is_count_and_last_hash_and_the_command_prints_it(chain):
    current = head()
    assert (current.entries, current.hash) == (6, stored_hash(6))
    assert current.short == current.hash[:12] and current.token == f"6:{current.hash}"
    result = chain.test_cli_runner().invoke(args=["audit", "head"])
    assert result.exit_code == 0 and result.output == f"6:{current.hash}\n"


def test_a_published_head_still_contained_is_confirmed(chain):
    early = f"3:{stored_hash(3)}"
    now = head().token
    record("test.later", object_type="Test", object_id=7)
    db.session.commit()
    short = now[: now.index(":") + 13]
    code, out, err = verify_heads(chain, early, now, short)
    assert code == 0, err
    assert f"the log still contains head {early}" in out and f"the log still contains head {now}" in out
    assert f"the log still contains head {short} (short form: 48 bits)" in out
    assert "audit log intact: 7 entries" in out


def test_a_chain_rewritten_with_recomputed_hashes_is_caught_by_a_published_head(chain):
    published = head().token
    first = f"1:{stored_hash(1)}"
    assert db.session.get(AuditEntry, 3).data == {"n": 2, "note": "议事"}

    insider_rewrite(3, data={"n": 99, "note": "议事"})

    assert db.session.get(AuditEntry, 3).data == {"n": 99, "note": "议事"}
    assert run_verify(chain) == (0, "audit log intact: 6 entries\n")  # the chain alone cannot tell
    code, out, err = verify_heads(chain, published)
    assert code == 1
    assert (
        f"published head {published}: entry 6 now has hash {stored_hash(6)}: the log was rewritten at or before entry 6"
    ) in err
    # An older published head that still holds narrows it down.
    code, out, err = verify_heads(chain, first, published)
    assert code == 1 and f"the log still contains head {first}" in out
    assert "the log was rewritten between entries 2 and 6" in err
    # The 12-digit short form printed on the pages is enough to notice.
    short = published[: published.index(":") + 13]
    code, out, err = verify_heads(chain, short)
    assert code == 1 and f"published head {short}: entry 6 now has hash" in err


def test_a_log_rolled_back_or_cut_off_is_caught_by_a_published_head(chain):
    published = head().token
    entries = AuditEntry.__table__
    connection = db.session.connection()
    connection.execute(entries.delete().where(entries.c.id > 4))
    connection.execute(AuditHead.__table__.update().values(last_id=4, last_hash=stored_hash(4)))
    db.session.commit()
    assert run_verify(chain) == (0, "audit log intact: 4 entries\n")
    code, out, err = verify_heads(chain, published)
    assert code == 1
    assert (
        f"published head {published}: the log ends at entry 4 (entries were cut off the end, or an older "
        f"backup was restored)" in err
    )


@pytest.mark.parametrize("bad", ["6", "6:xyz", "6:abc", f"x:{'a' * 64}", f"6:{'a' * 65}", ""])
def test_a_malformed_head_is_refused_clearly(chain, bad):
    result = chain.test_cli_runner().invoke(args=["audit", "verify", "--head", bad])
    assert result.exit_code == 2 and "is not a published head: expected COUNT:HASH" in result.output


# --- AUDIT_KEY: entries signed with a key kept outside the database ---------------------------------------


def test_without_audit_key_nothing_is_signed(chain):
    assert db.session.scalars(select(AuditEntry.mac)).all() == [None] * 6


def test_with_audit_key_entries_are_signed_and_a_rewrite_without_the_key_is_caught(app, make):
    app.config["AUDIT_KEY"] = "a-long-random-key-kept-outside-the-database"
    user = make.user()
    for n in range(4):
        record("test.signed", user, actor=user, n=n)
        db.session.commit()
    macs = db.session.scalars(select(AuditEntry.mac).order_by(AuditEntry.id)).all()
    assert all(macs) and len(set(macs)) == 4
    assert run_verify(app) == (0, "audit log intact: 4 entries, 4 signed with AUDIT_KEY\n")

    insider_rewrite(2, action="test.forged")
    code, output = run_verify(app)
    assert code == 1 and "entries 2, 3, 4: signature does not match AUDIT_KEY" in output

    # Dropping the signatures of the rewritten entries does not hide it either.
    entries = AuditEntry.__table__
    db.session.connection().execute(entries.update().where(entries.c.id >= 2).values(mac=None))
    db.session.commit()
    code, output = run_verify(app)
    assert code == 1 and "entries 2, 3, 4: not signed although an earlier entry is" in output


def test_entries_written_before_the_key_was_set_are_reported_unsigned_not_broken(app, make):
    user = make.user()
    record("test.before", user, actor=user)
    record("test.before", user, actor=user)
    db.session.commit()
    app.config["AUDIT_KEY"] = "k" * 40
    record("test.after", user, actor=user)
    db.session.commit()
    code, output = run_verify(app)
    assert code == 0, output
    assert "2 entries written before AUDIT_KEY was set are not signed" in output
    assert output.endswith("audit log intact: 3 entries, 1 signed with AUDIT_KEY\n")
    # Without the key the signatures cannot be checked, and the command says so.
    app.config["AUDIT_KEY"] = None
    code, output = run_verify(app)
    assert code == 0 and "1 entries are signed; set AUDIT_KEY to check their signatures" in output
    # A different key: every signature fails.
    app.config["AUDIT_KEY"] = "another key"
    code, output = run_verify(app)
    assert code == 1 and "entry 3: signature does not match AUDIT_KEY" in output


def test_many_bad_signatures_are_summed_up_not_listed_one_by_one(app, make):
    app.config["AUDIT_KEY"] = "the key of the day"
    for n in range(7):
        record("test.signed", object_type="Test", object_id=n)
    db.session.commit()
    app.config["AUDIT_KEY"] = "a changed key"
    code, output = run_verify(app)
    assert code == 1
    assert (
        "entries 1, 2, 3, 4, 5, … (7 in all): signature does not match AUDIT_KEY (rewritten by someone "
        "without the key, or the key was changed)" in output
    )
