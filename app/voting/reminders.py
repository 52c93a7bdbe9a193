"""Residents on a round's register who have not taken part are reminded 24 hours before it closes
(sent by the notifications worker). Only the marked register (RoundParticipation: who took part) is
read, never a ballot."""

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import User
from app.core.i18n import N_
from app.core.urls import path_for
from app.extensions import db
from app.notifications.reminders import Due

from . import electorate
from .models import HouseholdMember, RoundElector, RoundParticipation, VotingRound

AHEAD = timedelta(hours=24)


def not_yet_voted(voting_round):
    """The users on the register whose voter key (their own, or their household's) has not taken part."""
    if voting_round.electorate_fixed_at is not None:
        keys = select(RoundElector.voter_key).where(RoundElector.round_id == voting_round.id)
    else:
        keys = select(electorate._keys_at_opening(voting_round).subquery().c.voter_key)
    voted = set(
        db.session.scalars(select(RoundParticipation.voter_key).where(RoundParticipation.round_id == voting_round.id))
    )
    waiting = [key for key in db.session.scalars(keys) if key not in voted]
    user_ids = {int(key[2:]) for key in waiting if key.startswith("u:")}
    households = [int(key[2:]) for key in waiting if key.startswith("h:")]
    if households:
        members = select(HouseholdMember.user_id).where(HouseholdMember.household_id.in_(households))
        user_ids |= set(db.session.scalars(members))
    if not user_ids:
        return []
    return db.session.scalars(select(User).where(User.id.in_(user_ids)).order_by(User.id)).all()


def due_reminders(now):
    rounds = db.session.scalars(
        select(VotingRound).where(
            VotingRound.opens_at <= now, VotingRound.closes_at > now, VotingRound.closes_at <= now + AHEAD
        )
    )
    return [
        Due(
            "round_closing",
            voting_round.id,
            not_yet_voted(voting_round),
            N_("Reminder: the residents' vote “%(title)s” closes within 24 hours. You have not voted yet."),
            path_for("voting.ballot", slug=voting_round.community.slug, round_id=voting_round.id),
            "rounds",
            {"title": voting_round.title},
        )
        for voting_round in rounds
    ]
