"""Voting rounds: opening, eligibility, casting with receipts, paper ballots, households, the count.

Every public function checks its rules again (whatever the page showed), writes its change
with an audit entry and commits in one transaction, or raises DomainError and leaves nothing
behind. The counting itself is app/voting/tally.py (pure, shared with tools/verify_tally.py).

Counting is an explicit committee action after the close ("Count and publish"): paper ballots
cast in person are entered after the polling station closes, so the count waits for the
committee to say the paper is in. `flask --app wsgi tally count-due` counts every closed round
(for a daily cron job) for communities that enter no paper ballots.
"""
import csv
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.auth.models import User
from app.auth.services import find_user
from app.communities.models import Membership, MembershipStatus
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.text import clean_plain
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.models_base import utcnow
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import permissions, tally
from .models import (
    Allocation,
    Channel,
    Household,
    HouseholdMember,
    Method,
    PaperBallot,
    RoundBallot,
    RoundOption,
    RoundParticipation,
    RoundResult,
    VotingRound,
)

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
OPTIONS_MAX = 60
COST_MAX = 100_000_000
BUDGET_MAX = 1_000_000_000
WINDOW_MAX = timedelta(days=92)
CSV_MAX_BYTES = 2_000_000
CSV_MAX_ROWS = 20_000
CSV_HEADER = ["voter", "choices"]
MAX_ID = 2**31 - 1

BALLOT_PROBLEMS = {
    tally.UNKNOWN_OPTION: _l("This ballot names an option that is not in this round."),
    tally.DUPLICATE: _l("An option is named twice on this ballot."),
    tally.TOO_MANY: _l("Too many projects chosen: at most %(k)s."),
    tally.OVER_BUDGET: _l("The chosen projects cost %(total)s yuan, more than the budget of %(budget)s yuan."),
    tally.BAD_ANSWER: _l("Answer each project with yes, no or abstain."),
}
ALREADY_VOTED = _l("You have already voted in this round.")
CHANGED_MEANWHILE = _l("Your ballot was changed in the meantime (another tab or device?). Please check it and try again.")


class CsvImportError(DomainError):
    """Problems in an uploaded CSV file, each with its line number; nothing was imported."""

    def __init__(self, errors):
        super().__init__(_l("The file was not imported: %(count)s problems.", count=len(errors)))
        self.errors = errors  # [(line, message)]


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


