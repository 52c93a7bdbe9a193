"""How long a write waits for the database's lock: DATABASE_LOCK_TIMEOUT_MS (SQLite's busy timeout,
PostgreSQL's lock_timeout), well under gunicorn's 30-second worker timeout. A write that runs out
of it gets the 503 page with Retry-After (app/core/routes.py); reads never wait (WAL, MVCC)."""

from sqlalchemy import event

from app.extensions import db


def init_app(app):
    milliseconds = int(app.config["DATABASE_LOCK_TIMEOUT_MS"])
    with app.app_context():
        engine = db.engine

    # Runs after app/extensions.py's pragmas (listeners on an engine come after those on Engine).
    @event.listens_for(engine, "connect")
    def _lock_timeout(dbapi_connection, _record):
        if engine.dialect.name == "sqlite":
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={milliseconds}")
            cursor.close()
        elif engine.dialect.name == "postgresql":
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET lock_timeout = {milliseconds}")
            dbapi_connection.autocommit = autocommit
