"""Secret ballots: who voted (the register) and what was chosen (the box) cannot be joined once a
round is counted: not in the rows, not in the schema, not in the bytes of weiyi.db and
weiyi.db-wal; receipts prove inclusion, never content; the published ballots carry random ids."""

import csv
import io
import logging

import pytest
from sqlalchemy import event, inspect, select, text

from app.audit.models import AuditEntry
from app.extensions import db
from app.voting import casting, counting, receipts, rounds
from app.voting.models import RoundBallot, RoundParticipation
from tests.database import ON_POSTGRES, sqlite_file_app
from tests.helpers import login

from .helpers import close, open_round

# Final ballots never answer the last option; every replaced ballot does ("abstain"), so the
# replaced ballots' choices are recognisable in the raw bytes of the database files.
REPLACED_MARK = b'[6, "abstain"]'


def sqlite_int(n):
    """An integer as a SQLite record stores it: big-endian, in the fewest of 1, 2, 3, 4, 6, 8 bytes."""
    for width in (1, 2, 3, 4, 6, 8):
        if -(1 << (8 * width - 1)) <= n < 1 << (8 * width - 1):
            return n.to_bytes(width, "big", signed=True)
    raise ValueError(n)


def yes_no(pattern, replaced):
    """Answers to options 1..5 from a number (base 3); a replaced ballot also abstains on 6."""
    answers = []
    for number in range(1, 6):
        answers.append((number, ("yes", "no", "abstain")[pattern % 3]))
        pattern //= 3
    if replaced:
        answers.append((6, "abstain"))
    return tuple(answers)


def form(voting_round, choices):
    ids = {o.number: str(o.id) for o in voting_round.options}
    return {f"answer-{ids[n]}": answer for n, answer in choices}


def current_ballot_id(user, voting_round):
    """What the register links to while the round is open (read by the test, not by the app)."""
    db.session.expire_all()
    return db.session.scalar(
        select(RoundParticipation.ballot_id).where(
            RoundParticipation.round_id == voting_round.id, RoundParticipation.user_id == user.id
        )
    )


def current_ballot_ids(users, voting_round):
    """current_ballot_id of each of `users`, in one statement (their ids from the identity map:
    reading `user.id` after a commit would load each user again)."""
    ids = [inspect(user).identity[0] for user in users]
    linked = dict(
        db.session.execute(
            select(RoundParticipation.user_id, RoundParticipation.ballot_id).where(
                RoundParticipation.round_id == voting_round.id, RoundParticipation.user_id.in_(ids)
            )
        ).all()
    )
    return [linked.get(user_id) for user_id in ids]


def vote_in_a_yes_no_round(client, make, community, committee, matters, residents, extra_voters=0):
    """Residents vote over HTTP, each first a ballot they then replace; `extra_voters` more vote
    through the service, every other one replacing theirs. Returns the round, the ids of the
    replaced ballots and of the final ones, and the receipt codes."""
    # On the register before the round opens; one commit for all: their rows are not the point here.
    voters = make.members(community, [f"voter{i}" for i in range(extra_voters)])
    voting_round = open_round(committee, community, matters, method="yes_no")
    replaced, final = [], []
    for i, resident in enumerate(residents):
        login(client, resident)
        assert (
            client.post(
                f"/c/xinglin/rounds/{voting_round.id}", data=form(voting_round, yes_no(i, replaced=True))
            ).status_code
            == 303
        )
        replaced.append(current_ballot_id(resident, voting_round))
        assert (
            client.post(
                f"/c/xinglin/rounds/{voting_round.id}", data=form(voting_round, yes_no(i + 7, replaced=False))
            ).status_code
            == 303
        )
        final.append(current_ballot_id(resident, voting_round))
        client.post("/auth/logout")
    for i, voter in enumerate(voters):
        casting.cast_ballot(voter, voting_round, yes_no(i, replaced=i % 2 == 0))
        if i % 2 == 0:
            replaced.append(current_ballot_id(voter, voting_round))
            casting.cast_ballot(voter, voting_round, yes_no(i + 1, replaced=False))
    final += current_ballot_ids(voters, voting_round)  # one read after all have voted
    codes = db.session.scalars(
        select(RoundParticipation.receipt_code).where(RoundParticipation.round_id == voting_round.id)
    ).all()
    assert None not in replaced + final and len(set(replaced + final)) == len(replaced + final)
    return voting_round, replaced, final, codes


def count(client, committee, voting_round):
    close(voting_round)
    login(client, committee)
    assert client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"}).status_code == 303
    db.session.expire_all()
    assert voting_round.result is not None


