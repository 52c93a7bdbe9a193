from sqlalchemy import select

from app.extensions import db
from app.notifications.models import Notification, Outbox


def inbox(user):
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    ).all()


def outbox_of(user):
    return db.session.scalars(select(Outbox).where(Outbox.user_id == user.id).order_by(Outbox.id)).all()
