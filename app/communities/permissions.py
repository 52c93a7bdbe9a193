"""Who may do what in a community. Used by views, services and templates alike."""

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import clock, version_cache
from app.extensions import db

from .models import ENDED, Membership, MembershipStatus, Role


def membership_of(user, community):
    """The user's membership of the community, or None: the one lookup behind every "verified
    member with role" predicate. A page asks many of them; a GET request changes no membership, so
    it looks each one up once; a request that may write, again once its session has written
    (version_cache.per_view)."""
    if user is None or not getattr(user, "is_authenticated", False) or community is None:
        return None
    key = (user.id, community.id)
    # the logged-in person's own, kept across page views while their memberships do not change
    return version_cache.per_view(
        "membership",
        key,
        lambda: version_cache.personal_row(("membership", community.id), user.id, lambda: _membership(*key)),
    )


def _membership(user_id, community_id):
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user_id, Membership.community_id == community_id)
    )


def is_admin(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def is_verified_resident(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified


def posting_block(user, community):
    """The membership whose posting the committee has blocked until a time still to come, or None."""
    membership = membership_of(user, community)
    if membership is None or membership.posting_blocked_until is None:
        return None
    return membership if membership.posting_blocked_until > clock.now() else None


def may_post(user, community):
    """A verified resident not blocked from posting: proposals, comments, clarifications."""
    return is_verified_resident(user, community) and posting_block(user, community) is None


def is_council_member(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_council


def is_chair(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.CHAIR


def is_committee(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.COMMITTEE


def is_grid_worker(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.GRID_WORKER


def is_committee_anywhere(user):
    return (
        db.session.scalar(
            select(Membership.id)
            .where(
                Membership.user_id == user.id,
                Membership.role == Role.COMMITTEE,
                Membership.status == MembershipStatus.VERIFIED,
            )
            .limit(1)
        )
        is not None
    )


def can_request_join(user, community):
    if not getattr(user, "is_authenticated", False):
        return False
    membership = membership_of(user, community)
    return membership is None or membership.status in (MembershipStatus.DECLINED, *ENDED)


def can_manage_members(user, community):
    return is_committee(user, community) or is_admin(user)


def can_set_group_robot(user, community):
    """Who connects the community's WeCom group robot (its webhook key is a secret of the community)."""
    return is_committee(user, community) or is_admin(user)


def can_assign_roles(user, community):
    return is_admin(user) or is_committee(user, community)


def can_remove_member(user, membership):
    """The committee removes a verified member who moved out. A committee member is removed only by
    an administrator (as only one appoints them), and nobody removes themselves here."""
    return (
        membership.is_verified
        and can_manage_members(user, membership.community)
        and membership.user_id != user.id
        and (membership.role != Role.COMMITTEE or is_admin(user))
    )


def verified_members(community, roles=None):
    """The verified memberships of the community (with one of `roles`), their users loaded."""
    query = (
        select(Membership)
        .options(selectinload(Membership.user))
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED)
    )
    if roles:
        query = query.where(Membership.role.in_(list(roles)))
    return db.session.scalars(query).all()
