"""The round of a ballot page, a cast or a receipt, read with the voter's own register rows in
one statement: the page and the cast their register entry as an individual voter (whether they are
on the electorate, have they voted), the receipt page their receipt. casting.standing() reads the
entry itself where none was read here (a round of one ballot per household, an electorate not
written down yet)."""

import functools
from collections import namedtuple
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.exceptions import NotFound

from app.core.params import MAX_ID
from app.extensions import db

from .models import RoundElector, RoundParticipation, VotingRound

# The statements of every ballot page and cast, built once, at first use (when every model they
# join is mapped): building and keying a select() with its eager loads costs the ORM more than
# running it (0.25 of 0.45 ms for the round). The round with what the page, the cast and the receipt
# read of it: its options and result (its state), not its rule set (only the count reads that:
# rounds.ballot_spec); with it, the voter's register entry as an individual voter (key) or, for the
# receipt page, their receipt.
Statements = namedtuple("Statements", "round with_entry with_receipt")


@functools.cache
def _statements():
    round_only = (
        select(VotingRound)
        .where(VotingRound.id == bindparam("round_id"), VotingRound.community_id == bindparam("community_id"))
        .options(joinedload(VotingRound.options), joinedload(VotingRound.result))
    )
    with_entry = (
        round_only.add_columns(RoundElector.id, RoundParticipation)
        .outerjoin(
            RoundElector, and_(RoundElector.round_id == VotingRound.id, RoundElector.voter_key == bindparam("key"))
        )
        .outerjoin(
            RoundParticipation,
            and_(RoundParticipation.round_id == VotingRound.id, RoundParticipation.voter_key == bindparam("key")),
        )
    )
    with_receipt = round_only.add_columns(RoundParticipation).outerjoin(
        RoundParticipation,
        and_(
            RoundParticipation.round_id == VotingRound.id,
            RoundParticipation.user_id == bindparam("user_id"),
            RoundParticipation.receipt_code.is_not(None),
        ),
    )
    return Statements(round_only, with_entry, with_receipt)


def ballot_round(community, round_id):
    """The round with its options and result, in one statement, or 404 (a visitor's ballot page)."""
    _check_id(round_id)
    voting_round = (
        db.session.scalars(_statements().round, {"round_id": round_id, "community_id": community.id}).unique().first()
    )
    if voting_round is None:
        raise NotFound()
    return voting_round


@dataclass(frozen=True)
class RegisterEntry:
    """A voter's register entry, read with the round: whether `key` is on its electorate and their
    register row (None: not marked yet). Only read once the electorate is written down."""

    key: str
    on_register: bool
    participation: RoundParticipation | None


def voting_round_for(community, round_id, user):
    """(round, entry) for a ballot page or a cast: the round as ballot_round() loads it and, in the
    same statement, `user`'s RegisterEntry as an individual voter, or None where standing() reads
    it itself (a visitor, a round of one ballot per household, an electorate not written down)."""
    if not getattr(user, "is_authenticated", False):
        return ballot_round(community, round_id), None
    _check_id(round_id)
    key = f"u:{user.id}"
    row = (
        db.session.execute(_statements().with_entry, {"round_id": round_id, "community_id": community.id, "key": key})
        .unique()
        .first()
    )
    if row is None:
        raise NotFound()
    voting_round, elector_id, participation = row
    if voting_round.electorate_fixed_at is None or voting_round.per_household:
        return voting_round, None
    on_register = elector_id is not None  # on the register, always on the electorate (casting._register_entry)
    return voting_round, RegisterEntry(key, on_register, participation if on_register else None)


def receipt_round(community, round_id, user):
    """(round, the user's own online register row with its receipt code, or None), in one statement."""
    _check_id(round_id)
    row = (
        db.session.execute(
            _statements().with_receipt, {"round_id": round_id, "community_id": community.id, "user_id": user.id}
        )
        .unique()
        .first()
    )
    if row is None:
        raise NotFound()
    return row[0], row[1]


def _check_id(round_id):
    if not 0 < round_id <= MAX_ID:
        raise NotFound()
