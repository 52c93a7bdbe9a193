"""Voting rounds: opening, eligibility, casting with receipts, households.

Every public function checks its rules again (whatever the page showed), writes its change
with an audit entry and commits in one transaction, or raises DomainError and leaves nothing
behind. The count and the published files are app/voting/counting.py; the electorate fixed at
the opening is app/voting/electorate.py.
"""
import logging
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.auth.services import find_user
from app.communities.models import Membership, MembershipStatus
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.secrecy import forget_history, random_row_id
from app.core.text import clean_plain
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.models_base import utcnow
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import electorate, permissions, receipts, tally
from .models import (
    Allocation,
    Channel,
    Household,
    HouseholdMember,
    Method,
    RoundBallot,
    RoundOption,
    RoundParticipation,
    VotingRound,
)

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
OPTIONS_MAX = 60
COST_MAX = 100_000_000
BUDGET_MAX = 1_000_000_000
WINDOW_MAX = timedelta(days=92)
MAX_ID = 2**31 - 1

BALLOT_PROBLEMS = {
    tally.UNKNOWN_OPTION: _l("This ballot names an option that is not in this round."),
    tally.DUPLICATE: _l("An option is named twice on this ballot."),
    tally.TOO_MANY: _l("Too many projects chosen: at most %(k)s."),
    tally.OVER_BUDGET: _l("The chosen projects cost %(total)s yuan, more than the budget of %(budget)s yuan."),
    tally.BAD_ANSWER: _l("Answer each project with yes, no or abstain."),
}
ALREADY_VOTED = _l("You have already voted in this round.")
logger = logging.getLogger(__name__)
CHANGED_MEANWHILE = _l("Your ballot was changed in the meantime (another tab or device?). Please check it and try again.")


# --- reading ---------------------------------------------------------------------------------


def get_round(community, round_id):
    voting_round = db.session.get(VotingRound, round_id) if 0 < round_id <= MAX_ID else None
    if voting_round is None or voting_round.community_id != community.id:
        raise NotFound()
    return voting_round


def list_rounds(community):
    return db.session.scalars(
        select(VotingRound).where(VotingRound.community_id == community.id)
        .options(selectinload(VotingRound.result)).order_by(VotingRound.closes_at.desc())
    ).all()


def candidate_matters(community):
    """Micro-matters on the agenda list, which a new round may put to the residents."""
    return db.session.scalars(
        select(MicroMatter).where(MicroMatter.community_id == community.id, MicroMatter.status == Status.ON_AGENDA)
        .order_by(MicroMatter.id)
    ).all()


def spec_for(voting_round, size=0):
    """The round's counting rules, from the rule set in force when it opened; `size` is its electorate."""
    ruleset = voting_round.ruleset
    yes_no = voting_round.method == Method.YES_NO
    return tally.RoundSpec(
        method=voting_round.method, allocation=tally.MAJORITY if yes_no else voting_round.allocation,
        budget=voting_round.budget,
        options=tuple(tally.Option(o.number, o.cost, o.title) for o in voting_round.options),
        max_choices=voting_round.max_choices if voting_round.method == Method.APPROVAL else None,
        majority_rule=ruleset.resident_majority_rule, majority_base=ruleset.resident_majority_base,
        min_turnout_percent=ruleset.min_turnout_percent, electorate=size,
    )


def round_for_matter(matter):
    """The latest round this micro-matter was put to (for its page), or None."""
    return db.session.scalar(
        select(VotingRound).join(RoundOption).where(RoundOption.matter_id == matter.id)
        .order_by(VotingRound.id.desc()).limit(1)
    )


# --- opening a round -------------------------------------------------------------------------


