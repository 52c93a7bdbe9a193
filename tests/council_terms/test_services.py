"""Terms and substitutes: the rules of recording them, and the substitute stepping in on each way
a member leaves the council (role taken away, membership ended, account deleted, term ended early)."""

from datetime import date

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.communities import services as communities
from app.communities.models import Membership, MembershipStatus, Role
from app.core.errors import DomainError, FieldError
from app.council_terms import services, substitute_list
from app.council_terms.models import ChosenHow, CouncilTerm, EndCause, Substitute
from app.extensions import db
from app.notifications.models import Notification

from .conftest import TODAY


@pytest.fixture(autouse=True)
def english(app):
    """Messages are checked by their English ids here; the pages are tested in both languages."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


def role_of(community, user):
    return db.session.scalar(
        select(Membership.role).where(Membership.community_id == community.id, Membership.user_id == user.id)
    )


def membership_id(community, user):
    return db.session.scalar(
        select(Membership.id).where(Membership.community_id == community.id, Membership.user_id == user.id)
    )


def actions():
    return [entry.action for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


def inbox(user):
    return db.session.scalars(select(Notification.message).where(Notification.user_id == user.id)).all()


def assert_first_stepped_in(council, cause):
    db.session.expire_all()
    old = db.session.get(CouncilTerm, council.term.id)
    assert old.ends_on == TODAY and old.end_cause == cause
    assert role_of(council.community, council.first) == Role.COUNCIL_MEMBER
    new = db.session.scalar(select(CouncilTerm).where(CouncilTerm.user_id == council.first.id))
    assert (new.starts_on, new.ends_on, new.chosen_how, new.succeeds_id) == (
        TODAY,
        date(2028, 3, 19),
        ChosenHow.SUBSTITUTE,
        old.id,
    )
    remaining = db.session.scalars(select(Substitute.user_id).order_by(Substitute.rank)).all()
    assert remaining == [council.second.id]
    assert "council_term.ended" in actions() and "council_term.substitute_stepped_in" in actions()
    assert any("stepped in" in message for message in inbox(council.first))


# ---------------------------------------------------------------- recording terms


def term(council, user, starts_on, ends_on, actor=None):
    return services.add_term(
        actor or council.committee,
        council.community,
        user_id=user.id,
        starts_on=starts_on,
        ends_on=ends_on,
        chosen_how=ChosenHow.ELECTED,
    )


def test_a_term_must_end_after_it_starts(council):
    with pytest.raises(FieldError) as refusal:
        term(council, council.first, date(2026, 5, 1), date(2026, 5, 1))
    assert refusal.value.field == "ends_on"


def test_overlapping_terms_of_one_person_are_refused(council):
    for starts_on, ends_on in ((date(2028, 3, 19), date(2029, 1, 1)), (date(2024, 1, 1), date(2025, 3, 20))):
        with pytest.raises(FieldError, match="already has a term"):
            term(council, council.member, starts_on, ends_on)
    # The day after the term is free: the next term may start then.
    term(council, council.member, date(2028, 3, 20), date(2031, 3, 19))
    assert actions().count("council_term.added") == 2


def test_only_the_committee_records_terms_and_only_for_verified_members(council, make):
    with pytest.raises(DomainError, match="Only the committee"):
        term(council, council.first, date(2026, 1, 1), date(2027, 1, 1), actor=council.member)
    with pytest.raises(FieldError, match="verified member"):
        term(council, make.user(), date(2026, 1, 1), date(2027, 1, 1))


def test_a_substitute_is_a_verified_member_off_the_council_and_only_once(council):
    with pytest.raises(FieldError, match="must not be on the council"):
        substitute_list.add_substitute(council.committee, council.community, user_id=council.member.id)
    with pytest.raises(DomainError, match="already a substitute"):
        substitute_list.add_substitute(council.committee, council.community, user_id=council.first.id)
    assert [s.user_id for s in services.substitutes(council.community)] == [council.first.id, council.second.id]


def test_substitute_candidates_are_verified_members_off_the_council_and_the_committee(council, make):
    chair = make.member(council.community, role=Role.CHAIR)
    pending = make.member(council.community, status=MembershipStatus.PENDING)
    candidates = {user.id for user in services.substitute_candidates(council.community)}
    assert {council.first.id, council.second.id} <= candidates
    assert not candidates & {council.member.id, council.committee.id, chair.id, pending.id}


def test_substitutes_are_reordered_and_removed(council):
    second = services.substitutes(council.community)[1]
    substitute_list.move_up(council.committee, council.community, second.id)
    assert [s.user_id for s in services.substitutes(council.community)] == [council.second.id, council.first.id]
    with pytest.raises(DomainError, match="already first"):
        substitute_list.move_up(council.committee, council.community, second.id)
    substitute_list.remove_substitute(council.committee, council.community, second.id)
    assert [s.user_id for s in services.substitutes(council.community)] == [council.first.id]
    assert {"council_substitute.moved_up", "council_substitute.removed"} <= set(actions())


# ---------------------------------------------------------------- stepping in


def test_substitute_steps_in_when_the_committee_takes_the_council_role_away(council):
    communities.set_role(
        council.committee, council.community, membership_id(council.community, council.member), Role.RESIDENT
    )
    assert_first_stepped_in(council, EndCause.ROLE_REMOVED)
    assert any("taken by the substitute" in message for message in inbox(council.member))


def test_substitute_steps_in_when_the_membership_ends(council):
    communities.remove_member(
        council.committee, council.community, membership_id(council.community, council.member), "搬走了"
    )
    assert_first_stepped_in(council, EndCause.MEMBERSHIP_ENDED)
    # The removal reason is personal: it stays with the membership, not with the public term.
    assert db.session.get(CouncilTerm, council.term.id).end_reason is None


def test_substitute_steps_in_when_the_member_deletes_their_account(council):
    communities.end_memberships_of(council.member, "已注销用户")
    db.session.commit()
    assert_first_stepped_in(council, EndCause.MEMBERSHIP_ENDED)
    assert not any("taken by the substitute" in message for message in inbox(council.member))


def test_substitute_steps_in_when_the_committee_ends_the_term_early(council):
    with pytest.raises(FieldError):
        services.end_term_early(council.committee, council.community, council.term.id, "  ")
    services.end_term_early(council.committee, council.community, council.term.id, "长期不参加会议")
    assert_first_stepped_in(council, EndCause.ENDED_EARLY)
    assert role_of(council.community, council.member) == Role.RESIDENT
    assert db.session.get(CouncilTerm, council.term.id).end_reason == "长期不参加会议"
    with pytest.raises(DomainError, match="already ended"):
        services.end_term_early(council.committee, council.community, council.term.id, "再次")


def test_a_substitute_no_longer_eligible_is_passed_over(council):
    communities.remove_member(
        council.committee, council.community, membership_id(council.community, council.first), "搬走"
    )
    communities.set_role(
        council.committee, council.community, membership_id(council.community, council.member), Role.RESIDENT
    )
    assert role_of(council.community, council.second) == Role.COUNCIL_MEMBER
    assert role_of(council.community, council.first) == Role.RESIDENT


def test_no_one_steps_in_for_a_member_without_a_running_term(council, make):
    untermed = make.member(council.community, role=Role.COUNCIL_MEMBER)
    communities.set_role(
        council.committee, council.community, membership_id(council.community, untermed), Role.RESIDENT
    )
    assert role_of(council.community, council.first) == Role.RESIDENT
    assert len(services.substitutes(council.community)) == 2


def test_the_chair_becoming_a_council_member_is_not_leaving(council):
    communities.set_role(
        council.committee, council.community, membership_id(council.community, council.member), Role.CHAIR
    )
    communities.set_role(
        council.committee, council.community, membership_id(council.community, council.member), Role.COUNCIL_MEMBER
    )
    assert db.session.get(CouncilTerm, council.term.id).end_cause is None
    assert role_of(council.community, council.first) == Role.RESIDENT
