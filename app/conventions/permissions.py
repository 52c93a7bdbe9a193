"""Who may do what with a community's convention: everyone reads it; verified residents propose
and support amendments; the committee keeps the text, admits amendments and records the
residents' assembly."""

from app.communities import permissions as community_permissions

from .models import AmendmentStatus


def can_keep(user, community):
    """Write down version 1, admit or decline amendments, record the residents' assembly."""
    return community_permissions.is_committee(user, community)


def can_propose(user, community):
    return community_permissions.is_verified_resident(user, community)


def is_proposer(user, amendment):
    return getattr(user, "id", None) == amendment.proposer_id


def can_support(user, amendment, supported):
    """`supported`: whether the user already supports it."""
    return (
        amendment.status == AmendmentStatus.COLLECTING
        and not supported
        and not is_proposer(user, amendment)
        and community_permissions.is_verified_resident(user, amendment.convention.community)
    )
