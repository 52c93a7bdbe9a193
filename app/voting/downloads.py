"""A counted round's published files, built once and served as stored.

The ballots CSV, the round JSON and the pabulib .pb of a counted round never change: its box is
sealed and a round is counted once (RoundResult is unique per round). Building them reads every
ballot (about 300 ms for a large round), so each is built once, by the worker right after a queued
count (count_jobs.py) or else at the first download, and kept as bytes in `round_download`.

A table rather than files under the instance folder: the files are written in a transaction
(unique per round and kind, so two first downloads at once store one copy), they travel with the
database in every backup and restore, and they work the same on several app servers or PostgreSQL.
"""

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.extensions import db

from . import counting
from .models import RoundDownload

BALLOTS_CSV, ROUND_JSON, ROUND_PB = "ballots.csv", "round.json", "round.pb"


def _build(voting_round, kind):
    """The file's text, or None (a round without a .pb file)."""
    if kind == BALLOTS_CSV:
        return counting.published_csv(voting_round)
    if kind == ROUND_JSON:
        return json.dumps(counting.round_document(voting_round), ensure_ascii=False, indent=1)
    return counting.published_pb(voting_round)


def _stored(round_id, kind):
    return db.session.scalar(
        select(RoundDownload).where(RoundDownload.round_id == round_id, RoundDownload.kind == kind)
    )


def stored(voting_round, kind):
    """The stored file of a counted round (built and stored now if it is the first request), or None
    when the round has no such file. Two first requests at once store one copy (unique per round
    and kind): the second one's insert fails and it serves the first one's bytes."""
    row = _stored(voting_round.id, kind)
    if row is not None:
        return row
    if kind == ROUND_PB and not counting.has_pb(voting_round):
        return None
    round_id, body = voting_round.id, _build(voting_round, kind).encode()
    # End the reading transaction first: the insert then opens one of its own and waits for the write
    # lock, where an upgrade of a SQLite read transaction would fail at once if anyone wrote meanwhile.
    db.session.commit()
    row = RoundDownload(round_id=round_id, kind=kind, body=body, sha256=hashlib.sha256(body).hexdigest())
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return _stored(round_id, kind)
    return row


def build_all(voting_round):
    """Store every file of a freshly counted round (the worker, after a queued count)."""
    for kind in (BALLOTS_CSV, ROUND_JSON, ROUND_PB):
        stored(voting_round, kind)