def open_round(actor, community, *, title, method, budget, opens_at, closes_at, options,
               allocation=Allocation.GREEDY, max_choices=None, per_household=False, allow_changes=True,
               description="", now=None):
    """Open a round on micro-matters of the agenda list. `options` is [(matter_id, cost)] in ballot order."""
    voting_round = _new_round(actor, community, title=title, method=method, budget=budget, opens_at=opens_at,
                              closes_at=closes_at, options=options, allocation=allocation,
                              max_choices=max_choices, per_household=per_household,
                              allow_changes=allow_changes, description=description, now=now)
    members = [m.user for m in db.session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED))]
    notify(members, N_("Residents' vote “%(title)s”: see the projects and the voting dates."),
           f"/c/{community.slug}/rounds/{voting_round.id}", exclude=actor, title=voting_round.title)
    electorate.fix(voting_round, now)  # opening now: the register of voters is fixed with it
    db.session.commit()
    return voting_round


def _new_round(actor, community, *, title, method, budget, opens_at, closes_at, options, allocation,
               max_choices, per_household, allow_changes, description, now=None):
    if not permissions.can_manage_rounds(actor, community):
        raise DomainError(_l("Only the committee can open a voting round."))
    now = now or utcnow()
    title = clean_plain(title)
    if not title or len(title) > TITLE_MAX:
        raise DomainError(_l("Give the round a title of at most %(n)s characters.", n=TITLE_MAX))
    description = clean_plain(description)[:DESCRIPTION_MAX]
    if method not in set(Method):
        raise DomainError(_l("Choose a voting method."))
    if method != Method.YES_NO and allocation not in set(Allocation):
        raise DomainError(_l("Choose how the budget is allocated."))
    if not isinstance(budget, int) or not 1 <= budget <= BUDGET_MAX:
        raise DomainError(_l("The budget must be a whole number of yuan between 1 and %(max)s.", max=BUDGET_MAX))
    if opens_at is None or closes_at is None or closes_at <= opens_at:
        raise DomainError(_l("The round must close after it opens."))
    if closes_at <= now:
        raise DomainError(_l("The closing time has already passed."))
    if closes_at - opens_at > WINDOW_MAX:
        raise DomainError(_l("A voting window may last at most %(days)s days.", days=WINDOW_MAX.days))
    minimum = 1 if method == Method.YES_NO else 2
    if len(options) < minimum:
        raise DomainError(_l("Choose at least %(n)s micro-matters from the agenda list.", n=minimum))
    if len(options) > OPTIONS_MAX:
        raise DomainError(_l("A round may have at most %(n)s options.", n=OPTIONS_MAX))
    matter_ids = [matter_id for matter_id, _ in options]
    if len(set(matter_ids)) != len(matter_ids):
        raise DomainError(_l("A micro-matter is listed twice."))
    if method == Method.APPROVAL:
        if not isinstance(max_choices, int) or not 1 <= max_choices <= len(options):
            raise DomainError(_l("For an approval ballot, k must be between 1 and the number of options."))
    else:
        max_choices = None
    ruleset = current_ruleset(community)
    voting_round = VotingRound(
        community_id=community.id, title=title, description=description, method=method,
        allocation=Allocation.GREEDY if method == Method.YES_NO else allocation, max_choices=max_choices,
        budget=budget, opens_at=opens_at, closes_at=closes_at, per_household=bool(per_household),
        allow_changes=bool(allow_changes), ruleset_id=ruleset.id, created_by_id=actor.id,
    )
    db.session.add(voting_round)
    matters = []
    for number, (matter_id, cost) in enumerate(options, start=1):
        matter = db.session.get(MicroMatter, matter_id) if isinstance(matter_id, int) and 0 < matter_id <= MAX_ID \
            else None
        if matter is None or matter.community_id != community.id:
            raise DomainError(_l("A chosen micro-matter does not belong to this community."))
        if matter.status != Status.ON_AGENDA:
            raise DomainError(_l("“%(title)s” is no longer on the agenda list.", title=matter.title))
        from app.councils.placement import refuse_if_on_meeting_agenda  # lazy: no import cycle at start-up

        refuse_if_on_meeting_agenda(matter)  # never on a meeting agenda and in a round at once
        if not isinstance(cost, int) or not 1 <= cost <= COST_MAX:
            raise DomainError(_l("The cost of “%(title)s” must be a whole number of yuan above 0.", title=matter.title))
        if cost > budget:
            raise DomainError(_l("“%(title)s” costs more than the whole budget.", title=matter.title))
        voting_round.options.append(RoundOption(number=number, matter_id=matter.id, title=matter.title, cost=cost))
        matters.append(matter)
    db.session.flush()
    record("round.opened", voting_round, actor=actor, community=community, method=method,
           allocation=voting_round.allocation, budget=budget, options=[o.matter_id for o in voting_round.options],
           opens_at=opens_at.isoformat(), closes_at=closes_at.isoformat(), ruleset_version=ruleset.version,
           per_household=voting_round.per_household, allow_changes=voting_round.allow_changes)
    for matter in matters:
        lifecycle.apply(matter, "refer_to_vote", actor, system=True, round_id=voting_round.id)
    return voting_round


