"""Who may do what with a community's convention: everyone reads it; verified residents propose
and support amendments; the committee keeps the text, admits amendments, enters the residents'
assembly's counts and opens the residents' round; a second person confirms the counts."""

from app.communities import permissions as community_permissions

# Confirm or reject an assembly's counts someone else entered: the one rule for every count a
# second person confirms, the paper tally sheet's (a committee member, or a council member, the
# chair included, as scrutineer). The services add: never the person who entered them.
from app.voting.permissions import can_scrutinise as can_confirm_counts  # noqa: F401

from .models import AmendmentStatus


def can_keep(user, community):
    """Write down version 1, admit or decline amendments, enter the residents' assembly's counts,
    open the residents' round."""
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