def leftovers(data, replaced, final):
    """What in these bytes could still join a voter to a choice (empty when nothing)."""
    found = []
    if REPLACED_MARK in data:
        found.append("the choices of a replaced ballot")
    for ballot_id in replaced:
        # As a value (a register row, an index entry) or as text (an audit entry). Not as a rowid
        # varint: the box's interior pages keep rowids as mere bounds, maybe of deleted rows.
        for form_ in (sqlite_int(ballot_id), str(ballot_id).encode()):
            if form_ in data:
                found.append(f"replaced ballot {ballot_id} ({form_!r})")
    for ballot_id in final:
        if str(ballot_id).encode() in data:
            found.append(f"ballot {ballot_id} named in text (an audit entry?)")
        # Exactly once: in the box's own index on round_id. A second copy would be a register
        # row or its unique index that still points at the ballot.
        if len(sqlite_int(ballot_id)) >= 6 and data.count(sqlite_int(ballot_id)) != 1:
            found.append(f"ballot {ballot_id} stored {data.count(sqlite_int(ballot_id))} times")
    return found


@pytest.mark.skipif(ON_POSTGRES, reason="reads the bytes of SQLite files; the PostgreSQL run has the row checks")
class TestTheDatabaseFiles:
    """Against a SQLite file, as in production."""

    @pytest.fixture
    def app(self, tmp_path):
        yield from sqlite_file_app(tmp_path / "weiyi.db")

    @pytest.mark.slow
    def test_after_the_count_no_voter_choice_pair_is_left_in_the_files(
        self, app, tmp_path, client, make, community, committee, matters, residents
    ):
        voting_round, replaced, final, _codes = vote_in_a_yes_no_round(
            client, make, community, committee, matters, residents, extra_voters=200
        )
        # While the round is open the links are there (so that a new ballot replaces the old).
        database, wal = tmp_path / "weiyi.db", tmp_path / "weiyi.db-wal"
        count(client, committee, voting_round)
        # Read while the app's connections are still open (closing the last one would checkpoint).
        data = database.read_bytes()
        wal_data = wal.read_bytes() if wal.exists() else b""
        assert wal_data == b"", "the WAL still holds page images from before the seal"
        assert leftovers(data, replaced, final) == []
        assert sorted(db.session.scalars(select(RoundBallot.id))) == sorted(final)

    @pytest.mark.parametrize("omit", ["secure_delete", "seal", "forget_history"])
    def test_the_check_finds_what_each_safeguard_removes(
        self, app, tmp_path, monkeypatch, client, make, community, committee, matters, residents, omit
    ):
        """The check above can fail: without any one of the safeguards, the files give the votes away."""
        if omit == "secure_delete":
            event.listen(
                db.engine, "connect", lambda connection, _record: connection.execute("PRAGMA secure_delete=OFF")
            )
            db.engine.dispose()
        elif omit == "seal":
            monkeypatch.setattr(counting, "seal_round", lambda *a, **k: None)
        else:
            monkeypatch.setattr(rounds, "forget_history", lambda *a, **k: True)
        voting_round, replaced, final, _codes = vote_in_a_yes_no_round(
            client, make, community, committee, matters, residents[:3]
        )
        count(client, committee, voting_round)
        wal = tmp_path / "weiyi.db-wal"
        data = (tmp_path / "weiyi.db").read_bytes() + (wal.read_bytes() if wal.exists() else b"")
        assert leftovers(data, replaced, final)


def every_value_outside_the_box():
    """Every value of every row of every table but the box, as text."""
    for table in db.metadata.sorted_tables:
        if table.name == RoundBallot.__tablename__:
            continue
        for row in db.session.execute(select(table)):
            for value in row:
                if value is not None:
                    yield table.name, str(value)


