from app.communities.permissions import is_committee


def can_raise(user, community):
    """The committee puts its own, assigned and other items on the agenda list."""
    return is_committee(user, community)
