"""Who may do what in a community. Used by views, services and templates alike."""

from sqlalchemy import select

from app.extensions import db

from .models import Membership, MembershipStatus, Role


def membership_of(user, community):
    if user is None or not getattr(user, "is_authenticated", False) or community is None:
        return None
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.community_id == community.id)
    )


def is_admin(user):
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_admin)


def is_verified_resident(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified


def is_council_member(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_council


def is_chair(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.CHAIR


def is_committee(user, community):
    membership = membership_of(user, community)
    return membership is not None and membership.is_verified and membership.role == Role.COMMITTEE


def can_request_join(user, community):
    if not getattr(user, "is_authenticated", False):
        return False
    membership = membership_of(user, community)
    return membership is None or membership.status == MembershipStatus.DECLINED


def can_manage_members(user, community):
    return is_committee(user, community) or is_admin(user)


def can_assign_roles(user, community):
    return is_admin(user) or is_committee(user, community)


def verified_members(community, roles=None):
    query = select(Membership).where(
        Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED
    )
    if roles:
        query = query.where(Membership.role.in_(list(roles)))
    return db.session.scalars(query).all()
