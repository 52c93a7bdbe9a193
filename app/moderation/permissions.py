from app.communities.models import Role
from app.communities.permissions import is_committee, is_verified_resident


def can_flag(user, community):
    return is_verified_resident(user, community)


def can_moderate(user, community):
    return is_committee(user, community)


def can_block(user, membership):
    """The committee blocks residents and council members; not its own members."""
    return (
        can_moderate(user, membership.community)
        and membership.is_verified
        and membership.role != Role.COMMITTEE
        and membership.user_id != getattr(user, "id", None)
    )
