"""Casting in a round: who may vote and as whom (standing), checking and boxing ballots with
their receipts, a voter's own register rows and the public receipt check.

Every public function checks its rules again, writes its change with an audit entry and
commits in one transaction, or raises DomainError and leaves nothing behind.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.audit.services import record
from app.communities.permissions import membership_of
from app.core import clock, versions
from app.core.errors import DomainError
from app.core.secrecy import random_row_id
from app.extensions import db

from . import electorate, receipts, tally
from .households import household_of
from .models import (
    Channel,
    Household,
    Method,
    RoundBallot,
    RoundElector,
    RoundParticipation,
    RoundState,
    VotingRound,
)
from .rounds import ballot_spec

BALLOT_PROBLEMS = {
    tally.UNKNOWN_OPTION: _l("This ballot names an option that is not in this round."),
    tally.DUPLICATE: _l("An option is named twice on this ballot."),
    tally.TOO_MANY: _l("Too many projects chosen: at most %(k)s."),
    tally.OVER_BUDGET: _l("The chosen projects cost %(total)s yuan, more than the budget of %(budget)s yuan."),
    tally.BAD_ANSWER: _l("Answer each project with yes, no or abstain."),
}
ALREADY_VOTED = _l("You have already voted in this round.")
CHANGED_MEANWHILE = _l(
    "Your ballot was changed in the meantime (another tab or device?). Please check it and try again."
)


# --- eligibility -----------------------------------------------------------------------------


# A voter's register entry alone, where ballot_reads.voting_round_for read none with the round.
_REGISTER_ENTRY = (
    select(RoundElector.id, RoundParticipation)
    .outerjoin(
        RoundParticipation,
        and_(
            RoundParticipation.round_id == RoundElector.round_id,
            RoundParticipation.voter_key == RoundElector.voter_key,
        ),
    )
    .where(RoundElector.round_id == bindparam("round_id"), RoundElector.voter_key == bindparam("key"))
)


def _voter(user, voting_round):
    """(voter key, household, membership) of a verified resident. Raises DomainError."""
    membership = membership_of(user, voting_round.community)  # once per page view (the page asks again)
    if membership is None or not membership.is_verified:
        raise DomainError(
            _l(
                "Only verified residents of %(community)s can vote in this round.",
                community=voting_round.community.name,
            )
        )
    if voting_round.per_household:
        household = household_of(user, voting_round.community)
        if household is None:
            raise DomainError(
                _l(
                    "This round has one ballot per household, and you are not on a household "
                    "of the register yet. Please ask the committee."
                )
            )
        return f"h:{household.id}", household, membership
    return f"u:{user.id}", None, membership


def voter_key(user, voting_round):
    """The voter a person votes as in this round: themselves, or their household. Raises DomainError."""
    key, household, membership = _voter(user, voting_round)
    electorate.check(voting_round, membership, key)
    return key, household


@dataclass
class Standing:
    """What a person may do on a round's ballot page right now."""

    may_vote: bool
    reason: object = None  # a message when they may not
    participation: RoundParticipation | None = None  # their own online register row: they have voted
    household: Household | None = None
    key: str | None = None  # the voter key they vote as


def standing(user, voting_round, now=None, entry=None):
    """`entry`: the ballot_reads.RegisterEntry read with the round, if any."""
    state = voting_round.state(now)
    if not getattr(user, "is_authenticated", False):
        return Standing(False, _l("Log in to vote."))
    try:
        key, household, membership = _voter(user, voting_round)
        if entry is not None and entry.key == key:
            on_register, participation = entry.on_register, entry.participation
        else:
            on_register, participation = _register_entry(voting_round, key)
        electorate.check(voting_round, membership, key, on_register)
    except DomainError as error:
        return Standing(False, error.message)
    own = (
        participation
        if participation is not None and participation.user_id == user.id and participation.channel == Channel.ONLINE
        else None
    )
    if state == RoundState.SCHEDULED:
        return Standing(False, _l("Voting has not opened yet."), own, household)
    if state != RoundState.OPEN:
        return Standing(False, _l("Voting has closed."), own, household)
    if participation is not None:
        if participation.channel == Channel.PAPER:
            return Standing(False, _l("You are marked as having voted in person, on paper."), None, household)
        if own is None:
            return Standing(False, _l("Your household has already voted in this round."), None, household)
        if not voting_round.allow_changes:
            return Standing(False, ALREADY_VOTED, own, household)
    if participation is None and voting_round.per_household and _took_part_otherwise(voting_round, user):
        return Standing(False, ALREADY_VOTED, None, household)
    return Standing(True, None, own, household, key)


