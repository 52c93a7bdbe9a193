"""The voting demo step: a counted budget round, an open round, and a round published as not valid."""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.voting import counting
from app.voting.models import CountJob, RoundDownload

from .test_tally import plain_pabutools_recount


@pytest.mark.slow
def test_demo_has_a_round_not_valid_for_low_turnout(app, client, load_demo):
    from app.voting import demo

    context = load_demo(until=demo.load)  # the steps up to and including voting's
    budget, _open, low = context["rounds"]
    assert budget.result.valid and budget.result.winners and budget.result.rule == "equalshares/add1"
    assert counting.verify_round(budget).match
    # The budget round went the large rounds' way: queued, counted by the worker's chore, files stored.
    job = db.session.scalar(select(CountJob).where(CountJob.round_id == budget.id))
    assert job.state == "done" and job.attempts == 1
    assert len(db.session.scalars(select(RoundDownload).where(RoundDownload.round_id == budget.id)).all()) == 3
    result = low.result
    assert not result.valid and result.winners == [] and result.turnout_percent < result.min_turnout_percent
    assert low.options[0].matter.status == "on_agenda"
    html = client.get(f"/c/xinglin/rounds/{low.id}/results?lang=en").get_data(as_text=True)
    assert f"Not valid: turnout {result.turnout_percent}% below the required 10%." in html
    pb = client.get(f"/c/xinglin/rounds/{budget.id}/ballots.pb")
    assert pb.status_code == 200
    # An outsider's recount with plain pabutools and the file's own rule label selects the same projects.
    assert plain_pabutools_recount(pb.get_data(as_text=True)) == sorted(budget.result.winners)
    assert counting.verify_round(low).match
