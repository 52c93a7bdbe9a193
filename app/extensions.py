"""Flask extensions, created once and bound in create_app()."""

import functools
import re
import sqlite3
import time

import flask_limiter
from flask.globals import request_ctx
from flask.sessions import SecureCookieSessionInterface
from flask_babel import Babel
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from itsdangerous import BadSignature
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Limiter(flask_limiter.Limiter):
    """Flask-Limiter, without its check before every request while there is nothing to check there.

    This app's limits are on views (@limiter.limit), checked when the view is called. The check
    before each request evaluates only default, application, blueprint and meta limits and limits
    hinted for an endpoint, of which there are none, yet it resolved them anew on every request."""

    def _check_request_limit(self, callable_name=None, in_middleware=True):
        if in_middleware and not self._limits_before_views():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def init_app(self, app):
        super().init_app(app)
        # Its hook after each request, wrapped: it looks for limits checked in the request (to add
        # their headers and conditional deductions), and finding none made its state for each request.
        hooks = app.after_request_funcs.get(None, [])
        for index, hook in enumerate(hooks):
            if isinstance(hook, functools.partial) and hook.args == (self,):
                hooks[index] = functools.partial(_after_checks, hook)

    def _Limiter__release_context(self, _error=None):  # (its teardown hook; the same name mangled)
        if _limits_checked():
            super()._Limiter__release_context(_error)

    def _limits_before_views(self):
        # Attributes of Flask-Limiter 4; a version without them gets the full check.
        manager = self.limit_manager
        return bool(
            getattr(self, "_storage_dead", True)  # the in-memory fallback's limits apply here
            or getattr(self, "_meta_limits", True)
            or getattr(manager, "_default_limits", True)
            or getattr(manager, "_application_limits", True)
            or getattr(manager, "_blueprint_limits", True)
            or getattr(manager, "_endpoint_hints", True)
        )


def _limits_checked():
    """Whether Flask-Limiter checked a limit in this request (its state is made at the first)."""
    return hasattr(request_ctx, "_limiter_request_context")


def _after_checks(hook, response):
    return hook(response) if _limits_checked() else response


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with the signing serializer made once per secret key rather
    than on every request (Flask builds it, and tries it on {}, each time a session is opened or saved),
    and a cookie this process has checked once opened again without checking its signature anew
    (a logged-in person's every page paid for it: HMAC, base64, zlib, JSON). Its age is checked each
    time, against the time it was signed; only sessions of plain values (strings, numbers) are
    remembered, so that each request gets its own copy."""

    OPENED_LIMIT = 4096

    def __init__(self):
        self._opened: dict = {}  # (serializer, cookie) -> (signed at, the session's values)

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        made = app.extensions.get("weiyi.session_serializer")
        if made is None or made[0] != keys:
            made = app.extensions["weiyi.session_serializer"] = (keys, super().get_signing_serializer(app))
        return made[1]

    def open_session(self, app, request):
        serializer = self.get_signing_serializer(app)
        value = request.cookies.get(self.get_cookie_name(app)) if serializer is not None else None
        if not value:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._opened.get((serializer, value))
        if known is not None and 0 <= int(time.time()) - known[0] <= max_age:  # itsdangerous' own test
            return self.session_class(known[1])
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, PLAIN) for v in data.values()):
            if len(self._opened) >= self.OPENED_LIMIT:
                self._opened.clear()
            self._opened[(serializer, value)] = (int(signed_at.timestamp()), data)
        return self.session_class(data)


PLAIN = (str, int, float, type(None))  # (bool is an int)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (see below).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # Deleted rows are zeroed, not left in free space (app.core.secrecy: secret ballots).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


# Statements that only read; anything else (INSERT, UPDATE, DELETE, SAVEPOINT, DDL ...) is a write.
_READS = re.compile(r"\s*(?:SELECT|PRAGMA|EXPLAIN)\b", re.IGNORECASE)
_READING = "weiyi.reading"  # connection.info: a SQLite transaction that has not written yet


@event.listens_for(Engine, "begin")
def _sqlite_begin(connection):
    if connection.dialect.name != "sqlite":
        return
    # Deferred: reads (the user, the community, the checks before a write) take no lock; the write
    # lock is taken at the first write (below), so writers hold it only around their writes.
    connection.info.pop(_READING, None)  # left by a transaction that only read
    connection.exec_driver_sql("BEGIN")
    connection.info[_READING] = True


@event.listens_for(Engine, "before_cursor_execute")
def _sqlite_first_write(connection, _cursor, statement, _parameters, _context, _executemany):
    if connection.info.get(_READING) and not _READS.match(statement):
        write_lock(connection)


def write_lock(connection):
    """Hold the database's write lock from here to the end of `connection`'s transaction (SQLite;
    PostgreSQL locks rows as they are written). Called at the first write, or before a read whose
    answer the write depends on (the audit chain's head).

    The read snapshot ends and BEGIN IMMEDIATE starts a new one that waits on the busy timeout:
    upgrading the deferred transaction in place would fail at once with SQLITE_BUSY whenever
    another writer committed meanwhile. Reads before the first write thus see the data as of their
    own moment, like PostgreSQL's READ COMMITTED: a race between a check and a write is decided by
    a unique constraint or a compare-and-set, as on PostgreSQL."""
    if connection.info.pop(_READING, False):
        connection.exec_driver_sql("COMMIT")  # only reads so far: nothing to write
        connection.exec_driver_sql("BEGIN IMMEDIATE")
