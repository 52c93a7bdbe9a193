"""Who records acts for residents (代录) and who sees the entries. Used by views, services and templates."""

from app.communities.permissions import is_admin, is_committee, is_grid_worker, is_verified_resident


def can_enter_on_behalf(user, community):
    """The committee and the community's grid workers (网格员)."""
    return is_committee(user, community) or is_grid_worker(user, community)


def can_enter_for(user, resident, community):
    """For a verified resident of the community other than oneself (one's own acts are one's own)."""
    return (
        can_enter_on_behalf(user, community)
        and resident is not None
        and resident.id != user.id
        and is_verified_resident(resident, community)
    )


def can_see_all_entries(user, community):
    """The committee (and site administrators) see every worker's entries; a worker sees their own."""
    return is_committee(user, community) or is_admin(user)


def can_see_entries(user, community):
    return can_enter_on_behalf(user, community) or can_see_all_entries(user, community)
