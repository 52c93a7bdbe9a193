"""Operations: `flask --app wsgi backup PATH` and `flask --app wsgi restore PATH`.

SQLite: the backup uses SQLite's online backup API (sqlite3.Connection.backup) in one
step, so the copy is a consistent snapshot even while the app keeps serving and writing
(WAL mode: writers are not blocked). The copy is checked (integrity, audit chain) before
it is put in place atomically. `restore` refuses while the app serves (see serving.py).

PostgreSQL: use the server's own tools instead, e.g.
    pg_dump --format=custom --file=weiyi.dump "$DATABASE_URL"
    pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" weiyi.dump
"""

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import create_engine, inspect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.audit.services import Head, head, verify
from app.core import clock
from app.extensions import db

from .serving import exclusive, lock_file

PG_HINT = (
    "For PostgreSQL use pg_dump / pg_restore, for example:\n"
    '  pg_dump --format=custom --file=weiyi.dump "$DATABASE_URL"\n'
    '  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" weiyi.dump'
)


class OpsError(click.ClickException):
    pass


def sqlite_file():
    """The path of the app's SQLite database file, or a clear refusal."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise OpsError(
            f"DATABASE_URL is {url.get_backend_name()}, not SQLite: this command works on SQLite files only.\n{PG_HINT}"
        )
    if not url.database or url.database == ":memory:" or url.database.startswith("file::memory:"):
        raise OpsError("The database is in memory; there is no file to back up or restore.")
    return Path(url.database)


def check_file(path):
    """(audit head, problems) of a SQLite database file (our own copy: it is opened read-write)."""
    try:
        connection = sqlite3.connect(path)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        return None, [f"not a SQLite database ({error})"]
    if result != "ok":
        return None, [f"integrity check failed: {result}"]
    engine = create_engine(f"sqlite:///{path}")
    try:
        if not inspect(engine).has_table("audit_entry"):
            return None, ["not a Weiyi database (it has no audit log)"]
        with Session(engine) as session:
            return head(session), verify(session)
    except DBAPIError as error:  # e.g. a column added since: the schema is older than this code
        return None, [
            f"its audit log cannot be read ({error.orig}); a backup made by an older version must "
            f"be brought up to date with `flask --app wsgi db upgrade` first"
        ]
    finally:
        engine.dispose()


def copy_database(source, target):
    """SQLite's online backup, all pages in one step: a consistent snapshot of `source`."""
    src = sqlite3.connect(source, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    except sqlite3.DatabaseError as error:
        raise OpsError(f"{source}: not a SQLite database or unreadable ({error})") from error
    finally:
        dst.close()
        src.close()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def backup(path, force):
    """Write a consistent copy of the SQLite database to PATH (safe while the app serves)."""
    source = sqlite_file()
    if path.exists() and not force:
        raise OpsError(f"{path} exists; choose another name or pass --force.")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        copy_database(source, partial)
        copied, problems = check_file(partial)
        if problems:
            raise OpsError("The copy does not check out:\n" + "\n".join(problems))
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    click.echo(
        f"backup written: {path} ({path.stat().st_size} bytes, "
        f"audit log intact: {copied.entries} entries, head {copied.token})"
    )


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore(path, yes):
    """Replace the SQLite database with the backup at PATH (stop the app first: refused while it serves).

    The backup is checked first (integrity and audit chain); the current database is kept
    next to it as <name>.before-restore-<time>.
    """
    target = sqlite_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    guard = exclusive(target)  # held to the end: a server starting meanwhile waits for it
    if guard is None:
        raise OpsError(
            f"The app is serving: stop it first (gunicorn or `flask run` holds {lock_file(target)}). "
            f"Nothing was changed."
        )
    staged = target.with_name(f".{target.name}.restoring")
    staged.unlink(missing_ok=True)
    try:
        copy_database(path, staged)  # the backup itself is only read
        restored, problems = check_file(staged)
        if problems:
            raise OpsError(f"{path} cannot be restored:\n" + "\n".join(problems))
        warn_if_older(current_head(target), restored)
        if not yes:
            click.confirm(f"Replace {target} with {path} ({restored.entries} audit entries)?", abort=True)
        db.session.remove()
        db.engine.dispose()
        if target.exists():
            stamp = clock.utcnow().strftime("%Y%m%dT%H%M%S")
            kept = target.with_name(f"{target.name}.before-restore-{stamp}")
            copy_database(target, kept)
            click.echo(f"the current database was kept as {kept}")
        copy_database(staged, target)
    finally:
        staged.unlink(missing_ok=True)
        guard.close()
    click.echo(f"restored {path} into {target} (audit log intact: {restored.entries} entries, head {restored.token})")


def current_head(target):
    """The head record of the database about to be replaced, or None when it has none."""
    if not target.exists():
        return None
    try:
        with closing(sqlite3.connect(f"file:{target}?mode=ro", uri=True)) as connection:
            row = connection.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
    except sqlite3.DatabaseError:
        return None
    return Head(*row) if row else None


def warn_if_older(before, restored):
    """Going back in time is sometimes the point, but never silently: heads published since are lost."""
    if before is None or before.entries <= restored.entries:
        return
    click.echo(
        f"Warning: the current audit log has {before.entries} entries (head {before.token}); the backup "
        f"ends at entry {restored.entries}. Entries {restored.entries + 1}..{before.entries} and "
        f"what they record will be gone, and heads published after entry {restored.entries} will "
        f"no longer verify.",
        err=True,
    )


def init_app(app):
    app.cli.add_command(backup)
    app.cli.add_command(restore)
