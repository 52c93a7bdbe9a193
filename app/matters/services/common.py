"""What every micro-matter service shares: the all-or-nothing wrapper, the commit that turns a
race into a message, a person's own row on a matter, the audit entry and the matter's link."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core.service import commit, rolls_back
from app.core.urls import path_for
from app.extensions import db

CONFLICT = _l("This micro-matter was changed by someone else in the meantime. Please try again.")

# All or nothing: any refusal or error rolls the whole change back, and a race with another writer
# (a stale version, a duplicate row) becomes a message instead of an error page.
atomic = rolls_back(conflict=CONFLICT)


def commit_change(duplicate_message=None):
    """Commit, turning the races a double click or two people at once can cause into a message."""
    commit(duplicate_message or CONFLICT, CONFLICT)


def own_row(model, user, matter):
    """The user's own row of `model` (a support, a follow) on the matter, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(select(model).where(model.matter_id == matter.id, model.user_id == user.id))


def matter_link(matter, endpoint="matters.detail", **values):
    return path_for(endpoint, slug=matter.community.slug, matter_id=matter.id, **values)


def audit(action, obj, actor, matter, **data):
    record(action, obj, actor=actor, community=matter.community_id, **data)
