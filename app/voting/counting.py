"""The count of a voting round and its published files.

Counting is an explicit committee action after the close ("Count and publish"): paper ballots
cast in person are entered after the polling station closes, so the count waits for the
committee to say the paper is in. `flask --app wsgi tally count-due` counts every closed round
(for a daily cron job) for communities that enter no paper ballots. A round too large to count
inside a web request is counted by the worker (count_jobs.py), with count_round all the same.

The count: seal the round (cut every voter-to-ballot link, committed on its own), refuse while
the paper does not balance, fix the electorate if no one did yet, read the box; then, with no
write lock held, tally (app/voting/tally.py, pure); then in one short transaction store the
result with the rules it applied, move the micro-matters, audit and notify. A round
below the minimum turnout is stored and published as not valid: nothing is approved, and its
micro-matters go back to the agenda list. After the commit the SQLite WAL is truncated
(rounds.seal_round arranges it), so no old page image keeps a link.

Published files: a valid approval or budget round as pabulib .pb (only fields the format
defines, its rule label exact); every round as the ballots CSV and the round JSON, which carry
Weiyi's own details (electorate, turnout rule, majority, validity). They are built once and served
as stored (downloads.py).
"""

import dataclasses
import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.audit.services import record
from app.auth.models import User
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import require, rolls_back
from app.core.urls import path_for
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.notifications import wecom
from app.notifications.services import notify

from . import electorate, option_kinds, paper, permissions, tally
from .models import Channel, RoundBallot, RoundParticipation, RoundResult, RoundState, VotingRound
from .rounds import FORGET_HISTORY, seal_round, spec_for


def counted_ballots_query(voting_round):
    """The ballots in the box, as published: ordered by their random id (no order of casting leaks)."""
    return select(RoundBallot).where(RoundBallot.round_id == voting_round.id).order_by(RoundBallot.id)


def counted_ballots(voting_round):
    return db.session.scalars(counted_ballots_query(voting_round)).all()


def published_ballots(voting_round):
    return [
        tally.PublishedBallot(b.id, tally.normalise(voting_round.method, b.choices), b.channel)
        for b in counted_ballots(voting_round)
    ]


def _info(voting_round):
    return {
        "title": voting_round.title,
        "community": voting_round.community.name,
        "date_begin": clock.local_date(voting_round.opens_at),
        "date_end": clock.local_date(voting_round.closes_at),
        "opens_at": voting_round.opens_at.isoformat(timespec="minutes") + "Z",
        "closes_at": voting_round.closes_at.isoformat(timespec="minutes") + "Z",
        "ruleset_version": voting_round.result.ruleset_version,
    }


def result_spec(voting_round):
    """The spec the stored result applied (its electorate, turnout rule and majority)."""
    result = voting_round.result
    spec = spec_for(voting_round, result.electorate)
    return dataclasses.replace(
        spec,
        min_turnout_percent=result.min_turnout_percent,
        majority_rule=result.majority_rule or spec.majority_rule,
        majority_base=result.majority_base or spec.majority_base,
    )


def outcome_of(voting_round):
    """The stored result as a tally.Outcome (what the site shows and publishes)."""
    result = voting_round.result

    def ints(mapping):
        return {int(k): v for k, v in (mapping or {}).items()}

    return tally.Outcome(
        voting_round.method,
        spec_for(voting_round).allocation,
        voting_round.budget,
        result.ballots_counted,
        result.electorate,
        ints(result.votes),
        list(result.winners),
        result.total_cost,
        no=ints(result.no_votes),
        abstain=ints(result.abstentions),
        explanation=result.explanation,
        valid=result.valid,
    )


def has_pb(voting_round):
    return voting_round.result is not None and tally.has_pb(result_spec(voting_round), outcome_of(voting_round))


def published_pb(voting_round):
    """The .pb file, or None: a yes/no round, or a round that is not valid, has none."""
    if not has_pb(voting_round):
        return None
    return tally.write_pb(
        voting_round.id,
        result_spec(voting_round),
        published_ballots(voting_round),
        outcome_of(voting_round),
        _info(voting_round),
    )


