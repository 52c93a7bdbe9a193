"""The official role beside a person's name: a resident may call themselves "居委会 周主任", but only
the committee's real members carry the committee's badge, which no name can contain."""

from flask import g
from sqlalchemy import select

from app.core import version_cache
from app.core.i18n import N_
from app.extensions import db

from .models import CommunityKind, Membership, MembershipStatus, Role

BADGES = {
    Role.COMMITTEE: N_("Residents' committee"),
    Role.CHAIR: N_("Council chair"),
    Role.COUNCIL_MEMBER: N_("Council member"),
    Role.GRID_WORKER: N_("Grid worker"),
}
VILLAGE_COMMITTEE = N_("Village committee")


def _official_roles(community):
    """{user id: role} of the community's verified committee and council, read once per request."""
    cache = g.setdefault("_official_roles", {})
    if community.id not in cache:

        def read():
            rows = db.session.execute(
                select(Membership.user_id, Membership.role).where(
                    Membership.community_id == community.id,
                    Membership.status == MembershipStatus.VERIFIED,
                    Membership.role.in_(list(BADGES)),
                )
            )
            return dict(rows.tuples().all())

        # kept per data version on the community's own pages, whose tokens cover its memberships
        here = getattr(g.get("community"), "id", None) == community.id
        cache[community.id] = version_cache.kept("official_roles", community.slug, read) if here else read()
    return cache[community.id]


def official_badge(user, community):
    """The message id of the person's official role in the community, or None (residents, visitors)."""
    if user is None or community is None:
        return None
    role = _official_roles(community).get(user.id)
    if role == Role.COMMITTEE and community.kind == CommunityKind.VILLAGE:
        return VILLAGE_COMMITTEE
    return BADGES.get(role)
