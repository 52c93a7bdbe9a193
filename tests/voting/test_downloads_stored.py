"""A counted round's ballots CSV, round JSON and .pb are built once, stored, and served as stored
with an ETag (app/voting/downloads.py)."""

import hashlib

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.voting import counting
from app.voting.models import RoundDownload
from tests.helpers import login

from .helpers import close, open_round
from .test_results import vote

FILES = [("ballots.csv", "text/csv"), ("round.json", "application/json"), ("ballots.pb", "text/plain")]


@pytest.fixture
def counted(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    vote(residents, voting_round, [(1, 2), (1, 2, 4), (1, 4), (3,), (1, 4, 6)])
    close(voting_round)
    counting.count_round(committee, voting_round)
    login(client, committee)
    return voting_round


def stored_rows():
    return db.session.scalar(select(func.count()).select_from(RoundDownload))


@pytest.mark.parametrize(("name", "mimetype"), FILES)
def test_built_once_then_served_from_storage(client, counted, monkeypatch, name, mimetype):
    url = f"/c/xinglin/rounds/{counted.id}/{name}"
    first = client.get(url)
    assert first.status_code == 200 and first.mimetype == mimetype
    assert stored_rows() == 1
    assert first.headers["ETag"] == f'"{hashlib.sha256(first.data).hexdigest()}"'
    assert "max-age=86400" in first.headers["Cache-Control"]

    def builder_called(*args):
        raise AssertionError("the file was built again")

    for builder in ("published_csv", "published_pb", "round_document"):
        monkeypatch.setattr(counting, builder, builder_called)
    second = client.get(url)
    assert second.status_code == 200 and second.data == first.data
    assert stored_rows() == 1
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_the_stored_files_are_the_published_ones(client, counted):
    pb = client.get(f"/c/xinglin/rounds/{counted.id}/ballots.pb").data
    csv = client.get(f"/c/xinglin/rounds/{counted.id}/ballots.csv").data
    assert pb == counting.published_pb(counted).encode() and csv == counting.published_csv(counted).encode()
    # The fingerprint fixed at the count is the stored .pb file's.
    assert hashlib.sha256(pb).hexdigest() == counted.result.published_sha256
    disposition = client.get(f"/c/xinglin/rounds/{counted.id}/ballots.pb").headers["Content-Disposition"]
    assert disposition == f"attachment; filename=round-{counted.id}.pb"


def test_a_round_without_a_pb_file_stores_none(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters[:2], method="yes_no")
    close(voting_round)
    counting.count_round(committee, voting_round)
    assert client.get(f"/c/xinglin/rounds/{voting_round.id}/ballots.pb").status_code == 404
    assert stored_rows() == 0
    assert client.get(f"/c/xinglin/rounds/{voting_round.id}/round.json").status_code == 200
    assert stored_rows() == 1


def test_nothing_is_stored_before_the_count(client, committee, community, matters):
    voting_round = open_round(committee, community, matters)
    assert client.get(f"/c/xinglin/rounds/{voting_round.id}/ballots.csv").status_code == 404
    assert stored_rows() == 0