def published_csv(voting_round):
    return tally.write_ballots_csv(voting_round.method, published_ballots(voting_round))


def round_document(voting_round):
    return tally.round_document(
        voting_round.id, result_spec(voting_round), outcome_of(voting_round), _info(voting_round)
    )


def fingerprint(voting_round):
    """SHA-256 of the file a recount starts from: the .pb file, or else the ballots CSV."""
    text = published_pb(voting_round)
    return hashlib.sha256((text if text is not None else published_csv(voting_round)).encode()).hexdigest()


def _seal(voting_round, now):
    """Cut the voter-to-ballot links in a commit of their own: they go at the first attempt to
    count, even when the count is then refused (paper not balanced) and tried again later."""
    seal_round(voting_round, now)
    db.session.commit()


def _count(voting_round, actor, now):
    """Tally a sealed round, store the result and move the micro-matters. No commit (the caller commits).

    The tally (MES with its completion can take seconds) runs between two transactions, so the
    SQLite write lock is held only to read the box and then to write the result."""
    paper.check_paper_balanced(voting_round)
    electorate.fix(voting_round, now)
    spec = spec_for(voting_round, electorate.size(voting_round))
    choices = [tally.normalise(voting_round.method, b.choices) for b in counted_ballots(voting_round)]
    round_id = voting_round.id
    db.session.commit()
    outcome = tally.tally(spec, choices, explain=True)
    voting_round = db.session.get(VotingRound, round_id)
    # Truncate the WAL after the result's commit too, so a count leaves only the final state on disk.
    db.session.info[FORGET_HISTORY] = True
    # The box of a closed round changes only when a tally sheet is confirmed: then count again.
    paper.check_paper_balanced(voting_round)
    in_box = db.session.scalar(select(func.count(RoundBallot.id)).where(RoundBallot.round_id == round_id))
    if in_box != len(choices):
        raise DomainError(_l("Ballots were added while the round was being counted; count it again."))
    rec = paper.reconciliation(voting_round)
    ruleset = voting_round.ruleset
    yes_no = spec.method == tally.YES_NO
    result = RoundResult(
        round_id=voting_round.id,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        counted_at=clock.now(),
        counted_by_id=getattr(actor, "id", None),
        electorate=outcome.electorate,
        ballots_counted=outcome.ballots,
        online_ballots=rec.online_ballots,
        paper_ballots=rec.paper_ballots,
        marked_online=rec.marked_online,
        marked_in_person=rec.marked_in_person,
        votes={str(k): v for k, v in outcome.votes.items()},
        no_votes={str(k): v for k, v in outcome.no.items()},
        abstentions={str(k): v for k, v in outcome.abstain.items()},
        winners=outcome.winners,
        total_cost=outcome.total_cost,
        explanation=outcome.explanation,
        published_sha256="",
        valid=outcome.valid,
        min_turnout_percent=spec.min_turnout_percent,
        rule=spec.rule or tally.MAJORITY,
        majority_rule=spec.majority_rule if yes_no else None,
        majority_base=spec.majority_base if yes_no else None,
    )
    db.session.add(result)
    voting_round.result = result
    db.session.flush()
    result.published_sha256 = fingerprint(voting_round)
    _decide_matters(voting_round, actor, outcome, result)
    record(
        "round.counted",
        voting_round,
        actor=actor,
        community=voting_round.community_id,
        valid=outcome.valid,
        winners=outcome.winners,
        total_cost=outcome.total_cost,
        ballots=outcome.ballots,
        electorate=outcome.electorate,
        turnout=outcome.turnout_percent,
        min_turnout_percent=spec.min_turnout_percent,
        rule=result.rule,
        majority_rule=result.majority_rule,
        majority_base=result.majority_base,
        ruleset_version=ruleset.version,
        sha256=result.published_sha256,
    )
    voters = db.session.scalars(
        select(User).where(
            User.id.in_(
                select(RoundParticipation.user_id).where(
                    RoundParticipation.round_id == voting_round.id, RoundParticipation.channel == Channel.ONLINE
                )
            )
        )
    ).all()
    message = (
        N_("The results of the residents' vote “%(title)s” are published.")
        if outcome.valid
        else N_("The residents' vote “%(title)s” is not valid: the turnout was below the minimum.")
    )
    link = path_for("voting.results", slug=voting_round.community.slug, round_id=voting_round.id)
    notify(voters, message, link, exclude=actor, event="rounds", title=voting_round.title)
    wecom.announce(voting_round.community, message, link, title=voting_round.title)  # results published
    return result


