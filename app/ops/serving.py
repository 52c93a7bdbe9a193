"""While the app serves, every serving process holds a shared lock on <database>.serving (beside the
SQLite file); `restore` needs it exclusively, so it refuses while anything serves (a restore under a
running app once lost acknowledged ballots). The kernel drops the lock when a process ends, even on
SIGKILL, so a crash leaves nothing stale behind."""

import fcntl
from pathlib import Path

import click


def lock_file(database):
    return Path(f"{database}.serving")


def loaded_to_serve():
    """True when a server (gunicorn, any WSGI server, `flask run`) is loading the app, False when another
    `flask` command is: the flask command line loads the app inside a click context."""
    context = click.get_current_context(silent=True)
    return context is None or context.command.name == "run"


def hold_while_serving(app):
    """Take the shared lock for the rest of the process's life (waits while a restore runs)."""
    from app.extensions import db

    with app.app_context():
        url = db.engine.url
    if (
        url.get_backend_name() != "sqlite"
        or not url.database
        or url.database == ":memory:"
        or url.database.startswith("file:")
    ):
        return  # PostgreSQL is restored with its own tools; nothing to guard
    path = lock_file(url.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("a")
    fcntl.flock(handle, fcntl.LOCK_SH)
    app.extensions["weiyi_serving_lock"] = handle  # kept open: closing it would release the lock


def exclusive(database):
    """The open lock file held exclusively (close it to release), or None while something serves."""
    handle = lock_file(database).open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
