"""The register is the committee's: no one else reads it, not even the people on it (their own
data reaches them through their data export)."""

from app.communities.permissions import is_committee


def can_keep_register(user, community):
    return is_committee(user, community)
