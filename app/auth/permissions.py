"""Who may do what to an account. Used by views, services and templates alike."""

from app.communities import permissions as community


def holds_staff_role(user):
    """A site administrator, or a committee member anywhere: accounts no committee may open."""
    return user.is_admin or community.is_committee_anywhere(user)


def can_issue_reset_code(actor, membership):
    """A committee member gives a one-time reset code, in person, to a verified member of their
    community: not to themselves, and not to staff, whose accounts would open other communities."""
    return (
        membership.is_verified
        and community.is_committee(actor, membership.community)
        and membership.user_id != actor.id
        and not holds_staff_role(membership.user)
    )
