"""Counting a large round outside the web request.

The committee's "count and publish" (`request_count`) counts a small round at once, as before; a
round with more ballots than COUNT_IN_REQUEST_BALLOTS becomes a CountJob that the worker (`flask
--app wsgi outbox work`, a chore of app/notifications/cli.py) runs with the same service,
counting.count_round. The results page says "counting…" and refreshes itself until the result is
there; a failed count is kept on the job, with its reason, for the committee to read and to ask
again.

One job per round (unique round_id): a second click finds the first. A worker claims a job by
moving it from queued to running in a transaction of its own, so two workers never run one job;
and the result itself is unique per round, so a count stored by anyone else (the daily
`tally count-due`) turns the job into done, never into a second result.
"""

import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.service import commit, require, rolls_back
from app.extensions import db
from app.notifications.outbox import recipient_locale

from . import counting, downloads, paper, permissions
from .models import CountJob, CountJobState, RoundBallot, RoundState, VotingRound

log = logging.getLogger("weiyi.voting")

STALE_CLAIM = timedelta(minutes=30)  # a job "running" this long lost its worker: it goes back to the queue
WAITING = (CountJobState.QUEUED, CountJobState.RUNNING)


def job_for(voting_round):
    return db.session.scalar(select(CountJob).where(CountJob.round_id == voting_round.id))


def _ballots_in_box(voting_round):
    return db.session.scalar(select(func.count(RoundBallot.id)).where(RoundBallot.round_id == voting_round.id))


@rolls_back
def request_count(actor, voting_round):
    """The committee's "count and publish". Returns the job when the round was queued for the
    worker (or already was), None when it was counted at once."""
    require(permissions.can_manage_rounds(actor, voting_round.community), _l("Only the committee can count a round."))
    job = job_for(voting_round)
    if job is not None and job.state in WAITING:
        return job  # a second click: the first request stands
    state = voting_round.state()
    require(state != RoundState.COUNTED, counting.ALREADY_COUNTED)
    require(state == RoundState.CLOSED, _l("A round can be counted only after it closes."))
    # What would refuse the count in the worker is refused here, at once, with the reason.
    paper.check_paper_balanced(voting_round)
    if _ballots_in_box(voting_round) <= current_app.config["COUNT_IN_REQUEST_BALLOTS"]:
        counting.count_round(actor, voting_round)
        return None
    return queue(actor, voting_round, job)


def queue(actor, voting_round, job=None):
    """Put the count of a closed round on the worker's queue (again, after a failed attempt)."""
    job = job or job_for(voting_round)
    if job is None:
        job = CountJob(round_id=voting_round.id, requested_by_id=actor.id)
        db.session.add(job)
    else:  # asked again after a failed attempt
        job.requested_by_id, job.requested_at = actor.id, clock.now()
    job.state, job.error, job.claimed_at, job.finished_at = CountJobState.QUEUED, None, None, None
    record("round.count_requested", voting_round, actor=actor, community=voting_round.community_id)
    commit(_l("The count of this round has already been asked for."))
    return job


def _reclaim_stale():
    db.session.execute(
        update(CountJob)
        .where(CountJob.state == CountJobState.RUNNING, CountJob.claimed_at < clock.now() - STALE_CLAIM)
        .values(state=CountJobState.QUEUED)
    )
    db.session.commit()


def _claim(job_id):
    claimed = db.session.execute(
        update(CountJob)
        .where(CountJob.id == job_id, CountJob.state == CountJobState.QUEUED)
        .values(state=CountJobState.RUNNING, claimed_at=clock.now(), attempts=CountJob.attempts + 1)
    ).rowcount
    db.session.commit()
    return bool(claimed)


def _finish(job_id, error=None):
    """Record how the job ended, in a transaction of its own."""
    job = db.session.get(CountJob, job_id)
    voting_round = db.session.get(VotingRound, job.round_id)
    job.finished_at = clock.now()
    if error is None or voting_round.result is not None:  # counted, by this job or by anyone else
        job.state, job.error = CountJobState.DONE, None
    else:
        job.state = CountJobState.FAILED
        with force_locale(recipient_locale(job.requested_by)):
            job.error = str(error)[:2000]
        record(
            "round.count_failed",
            voting_round,
            community=voting_round.community_id,
            attempts=job.attempts,
            error=job.error,
        )
    db.session.commit()


def _run(job_id):
    job = db.session.get(CountJob, job_id)
    voting_round = db.session.get(VotingRound, job.round_id)
    try:
        counting.count_round(job.requested_by, voting_round)
    except DomainError as error:
        db.session.rollback()
        _finish(job_id, error.message)
        return False
    except Exception as error:  # recorded on the job for the committee; the worker goes on
        db.session.rollback()
        log.exception("counting round %s failed", job.round_id)
        _finish(
            job_id,
            _l("The count stopped on an unexpected error (%(error)s). Ask for it again.", error=type(error).__name__),
        )
        return False
    _finish(job_id)
    downloads.build_all(db.session.get(VotingRound, job.round_id))  # the published files, off the request too
    return True


def run_due():
    """The worker's chore: run every queued count. How many rounds it counted."""
    _reclaim_stale()
    queued = db.session.scalars(
        select(CountJob.id).where(CountJob.state == CountJobState.QUEUED).order_by(CountJob.id)
    ).all()
    db.session.commit()
    return sum(_run(job_id) for job_id in queued if _claim(job_id))
