"""Refusals with a message for the person, in their language."""

from flask import request
from werkzeug.exceptions import BadRequest, Conflict, Forbidden, NotFound

_EXCEPTIONS = {400: BadRequest, 403: Forbidden, 404: NotFound, 409: Conflict}


class DomainError(Exception):
    """A rule said no. Services raise it; views flash it and give the form back."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class FieldError(DomainError):
    """A rule said no about one form field; the view shows the message next to that field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def refuse(code, message=None):
    exc = _EXCEPTIONS[code]()
    exc.user_message = message
    raise exc


def wants_json():
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


# SQLite: the busy timeout ran out; PostgreSQL: lock_timeout (SQLSTATE 55P03, lock_not_available).
SQLITE_LOCKED = ("database is locked", "database table is locked", "database schema is locked")
PG_LOCK_NOT_AVAILABLE = "55P03"


def is_lock_timeout(error):
    """Whether `error` (or what caused it) is a write that could not get the database's lock in time."""
    seen = 0
    while error is not None and seen < 5:
        original = getattr(error, "orig", None) or error
        if getattr(original, "sqlstate", None) == PG_LOCK_NOT_AVAILABLE:
            return True
        if type(original).__name__ == "OperationalError" and str(original).startswith(SQLITE_LOCKED):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False
