"""Plain helpers for the tracker tests: dates in the community's time zone, and a record read again."""

from datetime import timedelta

from app.core import clock
from app.extensions import db
from app.tracker.models import ImplementationRecord


def today():
    return clock.local_today()


def days(n):
    return today() + timedelta(days=n)


def reload(record):
    db.session.expire_all()
    return db.session.get(ImplementationRecord, record.id)
