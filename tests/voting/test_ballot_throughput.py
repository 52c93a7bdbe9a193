"""Issue 12 §3, ballots per second: a ballot holds the database's write lock only around its writes
and reloads nothing after its commit; the ballot page, the cast and the receipt read the round
(with its options and result) and the voter's register entry (or receipt) in one statement; the ballot
page's body is rendered once per round, language and voter state and never shown stale (racing
audit appends: test_race.py)."""

import re

import pytest
from sqlalchemy import event, func, select

from app.audit.models import AuditEntry, AuditHead
from app.audit.services import Head, head, verify
from app.core import shared_body
from app.extensions import db
from app.voting import ballot_page, receipts
from app.voting.models import RoundBallot, RoundParticipation, VotingRound
from tests.database import ON_POSTGRES
from tests.helpers import csrf_token, login

from .helpers import option_ids

READS = ("SELECT", "BEGIN", "COMMIT")


@pytest.fixture
def statements(app):
    seen = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(statement.lstrip().split(None, 1)[0].upper() + " " + statement.lstrip()[:60])

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


def test_a_ballot_takes_the_write_lock_at_its_first_write_and_reloads_nothing(
    client, residents, knapsack_round, statements
):
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    client.get(path)
    statements.clear()
    response = client.post(path, data={"option": option_ids(knapsack_round, 1)})
    assert response.status_code == 303
    first_write = next(i for i, s in enumerate(statements) if not s.startswith(READS))
    if not ON_POSTGRES:
        # The user, the community, the round and the checks are read without the lock.
        assert statements[first_write - 1] == "BEGIN BEGIN IMMEDIATE"
        assert statements.count("BEGIN BEGIN IMMEDIATE") == 1
        assert all(s.startswith(READS) for s in statements[: first_write - 1])
    assert statements[first_write].startswith("INSERT INSERT INTO round_ballot")
    # The data version is written just before COMMIT; nothing is read again after it.
    assert statements[-1].startswith("INSERT INSERT INTO data_version")


VOTING_TABLES = re.compile(r"\bFROM (voting_round|round_option|round_result|round_elector|round_participation)\b")


def voting_reads(statements):
    """(the table read first, the voting tables joined to it) of each SELECT of the voting tables."""
    return [
        (s.split(" FROM ", 1)[1].split()[0], set(VOTING_JOINS.findall(s)))
        for s in statements
        if s.startswith("SELECT") and VOTING_TABLES.search(s)
    ]


VOTING_JOINS = re.compile(r"\bJOIN (round_option|round_result|round_elector|round_participation)\b")


def test_a_ballot_reads_the_round_and_the_register_in_one_statement(client, residents, knapsack_round, full_statements):
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    chosen = option_ids(knapsack_round, 1)
    full_statements.clear()
    assert client.get(path).status_code == 200
    # The round with its options and result, the voter's place on the electorate and their
    # register row (have they voted?): one statement.
    entry = {"round_option", "round_result", "round_elector", "round_participation"}
    assert voting_reads(full_statements) == [("voting_round", entry)]
    full_statements.clear()
    assert client.post(path, data={"option": chosen}).status_code == 303
    assert voting_reads(full_statements) == [("voting_round", entry)]
    full_statements.clear()
    receipt = client.get(f"{path}/receipt")
    assert receipt.status_code == 200
    # The round and the voter's own receipt, again in one statement.
    assert voting_reads(full_statements) == [("voting_round", {"round_option", "round_result", "round_participation"})]
    code = db.session.scalar(select(RoundParticipation.receipt_code))
    assert receipts.format_code(code) in receipt.get_data(as_text=True)


def test_the_ballot_page_of_another_community_or_an_impossible_id_is_not_found(client, residents, knapsack_round):
    login(client, residents[1])
    assert client.get(f"/c/other/rounds/{knapsack_round.id}").status_code == 404
    assert client.get("/c/xinglin/rounds/99999999999999").status_code == 404
    assert client.post("/c/xinglin/rounds/99999999999999", data={"option": ["1"]}).status_code == 404
    assert client.get("/c/xinglin/rounds/99999999999999/receipt").status_code == 404


def test_page_views_take_no_write_lock(client, residents, knapsack_round, statements):
    login(client, residents[1])
    assert client.get(f"/c/xinglin/rounds/{knapsack_round.id}").status_code == 200
    assert statements and all(s.startswith(READS) for s in statements)


