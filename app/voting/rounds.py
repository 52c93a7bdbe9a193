"""Voting rounds: reading them, opening one on matters of the agenda list, and sealing it once closed.

Every public function checks its rules again (whatever the page showed), writes its change
with an audit entry and commits in one transaction, or raises DomainError and leaves nothing
behind. Casting is casting.py, households households.py, the count and the published files
counting.py, the electorate fixed at the opening electorate.py, paper ballots in_person.py,
tally_sheets.py and paper.py.
"""

import logging
from dataclasses import replace
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, joinedload, selectinload

from app.audit.services import record
from app.communities.permissions import verified_members
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.secrecy import forget_history
from app.core.service import get_or_404, get_row, rolls_back
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import electorate, option_kinds, permissions, tally
from .models import Allocation, Method, RoundBallot, RoundOption, RoundParticipation, RoundState, VotingRound

TITLE_MAX = 80
DESCRIPTION_MAX = 2000
OPTIONS_MAX = 60
COST_MAX = 100_000_000
BUDGET_MAX = 1_000_000_000
WINDOW_MAX = timedelta(days=92)
logger = logging.getLogger(__name__)


# --- reading ---------------------------------------------------------------------------------


def get_round(community, round_id):
    return get_or_404(VotingRound, round_id, community_id=community.id)


def list_rounds(community):
    return db.session.scalars(
        select(VotingRound)
        .where(VotingRound.community_id == community.id)
        .options(selectinload(VotingRound.result))
        .order_by(VotingRound.closes_at.desc())
    ).all()


def candidate_matters(community):
    """Micro-matters on the agenda list, which a new round may put to the residents."""
    return db.session.scalars(
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status == Status.ON_AGENDA)
        .order_by(MicroMatter.id)
    ).all()


def ballot_spec(voting_round):
    """What a ballot is checked against (method, options, budget, k): the round's own columns and
    options, without the counting rules of its rule set (a cast does not read the rule set)."""
    yes_no = voting_round.method == Method.YES_NO
    return tally.RoundSpec(
        method=voting_round.method,
        allocation=tally.MAJORITY if yes_no else voting_round.allocation,
        budget=voting_round.budget,
        options=tuple(tally.Option(o.number, o.cost, o.title) for o in voting_round.options),
        max_choices=voting_round.max_choices if voting_round.method == Method.APPROVAL else None,
    )


def spec_for(voting_round, size=0):
    """The round's counting rules, from the rule set in force when it opened; `size` is its electorate."""
    ruleset = voting_round.ruleset
    return replace(
        ballot_spec(voting_round),
        majority_rule=ruleset.resident_majority_rule,
        majority_base=ruleset.resident_majority_base,
        min_turnout_percent=ruleset.min_turnout_percent,
        electorate=size,
    )


def round_for_matter(matter):
    """The latest round this micro-matter was put to (for its page), or None."""
    return db.session.scalar(
        select(VotingRound)
        .join(RoundOption)
        .where(RoundOption.matter_id == matter.id)
        .options(joinedload(VotingRound.result), selectinload(VotingRound.options))  # the panel shows them
        .order_by(VotingRound.id.desc())
        .limit(1)
    )


# --- opening a round -------------------------------------------------------------------------


@rolls_back
def open_round(actor, community, **terms):
    """Open a round on micro-matters of the agenda list; `terms` as `_new_round` takes them
    (`options` is [(matter_id, cost)] in ballot order)."""
    voting_round = _new_round(actor, community, **terms)
    notify(
        [m.user for m in verified_members(community)],
        N_("Residents' vote “%(title)s”: see the projects and the voting dates."),
        path_for("voting.ballot", slug=community.slug, round_id=voting_round.id),
        exclude=actor,
        event="rounds",
        title=voting_round.title,
    )
    electorate.fix(voting_round)  # opening now: the register of voters is fixed with it
    db.session.commit()
    return voting_round


def open_yes_no(actor, community, kind, subject_ids, *, title, description, opens_at, closes_at, per_household):
    """Open a yes/no round without a budget on rows of a plugged-in kind (option_kinds.py), one
    option a row in the order given: how a feature puts what its council adopted to the residents."""
    return open_round(
        actor,
        community,
        kind=kind,
        title=title[:TITLE_MAX],
        description=description,
        method=Method.YES_NO,
        budget=0,
        opens_at=opens_at,
        closes_at=closes_at,
        options=[(subject_id, 0) for subject_id in subject_ids],
        per_household=per_household,
    )


