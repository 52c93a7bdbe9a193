"""Who may do what with a micro-matter. Used by views, services and templates alike.

Every predicate takes the user first (possibly anonymous) and answers True/False;
services call them again before acting, whatever the page showed.
"""

from flask import g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from app.communities import permissions as community_permissions
from app.communities.models import MembershipStatus
from app.communities.permissions import is_committee, is_verified_resident, may_post
from app.extensions import db

from . import lifecycle
from .lifecycle import Status
from .models import Follow, Support

REPLIES_MAX = 10  # answers to one comment (services.REPLIES_MAX)
EDITABLE = frozenset({Status.DRAFT, Status.COLLECTING})
# Comments belong to the public discussion: not on private drafts, not after a withdrawal.
NO_COMMENTS = frozenset({Status.DRAFT, Status.WITHDRAWN, Status.HIDDEN})
_OWN_ROWS = "_matter_own_rows"  # g: {(user id, matter id): (supports, follows)}


def _logged_in(user):
    return user is not None and bool(getattr(user, "is_authenticated", False))


def is_proposer(user, matter):
    return _logged_in(user) and user.id == matter.proposer_id


def _speaks_for_matter(user, matter):
    """The proposer (still a verified member) or the committee: they clarify and answer."""
    return (is_proposer(user, matter) and may_post(user, matter.community)) or is_committee(user, matter.community)


def can_create(user, community):
    """Only verified residents of this community propose micro-matters (unless blocked from posting)."""
    return may_post(user, community)


def can_view(user, matter):
    """Drafts are private to their proposer and the committee; everything else is public."""
    if matter.status != Status.DRAFT:
        return True
    return is_proposer(user, matter) or is_committee(user, matter.community) or community_permissions.is_admin(user)


def can_read_content(user, matter):
    """A hidden matter's page says why it was hidden; its text and photos only its proposer and the
    committee still read."""
    if matter.status != Status.HIDDEN:
        return can_view(user, matter)
    return is_proposer(user, matter) or is_committee(user, matter.community) or community_permissions.is_admin(user)


def can_edit(user, matter):
    return matter.status in EDITABLE and is_proposer(user, matter)


def can_change_substance(user, matter):
    """Title, description, cost, location and type: only until the first support."""
    return can_edit(user, matter) and not matter.substance_frozen


def can_clarify(user, matter):
    """The proposer (or the committee) adds dated clarifications once the matter is public."""
    if matter.status in NO_COMMENTS:
        return False
    return _speaks_for_matter(user, matter)


def can_submit(user, matter):
    return _logged_in(user) and lifecycle.can("submit", user, matter)


def can_withdraw(user, matter):
    return _logged_in(user) and lifecycle.can("withdraw", user, matter)


def _own_rows(user, matter):
    """(supports it, follows it) for a logged-in user: one query, kept for the rest of the request
    (a page asks several times) and forgotten at the next write (_forget_own_rows)."""
    known = g.setdefault(_OWN_ROWS, {})
    key = (user.id, matter.id)
    if key not in known:
        supports = select(Support.id).where(Support.matter_id == matter.id, Support.user_id == user.id).exists()
        follows = select(Follow.id).where(Follow.matter_id == matter.id, Follow.user_id == user.id).exists()
        known[key] = tuple(bool(value) for value in db.session.execute(select(supports, follows)).one())
    return known[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_soft_rollback")
def _forget_own_rows(*_args):
    if has_app_context():
        g.pop(_OWN_ROWS, None)


def has_supported(user, matter):
    return _logged_in(user) and _own_rows(user, matter)[0]


def can_support(user, matter):
    return (
        matter.status == Status.COLLECTING
        and _logged_in(user)
        and not is_proposer(user, matter)
        and is_verified_resident(user, matter.community)
        and not has_supported(user, matter)
    )


def joining_step(user, community):
    """What stands between `user` and taking part in `community`: "login", "join" (never asked, or
    declined or removed), "pending" (asked; the committee has not checked yet), or None (verified)."""
    if not _logged_in(user):
        return "login"
    membership = community_permissions.membership_of(user, community)
    if membership is not None and membership.is_verified:
        return None
    if membership is not None and membership.status == MembershipStatus.PENDING:
        return "pending"
    return "join"


def support_missing(user, matter):
    """Why the page shows no support button: "not_collecting", "own", or joining_step's answer;
    None when the button is there or the person supports it already (or it is a draft)."""
    if matter.status == Status.DRAFT or can_support(user, matter) or has_supported(user, matter):
        return None
    if matter.status != Status.COLLECTING:
        return "not_collecting"
    if is_proposer(user, matter):
        return "own"
    return joining_step(user, matter.community)


def can_unsupport(user, matter):
    return matter.status == Status.COLLECTING and has_supported(user, matter)


def can_comment(user, matter):
    return matter.status not in NO_COMMENTS and may_post(user, matter.community)


def can_reply(user, comment):
    """The matter's proposer and the committee answer top-level comments (one level deep)."""
    matter = comment.matter
    if comment.parent_id is not None or comment.is_hidden or matter.status in NO_COMMENTS:
        return False
    if len(comment.replies) >= REPLIES_MAX:
        return False
    return _speaks_for_matter(user, matter)


def can_hide_comment(user, comment):
    return not comment.is_hidden and is_committee(user, comment.matter.community)


def is_following(user, matter):
    return _logged_in(user) and _own_rows(user, matter)[1]


def can_follow(user, matter):
    return _logged_in(user) and can_view(user, matter) and not is_following(user, matter)


def can_unfollow(user, matter):
    return is_following(user, matter)


def can_view_photo(user, matter):
    return can_read_content(user, matter)
