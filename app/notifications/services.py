"""Telling people what changed: the in-app inbox, and email through the outbox (outbox.py)."""

from sqlalchemy import func, select, update

from app.core import clock
from app.extensions import db

from . import outbox
from .models import Notification


def notify(users, message, link="", *, exclude=None, **params):
    """Add one inbox entry per distinct user, in the caller's transaction.

    `message` is an English msgid marked with N_(); `params` fill its %(name)s slots.
    Users with an email address also get it by email, in their language, sent after the
    transaction commits (see outbox.py).
    """
    seen = set()
    excluded_id = getattr(exclude, "id", None)
    for user in users:
        if user is None or user.id in seen or user.id == excluded_id:
            continue
        seen.add(user.id)
        db.session.add(Notification(user_id=user.id, message=message, params=params, link=link))
        outbox.enqueue(user, message, params, link)
    return len(seen)


def unread_count(user):
    return db.session.scalar(
        select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    )


def inbox(user, page, per_page=20):
    return db.paginate(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def mark_all_read(user):
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == user.id, Notification.read_at.is_(None))
        .values(read_at=clock.now())
    )
    db.session.commit()