def latest_on(kind, subject_id):
    """The last round that put the row `subject_id` of a plugged-in kind to the residents, or None."""
    return db.session.scalar(
        select(VotingRound)
        .join(RoundOption, RoundOption.round_id == VotingRound.id)
        .where(VotingRound.option_kind == kind, RoundOption.subject_id == subject_id)
        .order_by(VotingRound.id.desc())
        .limit(1)
    )


def _new_round(
    actor,
    community,
    *,
    title,
    method,
    budget,
    opens_at,
    closes_at,
    options,
    allocation=Allocation.GREEDY,
    max_choices=None,
    per_household=False,
    allow_changes=True,
    description="",
    kind=option_kinds.MATTER,
):
    """`options`: [(matter_id, cost)]; for a plugged-in kind (option_kinds.py) [(subject_id, 0)] with
    method yes/no and budget 0."""
    plugged = option_kinds.handler(kind)
    if not permissions.can_manage_rounds(actor, community):
        raise DomainError(_l("Only the committee can open a voting round."))
    now = clock.now()
    title = clean_plain(title)
    if not title or len(title) > TITLE_MAX:
        raise DomainError(_l("Give the round a title of at most %(n)s characters.", n=TITLE_MAX))
    description = clean_plain(description)[:DESCRIPTION_MAX]
    if method not in set(Method):
        raise DomainError(_l("Choose a voting method."))
    if method != Method.YES_NO and allocation not in set(Allocation):
        raise DomainError(_l("Choose how the budget is allocated."))
    _check_budget(plugged, method, budget, options)
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
        community_id=community.id,
        title=title,
        description=description,
        method=method,
        allocation=Allocation.GREEDY if method == Method.YES_NO else allocation,
        max_choices=max_choices,
        budget=budget,
        opens_at=opens_at,
        closes_at=closes_at,
        per_household=bool(per_household),
        allow_changes=bool(allow_changes),
        ruleset_id=ruleset.id,
        created_by_id=actor.id,
        option_kind=kind,
    )
    db.session.add(voting_round)
    matters = []
    for number, (row_id, cost) in enumerate(options, start=1):
        if plugged is None:
            matter = _matter_on_agenda(community, row_id, cost, budget)
            option = RoundOption(number=number, matter_id=matter.id, title=matter.title, cost=cost)
            matters.append(matter)
        else:
            option = RoundOption(
                number=number, subject_id=row_id, title=plugged.ballot_title(community, row_id), cost=0
            )
        voting_round.options.append(option)
    db.session.flush()
    record(
        "round.opened",
        voting_round,
        actor=actor,
        community=community,
        method=method,
        allocation=voting_round.allocation,
        budget=budget,
        option_kind=kind,
        options=[o.matter_id or o.subject_id for o in voting_round.options],
        opens_at=opens_at.isoformat(),
        closes_at=closes_at.isoformat(),
        ruleset_version=ruleset.version,
        per_household=voting_round.per_household,
        allow_changes=voting_round.allow_changes,
    )
    for matter in matters:
        lifecycle.apply(matter, "refer_to_vote", actor, system=True, round_id=voting_round.id)
    if plugged is not None:
        plugged.opened(voting_round, actor)
    return voting_round


def _check_budget(plugged, method, budget, options):
    """Micro-matters share a budget; a plugged-in kind's round is a yes/no vote without one."""
    if plugged is not None:
        if method != Method.YES_NO or budget != 0 or any(cost != 0 for _, cost in options):
            raise DomainError(_l("This round is a yes/no vote without a budget."))
    elif not isinstance(budget, int) or not 1 <= budget <= BUDGET_MAX:
        raise DomainError(_l("The budget must be a whole number of yuan between 1 and %(max)s.", max=BUDGET_MAX))


def _matter_on_agenda(community, matter_id, cost, budget):
    """The micro-matter of an option, checked: on this community's agenda list, not on a meeting's
    agenda, its cost within the budget."""
    matter = get_row(MicroMatter, matter_id)
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
    return matter


# --- sealing a closed round -----------------------------------------------------------------


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
    if voting_round.state(now) in (RoundState.SCHEDULED, RoundState.OPEN):
        raise DomainError(_l("A round is sealed only after it closes."))
    db.session.execute(
        update(RoundParticipation)
        .where(RoundParticipation.round_id == voting_round.id, RoundParticipation.ballot_id.is_not(None))
        .values(ballot_id=None)
    )
    # Table-level statements: the rows are the same ballots, moved, not changed (no ORM guard).
    box = RoundBallot.__table__
    rows = [
        row._asdict()
        for row in db.session.execute(select(box).where(box.c.round_id == voting_round.id).order_by(box.c.id))
    ]
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
