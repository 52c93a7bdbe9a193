"""Who may do what with the fund: everyone reads it; the committee of the community keeps it."""

from app.communities import permissions as community_permissions


def can_keep_fund(user, community):
    """Record sources, reverse entries and close a year."""
    return community_permissions.is_committee(user, community)
