"""In-person voting: the sessions the committee declares, the residents it marks as having voted
in person at a running one, and their objections ("that was not me").

A resident is marked only while a session of the round is running (server clock), never after the
close; each mark tells the resident (inbox and e-mail), who can object; objections are listed for
the council and the committee. The session's box is then counted into a tally sheet
(tally_sheets.py); paper.py checks that the ballots agree with the marks.

Every public function checks its rules again, audits and commits, or raises DomainError and
leaves nothing behind (as casting.py and rounds.py do).
"""

from datetime import timedelta

from flask_babel import format_datetime
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.auth.services import find_user
from app.communities.models import Role
from app.communities.permissions import verified_members
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import commit, get_or_404, insert_once, require, rolls_back
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify

from . import casting, permissions
from .models import Channel, PaperObjection, PollingSession, RoundParticipation, RoundState

PLACE_MAX = 120
NOTE_MAX = 300
# A session is declared before it starts; a few minutes' slack for a form filled in at the door.
DECLARE_SLACK = timedelta(minutes=10)


def when(dt):
    """A session's time in messages and notifications (the site's time zone, any language)."""
    return format_datetime(dt, "yyyy-MM-dd HH:mm")


# --- permission checks and the audit log -----------------------------------------------------


def check_recorder(actor, voting_round, now):
    """Only the committee records paper ballots (sessions, marks, tally sheets), and not after the count."""
    if not permissions.can_manage_rounds(actor, voting_round.community):
        raise DomainError(_l("Only the committee can record paper ballots."))
    if voting_round.state(now) == RoundState.COUNTED:
        raise DomainError(_l("This round has been counted: paper ballots can no longer be recorded."))


def audit(action, obj, actor, voting_round, **data):
    """One entry in the audit log for a paper-ballot act, under the round's community and id."""
    record(action, obj, actor=actor, community=voting_round.community_id, round_id=voting_round.id, **data)


# --- sessions --------------------------------------------------------------------------------


def list_sessions(voting_round):
    return db.session.scalars(
        select(PollingSession)
        .where(PollingSession.round_id == voting_round.id)
        .options(selectinload(PollingSession.created_by))
        .order_by(PollingSession.starts_at, PollingSession.id)
    ).all()


def get_session(voting_round, session_id):
    return get_or_404(PollingSession, session_id, round_id=voting_round.id)


def running_sessions(voting_round, now=None):
    now = now or clock.now()
    return [s for s in list_sessions(voting_round) if s.is_running(now) and voting_round.state(now) == RoundState.OPEN]


@rolls_back
def declare_session(actor, voting_round, *, place, starts_at, ends_at):
    """The committee announces an in-person session: where, and from when to when."""
    now = clock.now()
    check_recorder(actor, voting_round, now)
    place = clean_plain(place)
    if not place or len(place) > PLACE_MAX:
        raise DomainError(_l("Give the place of the session (at most %(n)s characters).", n=PLACE_MAX))
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise DomainError(_l("The session must end after it starts."))
    if starts_at < voting_round.opens_at or ends_at > voting_round.closes_at:
        raise DomainError(
            _l(
                "A session must lie inside the voting window, from %(opens)s to %(closes)s.",
                opens=when(voting_round.opens_at),
                closes=when(voting_round.closes_at),
            )
        )
    if starts_at < now - DECLARE_SLACK:
        raise DomainError(_l("A session is declared before it starts: this start time has passed."))
    polling_session = PollingSession(
        round_id=voting_round.id, place=place, starts_at=starts_at, ends_at=ends_at, created_by_id=actor.id
    )
    db.session.add(polling_session)
    db.session.flush()
    audit(
        "round.polling_session_declared",
        polling_session,
        actor,
        voting_round,
        place=place,
        starts_at=starts_at.isoformat(),
        ends_at=ends_at.isoformat(),
    )
    db.session.commit()
    return polling_session


# --- marks in person -------------------------------------------------------------------------


def _in_person_voter(voting_round, username):
    """The resident to mark as having voted in person, and their voter key. Raises DomainError."""
    user = find_user(username or "") if (username or "").strip() else None
    if user is None:
        raise DomainError(_l("No account with the user name “%(name)s”.", name=clean_plain(username)[:40]))
    key, household = casting.voter_key(user, voting_round)
    return user, key, household


