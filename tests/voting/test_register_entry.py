"""The voter's register entry read with the round (app/voting/ballot_reads.py): once the electorate
is written down, the ballot page and the cast take the voter's standing from that one statement,
and it says the same as reading the register apart: marked in person, already voted in a round
without changes, a new ballot replacing the old one (a household's round reads the register apart:
test_casting.test_one_ballot_per_household)."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.voting import casting
from app.voting.models import RoundBallot, RoundParticipation, VotingRound
from tests.helpers import login

from .helpers import marked_in_person, open_round, option_ids

MARKED = "You are marked as having voted in person, on paper."
ALREADY = "You have already voted in this round."


@pytest.fixture
def en(client):
    client.get("/?lang=en")  # the messages below in English
    return client


def stored():
    return (
        db.session.scalar(select(func.count(RoundBallot.id))),
        db.session.scalar(select(func.count(RoundParticipation.id))),
    )


def written_down(voting_round, voter):
    """The electorate written down by a first ballot (another voter's)."""
    casting.cast_ballot(voter, voting_round, (1,))
    assert db.session.get(VotingRound, voting_round.id).electorate_fixed_at is not None


def test_a_voter_marked_in_person_is_refused_online(en, committee, residents, knapsack_round):
    written_down(knapsack_round, residents[2])
    marked_in_person(knapsack_round, committee, [residents[1]])
    before = stored()
    client = en
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    page = client.get(path)
    assert page.status_code == 200 and MARKED in page.get_data(as_text=True)
    refused = client.post(path, data={"option": option_ids(knapsack_round, 1)})
    assert refused.status_code == 400 and MARKED in refused.get_data(as_text=True)
    assert stored() == before


def test_a_second_ballot_where_the_round_allows_no_changes(en, committee, community, residents, matters):
    voting_round = open_round(committee, community, matters, allow_changes=False)
    written_down(voting_round, residents[2])
    client = en
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{voting_round.id}"
    assert client.post(path, data={"option": option_ids(voting_round, 1)}).status_code == 303
    page = client.get(path)
    assert ALREADY in page.get_data(as_text=True) and 'name="option"' not in page.get_data(as_text=True)
    again = client.post(path, data={"option": option_ids(voting_round, 2)})
    assert again.status_code == 409 and ALREADY in again.get_data(as_text=True)
    assert stored() == (2, 2)


def test_a_new_ballot_replaces_the_old_one(en, residents, knapsack_round):
    written_down(knapsack_round, residents[2])
    client = en
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    assert client.post(path, data={"option": option_ids(knapsack_round, 1)}).status_code == 303
    code = db.session.scalar(
        select(RoundParticipation.receipt_code).where(RoundParticipation.user_id == residents[1].id)
    )
    assert client.post(path, data={"option": option_ids(knapsack_round, 2)}).status_code == 303
    receipt = client.get(f"{path}/receipt").get_data(as_text=True)
    assert code[:4] in receipt.replace("-", "")
    assert stored() == (2, 2)  # the replaced ballot is out of the box