def spec_for(voting_round, electorate=0):
    if voting_round.method != Method.YES_NO:  # the majority rules only matter to yes/no rounds
        return tally.RoundSpec(
            method=voting_round.method, allocation=voting_round.allocation, budget=voting_round.budget,
            options=tuple(tally.Option(o.number, o.cost, o.title) for o in voting_round.options),
            max_choices=voting_round.max_choices if voting_round.method == Method.APPROVAL else None,
            electorate=electorate)
    ruleset = voting_round.ruleset
    return tally.RoundSpec(
        method=voting_round.method,
        allocation=tally.MAJORITY if voting_round.method == Method.YES_NO else voting_round.allocation,
        budget=voting_round.budget,
        options=tuple(tally.Option(o.number, o.cost, o.title) for o in voting_round.options),
        max_choices=voting_round.max_choices if voting_round.method == Method.APPROVAL else None,
        majority_rule=ruleset.majority_rule, majority_base=ruleset.majority_base,
        min_turnout_percent=ruleset.min_turnout_percent, electorate=electorate,
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
        return f"h:{household.id}", household
    return f"u:{user.id}", None


@dataclass
class Standing:
    """What a person may do on a round's ballot page right now."""

    may_vote: bool
    reason: object = None  # a message when they may not
    current: RoundBallot | None = None  # their counted ballot, if any
    household: Household | None = None
    key: str | None = None  # the voter key they vote as
    participation: RoundParticipation | None = None


def standing(user, voting_round, now=None):
    state = voting_round.state(now)
    if not getattr(user, "is_authenticated", False):
        return Standing(False, _l("Log in to vote."))
    try:
        key, household = voter_key(user, voting_round)
    except DomainError as error:
        return Standing(False, error.message)
    participation = _participation(voting_round, key)
    current = _current_ballot(voting_round, key) if participation is not None else None
    if state == "scheduled":
        return Standing(False, _l("Voting has not opened yet."), current, household)
    if state != "open":
        return Standing(False, _l("Voting has closed."), current, household)
    if participation is not None:
        if participation.channel == Channel.PAPER:
            return Standing(False, _l("You are marked as having voted in person, on paper."), None, household)
        if participation.user_id != user.id:
            return Standing(False, _l("Your household has already voted in this round."), None, household)
        if not voting_round.allow_changes:
            return Standing(False, ALREADY_VOTED, current, household)
    if participation is None and voting_round.per_household and _took_part_otherwise(voting_round, user):
        return Standing(False, ALREADY_VOTED, None, household)
    return Standing(True, None, current, household, key, participation)


def _participation(voting_round, key):
    return db.session.scalar(select(RoundParticipation).where(
        RoundParticipation.round_id == voting_round.id, RoundParticipation.voter_key == key))


def _took_part_otherwise(voting_round, user):
    """Already voted under another key (e.g. moved to another household during the round)."""
    return db.session.scalar(select(RoundParticipation.id).where(
        RoundParticipation.round_id == voting_round.id, RoundParticipation.user_id == user.id)) is not None


def _current_ballot(voting_round, key):
    return db.session.scalar(select(RoundBallot).where(
        RoundBallot.round_id == voting_round.id, RoundBallot.voter_key == key, RoundBallot.counted.is_(True)))


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


def _new_ballot(voting_round, choices, **fields):
    nonce = secrets.token_hex(16)
    code = tally.receipt_code(voting_round.id, voting_round.method, choices, nonce)
    ballot = RoundBallot(round_id=voting_round.id, choices=_stored_choices(voting_round.method, choices),
                    receipt_code=code, nonce=nonce, **fields)
    db.session.add(ballot)
    return ballot


def cast_ballot(user, voting_round, choices, now=None):
    """Cast (or, where the round allows it, change) the user's online ballot. Returns the RoundBallot."""
    try:
        ballot, supersedes = _cast(user, voting_round, choices, now or utcnow())
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(ALREADY_VOTED) from None
    except DomainError:
        db.session.rollback()
        raise
    if supersedes is not None:
        db.session.refresh(supersedes)
    return ballot


def _cast(user, voting_round, choices, now):
    """The checks and the writes of cast_ballot, flushed but not committed (the demo batches them)."""
    current = standing(user, voting_round, now)
    if not current.may_vote:
        raise DomainError(current.reason)
    check_choices(voting_round, choices)
    key, household, participation = current.key, current.household, current.participation
    if participation is None:
        db.session.add(RoundParticipation(round_id=voting_round.id, voter_key=key, user_id=user.id,
                                          household_id=household.id if household else None,
                                          channel=Channel.ONLINE))
        db.session.flush()  # the register's unique constraints decide a race here
        supersedes = None
    else:
        supersedes = current.current
        if supersedes is None:
            raise DomainError(CHANGED_MEANWHILE)
        marked = db.session.execute(
            update(RoundBallot).where(RoundBallot.id == supersedes.id, RoundBallot.counted.is_(True))
            .values(counted=None, superseded_at=now).execution_options(synchronize_session=False))
        if marked.rowcount != 1:
            raise DomainError(CHANGED_MEANWHILE)
    ballot = _new_ballot(voting_round, choices, channel=Channel.ONLINE, voter_key=key, user_id=user.id,
                         household_id=household.id if household else None, cast_at=now,
                         supersedes_id=supersedes.id if supersedes else None)
    db.session.flush()
    record("round.ballot_changed" if supersedes else "round.ballot_cast", ballot, actor=user,
           community=voting_round.community_id, round_id=voting_round.id,
           supersedes=supersedes.id if supersedes else None)
    return ballot, supersedes


def my_ballots(user, community, voting_round=None):
    query = (select(RoundBallot).join(VotingRound).where(RoundBallot.user_id == user.id, VotingRound.community_id == community.id)
             .options(selectinload(RoundBallot.round)).order_by(RoundBallot.id.desc()))
    if voting_round is not None:
        query = query.where(RoundBallot.round_id == voting_round.id)
    return db.session.scalars(query).all()


def find_receipt(community, code):
    code = tally.normalise_receipt(code)
    if len(code) != tally.RECEIPT_LENGTH:
        return None
    ballot = db.session.scalar(select(RoundBallot).where(RoundBallot.receipt_code == code))
    if ballot is None or ballot.round.community_id != community.id:
        return None
    return ballot


def describe_choices(voting_round, choices):
    """[(option, answer or None)] for showing a ballot."""
    options = {o.number: o for o in voting_round.options}
    if voting_round.method == Method.YES_NO:
        return [(options[n], a) for n, a in tally.normalise(Method.YES_NO, choices) if n in options]
    return [(options[n], None) for n in tally.normalise(voting_round.method, choices) if n in options]


# --- paper ballots ---------------------------------------------------------------------------


def _check_paper(actor, voting_round):
    if not permissions.can_manage_rounds(actor, voting_round.community):
        raise DomainError(_l("Only the committee can record paper ballots."))
    if not permissions.can_record_paper(actor, voting_round):
        raise DomainError(_l("Paper ballots can be recorded from the opening until the count."))


def _in_person_voter(voting_round, username):
    """The resident to mark as having voted in person, and their voter key. Raises DomainError."""
    user = find_user(username or "") if (username or "").strip() else None
    if user is None:
        raise DomainError(_l("No account with the user name “%(name)s”.", name=clean_plain(username)[:40]))
    key, household = voter_key(user, voting_round)
    return user, key, household


def _mark(voting_round, actor, user, key, household):
    participation = _participation(voting_round, key)
    if participation is not None:
        if participation.channel == Channel.PAPER:
            raise DomainError(_l("%(name)s is already marked as having voted in person.", name=user.display_name))
        if voting_round.per_household:
            raise DomainError(_l("%(name)s's household has already voted online.", name=user.display_name))
        raise DomainError(_l("%(name)s has already voted online.", name=user.display_name))
    if _took_part_otherwise(voting_round, user):
        raise DomainError(_l("%(name)s has already voted in this round.", name=user.display_name))
    mark = RoundParticipation(round_id=voting_round.id, voter_key=key, user_id=user.id,
                              household_id=household.id if household else None, channel=Channel.PAPER,
                              recorded_by_id=actor.id)
    db.session.add(mark)
    return mark


def mark_in_person(actor, voting_round, username):
    """The committee ticks a resident off the register: voted in person (blocks their online ballot)."""
    _check_paper(actor, voting_round)
    user, key, household = _in_person_voter(voting_round, username)
    try:
        mark = _mark(voting_round, actor, user, key, household)
        db.session.flush()
        record("round.voter_marked_in_person", mark, actor=actor, community=voting_round.community_id,
               round_id=voting_round.id, user_id=user.id)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("%(name)s has already voted in this round.", name=user.display_name)) from None
    return mark