def _decide_matters(voting_round, actor, outcome, result):
    """Winners are approved, the others rejected; a round that is not valid decides nothing and its
    micro-matters go back to the agenda list."""
    plugged = option_kinds.handler(voting_round.option_kind)
    if plugged is not None:
        plugged.counted(voting_round, outcome, actor)
        return
    skipped = []
    winners = set(outcome.winners)
    for option in voting_round.options:
        matter = option.matter
        if matter.status != Status.IN_VOTE:
            skipped.append(option.number)  # decided meanwhile by other means: left as it is
            continue
        facts = {"round_id": voting_round.id, "votes": outcome.votes[option.number], "ballots": outcome.ballots}
        if not outcome.valid:
            lifecycle.apply(
                matter,
                "return_to_agenda",
                actor,
                system=True,
                turnout=outcome.turnout_percent,
                min_turnout_percent=result.min_turnout_percent,
                **facts,
            )
        elif option.number in winners:
            lifecycle.apply(matter, "approve", actor, system=True, budget=option.cost, **facts)
        else:
            lifecycle.apply(matter, "reject", actor, system=True, note="not funded in this round", **facts)
    if skipped:
        result.explanation = dict(result.explanation, skipped=skipped)


ALREADY_COUNTED = _l("This round has already been counted.")


@rolls_back(conflict=ALREADY_COUNTED)  # two counts at the same moment
def count_round(actor, voting_round):
    """The committee counts a closed round and publishes the result (once)."""
    if not permissions.can_manage_rounds(actor, voting_round.community):
        raise DomainError(_l("Only the committee can count a round."))
    now = clock.now()
    state = voting_round.state(now)
    require(state != RoundState.COUNTED, ALREADY_COUNTED)
    if state != RoundState.CLOSED:
        raise DomainError(_l("A round can be counted only after it closes."))
    _seal(voting_round, now)
    result = _count(voting_round, actor, now)
    db.session.commit()
    return result


def rounds_due(now):
    """Closed rounds without a result at `now` (for `flask --app wsgi tally count-due`)."""
    return db.session.scalars(
        select(VotingRound).where(VotingRound.closes_at <= now, ~VotingRound.result.has()).order_by(VotingRound.id)
    ).all()


def count_due():
    """Count every closed round; the actor recorded is the committee member who opened it."""
    now = clock.now()
    counted = []
    for voting_round in rounds_due(now):
        try:
            _seal(voting_round, now)
            _count(voting_round, voting_round.created_by, now)
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
    """Recompute the count from the published files with the same standard rule and compare it
    with the stored result: the .pb file where there is one, else the ballots CSV and round JSON."""
    if voting_round.result is None:
        raise DomainError(_l("This round has not been counted yet."))
    result = voting_round.result
    text = published_pb(voting_round)
    if text is not None:
        published = tally.parse_pb(text)
    else:
        published = tally.parse_csv_and_round(published_csv(voting_round), round_document(voting_round))
    report = tally.verify(published)
    problems = list(report.problems)
    if report.outcome.ballots != result.ballots_counted:
        problems.append(f"{report.outcome.ballots} ballots published, {result.ballots_counted} counted at the close")
    if report.outcome.winners != list(result.winners) and set(report.outcome.winners) == set(result.winners):
        problems.append(f"winners in another order: {report.outcome.winners} vs {result.winners}")
    if fingerprint(voting_round) != result.published_sha256:
        problems.append("the published ballot file differs from the one fixed at the count")
    return Verification(not problems, problems, report.outcome)
