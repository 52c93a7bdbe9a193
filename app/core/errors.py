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
