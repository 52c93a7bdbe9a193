"""Simultaneous double submissions: one ballot is stored, the other request gets a clear message,
never a 500; racing audit appends keep the chain whole. Threads against a file-backed SQLite
database (as in production), and the database's unique constraints exercised directly."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.audit import services as audit
from app.audit.models import AuditEntry, AuditHead
from app.auth.models import User
from app.communities.models import Community, Membership, MembershipStatus, Role
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.rules.models import RuleSet
from app.voting import casting, rounds
from app.voting.models import RoundBallot, RoundParticipation
from tests.database import ON_POSTGRES

from .helpers import make_matters


@pytest.fixture
def file_app(tmp_path):
    if ON_POSTGRES:
        pytest.skip("file-backed SQLite race; the PostgreSQL run uses the constraint tests below")
    app = create_app(
        "test", SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'race.db'}", UPLOAD_FOLDER=str(tmp_path / "uploads")
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def setup_round(app, allow_changes):
    with app.app_context():
        community = Community(
            slug="xinglin", name="杏林社区", district="姑苏区", register_size=100, annual_budget=300_000
        )
        db.session.add(community)
        db.session.flush()
        db.session.add(RuleSet(community_id=community.id, version=1))
        users = {}
        for name, role in (("committee", Role.COMMITTEE), ("voter", Role.RESIDENT)):
            user = User(username=name, display_name=name)
            user.set_password("password123")
            db.session.add(user)
            db.session.flush()
            db.session.add(
                Membership(user_id=user.id, community_id=community.id, role=role, status=MembershipStatus.VERIFIED)
            )
            users[name] = user
        db.session.commit()
        matters = make_matters(community, users["voter"], costs=[10_000, 20_000, 30_000])
        now = utcnow()
        voting_round = rounds.open_round(
            users["committee"],
            community,
            title="并发",
            method="approval",
            allocation="greedy",
            budget=100_000,
            max_choices=2,
            opens_at=now - timedelta(minutes=1),
            closes_at=now + timedelta(days=1),
            allow_changes=allow_changes,
            options=[(m.id, m.estimated_cost) for m in matters],
        )
        return voting_round.id, [str(o.id) for o in voting_round.options]


def race(app, round_id, option_ids, clients=2):
    logged_in = []
    for _ in range(clients):
        client = app.test_client()
        response = client.post("/auth/login", data={"username": "voter", "password": "password123"})
        assert response.status_code == 302
        logged_in.append(client)
    barrier = threading.Barrier(clients)
    results = [None] * clients

    def submit(index):
        barrier.wait()
        response = logged_in[index].post(
            f"/c/xinglin/rounds/{round_id}?lang=en", data={"option": [option_ids[index % len(option_ids)]]}
        )
        results[index] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=submit, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_double_submission_leaves_one_ballot(file_app):
    round_id, option_ids = setup_round(file_app, allow_changes=False)
    results = race(file_app, round_id, option_ids)
    codes = sorted(code for code, _ in results)
    assert codes == [303, 409], codes
    refused = next(body for code, body in results if code == 409)
    assert "You have already voted in this round." in refused
    with file_app.app_context():
        assert db.session.scalar(select(func.count(RoundBallot.id))) == 1
        assert db.session.scalar(select(func.count(RoundParticipation.id))) == 1


def test_simultaneous_changes_leave_one_ballot_in_the_box(file_app):
    round_id, option_ids = setup_round(file_app, allow_changes=True)
    results = race(file_app, round_id, option_ids, clients=6)
    assert all(code in (303, 400, 409) for code, _ in results), [c for c, _ in results]
    assert any(code == 303 for code, _ in results)
    with file_app.app_context():
        # Each acknowledged new ballot replaced the one before: one ballot in the box, the one the
        # register points at.
        assert db.session.scalar(select(func.count(RoundBallot.id))) == 1
        participation = db.session.scalar(select(RoundParticipation))
        assert participation.ballot_id == db.session.scalar(select(RoundBallot.id))


def test_the_database_decides_when_the_check_is_raced(monkeypatch, community, residents, knapsack_round):
    """The views' check can be passed by two requests at once; the unique constraint still holds."""
    casting.cast_ballot(residents[1], knapsack_round, (1,))
    # Pretend the second request's checks ran before the first was committed.
    monkeypatch.setattr(casting, "standing", lambda *a, **k: casting.Standing(True, key=f"u:{residents[1].id}"))
    with pytest.raises(DomainError) as refused:
        casting.cast_ballot(residents[1], knapsack_round, (2,))
    assert str(refused.value.message) == str(casting.ALREADY_VOTED)
    assert db.session.scalar(select(func.count(RoundBallot.id))) == 1


def test_a_second_register_row_or_link_is_refused_by_the_constraints(community, residents, knapsack_round):
    from sqlalchemy.exc import IntegrityError

    casting.cast_ballot(residents[1], knapsack_round, (1,))
    linked = db.session.scalar(select(RoundParticipation.ballot_id))
    db.session.add(
        RoundParticipation(
            round_id=knapsack_round.id, voter_key=f"u:{residents[1].id}", user_id=residents[1].id, channel="paper"
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    # One ballot belongs to one register row: a second row cannot point at the same ballot.
    db.session.add(
        RoundParticipation(
            round_id=knapsack_round.id,
            voter_key=f"u:{residents[2].id}",
            user_id=residents[2].id,
            channel="online",
            ballot_id=linked,
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_racing_appends_keep_the_chain_whole(file_app):
    """Each writer first reads the head (a page would), so its session holds a copy that others then
    move on; the append reads the head again under the lock."""
    writers, rounds = 6, 5
    barrier = threading.Barrier(writers)
    failures = []

    def write(index):
        try:
            with file_app.app_context():
                for n in range(rounds):
                    seen = db.session.get(AuditHead, 1)  # kept in the identity map, soon old
                    barrier.wait(30)  # all have read it; now all append
                    audit.record("test.append", writer=index, n=n, seen=seen.last_id if seen else 0)
                    db.session.commit()
                db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(repr(exc))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with file_app.app_context():
        assert db.session.scalar(select(func.count(AuditEntry.id))) == writers * rounds
        assert audit.verify() == []
