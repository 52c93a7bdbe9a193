"""Counting a large round outside the web request: the committee's "count and publish" queues a
job (once), the worker (`flask outbox work`) counts it with the same service, the results page says
"counting…" and refreshes until then, and a failed count is kept and shown to the committee."""

import pytest
from sqlalchemy import func, select, update

from app.audit.models import AuditEntry
from app.communities.models import Membership, Role
from app.extensions import db
from app.voting import count_jobs, counting
from app.voting.models import CountJob, RoundDownload, RoundResult
from tests.helpers import login

from .helpers import close, open_round
from .test_results import vote


@pytest.fixture
def closed(app, client, committee, community, matters, residents):
    """A closed knapsack round with five ballots; every round counts as large (queued for the worker)."""
    app.config["COUNT_IN_REQUEST_BALLOTS"] = 0
    voting_round = open_round(committee, community, matters)
    vote(residents, voting_round, [(1, 2), (1, 2, 4), (1, 4), (3,), (1, 4, 6)])
    close(voting_round)
    login(client, committee)
    client.get("/?lang=en")
    return voting_round


def ask(client, voting_round):
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"})
    assert response.status_code == 303
    db.session.expire_all()
    return response


def results_page(client, voting_round):
    return client.get(f"/c/xinglin/rounds/{voting_round.id}/results").get_data(as_text=True)


def work(app):
    result = app.test_cli_runner().invoke(args=["outbox", "work", "--rounds", "1", "--every", "0"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()


def count_of(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_large_round_is_queued_once_and_the_page_says_counting(client, closed):
    ask(client, closed)
    assert closed.result is None
    job = db.session.scalar(select(CountJob))
    assert job.round_id == closed.id and job.state == "queued"
    html = results_page(client, closed)
    assert "Counting…" in html and '<meta http-equiv="refresh" content="10">' in html
    assert 'id="count"' not in html  # no second button while it waits
    ask(client, closed)  # a second click queues nothing more
    assert count_of(CountJob) == 1
    assert count_of(AuditEntry, AuditEntry.action == "round.count_requested") == 1


def test_the_worker_counts_it_and_builds_the_downloads(app, client, closed):
    ask(client, closed)
    work(app)
    assert closed.result is not None and closed.result.ballots_counted == 5
    job = db.session.scalar(select(CountJob))
    assert job.state == "done" and job.attempts == 1 and job.finished_at is not None
    assert count_of(RoundDownload, RoundDownload.round_id == closed.id) == 3  # CSV, JSON and .pb
    html = results_page(client, closed)
    assert "Counting…" not in html and "http-equiv" not in html
    assert "5 ballots from 7 eligible residents" in html
    work(app)  # nothing left to do: still one result
    assert count_of(RoundResult) == 1


def test_two_workers_store_one_result(app, client, closed):
    ask(client, closed)
    job_id = db.session.scalar(select(CountJob.id))
    assert count_jobs._claim(job_id) is True
    assert count_jobs._claim(job_id) is False  # the second worker finds it taken
    assert count_jobs.run_due() == 0
    # The first worker's count; meanwhile the daily count-due counted the round too.
    counting.count_due()
    db.session.expire_all()
    assert count_jobs._run(job_id) is False
    assert count_of(RoundResult) == 1
    assert db.session.get(CountJob, job_id).state == "done"  # counted, by whoever came first


def test_a_failed_count_is_kept_and_shown_and_can_be_asked_again(app, client, committee, closed):
    ask(client, closed)
    # The requester left the committee before the worker came: the service refuses the count.
    db.session.execute(update(Membership).where(Membership.user_id == committee.id).values(role=Role.RESIDENT))
    db.session.commit()
    work(app)
    job = db.session.scalar(select(CountJob))
    assert job.state == "failed" and job.error == "只有居委会可以计票。"  # in the requester's language
    assert count_of(AuditEntry, AuditEntry.action == "round.count_failed") == 1
    assert closed.result is None
    db.session.execute(update(Membership).where(Membership.user_id == committee.id).values(role=Role.COMMITTEE))
    db.session.commit()
    html = results_page(client, closed)
    assert "The count failed" in html and "只有居委会可以计票。" in html
    assert 'id="count"' in html and "http-equiv" not in html
    ask(client, closed)
    job = db.session.scalar(select(CountJob))
    assert job.state == "queued" and job.error is None
    work(app)
    assert closed.result is not None and db.session.scalar(select(CountJob.state)) == "done"


def test_an_unexpected_error_is_recorded_and_the_worker_goes_on(app, client, closed, monkeypatch):
    ask(client, closed)

    def broken(actor, voting_round):
        raise RuntimeError("disk full")

    monkeypatch.setattr(counting, "count_round", broken)
    work(app)
    job = db.session.scalar(select(CountJob))
    assert job.state == "failed" and "RuntimeError" in job.error


def test_a_refused_count_is_refused_at_once(client, committee, community, matters):
    """An open round is refused in the request: nothing queued."""
    voting_round = open_round(committee, community, matters)
    login(client, committee)
    client.get("/?lang=en")
    ask(client, voting_round)
    assert count_of(CountJob) == 0
    assert "A round can be counted only after it closes." in results_page(client, voting_round)


def test_a_small_round_is_counted_in_the_request(app, client, closed):
    app.config["COUNT_IN_REQUEST_BALLOTS"] = 300
    ask(client, closed)
    assert closed.result is not None and count_of(CountJob) == 0
