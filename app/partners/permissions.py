"""Who may do what with partners, volunteers and delivery tasks. Used by views, services and
templates alike."""

from app.communities.permissions import is_committee, is_verified_resident
from app.matters.lifecycle import Status

# A matter is decided once approved; from then on its delivery can be shared out.
DECIDED = (
    Status.APPROVED,
    Status.IMPLEMENTING,
    Status.COMPLETED,
    Status.EVALUATING,
    Status.RECTIFYING,
    Status.CLOSED,
)


def can_manage_partners(user, community):
    """The committee adds and edits partners, signs partners up for tasks, confirms sign-ups and hours."""
    return is_committee(user, community)


def can_see_contact(user, partner):
    return partner is not None and is_committee(user, partner.community)


def can_volunteer(user, community):
    """Verified members of the community sign up as volunteers."""
    return is_verified_resident(user, community)


def is_decided(matter):
    return matter is not None and matter.status in DECIDED


def can_add_task(user, matter):
    return matter is not None and is_committee(user, matter.community) and is_decided(matter)
