"""Who may do what with a micro-matter. Used by views, services and templates alike.

Every predicate takes the user first (possibly anonymous) and answers True/False;
services call them again before acting, whatever the page showed.
"""

from flask import has_request_context, request
from sqlalchemy import select

from app.communities import permissions as community_permissions
from app.communities.models import Role
from app.extensions import db

from . import lifecycle
from .lifecycle import Status
from .models import Follow, Support

REPLIES_MAX = 10  # answers to one comment (services.REPLIES_MAX)
EDITABLE = frozenset({Status.DRAFT, Status.COLLECTING})
# Comments belong to the public discussion: not on private drafts, not after a withdrawal.
NO_COMMENTS = frozenset({Status.DRAFT, Status.WITHDRAWN})


def _logged_in(user):
    return user is not None and bool(getattr(user, "is_authenticated", False))


def _membership(user, community):
    """The user's membership, looked up once per request (a detail page asks many times)."""
    if not _logged_in(user) or community is None:
        return None
    if not has_request_context():
        return community_permissions.membership_of(user, community)
    cache = request.__dict__.setdefault("_matters_membership_cache", {})
    key = (user.id, community.id)
    if key not in cache:
        cache[key] = community_permissions.membership_of(user, community)
    return cache[key]


def is_verified(user, community):
    membership = _membership(user, community)
    return membership is not None and membership.is_verified


def is_committee(user, community):
    membership = _membership(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.COMMITTEE


def is_proposer(user, matter):
    return _logged_in(user) and user.id == matter.proposer_id


def can_create(user, community):
    """Only verified residents of this community propose micro-matters."""
    return is_verified(user, community)


def can_view(user, matter):
    """Drafts are private to their proposer and the committee; everything else is public."""
    if matter.status != Status.DRAFT:
        return True
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
    return (is_proposer(user, matter) and is_verified(user, matter.community)) or is_committee(user, matter.community)


def can_submit(user, matter):
    return _logged_in(user) and lifecycle.can("submit", user, matter)


def can_withdraw(user, matter):
    return _logged_in(user) and lifecycle.can("withdraw", user, matter)


def has_supported(user, matter):
    if not _logged_in(user):
        return False
    return (
        db.session.scalar(select(Support.id).where(Support.matter_id == matter.id, Support.user_id == user.id))
        is not None
    )


def can_support(user, matter):
    return (
        matter.status == Status.COLLECTING
        and _logged_in(user)
        and not is_proposer(user, matter)
        and is_verified(user, matter.community)
        and not has_supported(user, matter)
    )


def can_unsupport(user, matter):
    return matter.status == Status.COLLECTING and has_supported(user, matter)


def can_comment(user, matter):
    return matter.status not in NO_COMMENTS and is_verified(user, matter.community)


def can_reply(user, comment):
    """The matter's proposer and the committee answer top-level comments (one level deep)."""
    matter = comment.matter
    if comment.parent_id is not None or comment.is_hidden or matter.status in NO_COMMENTS:
        return False
    if len(comment.replies) >= REPLIES_MAX:
        return False
    return (is_proposer(user, matter) and is_verified(user, matter.community)) or is_committee(user, matter.community)


def can_hide_comment(user, comment):
    return not comment.is_hidden and is_committee(user, comment.matter.community)


def is_following(user, matter):
    if not _logged_in(user):
        return False
    return (
        db.session.scalar(select(Follow.id).where(Follow.matter_id == matter.id, Follow.user_id == user.id)) is not None
    )


def can_follow(user, matter):
    return _logged_in(user) and can_view(user, matter) and not is_following(user, matter)


def can_unfollow(user, matter):
    return is_following(user, matter)


def can_view_photo(user, matter):
    return can_view(user, matter)
