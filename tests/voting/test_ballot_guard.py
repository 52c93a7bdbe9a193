"""A ballot in the box is never changed, and deleted only when its voter replaces it (an online
ballot no register row points at any more, in a round not yet counted)."""

from datetime import timedelta

import pytest

from app.core.clock import utcnow
from app.core.secrecy import random_row_id
from app.extensions import db
from app.rules.services import current_ruleset
from app.voting.models import RoundBallot, RoundParticipation, RoundResult, VotingRound


@pytest.fixture
def voting_round(app, make):
    community = make.community()
    now = utcnow()
    voting_round = VotingRound(
        community_id=community.id,
        title="t",
        method="approval",
        allocation="greedy",
        budget=100,
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        ruleset_id=current_ruleset(community).id,
    )
    db.session.add(voting_round)
    db.session.commit()
    return voting_round


def _ballot(voting_round, channel="online"):
    ballot = RoundBallot(id=random_row_id(), round_id=voting_round.id, channel=channel, choices=[1])
    db.session.add(ballot)
    db.session.commit()
    return ballot


@pytest.fixture
def ballot(voting_round):
    return _ballot(voting_round)


def _refused():
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_choices_cannot_be_edited(ballot):
    ballot.choices = [2]
    _refused()
    ballot.channel = "paper"
    _refused()


def test_a_linked_ballot_cannot_be_deleted(ballot, make):
    voter = make.user()
    db.session.add(
        RoundParticipation(
            round_id=ballot.round_id,
            voter_key=f"u:{voter.id}",
            user_id=voter.id,
            channel="online",
            receipt_code="ABCDEFGHJKLM",
            ballot_id=ballot.id,
        )
    )
    db.session.commit()
    db.session.delete(ballot)
    _refused()


def test_paper_ballots_and_counted_ballots_cannot_be_deleted(voting_round):
    db.session.delete(_ballot(voting_round, channel="paper"))
    _refused()
    counted = _ballot(voting_round)
    db.session.add(
        RoundResult(
            round_id=voting_round.id,
            ruleset_id=voting_round.ruleset_id,
            ruleset_version=1,
            electorate=1,
            ballots_counted=1,
            online_ballots=1,
            paper_ballots=0,
            marked_online=1,
            marked_in_person=0,
            votes={},
            winners=[],
            total_cost=0,
            published_sha256="",
        )
    )
    db.session.commit()
    db.session.delete(counted)
    _refused()


def test_an_unlinked_online_ballot_of_an_uncounted_round_can_be_taken_out(ballot):
    """What casting._replace does once the register points at the new ballot."""
    ballot_id = ballot.id
    db.session.delete(ballot)
    db.session.commit()
    assert db.session.get(RoundBallot, ballot_id) is None