def _paper_ballot(actor, voting_round, choices, source, line=None):
    ballot = _new_ballot(voting_round, choices, channel=Channel.PAPER)
    db.session.flush()
    db.session.add(PaperBallot(ballot_id=ballot.id, round_id=voting_round.id, recorded_by_id=actor.id,
                               source=source, csv_line=line))
    record("round.paper_ballot_entered", ballot, actor=actor, community=voting_round.community_id,
           round_id=voting_round.id, source=source, line=line)
    return ballot


def enter_paper_ballot(actor, voting_round, choices):
    """One paper ballot from the box (anonymous: not linked to any voter)."""
    _check_paper(actor, voting_round)
    check_choices(voting_round, choices)
    try:
        ballot = _paper_ballot(actor, voting_round, choices, "form")
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("The ballot could not be stored. Please try again.")) from None
    return ballot


def parse_paper_choices(voting_round, text):
    """CSV `choices` cell -> canonical choices. Approval/budget ballots: option numbers separated by
    spaces (or , ; 、); yes/no: number:answer pairs, e.g. "1:yes 2:no 3:abstain" (是/否/弃权 too)."""
    text = (text or "").strip()
    for separator in ",;、，；":
        text = text.replace(separator, " ")
    items = text.split()
    numbers = {o.number for o in voting_round.options}
    if voting_round.method == Method.YES_NO:
        answers = {"yes": "yes", "y": "yes", "是": "yes", "同意": "yes", "赞成": "yes",
                   "no": "no", "n": "no", "否": "no", "反对": "no", "不同意": "no",
                   "abstain": "abstain", "a": "abstain", "弃权": "abstain"}
        pairs = []
        for item in items:
            number, colon, answer = item.replace("：", ":").partition(":")
            if not colon or not number.isdigit() or answer.strip().lower() not in answers:
                raise DomainError(_l("“%(item)s” is not of the form number:yes, number:no or number:abstain.",
                                     item=item[:20]))
            if int(number) not in numbers:
                raise DomainError(_l("There is no option %(n)s in this round.", n=number[:6]))
            pairs.append((int(number), answers[answer.strip().lower()]))
        return tally.normalise(Method.YES_NO, pairs)
    chosen = []
    for item in items:
        if not item.isdigit():
            raise DomainError(_l("“%(item)s” is not an option number.", item=item[:20]))
        if int(item) not in numbers:
            raise DomainError(_l("There is no option %(n)s in this round.", n=item[:6]))
        chosen.append(int(item))
    if len(set(chosen)) != len(chosen):
        raise DomainError(BALLOT_PROBLEMS[tally.DUPLICATE])
    return tuple(sorted(chosen))


