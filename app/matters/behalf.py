"""Acts recorded for a resident by a committee member or grid worker (代录; the pages are app/onbehalf).

The act is stored as the resident's own (they are the proposer, supporter, author or rater), so every
count, threshold and unique constraint treats it as theirs, once; the row only adds who typed it in
and how they heard it (models_base.EnteredOnBehalf). The services of micro-matters and the tracker
take `entered_by` and `channel` and use these helpers for what differs: the audit entry's actor, the
refusal of the same act a second time, and telling the resident."""

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.core import clock
from app.core.i18n import N_
from app.core.vocabulary import EntryChannel
from app.extensions import db
from app.notifications import outbox
from app.notifications.preferences import SMS
from app.notifications.services import notify

# What the resident is told, per kind of act (the link leads to it).
TOLD = {
    "proposal": N_(
        "%(name)s recorded your proposal “%(title)s” for you (%(channel)s). If you did not agree, tell the committee."
    ),
    "support": N_(
        "%(name)s recorded your support for “%(title)s” for you (%(channel)s). If you did not agree, tell the committee."
    ),
    "comment": N_(
        "%(name)s recorded your comment on “%(title)s” for you (%(channel)s). If you did not agree, tell the committee."
    ),
    "rating": N_(
        "%(name)s recorded your rating of “%(title)s” for you (%(channel)s). If you did not agree, tell the committee."
    ),
}


def stamp(row, entered_by, channel):
    """Mark the act's row as entered by `entered_by` through `channel` (nothing for one's own act)."""
    if entered_by is not None:
        row.entered_by_id, row.channel = entered_by.id, str(channel)
    return row


def actor_and_data(resident, entered_by, channel):
    """The audit entry's actor (whoever typed it in) and the data that names the resident."""
    if entered_by is None:
        return resident, {}
    return entered_by, {"on_behalf_of": resident.id, "channel": str(channel)}


def duplicate(existing, resident, entered_by, own_message):
    """Why the act cannot be recorded again, given the row already there: one's own act after an
    entry on one's behalf says by whom and how; an entry on behalf after anything names the resident."""
    when = clock.to_local(existing.created_at).strftime("%Y-%m-%d")
    if existing.entered_by_id is not None:
        params = {
            "name": db.session.get(User, existing.entered_by_id).display_name,
            "channel": EntryChannel.label_of(existing.channel),
            "date": when,
        }
        if entered_by is None:
            return _l("This was already recorded on your behalf by %(name)s (%(channel)s) on %(date)s.", **params)
        return _l(
            "This was already recorded for %(resident)s by %(name)s (%(channel)s) on %(date)s.",
            resident=resident.display_name,
            **params,
        )
    if entered_by is None:
        return own_message
    return _l("%(resident)s already did this themselves on %(date)s.", resident=resident.display_name, date=when)


def tell(kind, resident, entered_by, channel, title, link):
    """Tell the resident, in the act's transaction: always in the inbox and by e-mail, and by SMS
    when they gave a number for it (many people without a smartphone read SMS)."""
    params = {"name": entered_by.display_name, "title": title, "channel": str(channel)}
    notify([resident], TOLD[kind], link, **params)
    outbox.enqueue_for(resident, {SMS}, TOLD[kind], params, link)
