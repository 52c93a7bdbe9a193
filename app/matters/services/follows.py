"""Following a micro-matter: its followers are told of comments, clarifications and status changes."""

from flask_babel import lazy_gettext as _l

from app.core.service import require
from app.extensions import db

from .. import permissions
from ..models import Follow
from .common import atomic, commit_change, own_row

ALREADY_FOLLOWING = _l("You already follow this micro-matter.")


@atomic
def follow(user, matter):
    require(
        getattr(user, "is_authenticated", False) and permissions.can_view(user, matter),
        _l("Please log in to follow micro-matters."),
    )
    require(not permissions.is_following(user, matter), ALREADY_FOLLOWING)
    db.session.add(Follow(matter_id=matter.id, user_id=user.id))
    commit_change(ALREADY_FOLLOWING)


@atomic
def unfollow(user, matter):
    row = own_row(Follow, user, matter)
    require(row is not None, _l("You do not follow this micro-matter."))
    db.session.delete(row)
    commit_change()