def _decode(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CsvImportError([(1, _l("The file is not UTF-8 or GB18030 text."))])


def import_paper_csv(actor, voting_round, data):
    """Import paper ballots from the CSV template: each row marks one resident as having voted in
    person and adds one anonymous paper ballot. All rows or none: any problem stops the import and
    every problem is reported with its line number."""
    _check_paper(actor, voting_round)
    if not data:
        raise CsvImportError([(1, _l("The file is empty."))])
    if len(data) > CSV_MAX_BYTES:
        raise CsvImportError([(1, _l("The file is larger than %(n)s MB.", n=CSV_MAX_BYTES // 1_000_000))])
    text = _decode(data)
    if "\x00" in text:
        raise CsvImportError([(1, _l("This is not a CSV text file."))])
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header] != CSV_HEADER:
            raise CsvImportError([(1, _l("The first line must be the header: %(header)s",
                                         header=",".join(CSV_HEADER)))])
        rows, errors = [], []
        seen = {}
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= CSV_MAX_ROWS:
                errors.append((line, _l("At most %(n)s ballots per file.", n=CSV_MAX_ROWS)))
                break
            if len(row) != 2:
                errors.append((line, _l("Expected 2 columns (voter, choices), found %(n)s.", n=len(row))))
                continue
            try:
                user, key, household = _in_person_voter(voting_round, row[0].strip())
                if key in seen:
                    raise DomainError(_l("This voter (or household) is already on line %(line)s.", line=seen[key]))
                participation = _participation(voting_round, key)
                if participation is not None or _took_part_otherwise(voting_round, user):
                    raise DomainError(_l("%(name)s has already voted in this round.", name=user.display_name))
                choices = parse_paper_choices(voting_round, row[1])
                check_choices(voting_round, choices)
            except DomainError as error:
                errors.append((line, error.message))
                continue
            seen[key] = line
            rows.append((line, user, key, household, choices))
    except csv.Error as error:
        raise CsvImportError([(reader.line_num, _l("The CSV could not be read: %(error)s", error=str(error)))]) \
            from None
    if errors:
        raise CsvImportError(errors)
    if not rows:
        raise CsvImportError([(2, _l("The file has no ballots below the header."))])
    try:
        for line, user, key, household, choices in rows:
            mark = _mark(voting_round, actor, user, key, household)
            db.session.flush()
            record("round.voter_marked_in_person", mark, actor=actor, community=voting_round.community_id,
                   round_id=voting_round.id, user_id=user.id, line=line)
            _paper_ballot(actor, voting_round, choices, "csv", line)
        db.session.commit()
    except (IntegrityError, DomainError):
        db.session.rollback()
        raise CsvImportError([(0, _l("Someone recorded a ballot for one of these voters meanwhile. "
                                     "Nothing was imported; please try again."))]) from None
    return len(rows)


@dataclass
class Reconciliation:
    online_ballots: int
    paper_ballots: int
    marked_online: int
    marked_in_person: int

    @property
    def ballots(self):
        return self.online_ballots + self.paper_ballots

    @property
    def marked(self):
        return self.marked_online + self.marked_in_person

    @property
    def paper_difference(self):
        """Paper ballots entered minus voters marked in person (0 when they agree)."""
        return self.paper_ballots - self.marked_in_person

    @property
    def balanced(self):
        return self.ballots == self.marked and self.online_ballots == self.marked_online


def reconciliation(voting_round):
    by_channel = dict(db.session.execute(
        select(RoundBallot.channel, func.count(RoundBallot.id))
        .where(RoundBallot.round_id == voting_round.id, RoundBallot.counted.is_(True)).group_by(RoundBallot.channel)).all())
    marked = dict(db.session.execute(
        select(RoundParticipation.channel, func.count(RoundParticipation.id))
        .where(RoundParticipation.round_id == voting_round.id).group_by(RoundParticipation.channel)).all())
    return Reconciliation(by_channel.get(Channel.ONLINE, 0), by_channel.get(Channel.PAPER, 0),
                          marked.get(Channel.ONLINE, 0), marked.get(Channel.PAPER, 0))


def in_person_voters(voting_round):
    return db.session.scalars(
        select(RoundParticipation).options(selectinload(RoundParticipation.user))
        .where(RoundParticipation.round_id == voting_round.id, RoundParticipation.channel == Channel.PAPER)
        .order_by(RoundParticipation.id.desc())
    ).all()


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


# --- the count -------------------------------------------------------------------------------


def electorate(voting_round):
    """Eligible voters at the count: verified residents (or households with a verified resident),
    plus anyone who took part and has since left the register."""
    community_id = voting_round.community_id
    verified = select(Membership.user_id).where(Membership.community_id == community_id,
                                                Membership.status == MembershipStatus.VERIFIED)
    if voting_round.per_household:
        keys = {f"h:{h}" for h in db.session.scalars(
            select(HouseholdMember.household_id).distinct().where(
                HouseholdMember.community_id == community_id, HouseholdMember.user_id.in_(verified)))}
    else:
        keys = {f"u:{u}" for u in db.session.scalars(verified)}
    keys.update(db.session.scalars(select(RoundParticipation.voter_key).where(
        RoundParticipation.round_id == voting_round.id)))
    return len(keys)


def counted_ballots_query(voting_round):
    """The counted ballots, as published: ordered by receipt code (no order of casting leaks)."""
    return select(RoundBallot).where(RoundBallot.round_id == voting_round.id, RoundBallot.counted.is_(True)).order_by(
        RoundBallot.receipt_code)


def counted_ballots(voting_round):
    return db.session.scalars(counted_ballots_query(voting_round)).all()


def published_ballots(voting_round):
    return [tally.PublishedBallot(b.receipt_code, tally.normalise(voting_round.method, b.choices), b.nonce,
                                  b.channel) for b in counted_ballots(voting_round)]


def _info(voting_round):
    return {"title": voting_round.title, "community": voting_round.community.name,
            "date_begin": voting_round.opens_at.isoformat(timespec="minutes"),
            "date_end": voting_round.closes_at.isoformat(timespec="minutes"),
            "ruleset_version": voting_round.ruleset.version}


def outcome_of(voting_round):
    """The stored result as a tally.Outcome (what the site shows and publishes)."""
    result = voting_round.result

    def ints(mapping):
        return {int(k): v for k, v in (mapping or {}).items()}

    return tally.Outcome(voting_round.method, spec_for(voting_round).allocation, voting_round.budget,
                         result.ballots_counted, result.electorate, ints(result.votes), list(result.winners),
                         result.total_cost, no=ints(result.no_votes), abstain=ints(result.abstentions),
                         explanation=result.explanation)


def published_pb(voting_round):
    spec = spec_for(voting_round, voting_round.result.electorate)
    return tally.write_pb(voting_round.id, spec, published_ballots(voting_round), outcome_of(voting_round),
                          _info(voting_round))


def published_csv(voting_round):
    return tally.write_ballots_csv(voting_round.method, published_ballots(voting_round))


def round_document(voting_round):
    spec = spec_for(voting_round, voting_round.result.electorate)
    return tally.round_document(voting_round.id, spec, outcome_of(voting_round), _info(voting_round))


def _count(voting_round, actor):
    """Tally, store the result and move the micro-matters. No commit (the caller commits)."""
    size = electorate(voting_round)
    spec = spec_for(voting_round, size)
    ballots = counted_ballots(voting_round)
    outcome = tally.tally(spec, [tally.normalise(voting_round.method, b.choices) for b in ballots], explain=True)
    rec = reconciliation(voting_round)
    ruleset = voting_round.ruleset
    result = RoundResult(
        round_id=voting_round.id, ruleset_id=ruleset.id, ruleset_version=ruleset.version,
        counted_at=utcnow(), counted_by_id=getattr(actor, "id", None), electorate=outcome.electorate,
        ballots_counted=outcome.ballots, online_ballots=rec.online_ballots, paper_ballots=rec.paper_ballots,
        marked_online=rec.marked_online, marked_in_person=rec.marked_in_person,
        votes={str(k): v for k, v in outcome.votes.items()}, no_votes={str(k): v for k, v in outcome.no.items()},
        abstentions={str(k): v for k, v in outcome.abstain.items()}, winners=outcome.winners,
        total_cost=outcome.total_cost, explanation=outcome.explanation, published_sha256="",
    )
    db.session.add(result)
    voting_round.result = result
    db.session.flush()
    result.published_sha256 = hashlib.sha256(published_pb(voting_round).encode()).hexdigest()
    skipped = []
    winners = set(outcome.winners)
    for option in voting_round.options:
        matter = option.matter
        if matter.status != Status.IN_VOTE:
            skipped.append(option.number)  # decided meanwhile by other means: left as it is
            continue
        if option.number in winners:
            lifecycle.apply(matter, "approve", actor, system=True, round_id=voting_round.id, budget=option.cost,
                            votes=outcome.votes[option.number], ballots=outcome.ballots)
        else:
            lifecycle.apply(matter, "reject", actor, system=True, round_id=voting_round.id,
                            votes=outcome.votes[option.number], ballots=outcome.ballots,
                            note="not funded in this round")
    if skipped:
        result.explanation = dict(result.explanation, skipped=skipped)
    record("round.counted", voting_round, actor=actor, community=voting_round.community_id,
           winners=outcome.winners, total_cost=outcome.total_cost, ballots=outcome.ballots,
           electorate=outcome.electorate, turnout=outcome.turnout_percent, ruleset_version=ruleset.version, sha256=result.published_sha256)
    voters = db.session.scalars(select(User).where(User.id.in_(
        select(RoundParticipation.user_id).where(RoundParticipation.round_id == voting_round.id,
                                                 RoundParticipation.channel == Channel.ONLINE)))).all()
    notify(voters, N_("The results of the residents' vote “%(title)s” are published."),
           f"/c/{voting_round.community.slug}/rounds/{voting_round.id}/results", exclude=actor,
           title=voting_round.title)
    return result


def count_round(actor, voting_round, now=None):
    """The committee counts a closed round and publishes the result (once)."""
    if not permissions.can_manage_rounds(actor, voting_round.community):
        raise DomainError(_l("Only the committee can count a round."))
    state = voting_round.state(now)
    if state == "counted":
        raise DomainError(_l("This round has already been counted."))
    if state != "closed":
        raise DomainError(_l("A round can be counted only after it closes."))
    try:
        result = _count(voting_round, actor)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("This round has already been counted.")) from None
    except DomainError:
        db.session.rollback()
        raise
    return result


def rounds_due(now=None):
    """Closed rounds without a result (for `flask --app wsgi tally count-due`)."""
    now = now or utcnow()
    return db.session.scalars(
        select(VotingRound).where(VotingRound.closes_at <= now, ~VotingRound.result.has()).order_by(VotingRound.id)
    ).all()


def count_due(now=None):
    """Count every closed round; the actor recorded is the committee member who opened it."""
    counted = []
    for voting_round in rounds_due(now):
        try:
            _count(voting_round, voting_round.created_by)
            db.session.commit()
            counted.append(voting_round)
        except (IntegrityError, DomainError):
            db.session.rollback()
    return counted


@dataclass
class Verification:
    match: bool
    problems: list
    outcome: tally.Outcome


def verify_round(voting_round):
    """Recompute the count from the published ballots and compare with the stored result."""
    if voting_round.result is None:
        raise DomainError(_l("This round has not been counted yet."))
    text = published_pb(voting_round)
    report = tally.verify(tally.parse_pb(text))
    problems = list(report.problems)
    result = voting_round.result
    if report.outcome.ballots != result.ballots_counted:
        problems.append(f"{report.outcome.ballots} ballots published, {result.ballots_counted} counted at the close")
    if report.outcome.winners != list(result.winners):
        if set(report.outcome.winners) == set(result.winners):
            problems.append(f"winners in another order: {report.outcome.winners} vs {result.winners}")
    if hashlib.sha256(text.encode()).hexdigest() != result.published_sha256:
        problems.append("the published ballot file differs from the one fixed at the count")
    return Verification(not problems, problems, report.outcome)
