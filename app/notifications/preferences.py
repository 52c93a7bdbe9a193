"""Each resident's choice of how to hear about each kind of event: in the inbox, by e-mail, by SMS; at
once or in one daily digest. No stored row means the defaults (DEFAULT), which are what everyone
got before preferences existed. Messages about one's account, membership or duties have no kind:
they always come, in the inbox and by e-mail."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.service import commit, require, rolls_back
from app.extensions import db

from .models import NotificationPreference

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
CHANNELS = (IN_APP, EMAIL, SMS)


class Event(Labelled):
    MINE = "mine", N_("My micro-matters")
    FOLLOWING = "following", N_("Micro-matters I support or follow")
    MEETINGS = "meetings", N_("Council meetings")
    ROUNDS = "rounds", N_("Residents' votes")
    RATINGS = "ratings", N_("Satisfaction ratings")


class Choice:
    """One resident's choice for one kind of event."""

    def __init__(self, in_app=True, email=True, sms=False, digest=False):
        self.in_app, self.email, self.sms, self.digest = in_app, email, sms, digest

    @property
    def channels(self):
        return {name for name in CHANNELS if getattr(self, name)}

    def __eq__(self, other):
        return isinstance(other, Choice) and vars(self) == vars(other)


DEFAULT = Choice()
ALWAYS = {IN_APP, EMAIL}  # messages without a kind


def _rows(user):
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user.id))
    return {row.event: row for row in rows}


def choices_of(user):
    """{Event: Choice} for every kind of event, the defaults where nothing is stored."""
    rows = _rows(user)
    return {
        event: Choice(row.in_app, row.email, row.sms, row.digest) if (row := rows.get(event)) else Choice()
        for event in Event
    }


def choices_for_users(user_ids):
    """{(user id, Event): Choice} of what the users stored (one query for a whole audience)."""
    if not user_ids:
        return {}
    rows = db.session.scalars(select(NotificationPreference).where(NotificationPreference.user_id.in_(user_ids)))
    return {(row.user_id, Event(row.event)): Choice(row.in_app, row.email, row.sms, row.digest) for row in rows}


def choice_of(user, event):
    if event is None:
        return Choice()
    row = db.session.scalar(
        select(NotificationPreference).where(
            NotificationPreference.user_id == user.id, NotificationPreference.event == str(event)
        )
    )
    return Choice(row.in_app, row.email, row.sms, row.digest) if row else Choice()


def channels_for(user, event_kind) -> set[str]:
    """The channels ("in_app", "email", "sms") `user` chose for `event_kind` (an Event or its value;
    None: a message that always comes). Whether they come at once or in the digest is choice_of().digest."""
    if event_kind is None:
        return set(ALWAYS)
    return choice_of(user, event_kind).channels


@rolls_back
def save(user, choices):
    """Store `choices` ({Event: Choice}); a kind left at the defaults keeps no row."""
    for choice in choices.values():
        require(not choice.digest or choice.channels, _l("A daily digest needs at least one way to reach you."))
    rows = _rows(user)
    for event, choice in choices.items():
        row = rows.get(str(event))
        if choice == DEFAULT:
            if row is not None:
                db.session.delete(row)
            continue
        if row is None:
            row = NotificationPreference(user_id=user.id, event=str(event))
            db.session.add(row)
        row.in_app, row.email, row.sms, row.digest = choice.in_app, choice.email, choice.sms, choice.digest
    record(
        "notifications.preferences_set",
        user,
        actor=user,
        choices={str(e): sorted(c.channels) + (["digest"] if c.digest else []) for e, c in choices.items()},
    )
    commit()