def _session_for_mark(voting_round, polling_session, now):
    if voting_round.state(now) != RoundState.OPEN:
        raise DomainError(_l("Voting has closed: nobody can be marked as having voted in person any more."))
    if polling_session is None:
        running = running_sessions(voting_round, now)
        if not running:
            raise DomainError(
                _l(
                    "Residents can be marked as having voted in person only during a declared "
                    "in-person session of this round, and none is running now."
                )
            )
        if len(running) > 1:
            raise DomainError(_l("Several sessions are running: choose the one the resident voted at."))
        return running[0]
    if polling_session.round_id != voting_round.id or not polling_session.is_running(now):
        raise DomainError(
            _l(
                "The session at %(place)s runs from %(start)s to %(end)s: residents can be marked there only then.",
                place=polling_session.place,
                start=when(polling_session.starts_at),
                end=when(polling_session.ends_at),
            )
        )
    return polling_session


@rolls_back
def mark_in_person(actor, voting_round, username, polling_session=None):
    """The committee ticks a resident off the register at a running session: voted in person
    (blocks their online ballot). The resident is told, with a link to object."""
    now = clock.now()
    check_recorder(actor, voting_round, now)
    polling_session = _session_for_mark(voting_round, polling_session, now)
    user, key, household = _in_person_voter(voting_round, username)
    participation = casting._participation(voting_round, key)
    if participation is not None:
        if participation.channel == Channel.PAPER:
            raise DomainError(_l("%(name)s is already marked as having voted in person.", name=user.display_name))
        if voting_round.per_household:
            raise DomainError(_l("%(name)s's household has already voted online.", name=user.display_name))
        raise DomainError(_l("%(name)s has already voted online.", name=user.display_name))
    if casting._took_part_otherwise(voting_round, user):
        raise DomainError(_l("%(name)s has already voted in this round.", name=user.display_name))
    mark = RoundParticipation(
        round_id=voting_round.id,
        voter_key=key,
        user_id=user.id,
        household_id=household.id if household else None,
        channel=Channel.PAPER,
        recorded_by_id=actor.id,
        polling_session_id=polling_session.id,
        created_at=now,
    )
    voted = _l("%(name)s has already voted in this round.", name=user.display_name)
    insert_once(mark, voted)
    audit("round.voter_marked_in_person", mark, actor, voting_round, user_id=user.id, session_id=polling_session.id)
    notify(
        [user],
        N_(
            "You were recorded as voting on paper in “%(title)s” at %(place)s on %(time)s. "
            "If that was not you, object here."
        ),
        path_for("voting.paper_objection", slug=voting_round.community.slug, round_id=voting_round.id),
        title=voting_round.title,
        place=polling_session.place,
        time=when(now),
    )
    commit(voted)
    return mark


def in_person_voters(voting_round):
    return db.session.scalars(
        select(RoundParticipation)
        .options(selectinload(RoundParticipation.user), selectinload(RoundParticipation.polling_session))
        .where(RoundParticipation.round_id == voting_round.id, RoundParticipation.channel == Channel.PAPER)
        .order_by(RoundParticipation.id.desc())
    ).all()


# --- objections ("that was not me") ----------------------------------------------------------


def my_mark(user, voting_round):
    """The user's own in-person mark in this round, or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(RoundParticipation).where(
            RoundParticipation.round_id == voting_round.id,
            RoundParticipation.user_id == user.id,
            RoundParticipation.channel == Channel.PAPER,
        )
    )


def my_objection(user, voting_round):
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(PaperObjection).where(PaperObjection.round_id == voting_round.id, PaperObjection.user_id == user.id)
    )


@rolls_back
def object_to_mark(user, voting_round, note=""):
    """The resident says they did not vote in person; the council and the committee are told."""
    mark = my_mark(user, voting_round)
    if mark is None:
        raise DomainError(_l("You are not marked as having voted in person in this round."))
    already = _l("You have already objected to this mark.")
    require(my_objection(user, voting_round) is None, already)
    note = clean_plain(note)[:NOTE_MAX]
    objection = PaperObjection(
        round_id=voting_round.id,
        session_id=mark.polling_session_id,
        user_id=user.id,
        recorded_by_id=mark.recorded_by_id,
        note=note,
    )
    insert_once(objection, already)
    audit(
        "round.in_person_mark_objected",
        objection,
        user,
        voting_round,
        session_id=mark.polling_session_id,
        marked_by=mark.recorded_by_id,
    )
    staff = verified_members(voting_round.community, [Role.COMMITTEE, Role.CHAIR, Role.COUNCIL_MEMBER])
    notify(
        [m.user for m in staff],
        N_(
            "A resident says they did not vote on paper in “%(title)s”, though "
            "they were marked as having voted in person."
        ),
        path_for("voting.paper", slug=voting_round.community.slug, round_id=voting_round.id),
        exclude=user,
        title=voting_round.title,
    )
    commit(already)
    return objection


def objections(voting_round):
    return db.session.scalars(
        select(PaperObjection)
        .where(PaperObjection.round_id == voting_round.id)
        .options(selectinload(PaperObjection.user), selectinload(PaperObjection.session))
        .order_by(PaperObjection.id)
    ).all()
