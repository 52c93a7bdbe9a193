"""Who may change the consultation rules."""

from app.communities.permissions import is_admin, is_committee


def can_edit_rules(user, community):
    return is_committee(user, community) or is_admin(user)
