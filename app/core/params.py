"""One reading of the numbers and dates that come from outside: ids in paths and forms, page
numbers in query strings, dates in forms.

`str.isdigit()` accepts "²" and "١٢", and an id past the integer column overflows SQLite's INTEGER
(PostgreSQL refuses the query): both answered 500. Here an id is ASCII digits only, 1 ≤ n ≤ 2^31−1;
anything else is no id (404 in a path, page 1 in a query, a form error in a form).
"""

from datetime import date, datetime

from flask import request
from flask_babel import lazy_gettext as _l
from werkzeug.routing import IntegerConverter
from wtforms.validators import StopValidation

from . import clock
from .errors import FieldError

MAX_ID = 2**31 - 1  # the integer column's largest value
MAX_DIGITS = len(str(MAX_ID))
EARLIEST_DATE = date(2000, 1, 1)  # dates outside this range break date arithmetic and printing
LATEST_DATE = date(2100, 12, 31)


def parse_id(value):
    """The id that `value` (text from a request, or an int) names, or None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 0 < value <= MAX_ID else None
    if not isinstance(value, str) or not 0 < len(value) <= MAX_DIGITS:
        return None
    if not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def page_arg(name="page"):
    """The page number in the query string; page 1 for anything that is not one."""
    return parse_id(request.args.get(name, "")) or 1


class IdConverter(IntegerConverter):
    """The app's `int` URL converter: ASCII digits, 1 ≤ n ≤ 2^31−1, otherwise the path is not found."""

    regex = rf"[0-9]{{1,{MAX_DIGITS}}}"

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID):  # noqa: A002 (werkzeug's argument names)
        highest = MAX_ID if max is None or max > MAX_ID else max
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=highest)


def in_date_range(value):
    """Is this date (or the date of this datetime) one the app can compute with and store?"""
    day = value.date() if isinstance(value, datetime) else value
    return isinstance(day, date) and EARLIEST_DATE <= day <= LATEST_DATE


def checked_date(value, field, *, past=False, required=True):
    """A service's reading of a date field: a date between 2000 and 2100, not after today when
    `past`, and given unless `required` is False; a refusal names the field."""
    if value is None:
        if required:
            raise FieldError(field, _l("Please give a valid date."))
        return None
    if not isinstance(value, date):
        raise FieldError(field, _l("Please give a valid date."))
    if past and value > clock.local_today():
        raise FieldError(field, _l("This date cannot be in the future."))
    if not in_date_range(value):
        raise FieldError(field, _l("Please give a date between 2000 and 2100."))
    return value


class DateInRange:
    """WTForms validator for every date and datetime field: a year such as 0001 or 9999 is a form
    error, not an overflow later in date arithmetic, time zones or the database."""

    def __init__(self, message=None):
        self.message = message

    def __call__(self, form, field):
        if field.data is not None and not in_date_range(field.data):
            raise StopValidation(self.message or _l("Please give a date between 2000 and 2100."))


def form_id(value):
    """`coerce` for a select field of ids: anything that is not an id is the field's error
    (WTForms words it: "could not coerce")."""
    number = parse_id(value)
    if number is None:
        raise ValueError("not an id")
    return number
