"""Communities and membership: joining, the committee's census check, roles."""

import re

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.core import clock, version_cache
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify

from . import permissions
from .models import ENDED, Community, Membership, MembershipStatus, Role

# Features that keep something per community connect here (the rules give it version 1):
# receiver(community, actor=...), inside the transaction that creates it.
community_created = Namespace().signal("community-created")
# Sent inside the verification's transaction: receivers add to it (app.register: the household).
membership_verified = Namespace().signal("membership-verified")
# Sent inside the transaction when a council member (or the chair) leaves the council: their role
# is taken away or their membership ends. receiver(membership, actor=..., ended=bool) (app.council_terms:
# the first substitute steps in).
council_seat_left = Namespace().signal("council-seat-left")

SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{1,58}[a-z0-9]$")


def get_community(slug):
    # Read on every page under /c/<slug>/: kept per data version of the row (app/core/version_cache.py).
    community = version_cache.kept_community_row(
        slug, lambda: db.session.scalar(select(Community).where(Community.slug == slug))
    )
    if community is None:
        raise NotFound()
    return community


def create_community(actor, *, slug, name, kind, district, register_size, annual_budget):
    if not permissions.is_admin(actor):
        raise DomainError(_l("Only an administrator can create communities."))
    if not SLUG_PATTERN.match(slug or ""):
        raise DomainError(_l("The web address may contain lower-case letters, digits and -."))
    if db.session.scalar(select(Community.id).where(Community.slug == slug)):
        raise DomainError(_l("This web address is already used by another community."))
    community = Community(
        slug=slug,
        name=clean_plain(name),
        kind=kind,
        district=clean_plain(district),
        register_size=register_size,
        annual_budget=annual_budget,
    )
    db.session.add(community)
    community_created.send(community, actor=actor)
    record("community.created", community, actor=actor, community=community, slug=slug)
    db.session.commit()
    return community


def _membership_for(user, community):
    """The person's membership row in the community; a new one if they never had one."""
    membership = permissions.membership_of(user, community)
    if membership is None:
        membership = Membership(user_id=user.id, community_id=community.id)
        db.session.add(membership)
    return membership


def request_join(user, community, address):
    if not permissions.can_request_join(user, community):
        raise DomainError(_l("You have already asked to join this community."))
    membership = _membership_for(user, community)
    membership.status = MembershipStatus.PENDING
    membership.address = clean_plain(address)
    membership.decline_reason = None
    membership.ended_at = membership.ended_by_id = membership.end_reason = None  # back after moving out
    record("membership.requested", membership, actor=user, community=community)
    notify(
        committee_of(community),
        N_("%(name)s asks to join %(community)s."),
        path_for("communities.members", slug=community.slug),
        name=user.display_name,
        community=community.name,
    )
    db.session.commit()
    return membership


def _pending_membership(actor, community, membership_id):
    if not permissions.can_manage_members(actor, community):
        raise DomainError(_l("Only the committee can verify residents."))
    return get_or_404(Membership, membership_id, community_id=community.id)


def verify(actor, community, membership_id):
    membership = _pending_membership(actor, community, membership_id)
    if membership.status != MembershipStatus.PENDING:
        raise DomainError(_l("This request has already been decided."))
    membership.status = MembershipStatus.VERIFIED
    membership.decided_by_id = actor.id
    membership.decided_at = clock.now()
    audit_membership("membership.verified", membership, actor, community)
    membership_verified.send(membership, actor=actor)
    _tell(membership, community, N_("You are now a verified resident of %(community)s."))
    db.session.commit()
    return membership


def audit_membership(action, membership, actor, community, **data):
    """The audit entry of something done to a membership (verified, role changed, blocked, ...), naming its person."""
    record(action, membership, actor=actor, community=community, user_id=membership.user_id, **data)


def _tell(membership, community, message, **params):
    """Tell the person what became of their membership, with a link to the community."""
    notify(
        [membership.user],
        message,
        path_for("communities.home", slug=community.slug),
        community=community.name,
        **params,
    )


def decline(actor, community, membership_id, reason):
    membership = _pending_membership(actor, community, membership_id)
    reason = clean_plain(reason)
    if not reason:
        raise DomainError(_l("Please give a reason; the person will see it."))
    if membership.status != MembershipStatus.PENDING:
        raise DomainError(_l("This request has already been decided."))
    membership.status = MembershipStatus.DECLINED
    membership.decline_reason = reason
    membership.decided_by_id = actor.id
    membership.decided_at = clock.now()
    audit_membership("membership.declined", membership, actor, community, reason=reason)
    _tell(membership, community, N_("Your request to join %(community)s was declined: %(reason)s"), reason=reason)
    db.session.commit()
    return membership