def _register_entry(voting_round, key):
    """(whether `key` is on the round's electorate, its register row or None): one statement once
    the electorate is written down (a voter on the register is always on the electorate)."""
    if voting_round.electorate_fixed_at is None:
        return electorate.is_elector(voting_round, key), _participation(voting_round, key)
    row = db.session.execute(_REGISTER_ENTRY, {"round_id": voting_round.id, "key": key}).first()
    return (True, row[1]) if row is not None else (False, None)


def _participation(voting_round, key):
    return db.session.scalar(
        select(RoundParticipation).where(
            RoundParticipation.round_id == voting_round.id, RoundParticipation.voter_key == key
        )
    )


def _took_part_otherwise(voting_round, user):
    """Already voted under another key (e.g. moved to another household during the round)."""
    return (
        db.session.scalar(
            select(RoundParticipation.id).where(
                RoundParticipation.round_id == voting_round.id, RoundParticipation.user_id == user.id
            )
        )
        is not None
    )


# --- ballots ---------------------------------------------------------------------------------


def choices_from_form(voting_round, option_ids=(), answers=None):
    """Form values -> canonical choices. Option ids are RoundOption ids of THIS round; anything
    else (tampered, from another round) is refused."""
    by_id = {str(o.id): o for o in voting_round.options}
    if voting_round.method == Method.YES_NO:
        pairs = []
        for option_id, answer in (answers or {}).items():
            if option_id not in by_id:
                raise DomainError(BALLOT_PROBLEMS[tally.UNKNOWN_OPTION])
            if answer in ("", None):
                continue  # not answered
            if answer not in tally.ANSWERS:
                raise DomainError(BALLOT_PROBLEMS[tally.BAD_ANSWER])
            pairs.append((by_id[option_id].number, answer))
        return tally.normalise(Method.YES_NO, pairs)
    numbers = []
    for option_id in option_ids:
        if option_id not in by_id:
            raise DomainError(BALLOT_PROBLEMS[tally.UNKNOWN_OPTION])
        numbers.append(by_id[option_id].number)
    if len(set(numbers)) != len(numbers):
        raise DomainError(BALLOT_PROBLEMS[tally.DUPLICATE])
    return tuple(sorted(numbers))


def check_choices(voting_round, choices):
    """Raise DomainError when the ballot breaks the round's rules (k, budget, unknown options)."""
    spec = ballot_spec(voting_round)
    problem = tally.check_ballot(spec, choices)
    if problem is None:
        return
    if problem == tally.OVER_BUDGET:
        total = sum(spec.option(n).cost for n in choices)
        raise DomainError(
            _l(
                "The chosen projects cost %(total)s yuan, more than the budget of %(budget)s yuan.",
                total=f"{total:,}",
                budget=f"{voting_round.budget:,}",
            )
        )
    if problem == tally.TOO_MANY:
        raise DomainError(_l("Too many projects chosen: at most %(k)s.", k=voting_round.max_choices))
    raise DomainError(BALLOT_PROBLEMS[problem])


def _stored_choices(method, choices):
    return [list(pair) for pair in choices] if method == Method.YES_NO else list(choices)


def put_in_box(voting_round, choices, channel):
    """Drop a ballot in the box: a row with a random id and the choices, and nothing about the
    voter (no user, household, receipt or time). Added to the session, not flushed: it goes in
    with the caller's next flush (the register row, the audit entry's), one flush for them all;
    the caller checks the choices, marks the register and writes the audit entry (without the
    ballot's id)."""
    ballot = RoundBallot(
        id=random_row_id(),
        round_id=voting_round.id,
        channel=channel,
        choices=_stored_choices(voting_round.method, choices),
    )
    db.session.add(ballot)
    return ballot


def cast_ballot(user, voting_round, choices, entry=None):
    """Cast (or, where the round allows it, replace) the user's online ballot. Returns their
    register row (RoundParticipation), which holds the receipt code. `entry`: as for standing()."""
    session = db.session()
    try:
        participation = _cast(user, voting_round, choices, clock.now(), entry)
        # Keep the loaded rows: the receipt and the redirect need nothing the commit changed, and
        # reloading them would open a second transaction per ballot.
        expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
        try:
            session.commit()
        finally:
            session.expire_on_commit = expire_on_commit
    except IntegrityError:
        db.session.rollback()
        raise DomainError(ALREADY_VOTED) from None
    except DomainError:
        db.session.rollback()
        raise
    return participation


