"""A council secret vote leaves nothing in the SQLite files (weiyi.db, weiyi.db-wal) that pairs a
member with a choice: the choice and the mark never share a transaction, the WAL is truncated
after each of them, and at the close the box becomes a tally and its rows are wiped."""

import pytest
from sqlalchemy import func, select

from app.councils import votes
from app.councils.models import SecretBallotMark, SecretChoice, SecretTally
from app.extensions import db
from tests.database import ON_POSTGRES, sqlite_file_app

from .helpers import debate, open_meeting
from .test_votes_and_minutes import set_rules

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="about the SQLite database files; covered by the SQLite run")


@pytest.fixture
def app(tmp_path):
    """The council fixtures on a file-backed SQLite database in WAL mode."""
    yield from sqlite_file_app(tmp_path / "weiyi.db")


def files(tmp_path):
    wal = tmp_path / "weiyi.db-wal"
    return (tmp_path / "weiyi.db").read_bytes(), wal.read_bytes() if wal.exists() else b""


def box_record(vote_id, choice):
    """How SQLite stores a SecretChoice row: the id is the rowid (NULL in the record), then
    vote_id (serial type 8/9 for the constants 0/1, else a 1- or 2-byte integer) and the text."""
    kind, value = {0: (8, b""), 1: (9, b"")}.get(vote_id) or (
        (1, vote_id.to_bytes(1, "big")) if vote_id < 128 else (2, vote_id.to_bytes(2, "big"))
    )
    return bytes([4, 0, kind, 13 + 2 * len(choice)]) + value + choice.encode()


def test_after_the_close_no_file_pairs_a_member_with_a_choice(council, tmp_path):
    c = council
    set_rules(c.community, secret_ballot=True)
    meeting = open_meeting(c, present=5)
    _item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    ballots = [(c.members[0], "abstain"), (c.members[1], "yes"), (c.members[2], "no"), (c.members[3], "yes")]
    for user, choice in ballots:
        votes.cast_vote(user, meeting, vote, choice)
        database, wal = files(tmp_path)
        # Each vote's two commits (choice, then mark) are checkpointed away at once: the WAL
        # holds no sequence of page images in which a mark and a choice appear together.
        assert wal == b""
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SecretChoice)) == 4
    database, _wal = files(tmp_path)
    assert box_record(vote.id, "abstain") in database  # the box is readable while the vote is open...
    vote_id = vote.id

    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no, result.abstain) == (2, 1, 1)

    database, wal = files(tmp_path)
    assert wal == b""  # checkpointed and truncated: no earlier page image survives
    for choice in ("abstain", "yes", "no"):  # ...and after the close no trace of a box row is left
        assert box_record(vote_id, choice) not in database
    assert db.session.scalar(select(func.count()).select_from(SecretChoice)) == 0
    tally = db.session.get(SecretTally, vote_id)
    assert (tally.yes, tally.no, tally.abstain) == (2, 1, 1)  # only the counts...
    marks = db.session.scalars(select(SecretBallotMark.user_id).where(SecretBallotMark.vote_id == vote_id)).all()
    assert sorted(marks) == sorted(user.id for user, _choice in ballots)  # ...and who voted
