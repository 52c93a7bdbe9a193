"""Telling people what changed: the in-app inbox, e-mail and SMS through the outbox (outbox.py), as
each resident chose (preferences.py): at once, or held for the daily digest (reminders.py)."""

from sqlalchemy import func, select, update

from app.core import clock, version_cache
from app.core.i18n import N_
from app.core.service import get_or_404
from app.extensions import db

from . import outbox
from .models import DigestItem, Notification
from .preferences import DEFAULT, IN_APP, Event, choices_for_users

# Several changes of one matter on one day become one inbox entry listing them.
PROGRESS_UPDATE = N_("Progress update on “%(title)s”:")


def notify(users, message, link="", *, exclude=None, event=None, matter=None, **params):
    """Tell each distinct user, in the caller's transaction.

    `message` is an English msgid marked with N_(); `params` fill its %(name)s slots. `event` is the
    kind of event (preferences.Event) the recipients chose channels and timing for; with `matter`
    instead, it is "my micro-matters" for its proposer and "support or follow" for everyone else;
    with neither the message always comes (inbox and e-mail). Messages about `matter` on one local
    day are merged into one inbox entry listing them; only the first of the day goes out by e-mail or SMS.
    """
    recipients, seen = [], {getattr(exclude, "id", None)}
    for user in users:
        if user is not None and user.id not in seen:
            seen.add(user.id)
            recipients.append(user)
    chosen = choices_for_users([u.id for u in recipients])
    # At most one inbox entry per matter and day (the community's local day): today's entries so far.
    key = f"matter:{matter.id}:{clock.local_today().isoformat()}" if matter is not None else None
    today = _entries_of_the_day(key, [u.id for u in recipients])
    for user in recipients:
        kind = Event(event) if event else None
        if kind is None and matter is not None:
            kind = Event.MINE if user.id == matter.proposer_id else Event.FOLLOWING
        choice = chosen.get((user.id, kind), DEFAULT) if kind else DEFAULT
        channels = choice.channels
        if choice.digest:
            db.session.add(
                DigestItem(
                    user_id=user.id, event=str(kind), message=message, params=params, link=link, created_at=clock.now()
                )
            )
            continue
        if IN_APP in channels and user.id in today:
            _merge(today[user.id], message, params, link)
            continue
        if IN_APP in channels:
            db.session.add(Notification(user_id=user.id, message=message, params=params, link=link, group_key=key))
        outbox.enqueue_for(user, channels - {IN_APP}, message, params, link, str(kind) if kind else None)
    return len(recipients)


def _entries_of_the_day(key, user_ids):
    """{user id: their inbox entry with this key} (none without a key)."""
    if key is None or not user_ids:
        return {}
    entries = db.session.scalars(
        select(Notification).where(Notification.group_key == key, Notification.user_id.in_(user_ids))
    )
    return {entry.user_id: entry for entry in entries}


def _merge(entry, message, params, link):
    """Add the change to the entry of the day: unread again, pointing to the latest change's page."""
    lines = entry.params.get("lines") or [{"message": entry.message, "params": entry.params}]
    entry.params = {"title": params.get("title", ""), "lines": [*lines, {"message": message, "params": params}]}
    entry.message, entry.link, entry.read_at = PROGRESS_UPDATE, link or entry.link, None


def lines_of(notification):
    """[(message, params)] of a merged entry, [] for a single one."""
    return [(line["message"], line["params"]) for line in (notification.params or {}).get("lines", [])]


def unread_count(user):
    """Shown in the header of every page the person sees: kept per their data version, which every
    notification written or read for them changes (app/core/versions.py, PERSONAL_TABLES)."""
    return version_cache.personal(
        "unread_count",
        user.id,
        lambda: db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id, Notification.read_at.is_(None))
        ),
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


def open_notification(user, notification_id):
    """Mark the user's entry read (once: a second opening changes nothing) and return where it points;
    another person's entry is not found."""
    entry = get_or_404(Notification, notification_id, user_id=user.id)
    if entry.read_at is None:
        entry.read_at = clock.now()
        db.session.commit()
    # Links are stored by the site itself (path_for); anything else is not followed.
    return entry.link if entry.link.startswith("/") and not entry.link.startswith("//") else None
