"""Reminders and the daily digest, sent by the worker (`flask --app wsgi notifications remind`), never
inside a web request.

The features that know what is due (councils: meetings; voting: rounds; tracker: rating windows)
plug a finder in with add_finder(); a finder returns Due reminders for the moment given. Each
(kind, subject, person) goes out once: a SentReminder row with a unique key is written in the same
transaction as the message, so running the worker twice, or two workers at once, sends it once.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.core import clock
from app.core.i18n import N_, render_message
from app.core.urls import path_for
from app.extensions import db

from . import outbox
from .models import DigestItem, Notification, SentReminder
from .preferences import DEFAULT, IN_APP, Event, choices_for_users
from .services import notify

DIGEST = "digest"  # SentReminder.kind of a daily digest; its subject is the local day's ordinal
DIGEST_MESSAGE = N_("Your daily summary: %(n)s updates.")
# The digest outside the inbox (e-mail, SMS): its lines written out in the recipient's language.
DIGEST_TEXT = N_("Your daily summary: %(items)s")


@dataclass
class Due:
    """A reminder to send now: `kind` and `subject_id` (e.g. "round_closing", the round's id) make its key."""

    kind: str
    subject_id: int
    users: list
    message: str
    link: str
    event: str
    params: dict = field(default_factory=dict)


_FINDERS: list = []


def add_finder(finder):
    """`finder(now)` -> [Due]; registered once however often init_app runs."""
    if finder not in _FINDERS:
        _FINDERS.append(finder)


def _claim(kind, subject_id, user_id):
    """Write the sent-reminder row; False when it was sent already (or by another worker just now)."""
    try:
        with db.session.begin_nested():
            db.session.add(SentReminder(kind=kind, subject_id=subject_id, user_id=user_id, sent_at=clock.now()))
    except IntegrityError:
        return False
    return True


def _sent(kind, subject_id):
    return set(
        db.session.scalars(
            select(SentReminder.user_id).where(SentReminder.kind == kind, SentReminder.subject_id == subject_id)
        )
    )


def send_reminders(now=None):
    """Send every reminder that is due and not sent yet. The number sent."""
    now = now or clock.now()
    count = 0
    for finder in _FINDERS:
        for due in finder(now):
            done = _sent(due.kind, due.subject_id)
            for user in due.users:
                if user.id in done or not _claim(due.kind, due.subject_id, user.id):
                    continue
                done.add(user.id)
                notify([user], due.message, due.link, event=due.event, **due.params)
                count += 1
            db.session.commit()
    return count


def _text_of(user, items):
    """The digest's lines as one text, in the recipient's language (e-mail and SMS are rendered when queued)."""
    with force_locale(outbox.recipient_locale(user)):
        return "\n".join(f"- {render_message(item.message, item.params)}" for item in items)


def send_digests(now=None):
    """One message per resident per day with the events they chose to get as a digest: those of the days
    before today (local), so today's wait for tomorrow's digest. The number sent."""
    now = now or clock.now()
    today = clock.local_date(now)
    held = select(DigestItem).where(
        DigestItem.sent_at.is_(None), DigestItem.created_at < clock.end_of_local_day(today - timedelta(days=1))
    )
    waiting = {}
    for item in db.session.scalars(held.order_by(DigestItem.id)):
        waiting.setdefault(item.user_id, []).append(item)
    chosen = choices_for_users(list(waiting))
    count = 0
    for user_id, items in waiting.items():
        if not _claim(DIGEST, today.toordinal(), user_id):
            continue
        channels = set().union(*(chosen.get((user_id, Event(item.event)), DEFAULT).channels for item in items))
        if IN_APP in channels:
            lines = [{"message": item.message, "params": item.params} for item in items]
            db.session.add(
                Notification(user_id=user_id, message=DIGEST_MESSAGE, params={"n": len(items), "lines": lines})
            )
        user = items[0].user
        inbox = path_for("notifications.inbox")
        outbox.enqueue_for(user, channels - {IN_APP}, DIGEST_TEXT, {"items": _text_of(user, items)}, inbox)
        for item in items:
            item.sent_at = now
        db.session.commit()
        count += 1
    return count
