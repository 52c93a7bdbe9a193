"""Supporters of a completed micro-matter are reminded when its rating window opens and two days
before it closes (sent by the notifications worker); who has rated already is not reminded to close."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.i18n import N_
from app.extensions import db
from app.matters.models import Support
from app.notifications.reminders import Due

from .models import Evaluation, EvaluationWindow
from .records import record_url

CLOSING = timedelta(days=2)


def _supporters(window, without_rated=False):
    supporters = select(Support.user_id).where(Support.matter_id == window.record.matter_id)
    query = select(User).where(User.id.in_(supporters))
    if without_rated:
        query = query.where(User.id.not_in(select(Evaluation.user_id).where(Evaluation.window_id == window.id)))
    return db.session.scalars(query.order_by(User.id)).all()


def due_reminders(now):
    windows = db.session.scalars(
        select(EvaluationWindow).where(EvaluationWindow.opens_at <= now, EvaluationWindow.closes_at > now)
    ).all()
    due = []
    for window in windows:
        title = {"title": window.record.matter.title}
        due.append(
            Due(
                "rating_open",
                window.id,
                _supporters(window),
                N_("Rating is open for “%(title)s”: tell the committee how well it was done."),
                record_url(window.record),
                "ratings",
                title,
            )
        )
        if window.closes_at - now <= CLOSING:
            due.append(
                Due(
                    "rating_closing",
                    window.id,
                    _supporters(window, without_rated=True),
                    N_("Reminder: rating “%(title)s” closes in two days."),
                    record_url(window.record),
                    "ratings",
                    title,
                )
            )
    return due