# --- eligibility -----------------------------------------------------------------------------


def _membership(user, community):
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.community_id == community.id))


def household_of(user, community):
    return db.session.scalar(
        select(Household).join(HouseholdMember)
        .where(HouseholdMember.user_id == user.id, HouseholdMember.community_id == community.id))


def voter_key(user, voting_round):
    """The voter a person votes as in this round: themselves, or their household. Raises DomainError."""
    membership = _membership(user, voting_round.community)
    if membership is None or not membership.is_verified:
        raise DomainError(_l("Only verified residents of %(community)s can vote in this round.",
                             community=voting_round.community.name))
    if voting_round.per_household:
        household = household_of(user, voting_round.community)
        if household is None:
            raise DomainError(_l("This round has one ballot per household, and you are not on a household "
                                 "of the register yet. Please ask the committee."))
        key = f"h:{household.id}"
    else:
        key, household = f"u:{user.id}", None
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


def standing(user, voting_round, now=None):
    state = voting_round.state(now)
    if not getattr(user, "is_authenticated", False):
        return Standing(False, _l("Log in to vote."))
    try:
        key, household = voter_key(user, voting_round)
    except DomainError as error:
        return Standing(False, error.message)
    participation = _participation(voting_round, key)
    own = participation if participation is not None and participation.user_id == user.id \
        and participation.channel == Channel.ONLINE else None
    if state == "scheduled":
        return Standing(False, _l("Voting has not opened yet."), own, household)
    if state != "open":
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


def _participation(voting_round, key):
    return db.session.scalar(select(RoundParticipation).where(
        RoundParticipation.round_id == voting_round.id, RoundParticipation.voter_key == key))


def _took_part_otherwise(voting_round, user):
    """Already voted under another key (e.g. moved to another household during the round)."""
    return db.session.scalar(select(RoundParticipation.id).where(
        RoundParticipation.round_id == voting_round.id, RoundParticipation.user_id == user.id)) is not None


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
    spec = spec_for(voting_round)
    problem = tally.check_ballot(spec, choices)
    if problem is None:
        return
    if problem == tally.OVER_BUDGET:
        total = sum(spec.option(n).cost for n in choices)
        raise DomainError(_l("The chosen projects cost %(total)s yuan, more than the budget of %(budget)s yuan.",
                             total=f"{total:,}", budget=f"{voting_round.budget:,}"))
    if problem == tally.TOO_MANY:
        raise DomainError(_l("Too many projects chosen: at most %(k)s.", k=voting_round.max_choices))
    raise DomainError(BALLOT_PROBLEMS[problem])


def _stored_choices(method, choices):
    return [list(pair) for pair in choices] if method == Method.YES_NO else list(choices)


def put_in_box(voting_round, choices, channel):
    """Drop a ballot in the box: a row with a random id and the choices, and nothing about the
    voter (no user, household, receipt or time). Flushed, not committed; the caller checks the
    choices, marks the register and writes the audit entry (without the ballot's id)."""
    ballot = RoundBallot(id=random_row_id(), round_id=voting_round.id, channel=channel,
                         choices=_stored_choices(voting_round.method, choices))
    db.session.add(ballot)
    db.session.flush()
    return ballot


