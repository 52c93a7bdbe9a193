"""`flask --app wsgi backup PATH` during concurrent writes gives a consistent copy, and
`flask --app wsgi restore PATH` puts it back; both refuse what they cannot do safely."""

import fcntl
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.audit.models import AuditEntry
from app.audit.services import verify
from app.auth import services as auth_services
from app.auth.models import User
from app.extensions import db
from app.ops.serving import exclusive, lock_file
from tests.database import ON_POSTGRES

pytestmark = pytest.mark.skipif(
    ON_POSTGRES, reason="the SQLite backup API (PostgreSQL uses pg_dump); covered by the SQLite run"
)
WRITERS = 4
MAX_WRITES_EACH = 400


def file_app(tmp_path, name):
    app = create_app(
        "test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / name}", UPLOAD_FOLDER=str(tmp_path / "uploads")
    )
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return app


def cli(app, *args):
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
        db.engine.dispose()
    return result


def state(app):
    with app.app_context():
        users = db.session.scalar(select(func.count(User.id)))
        registered = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "user.registered"))
        problems = verify()
        db.session.remove()
        db.engine.dispose()
    return users, registered, problems


def test_a_backup_taken_during_writes_restores_to_a_consistent_verifiable_database(tmp_path):
    live = file_app(tmp_path, "live.db")
    stop = threading.Event()
    written = [0] * WRITERS
    errors = []

    def writer(n):
        with live.app_context():
            try:
                for i in range(MAX_WRITES_EACH):
                    if stop.is_set():
                        break
                    # The service writes the account and its audit entry in one transaction.
                    auth_services.register(f"w{n}x{i}", f"写入{n}-{i}", "quiet-garden-2026")
                    written[n] += 1
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 20
    while sum(written) < 40 and time.monotonic() < deadline:
        time.sleep(0.02)
    backup_path = tmp_path / "backups" / "weiyi-backup.db"
    result = cli(live, "backup", str(backup_path))
    during = sum(written)
    time.sleep(0.2)
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not errors, errors[:3]
    assert result.exit_code == 0, result.output
    assert "backup written" in result.output and "audit log intact" in result.output and ", head " in result.output
    total = sum(written)
    assert during >= 40 and total > during  # the writers really were writing before and after the copy

    # The copy: a sound SQLite file holding a prefix of the writes, each user with its audit entry.
    with sqlite3.connect(backup_path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        users_in_copy = copy.execute("SELECT count(*) FROM user").fetchone()[0]
    assert 0 < users_in_copy < total

    fresh = file_app(tmp_path, "restored.db")
    restored = cli(fresh, "restore", str(backup_path), "--yes")
    assert restored.exit_code == 0, restored.output
    users, registered, problems = state(fresh)
    assert users == registered == users_in_copy
    assert problems == []
    live_users, live_registered, live_problems = state(live)
    assert live_users == live_registered == total and live_problems == []


def test_restore_keeps_the_current_database_aside(tmp_path):
    app = file_app(tmp_path, "app.db")
    with app.app_context():
        auth_services.register("first", "第一", "quiet-garden-2026")
        db.engine.dispose()
    assert cli(app, "backup", str(tmp_path / "one.db")).exit_code == 0
    with app.app_context():
        auth_services.register("second", "第二", "quiet-garden-2026")
        db.engine.dispose()
    result = cli(app, "restore", str(tmp_path / "one.db"), "--yes")
    assert result.exit_code == 0, result.output
    assert state(app)[0] == 1
    # Going back in time is announced: heads published since will no longer verify (a
    # registration writes two entries: the account and the consent to the privacy notice).
    assert "Warning: the current audit log has 4 entries" in result.output
    assert "Entries 3..4 and what they record will be gone" in result.output
    kept = list(tmp_path.glob("app.db.before-restore-*"))
    assert len(kept) == 1
    with sqlite3.connect(kept[0]) as old:
        assert old.execute("SELECT count(*) FROM user").fetchone()[0] == 2


def test_backup_does_not_overwrite_without_force(tmp_path):
    app = file_app(tmp_path, "app.db")
    target = tmp_path / "exists.db"
    target.write_bytes(b"keep me")
    result = cli(app, "backup", str(target))
    assert result.exit_code != 0 and "--force" in result.output and target.read_bytes() == b"keep me"
    assert cli(app, "backup", str(target), "--force").exit_code == 0


def test_restore_refuses_postgresql_with_a_clear_message(tmp_path):
    backup_path = tmp_path / "b.db"
    sqlite3.connect(backup_path).close()
    app = create_app(
        "test",
        SQLALCHEMY_DATABASE_URI="postgresql+psycopg://weiyi@127.0.0.1:1/weiyi",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
    )
    result = app.test_cli_runner().invoke(args=["restore", str(backup_path), "--yes"])
    assert result.exit_code != 0
    assert "not SQLite" in result.output and "pg_restore" in result.output
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output


def test_restore_refuses_a_broken_or_foreign_file(tmp_path):
    app = file_app(tmp_path, "app.db")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    result = cli(app, "restore", str(junk), "--yes")
    assert result.exit_code != 0 and "not a SQLite database" in result.output
    foreign = tmp_path / "foreign.db"
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE t (x)")
    result = cli(app, "restore", str(foreign), "--yes")
    assert result.exit_code != 0 and "no audit log" in result.output
    # A backup whose audit chain was tampered with is refused too.
    with app.app_context():
        auth_services.register("someone", "某人", "quiet-garden-2026")
        db.engine.dispose()
    assert cli(app, "backup", str(tmp_path / "good.db")).exit_code == 0
    with sqlite3.connect(tmp_path / "good.db") as connection:
        connection.execute("UPDATE audit_entry SET action = 'user.forged'")
    result = cli(app, "restore", str(tmp_path / "good.db"), "--yes")
    assert result.exit_code != 0 and "entry 1: content was edited" in result.output
    assert state(app)[0] == 1  # nothing was replaced


def test_restore_refuses_a_backup_older_than_the_schema_clearly(tmp_path):
    app = file_app(tmp_path, "app.db")
    old = tmp_path / "old.db"
    with sqlite3.connect(old) as connection:  # audit_entry as it was before the `mac` column
        connection.execute(
            "CREATE TABLE audit_entry (id INTEGER PRIMARY KEY, at DATETIME, actor_id INTEGER, "
            "community_id INTEGER, action VARCHAR, object_type VARCHAR, object_id INTEGER, "
            "data JSON, prev_hash VARCHAR, hash VARCHAR)"
        )
        connection.execute("CREATE TABLE audit_head (id INTEGER PRIMARY KEY, last_id INTEGER, last_hash VARCHAR)")
    result = cli(app, "restore", str(old), "--yes")
    assert result.exit_code == 1 and "cannot be restored" in result.output
    assert "its audit log cannot be read" in result.output and "db upgrade" in result.output


def test_backup_refuses_an_in_memory_database(app):
    result = app.test_cli_runner().invoke(args=["backup", "/tmp/never-written.db"])
    if ON_POSTGRES:
        assert "pg_dump" in result.output
    else:
        assert result.exit_code != 0 and "in memory" in result.output


# --- restore refuses while the app serves ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]


def server_env(tmp_path, name):
    return dict(
        os.environ,
        DATABASE_URL=f"sqlite:///{tmp_path / name}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        WEIYI_CONFIG="default",
        FLASK_DEBUG="0",
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_locked(database, server, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, server.communicate()
        handle = exclusive(database)
        if handle is None:
            return
        handle.close()
        time.sleep(0.1)
    raise AssertionError("the server never took the serving lock")


def backed_up_app(tmp_path):
    """app.db with one user, and a backup of it with none."""
    app = file_app(tmp_path, "app.db")
    assert cli(app, "backup", str(tmp_path / "empty.db")).exit_code == 0
    with app.app_context():
        auth_services.register("kept", "保留", "quiet-garden-2026")
        db.engine.dispose()
    return app


def test_restore_refuses_while_a_process_holds_the_serving_lock(tmp_path):
    app = backed_up_app(tmp_path)
    with lock_file(tmp_path / "app.db").open("a") as serving:
        fcntl.flock(serving, fcntl.LOCK_SH)
        result = cli(app, "restore", str(tmp_path / "empty.db"), "--yes")
        assert result.exit_code != 0
        assert "The app is serving: stop it first" in result.output and "Nothing was changed" in result.output
        assert state(app)[0] == 1 and not list(tmp_path.glob("app.db.before-restore-*"))
    result = cli(app, "restore", str(tmp_path / "empty.db"), "--yes")  # the lock is gone
    assert result.exit_code == 0, result.output
    assert state(app)[0] == 0


@pytest.mark.slow
@pytest.mark.parametrize("server", ["gunicorn", "flask run"])
def test_restore_refuses_while_gunicorn_or_flask_run_serves(tmp_path, server):
    app = backed_up_app(tmp_path)
    port = free_port()
    command = {
        "gunicorn": [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            "1",  # each worker loads the app (seconds of CPU) and takes the lock alike: one shows it
            "--bind",
            f"127.0.0.1:{port}",
            "wsgi:app",
        ],
        "flask run": [sys.executable, "-m", "flask", "--app", "wsgi", "run", "--no-reload", "--port", str(port)],
    }[server]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=server_env(tmp_path, "app.db"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until_locked(tmp_path / "app.db", process)
        result = cli(app, "restore", str(tmp_path / "empty.db"), "--yes")
        assert result.exit_code != 0 and "The app is serving: stop it first" in result.output
        assert state(app)[0] == 1
    finally:
        process.terminate()
        process.wait(30)
    assert cli(app, "restore", str(tmp_path / "empty.db"), "--yes").exit_code == 0
    assert state(app)[0] == 0


@pytest.mark.slow
def test_other_flask_commands_do_not_hold_the_serving_lock(tmp_path):
    """The real `flask --app wsgi restore`: it loads wsgi.py too, and must not count as serving."""
    backed_up_app(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "restore", str(tmp_path / "empty.db"), "--yes"],
        cwd=ROOT,
        env=server_env(tmp_path, "app.db"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "restored" in done.stdout and "head 0:" + "0" * 64 in done.stdout
