"""Resident ballots are append-only: the app can only mark one superseded, never edit or delete it."""
import pytest

from app.extensions import db
from app.models_base import utcnow
from app.voting.models import RoundBallot


def _ballot(round_id):
    ballot = RoundBallot(round_id=round_id, voter_key="u1", choices=[1], receipt_code="ABCDEFGHJKLM", nonce="n")
    db.session.add(ballot)
    db.session.commit()
    return ballot


@pytest.fixture
def ballot(app, make):
    from datetime import timedelta

    from app.rules.services import current_ruleset
    from app.voting.models import VotingRound

    community = make.community()
    now = utcnow()
    voting_round = VotingRound(community_id=community.id, title="t", method="approval", allocation="greedy",
                               budget=100, opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=1),
                               ruleset_id=current_ruleset(community).id)
    db.session.add(voting_round)
    db.session.commit()
    return _ballot(voting_round.id)


def test_choices_cannot_be_edited(ballot):
    ballot.choices = [2]
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_a_ballot_cannot_be_deleted(ballot):
    db.session.delete(ballot)
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()


def test_superseding_is_the_one_allowed_change(ballot):
    ballot.counted = None
    ballot.superseded_at = utcnow()
    db.session.commit()
    ballot.counted = True  # and it cannot be revived
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