def cast_ballot(user, voting_round, choices, now=None):
    """Cast (or, where the round allows it, replace) the user's online ballot. Returns their
    register row (RoundParticipation), which holds the receipt code."""
    try:
        participation = _cast(user, voting_round, choices, now or utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(ALREADY_VOTED) from None
    except DomainError:
        db.session.rollback()
        raise
    return participation


def _cast(user, voting_round, choices, now):
    """The checks and the writes of cast_ballot, flushed but not committed (the demo batches them).
    The audit entry names the voter and the round, never the ballot or its choices."""
    electorate.fix(voting_round, now)
    current = standing(user, voting_round, now)
    if not current.may_vote:
        raise DomainError(current.reason)
    check_choices(voting_round, choices)
    ballot = put_in_box(voting_round, choices, Channel.ONLINE)
    participation = current.participation
    if participation is None:
        participation = RoundParticipation(
            round_id=voting_round.id, voter_key=current.key, user_id=user.id,
            household_id=current.household.id if current.household else None, channel=Channel.ONLINE,
            receipt_code=receipts.new_code(), ballot_id=ballot.id)
        db.session.add(participation)
        db.session.flush()  # the register's unique constraints decide a race here
        action = "round.ballot_cast"
    else:
        _replace(participation, ballot)
        action = "round.ballot_changed"
    record(action, participation, actor=user, community=voting_round.community_id, round_id=voting_round.id)
    return participation


def _replace(participation, ballot):
    """Point the voter's register row at the new ballot, then take the old one out of the box
    (secure_delete zeroes its bytes). Compare-and-set, so two new ballots at once leave one."""
    old_id = participation.ballot_id
    if old_id is None:
        raise DomainError(CHANGED_MEANWHILE)
    moved = db.session.execute(
        update(RoundParticipation).where(RoundParticipation.id == participation.id,
                                         RoundParticipation.ballot_id == old_id)
        .values(ballot_id=ballot.id))
    old = db.session.get(RoundBallot, old_id)
    if moved.rowcount != 1 or old is None:
        raise DomainError(CHANGED_MEANWHILE)
    db.session.delete(old)
    db.session.flush()


def seal_round(voting_round, now=None):
    """Cut every register-to-box link of a closed round, for good: from here on no row joins a
    voter to a choice. The count calls it first, in its own transaction. (Replaced ballots are
    already gone: a new ballot deletes the one it replaces.)

    The box is then written anew, in the order of the random ids, by this one transaction: on
    PostgreSQL a row's place in the table and its xmin (the id of the transaction that wrote it,
    shared with the audit entry of its casting) would otherwise tell who cast it.

    Post-commit step, automatic: the commit of this transaction checkpoints and truncates the
    SQLite WAL (app.core.secrecy.forget_history, via _forget_after_seal below), so the page images
    that still held the links leave weiyi.db-wal as well. On PostgreSQL, VACUUM (README)."""
    if voting_round.state(now) in ("scheduled", "open"):
        raise DomainError(_l("A round is sealed only after it closes."))
    db.session.execute(
        update(RoundParticipation).where(RoundParticipation.round_id == voting_round.id,
                                         RoundParticipation.ballot_id.is_not(None))
        .values(ballot_id=None))
    # Table-level statements: the rows are the same ballots, moved, not changed (no ORM guard).
    box = RoundBallot.__table__
    rows = [row._asdict() for row in db.session.execute(
        select(box).where(box.c.round_id == voting_round.id).order_by(box.c.id))]
    db.session.execute(box.delete().where(box.c.round_id == voting_round.id))
    if rows:
        db.session.execute(box.insert(), rows)
    db.session.info[FORGET_HISTORY] = True


FORGET_HISTORY = "weiyi.forget_history"


@event.listens_for(Session, "after_commit")
def _forget_after_seal(session):
    if session.info.pop(FORGET_HISTORY, False) and not forget_history():
        # A long reader kept the WAL; the next seal (or a restart) truncates it.
        logger.warning("the SQLite WAL could not be truncated after sealing a voting round")


@event.listens_for(Session, "after_rollback")
def _nothing_sealed(session):
    session.info.pop(FORGET_HISTORY, None)


def my_ballots(user, community, voting_round=None):
    """The user's own register rows (that they voted, how, and their receipt code), newest round
    first. Never their choices: those are shown once, on the receipt page right after casting."""
    query = (select(RoundParticipation).join(VotingRound)
             .where(RoundParticipation.user_id == user.id, VotingRound.community_id == community.id)
             .options(selectinload(RoundParticipation.round)).order_by(VotingRound.closes_at.desc()))
    if voting_round is not None:
        query = query.where(RoundParticipation.round_id == voting_round.id)
    return db.session.scalars(query).all()


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


# --- households ------------------------------------------------------------------------------


def _check_households(actor, community):
    if not permissions.can_manage_households(actor, community):
        raise DomainError(_l("Only the committee can manage households."))


def list_households(community, page=1, per_page=20):
    return db.paginate(
        select(Household).where(Household.community_id == community.id)
        .options(selectinload(Household.members).selectinload(HouseholdMember.user))
        .order_by(Household.address, Household.id),
        page=page, per_page=per_page, error_out=False)


def get_household(community, household_id):
    household = db.session.get(Household, household_id) if 0 < household_id <= MAX_ID else None
    if household is None or household.community_id != community.id:
        raise NotFound()
    return household


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


def _verified_membership(user, community):
    membership = _membership(user, community)
    return membership if membership is not None and membership.is_verified else None


def add_household_member(actor, community, household, username):
    _check_households(actor, community)
    user = find_user(username or "") if (username or "").strip() else None
    if user is None:
        raise DomainError(_l("No account with the user name “%(name)s”.", name=clean_plain(username or "")[:40]))
    if _verified_membership(user, community) is None:
        raise DomainError(_l("%(name)s is not a verified resident of this community.", name=user.display_name))
    if household_of(user, community) is not None:
        raise DomainError(_l("%(name)s already belongs to a household.", name=user.display_name))
    member = HouseholdMember(household_id=household.id, community_id=community.id, user_id=user.id)
    try:
        db.session.add(member)
        db.session.flush()
        record("household.member_added", member, actor=actor, community=community, household_id=household.id,
               user_id=user.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("%(name)s already belongs to a household.", name=user.display_name)) from None
    return member


def remove_household_member(actor, community, household, member_id):
    """Moving people between households never gives them a second ballot: the register keeps one
    row per person per round (RoundParticipation unique on round and user)."""
    _check_households(actor, community)
    member = db.session.get(HouseholdMember, member_id) if 0 < member_id <= MAX_ID else None
    if member is None or member.household_id != household.id:
        raise NotFound()
    record("household.member_removed", member, actor=actor, community=community, household_id=household.id,
           user_id=member.user_id)
    db.session.delete(member)
    db.session.commit()


def suggested_members(community, household, limit=20):
    """Verified residents registered at the household's address who are in no household yet."""
    in_households = select(HouseholdMember.user_id).where(HouseholdMember.community_id == community.id)
    return db.session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED,
               Membership.address == household.address, Membership.user_id.not_in(in_households))
        .order_by(Membership.id).limit(limit)).all()


def _households_from_addresses(actor, community):
    in_households = select(HouseholdMember.user_id).where(HouseholdMember.community_id == community.id)
    memberships = db.session.scalars(
        select(Membership).options(selectinload(Membership.user))
        .where(Membership.community_id == community.id, Membership.status == MembershipStatus.VERIFIED,
               Membership.user_id.not_in(in_households), Membership.address != "")
        .order_by(Membership.id)).all()
    existing = {h.address: h for h in db.session.scalars(
        select(Household).where(Household.community_id == community.id))}
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
    record("household.created_from_addresses", None, actor=actor, community=community, object_type="Household",
           households=created, members=added)
    return created, added


def households_from_addresses(actor, community):
    """Group verified residents in no household yet by their registered address."""
    _check_households(actor, community)
    created, added = _households_from_addresses(actor, community)
    db.session.commit()
    return created, added