def test_after_the_count_no_row_or_column_joins_a_voter_to_a_ballot(
    client, make, community, committee, matters, residents, caplog
):
    caplog.set_level(logging.DEBUG)
    voting_round, replaced, final, codes = vote_in_a_yes_no_round(
        client, make, community, committee, matters, residents[:4], extra_voters=6
    )
    assert (
        db.session.scalar(
            select(RoundParticipation.ballot_id).where(RoundParticipation.ballot_id.is_not(None)).limit(1)
        )
        is not None
    )  # linked while open
    count(client, committee, voting_round)
    # The box: an id, the round, the channel and the choices; nothing else to order or identify by.
    assert set(RoundBallot.__table__.columns.keys()) == {"id", "round_id", "channel", "choices"}
    box = db.session.scalars(select(RoundBallot.id).where(RoundBallot.round_id == voting_round.id)).all()
    assert sorted(box) == sorted(final) and max(box) > 2**32  # random, not a sequence
    # No other table holds a ballot id (register, audit log, notifications, outbox, anything).
    ids = {str(i) for i in replaced + final}
    assert [(table, value) for table, value in every_value_outside_the_box() if any(i in value for i in ids)] == []
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("round.ballot%"))):
        assert entry.object_type == "RoundParticipation" and set(entry.data) == {"round_id"}
    if ON_POSTGRES:  # a row's xmin is the transaction that wrote it: the seal wrote the whole box anew
        box_xmins = set(db.session.scalars(text("SELECT xmin::text FROM round_ballot")))
        cast_xmins = set(
            db.session.scalars(text("SELECT xmin::text FROM audit_entry WHERE action LIKE 'round.ballot%'"))
        )
        assert len(box_xmins) == 1 and not box_xmins & cast_xmins
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not any(i in logged for i in ids) and not any(code in logged for code in codes)
    assert "abstain" not in logged and "[1, " not in logged  # no choices either


def check(client, code):
    return client.get(f"/c/xinglin/rounds/check?code={receipts.format_code(code)}&lang=en").get_data(as_text=True)


def test_receipts_confirm_inclusion_never_content(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters[:3])
    casting.cast_ballot(residents[0], voting_round, (1,))
    casting.cast_ballot(residents[1], voting_round, (2,))
    casting.cast_ballot(residents[1], voting_round, (3,))  # replaces (2,)
    kept, changed = (
        db.session.scalar(select(RoundParticipation.receipt_code).where(RoundParticipation.user_id == r.id))
        for r in residents[:2]
    )
    pages = [check(client, kept), check(client, changed)]
    for page in pages:
        assert "A ballot with this code is in the ballot box." in page
    assert pages[0].replace(kept, "").replace(receipts.format_code(kept), "") == pages[1].replace(changed, "").replace(
        receipts.format_code(changed), ""
    )  # replaced or not: the same page
    count(client, committee, voting_round)
    for code in (kept, changed):
        page = check(client, code)
        assert "Your final ballot was counted." in page and "in the ballot box" not in page
    for page in pages + [check(client, kept), check(client, changed)]:
        assert not any(o.title in page for o in voting_round.options) and "eplaced" not in page
    assert "No ballot with this receipt code" in check(client, "ABCDEFGHJKLM")


def test_published_ballots_have_random_ids_in_order_and_no_receipts(client, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters[:3])
    for i, resident in enumerate(residents):
        casting.cast_ballot(resident, voting_round, ((1, 2, 3)[i % 3],))
    codes = db.session.scalars(select(RoundParticipation.receipt_code)).all()
    count(client, committee, voting_round)
    box = sorted(db.session.scalars(select(RoundBallot.id)))
    base = f"/api/v1/communities/xinglin/rounds/{voting_round.id}/ballots"
    items = client.get(base).get_json()["items"]
    assert [b["id"] for b in items] == box and set(items[0]) == {"id", "choices", "selected"}
    rows = list(csv.reader(io.StringIO(client.get(base + ".csv").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["id", "choices", "selected"] and [int(r[0]) for r in rows[1:]] == box
    published = [client.get(base + ".csv").get_data(as_text=True), client.get(base).get_data(as_text=True)]
    published += [
        client.get(f"/c/xinglin/rounds/{voting_round.id}/{name}").get_data(as_text=True)
        for name in ("ballots", "ballots.csv", "ballots.pb", "round.json")
    ]
    for body in published:
        assert not any(code in body or receipts.format_code(code) in body for code in codes)
    listing = published[2]
    assert [listing.index(f">{i}<") for i in box] == sorted(listing.index(f">{i}<") for i in box)


def test_receipt_codes_are_random_and_typed_back_in_any_form():
    codes = {receipts.new_code() for _ in range(200)}
    assert len(codes) == 200  # drawn at random, not derived from anything
    for code in codes:
        assert len(code) == receipts.LENGTH and set(code) <= set(receipts.ALPHABET)
        assert receipts.normalise(f" {receipts.format_code(code).lower()} ") == code
    assert receipts.format_code("ABCDEFGHJKLM") == "ABCD-EFGH-JKLM"
    assert receipts.normalise("x" * 100) == "X" * (receipts.LENGTH + 4)
