"""Households: the register of who votes together in a one-ballot-per-household round."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.services import find_user
from app.communities.models import Membership, MembershipStatus
from app.communities.permissions import is_verified_resident
from app.core.errors import DomainError
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import clean_plain
from app.extensions import db

from . import permissions
from .models import Household, HouseholdMember


def household_of(user, community):
    return db.session.scalar(
        select(Household)
        .join(HouseholdMember)
        .where(HouseholdMember.user_id == user.id, HouseholdMember.community_id == community.id)
    )


# --- households ------------------------------------------------------------------------------


def _check_households(actor, community):
    if not permissions.can_manage_households(actor, community):
        raise DomainError(_l("Only the committee can manage households."))


def list_households(community, page=1, per_page=20):
    return db.paginate(
        select(Household)
        .where(Household.community_id == community.id)
        .options(selectinload(Household.members).selectinload(HouseholdMember.user))
        .order_by(Household.address, Household.id),
        page=page,
        per_page=per_page,
        error_out=False,
    )


def get_household(community, household_id):
    return get_or_404(Household, household_id, community_id=community.id)


@rolls_back
def create_household(actor, community, name, address):
    _check_households(actor, community)
    name, address = clean_plain(name), clean_plain(address)
    if not name or len(name) > 80 or not address or len(address) > 120:
        raise DomainError(_l("Give the household a name (at most 80 characters) and an address (at most 120)."))
    household = Household(community_id=community.id, name=name, address=address)
    db.session.add(household)
    db.session.flush()
    record("household.created", household, actor=actor, community=community, name=name)
    db.session.commit()
    return household


def audit_member(action, member, actor, community, **data):
    """The audit entry of a person placed in or taken out of a household (here, or from the register)."""
    record(
        action,
        member,
        actor=actor,
        community=community,
        household_id=member.household_id,
        user_id=member.user_id,
        **data,
    )


@rolls_back
def add_household_member(actor, community, household, username):
    _check_households(actor, community)
    user = find_user(username or "") if (username or "").strip() else None
    if user is None:
        raise DomainError(_l("No account with the user name “%(name)s”.", name=clean_plain(username or "")[:40]))
    if not is_verified_resident(user, community):
        raise DomainError(_l("%(name)s is not a verified resident of this community.", name=user.display_name))
    in_a_household = _l("%(name)s already belongs to a household.", name=user.display_name)
    require(household_of(user, community) is None, in_a_household)
    # A second household for the same person at the same moment is refused by the unique constraint.
    member = insert_once(
        HouseholdMember(household_id=household.id, community_id=community.id, user_id=user.id), in_a_household
    )
    audit_member("household.member_added", member, actor, community)
    commit(in_a_household)
    return member


@rolls_back
def remove_household_member(actor, community, household, member_id):
    """Moving people between households never gives them a second ballot: the register keeps one
    row per person per round (RoundParticipation unique on round and user)."""
    _check_households(actor, community)
    member = get_or_404(HouseholdMember, member_id, household_id=household.id)
    audit_member("household.member_removed", member, actor, community)
    db.session.delete(member)
    db.session.commit()


def suggested_members(community, household, limit=20):
    """Verified residents registered at the household's address who are in no household yet."""
    in_households = select(HouseholdMember.user_id).where(HouseholdMember.community_id == community.id)
    return db.session.scalars(
        select(Membership)
        .options(selectinload(Membership.user))
        .where(
            Membership.community_id == community.id,
            Membership.status == MembershipStatus.VERIFIED,
            Membership.address == household.address,
            Membership.user_id.not_in(in_households),
        )
        .order_by(Membership.id)
        .limit(limit)
    ).all()


def _households_from_addresses(actor, community):
    in_households = select(HouseholdMember.user_id).where(HouseholdMember.community_id == community.id)
    memberships = db.session.scalars(
        select(Membership)
        .options(selectinload(Membership.user))
        .where(
            Membership.community_id == community.id,
            Membership.status == MembershipStatus.VERIFIED,
            Membership.user_id.not_in(in_households),
            Membership.address != "",
        )
        .order_by(Membership.id)
    ).all()
    existing = {
        h.address: h for h in db.session.scalars(select(Household).where(Household.community_id == community.id))
    }
    created = added = 0
    for membership in memberships:
        address = clean_plain(membership.address)[:120]
        household = existing.get(address)
        if household is None:
            household = Household(community_id=community.id, name=address[:80], address=address)
            db.session.add(household)
            existing[address] = household
            created += 1
        household.members.append(HouseholdMember(community_id=community.id, user_id=membership.user_id))
        added += 1
    db.session.flush()
    record(
        "household.created_from_addresses",
        None,
        actor=actor,
        community=community,
        object_type="Household",
        households=created,
        members=added,
    )
    return created, added


@rolls_back
def households_from_addresses(actor, community):
    """Group verified residents in no household yet by their registered address."""
    _check_households(actor, community)
    created, added = _households_from_addresses(actor, community)
    db.session.commit()
    return created, added