@pytest.fixture
def full_statements(app):
    seen = []

    def note(_connection, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def renders(monkeypatch):
    calls = []
    render = ballot_page.render

    def counting(*args, **kwargs):
        calls.append(args)
        return render(*args, **kwargs)

    monkeypatch.setattr(ballot_page, "render", counting)
    return calls


def test_the_ballot_body_is_rendered_once_for_voters_in_the_same_state(
    app, residents, knapsack_round, renders, monkeypatch
):
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    voters = []
    for resident in residents[1:4]:
        voter = app.test_client()
        login(voter, resident)
        voters.append(voter)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    tokens = [csrf_token(voter, path) for voter in voters]
    assert len(renders) == 1  # three page views, one rendering of the body
    assert len(set(tokens)) == 3  # each page carries its own voter's CSRF token
    for voter, token in zip(voters, tokens, strict=True):
        response = voter.post(path, data={"csrf_token": token, "option": option_ids(knapsack_round, 2)})
        assert response.status_code == 303
    assert db.session.scalar(select(func.count(RoundParticipation.id))) == 3


def test_the_ballot_body_is_never_stale(client, residents, knapsack_round, renders):
    login(client, residents[1])
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    first = client.get(path).get_data(as_text=True)
    assert 'name="option"' in first
    # A new title (as an edit by the committee would write it) is shown on the next view.
    db.session.get(VotingRound, knapsack_round.id).title = "改过的标题"
    db.session.commit()
    assert "改过的标题" in client.get(path).get_data(as_text=True)
    # The voter's own state: once voted (the round allows changes), the page says so.
    assert client.post(path, data={"option": option_ids(knapsack_round, 1)}).status_code == 303
    client.get(f"{path}/receipt")
    again = client.get(path).get_data(as_text=True)
    code = db.session.scalar(select(RoundParticipation.receipt_code))
    assert code[:4] in again.replace(" ", "").replace("-", "")
    # A refused ballot shows the voter's own choices and message, never a kept body.
    refused = client.post(path, data={"option": ["999999"]})
    assert refused.status_code == 400 and 'class="error"' in refused.get_data(as_text=True)


def test_the_ballot_page_around_the_body_is_kept_and_only_the_header_is_personal(
    app, community, residents, knapsack_round, monkeypatch
):
    """Voters in the same state get the page put together from kept parts, each with their own
    name in the header and their own form token, which casts; a new community name shows at once."""
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    voters = []
    for resident in residents[1:3]:
        voter = app.test_client()
        login(voter, resident)
        voter.get("/")  # the welcome message shown (a page with a message is rendered in full)
        voters.append(voter)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    first, second = (voter.get(path) for voter in voters)
    assert second.headers.get(shared_body.HIT) == "hit"
    assert "居民2" in first.get_data(as_text=True) and "居民2" not in second.get_data(as_text=True)
    assert "居民3" in second.get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', second.get_data(as_text=True)).group(1)
    assert token != re.search(r'name="csrf_token"[^>]*value="([^"]+)"', first.get_data(as_text=True)).group(1)
    cast = voters[1].post(path, data={"csrf_token": token, "option": option_ids(knapsack_round, 1)})
    assert cast.status_code == 303
    db.session.get(type(community), community.id).name = "杏林新村"
    db.session.commit()
    again = voters[0].get(path)
    assert again.headers.get(shared_body.HIT) != "hit"
    assert "杏林新村" in again.get_data(as_text=True)


def test_casts_and_new_ballots_extend_the_audit_chain_from_the_heads_own_row(
    app, residents, knapsack_round, full_statements
):
    """A cast checks the ballot against the round's own options (no rule set read), reads the
    audit head once, from its row, and moves it; a copy of the head the session held before is
    moved with it; a new ballot (the round allows changes) as well; the chain stays intact."""
    path = f"/c/xinglin/rounds/{knapsack_round.id}"
    held = db.session.get(AuditHead, 1)  # a copy in the identity map from before the casts
    for resident in residents[1:3]:
        voter = app.test_client()
        login(voter, resident)
        full_statements.clear()
        assert voter.post(path, data={"option": option_ids(knapsack_round, 1)}).status_code == 303
        assert not [s for s in full_statements if "FROM rule_set" in s]
        assert len([s for s in full_statements if s.startswith("SELECT") and "FROM audit_head" in s]) == 1
    assert voter.post(path, data={"option": option_ids(knapsack_round, 2)}).status_code == 303
    last = db.session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last.action == "round.ballot_changed"
    assert (held.last_id, held.last_hash) == (last.id, last.hash)
    assert head() == Head(last.id, last.hash)
    assert verify() == []
    assert db.session.scalar(select(func.count(RoundBallot.id))) == 2  # the replaced ballot is gone
