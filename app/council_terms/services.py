"""Terms of office, substitutes stepping in, and attendance over a year (the committee's list of
substitutes is kept in substitute_list.py).

The committee records terms and the ordered substitutes. When a member leaves the council (their
role is taken away, their membership ends, or the committee ends their term early) and their term
still runs, the first eligible substitute steps in: the council-member role and a term for the rest
of the seat's term, in the same transaction, audited, both told.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.auth.models import User
from app.communities.models import Membership, MembershipStatus, Role
from app.communities.services import audit_membership
from app.core import clock
from app.core.errors import FieldError
from app.core.i18n import N_
from app.core.params import checked_date
from app.core.service import commit, get_or_404, require, rolls_back
from app.core.text import clean_plain
from app.core.urls import path_for
from app.councils.common import COUNCIL_ROLES, verified_users
from app.councils.models import Attendance, Meeting, MeetingStatus
from app.extensions import db
from app.notifications.services import notify

from . import attendance as counting
from . import permissions
from .models import ChosenHow, CouncilTerm, EndCause, Substitute


def require_committee(actor, community):
    require(permissions.can_manage_terms(actor, community), _l("Only the committee keeps council terms."))


def _membership(community, user_id):
    return db.session.scalar(
        select(Membership).where(Membership.community_id == community.id, Membership.user_id == user_id)
    )


def verified_member(community, user_id):
    """The membership of the person chosen on a form, who must be a verified member."""
    membership = _membership(community, user_id)
    if membership is None or not membership.is_verified:
        raise FieldError("user_id", _l("Choose a verified member of the community."))
    return membership


# ---------------------------------------------------------------- reading


def current_terms(community, day=None):
    """{user id: their term running on `day` (today)} for the community."""
    day = day or clock.local_today()
    terms = db.session.scalars(
        select(CouncilTerm).where(
            CouncilTerm.community_id == community.id, CouncilTerm.starts_on <= day, CouncilTerm.ends_on >= day
        )
    ).all()
    return {term.user_id: term for term in terms}


def council_with_terms(community):
    """The council now, chair first then by name: [(membership, current term or None)]."""
    terms = current_terms(community)
    members = db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(
            Membership.community_id == community.id,
            Membership.status == MembershipStatus.VERIFIED,
            Membership.role.in_(COUNCIL_ROLES),
        )
        .order_by((Membership.role == Role.CHAIR).desc(), User.display_name, User.id)
    ).all()
    return [(membership, terms.get(membership.user_id)) for membership in members]


def substitutes(community, members_only=False):
    """The list in order; `members_only`: without those whose membership has ended (the public list)."""
    query = select(Substitute).where(Substitute.community_id == community.id)
    if members_only:
        query = query.join(
            Membership,
            (Membership.user_id == Substitute.user_id) & (Membership.community_id == Substitute.community_id),
        ).where(Membership.status == MembershipStatus.VERIFIED)
    return db.session.scalars(query.order_by(Substitute.rank, Substitute.id)).all()


def terms_of(community):
    """Every term recorded, latest first (the committee's page)."""
    return db.session.scalars(
        select(CouncilTerm)
        .where(CouncilTerm.community_id == community.id)
        .order_by(CouncilTerm.starts_on.desc(), CouncilTerm.id.desc())
    ).all()


def substitute_candidates(community):
    """Verified residents without a council or committee role, by name."""
    return verified_users(community, [*COUNCIL_ROLES, Role.COMMITTEE], holding=False)


def council_candidates(community):
    return [membership.user for membership, _term in council_with_terms(community)]


# ---------------------------------------------------------------- terms


def _overlapping(community, user_id, starts_on, ends_on):
    return db.session.scalar(
        select(CouncilTerm.id).where(
            CouncilTerm.community_id == community.id,
            CouncilTerm.user_id == user_id,
            CouncilTerm.starts_on <= ends_on,
            CouncilTerm.ends_on >= starts_on,
        )
    )


@rolls_back
def add_term(actor, community, *, user_id, starts_on, ends_on, chosen_how, chosen_by=""):
    require_committee(actor, community)
    verified_member(community, user_id)
    starts_on = checked_date(starts_on, "starts_on")
    ends_on = checked_date(ends_on, "ends_on")
    if ends_on <= starts_on:
        raise FieldError("ends_on", _l("The term must end after it starts."))
    if chosen_how not in (ChosenHow.ELECTED, ChosenHow.APPOINTED):
        raise FieldError("chosen_how", _l("Say whether the member was elected or appointed."))
    if _overlapping(community, user_id, starts_on, ends_on):
        raise FieldError("starts_on", _l("This person already has a term in these dates."))
    term = CouncilTerm(
        community_id=community.id,
        user_id=user_id,
        starts_on=starts_on,
        ends_on=ends_on,
        chosen_how=chosen_how,
        chosen_by=clean_plain(chosen_by or ""),
        created_by_id=actor.id,
    )
    db.session.add(term)
    record(
        "council_term.added",
        term,
        actor=actor,
        community=community,
        user_id=user_id,
        starts_on=starts_on.isoformat(),
        ends_on=ends_on.isoformat(),
        chosen_how=str(chosen_how),
    )
    commit()
    return term


def _close_term(term, actor, cause, reason=None):
    """End a running term today; returns the last day the seat's term would have run."""
    seat_ends = term.ends_on
    today = clock.local_today()
    term.ends_on = max(today, term.starts_on)
    term.ended_early_at = clock.now()
    term.ended_by_id = actor.id
    term.end_cause = cause
    term.end_reason = reason
    record(
        "council_term.ended",
        term,
        actor=actor,
        community=term.community_id,
        user_id=term.user_id,
        cause=str(cause),
        seat_ends=seat_ends.isoformat(),
    )
    return seat_ends


def _eligible(community, substitute, today):
    """Still a verified member off the council, with no term of their own from today on."""
    membership = _membership(community, substitute.user_id)
    if membership is None or not membership.is_verified or membership.role in (*COUNCIL_ROLES, Role.COMMITTEE):
        return None
    has_term = db.session.scalar(
        select(CouncilTerm.id).where(
            CouncilTerm.community_id == community.id,
            CouncilTerm.user_id == substitute.user_id,
            CouncilTerm.ends_on >= today,
        )
    )
    return None if has_term else membership


def _change_role(membership, role, actor, community):
    """Audited as the committee's own role changes are (communities.services.set_role), without its
    council_seat_left signal: the caller ends the term and fills the seat itself."""
    old, membership.role = membership.role, role
    audit_membership("membership.role_changed", membership, actor, community, old=old, new=role)


def _step_in(community, term, seat_ends, actor, leaver_membership):
    """The first eligible substitute takes the seat from today for the rest of its term; nobody when
    the term has run out or no substitute is eligible."""
    today = clock.local_today()
    if seat_ends <= today:
        return None
    for substitute in substitutes(community):
        membership = _eligible(community, substitute, today)
        if membership is not None:
            break
    else:
        return None
    _change_role(membership, Role.COUNCIL_MEMBER, actor, community)
    new_term = CouncilTerm(
        community_id=community.id,
        user_id=membership.user_id,
        starts_on=today,
        ends_on=seat_ends,
        chosen_how=ChosenHow.SUBSTITUTE,
        chosen_by=substitute.chosen_by,
        succeeds_id=term.id,
        created_by_id=actor.id,
    )
    db.session.add(new_term)
    db.session.delete(substitute)
    record(
        "council_term.substitute_stepped_in",
        new_term,
        actor=actor,
        community=community,
        user_id=membership.user_id,
        succeeds_user_id=term.user_id,
        succeeds_term_id=term.id,
        ends_on=seat_ends.isoformat(),
    )
    link = path_for("council_terms.members", slug=community.slug)
    notify(
        [membership.user],
        N_("You have stepped in as a council member of %(community)s for the rest of %(name)s's term, until %(date)s."),
        link,
        community=community.name,
        name=term.user.display_name,
        date=seat_ends.isoformat(),
    )
    if leaver_membership.status == MembershipStatus.VERIFIED:  # a deleted account is told nothing
        notify(
            [term.user],
            N_("Your seat on the council of %(community)s has been taken by the substitute %(name)s."),
            link,
            community=community.name,
            name=membership.user.display_name,
        )
    return new_term


def on_council_seat_left(membership, actor, ended):
    """communities' council_seat_left: the member's running term ends and a substitute steps in."""
    community = membership.community
    term = current_terms(community).get(membership.user_id)
    if term is None or term.end_cause is not None:  # no running term, or ended already today
        return
    cause = EndCause.MEMBERSHIP_ENDED if ended else EndCause.ROLE_REMOVED
    seat_ends = _close_term(term, actor, cause)
    _step_in(community, term, seat_ends, actor, membership)


@rolls_back
def end_term_early(actor, community, term_id, reason):
    """The committee ends a running term before its end, with a reason: the member leaves the
    council and the first substitute steps in."""
    require_committee(actor, community)
    term = get_or_404(CouncilTerm, term_id, community_id=community.id)
    reason = clean_plain(reason or "")
    if not reason:
        raise FieldError("reason", _l("Please give a reason; it is kept with the term."))
    today = clock.local_today()
    require(term.ended_early_at is None and term.ends_on > today, _l("This term has already ended."))
    require(term.starts_on <= today, _l("This term has not started yet."))
    seat_ends = _close_term(term, actor, EndCause.ENDED_EARLY, reason)
    membership = _membership(community, term.user_id)
    if membership is not None and membership.is_council:
        _change_role(membership, Role.RESIDENT, actor, community)
        notify(
            [term.user],
            N_("Your term on the council of %(community)s was ended early: %(reason)s"),
            path_for("council_terms.members", slug=community.slug),
            community=community.name,
            reason=reason,
        )
    _step_in(community, term, seat_ends, actor, membership)
    commit()
    return term


# ---------------------------------------------------------------- attendance


def years_with_meetings(community):
    first = db.session.scalar(
        select(func.min(Meeting.starts_at)).where(
            Meeting.community_id == community.id, Meeting.status == MeetingStatus.CLOSED
        )
    )
    this_year = clock.local_today().year
    start = clock.local_date(first).year if first else this_year
    return list(range(this_year, min(start, this_year) - 1, -1))


def attendance_of_year(community, year):
    """([(user, Figures, recorded)], meetings held): for everyone on the council during `year`, by
    name, the closed meetings held while they were on the council and those they attended. A
    council member with no term recorded at all (`recorded` False) is counted over the whole year."""
    first, last = counting.year_span(year)
    moments = (datetime(year - 1, 12, 30), datetime(year + 1, 1, 2))  # the local year, and a margin
    meetings = [
        (meeting_id, clock.local_date(starts_at))
        for meeting_id, starts_at in db.session.execute(
            select(Meeting.id, Meeting.starts_at).where(
                Meeting.community_id == community.id,
                Meeting.status == MeetingStatus.CLOSED,
                Meeting.starts_at.between(*moments),
            )
        )
    ]
    meetings = [(meeting_id, day) for meeting_id, day in meetings if first <= day <= last]
    periods, with_terms = {}, set()  # every term of the community, read once (a council's few dozen)
    for user_id, starts_on, ends_on in db.session.execute(
        select(CouncilTerm.user_id, CouncilTerm.starts_on, CouncilTerm.ends_on).where(
            CouncilTerm.community_id == community.id
        )
    ):
        with_terms.add(user_id)
        if starts_on <= last and ends_on >= first:
            periods.setdefault(user_id, []).append((max(starts_on, first), min(ends_on, last)))
    recorded = set(periods)
    if year <= clock.local_today().year:
        for membership, _term in council_with_terms(community):
            if membership.user_id not in with_terms:
                periods[membership.user_id] = [(first, last)]
    present = set(
        db.session.execute(
            select(Attendance.meeting_id, Attendance.user_id).where(
                Attendance.meeting_id.in_([meeting_id for meeting_id, _day in meetings]),
                Attendance.marked_absent_by_id.is_(None),
            )
        ).tuples()
    )
    figures = counting.attendance(meetings, periods, present)
    users = {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(list(figures))))}
    rows = [(users[user_id], result, user_id in recorded) for user_id, result in figures.items()]
    return sorted(rows, key=lambda row: (row[0].display_name, row[0].id)), len(meetings)