def _cast(user, voting_round, choices, now, entry=None):
    """The checks and the writes of cast_ballot, flushed but not committed (the demo batches them).
    The audit entry names the voter and the round, never the ballot or its choices."""
    electorate.fix(voting_round, now)  # (an entry is only read once the electorate is written down)
    current = standing(user, voting_round, now, entry)
    if not current.may_vote:
        raise DomainError(current.reason)
    check_choices(voting_round, choices)
    participation = current.participation
    if participation is None:
        participation = _first_ballot(user, voting_round, choices, current)
        action = "round.ballot_cast"
    else:
        _replace(participation, put_in_box(voting_round, choices, Channel.ONLINE))
        action = "round.ballot_changed"
    record(action, participation, actor=user, community=voting_round.community_id, round_id=voting_round.id)
    return participation


_INSERT_BALLOT = RoundBallot.__table__.insert()
_INSERT_MARK = RoundParticipation.__table__.insert()


def _first_ballot(user, voting_round, choices, current):
    """The voter's first ballot in the box and their register row pointing at it, written at once
    (two INSERTs, none of a flush's work): the register's unique constraints decide a race here
    (IntegrityError, caught by cast_ballot). The register row is returned as written, outside the
    session (nothing in the request reads it through the session again)."""
    connection = db.session.connection()
    community = voting_round.community_id
    ballot = {
        "id": random_row_id(),
        "round_id": voting_round.id,
        "channel": Channel.ONLINE,
        "choices": _stored_choices(voting_round.method, choices),
    }
    versions.write_in(connection, _INSERT_BALLOT, ballot, community)
    mark = {
        "round_id": voting_round.id,
        "voter_key": current.key,
        "user_id": user.id,
        "household_id": current.household.id if current.household is not None else None,
        "channel": Channel.ONLINE,
        "recorded_by_id": None,
        "polling_session_id": None,
        "created_at": clock.utcnow(),
        "receipt_code": receipts.new_code(),
        "ballot_id": ballot["id"],
    }
    (mark["id"],) = versions.write_in(connection, _INSERT_MARK, mark, community).inserted_primary_key
    return RoundParticipation(**mark)


def _replace(participation, ballot):
    """Point the voter's register row at the new ballot, then take the old one out of the box
    (secure_delete zeroes its bytes). Compare-and-set, so two new ballots at once leave one."""
    old_id = participation.ballot_id
    if old_id is None:
        raise DomainError(CHANGED_MEANWHILE)
    db.session.flush()  # the new ballot is in the box before the register row points at it
    moved = db.session.execute(
        update(RoundParticipation)
        .where(RoundParticipation.id == participation.id, RoundParticipation.ballot_id == old_id)
        .values(ballot_id=ballot.id)
    )
    old = db.session.get(RoundBallot, old_id)
    if moved.rowcount != 1 or old is None:
        raise DomainError(CHANGED_MEANWHILE)
    db.session.delete(old)
    db.session.flush()


def my_ballots(user, community):
    """The user's own register rows (that they voted, how, and their receipt code), newest round
    first. Never their choices: those are shown once, on the receipt page right after casting."""
    return db.session.scalars(
        select(RoundParticipation)
        .join(VotingRound)
        .where(RoundParticipation.user_id == user.id, VotingRound.community_id == community.id)
        .options(selectinload(RoundParticipation.round))
        .order_by(VotingRound.closes_at.desc())
    ).all()


@dataclass(frozen=True)
class ReceiptCheck:
    """What the public check of a receipt code says: a ballot with this code is in the box of
    `round`, or (once counted) the voter's final ballot was counted. Nothing else."""

    round: VotingRound
    counted: bool


def find_receipt(community, code):
    code = receipts.normalise(code)
    if len(code) != receipts.LENGTH:
        return None
    participation = db.session.scalar(select(RoundParticipation).where(RoundParticipation.receipt_code == code))
    if participation is None or participation.round.community_id != community.id:
        return None
    return ReceiptCheck(participation.round, participation.round.result is not None)


def describe_choices(voting_round, choices):
    """[(option, answer or None)] for showing a ballot."""
    options = {o.number: o for o in voting_round.options}
    if voting_round.method == Method.YES_NO:
        return [(options[n], a) for n, a in tally.normalise(Method.YES_NO, choices) if n in options]
    return [(options[n], None) for n in tally.normalise(voting_round.method, choices) if n in options]