def set_role(actor, community, membership_id, role):
    if not permissions.can_assign_roles(actor, community):
        raise DomainError(_l("Only the committee or an administrator can change roles."))
    if role not in set(Role):
        raise DomainError(_l("Unknown role."))
    membership = get_or_404(Membership, membership_id, community_id=community.id)
    if not membership.is_verified:
        raise DomainError(_l("Only verified residents can be given a role."))
    if role == Role.COMMITTEE and not permissions.is_admin(actor):
        raise DomainError(_l("Only an administrator can appoint committee members."))
    if membership.role == Role.COMMITTEE and not permissions.is_admin(actor):
        raise DomainError(_l("Only an administrator can change a committee member's role."))
    old_role, was_council = membership.role, membership.is_council
    membership.role = role
    audit_membership("membership.role_changed", membership, actor, community, old=old_role, new=role)
    if was_council and not membership.is_council:
        council_seat_left.send(membership, actor=actor, ended=False)
    db.session.commit()
    return membership


def add_member(actor, community, user, role):
    """Admin: put an existing account straight into a community with a role (e.g. the committee)."""
    if not permissions.is_admin(actor):
        raise DomainError(_l("Only an administrator can do this."))
    membership = _membership_for(user, community)
    membership.status = MembershipStatus.VERIFIED
    membership.role = role
    membership.decided_by_id = actor.id
    membership.decided_at = clock.now()
    audit_membership("membership.appointed", membership, actor, community, role=role)
    db.session.commit()
    return membership


def committee_of(community):
    """The people on the community's committee (verified): those told of what waits for them."""
    return [m.user for m in permissions.verified_members(community, [Role.COMMITTEE])]


def _end(membership, status, actor, reason=None):
    was_council = membership.is_council
    membership.status = status
    membership.ended_at = clock.now()
    membership.ended_by_id = actor.id
    membership.end_reason = reason
    membership.address = ""  # kept only while a member (the privacy notice says so)
    if was_council:
        council_seat_left.send(membership, actor=actor, ended=True)


@rolls_back
def remove_member(actor, community, membership_id, reason):
    """The committee removes a member who moved out, with a reason the person is told. What they
    contributed stays; their rights here (supporting, voting, rating) end."""
    membership = get_or_404(Membership, membership_id, community_id=community.id)
    require(
        permissions.can_remove_member(actor, membership),
        _l("Only the committee removes verified members; an administrator removes committee members."),
    )
    reason = clean_plain(reason)
    require(reason, _l("Please give a reason; the member is told it."))
    _end(membership, MembershipStatus.REMOVED, actor, reason)
    audit_membership("membership.removed", membership, actor, community, reason=reason)
    _tell(membership, community, N_("You are no longer a member of %(community)s: %(reason)s"), reason=reason)
    commit()
    return membership


def end_memberships_of(user, pseudonym):
    """A person deletes their account (app/privacy), in that transaction: every membership ends and
    the committee of each community they belonged to, or asked to join, is told."""
    memberships = db.session.scalars(
        select(Membership).where(Membership.user_id == user.id, Membership.status.not_in(ENDED))
    ).all()
    for membership in memberships:
        was_member = membership.status in (MembershipStatus.PENDING, MembershipStatus.VERIFIED)
        _end(membership, MembershipStatus.LEFT, user)
        community = membership.community
        audit_membership("membership.left", membership, user, community)
        if was_member:
            notify(
                committee_of(community),
                N_("%(name)s has left %(community)s: the account was deleted."),
                path_for("communities.members", slug=community.slug),
                exclude=user,
                name=pseudonym,
                community=community.name,
            )


def former_members(community, limit=50):
    """The latest memberships that ended, for the committee's members page."""
    return db.session.scalars(
        select(Membership)
        .where(Membership.community_id == community.id, Membership.status.in_(ENDED))
        .order_by(Membership.ended_at.desc(), Membership.id.desc())
        .limit(limit)
    ).all()


def pending_requests(community):
    return db.session.scalars(
        select(Membership)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.PENDING)
        .order_by(Membership.created_at)
    ).all()


def memberships_of(user):
    return db.session.scalars(
        select(Membership).where(Membership.user_id == user.id).order_by(Membership.created_at)
    ).all()


def member_directory(community, query="", page=1, per_page=30):
    """Verified members, committee, council and grid workers first, searchable by name or address."""
    from app.auth.models import User

    statement = (
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED)
    )
    for word in (query or "").split()[:5]:
        statement = statement.where(
            User.display_name.icontains(word, autoescape=True) | Membership.address.icontains(word, autoescape=True)
        )
    role_order = case(
        {Role.COMMITTEE: 0, Role.CHAIR: 1, Role.COUNCIL_MEMBER: 2, Role.GRID_WORKER: 3}, value=Membership.role, else_=4
    )
    return db.paginate(
        statement.order_by(role_order, User.display_name, Membership.id), page=page, per_page=per_page, error_out=False
    )


REGISTER_SIZE_MAX = 1_000_000


def set_register_size(actor, community, size):
    """The number of people on the resident register as the committee states it (a support threshold
    set as a share counts of it; 0: not stated, the verified residents are counted instead); audited."""
    require(
        permissions.can_manage_members(actor, community), _l("Only the committee can change the community's settings.")
    )
    require(
        isinstance(size, int) and 0 <= size <= REGISTER_SIZE_MAX,
        _l("The register size must be a whole number between 0 and %(max)s.", max=REGISTER_SIZE_MAX),
    )
    previous, community.register_size = community.register_size, size
    record("community.register_size_set", community, actor=actor, community=community, register_size=[previous, size])
    commit()
