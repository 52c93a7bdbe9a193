"""The residents approve the council's adopted amendments in a yes/no round when the rule set says
so: voting's rounds with amendments as options (voting.option_kinds), each amendment decided by
the rule set's resident majority, the approved ones making the next version."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.conventions import amendments, approval, ballot
from app.conventions.models import Amendment, ConventionVersion
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.publishing import source_voting
from app.rules.services import current_ruleset
from app.voting import casting, counting
from app.voting.models import RoundOption, VotingRound
from tests.conventions.test_flows import council_adopts, url
from tests.helpers import login
from tests.once_per_module import once_per_module_with
from tests.voting.helpers import close


@pytest.fixture
def rules():
    return {"convention_approval": "round", "min_turnout_percent": 0}


def adopted_amendment(w, article, kind, text=""):
    amendment = amendments.propose(
        w.residents[0], w.convention, article_number=article, kind=kind, text=text, reasons="理由"
    )
    for resident in w.residents[1:3]:
        amendments.support(resident, amendment)
    amendments.admit(w.committee, amendment)
    council_adopts(w, amendment)
    db.session.refresh(amendment)
    assert amendment.status == "adopted"
    return amendment


@pytest.fixture
def world(request, app):
    """conftest.py's world with two amendments the council adopted, built once for this module's tests."""
    return once_per_module_with(
        request,
        "two",
        lambda world: (adopted_amendment(world, 2, "change", "第二条（修订）"), adopted_amendment(world, 3, "delete")),
    )


@pytest.fixture
def two(world):
    return world.two


def open_by_page(client, w):
    login(client, w.committee)
    assert client.get(url(w, "/round")).status_code == 200
    now = clock.to_local(clock.now())
    response = client.post(
        url(w, "/round"),
        data={
            "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(VotingRound).order_by(VotingRound.id.desc())).first()


def actions(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_each_amendment_by_the_residents_majority(client, world, two):
    w = world
    change, delete = two
    voting_round = open_by_page(client, w)
    assert voting_round.option_kind == "amendment" and voting_round.method == "yes_no" and voting_round.budget == 0
    assert [(o.subject_id, o.matter_id, o.cost) for o in voting_round.options] == [
        (change.id, None, 0),
        (delete.id, None, 0),
    ]
    db.session.refresh(change)
    assert change.status == "in_vote" and len(actions("amendment.put_to_vote")) == 2
    # the ballot links each option to the amendment's page; residents vote with the usual ballot
    login(client, w.residents[0])
    ballot = client.get(f"/c/{w.community.slug}/rounds/{voting_round.id}").get_data(as_text=True)
    assert f"/convention/amendments/{change.id}" in ballot and f"/convention/amendments/{delete.id}" in ballot
    ids = {o.number: str(o.id) for o in voting_round.options}
    response = client.post(
        f"/c/{w.community.slug}/rounds/{voting_round.id}", data={f"answer-{ids[1]}": "yes", f"answer-{ids[2]}": "no"}
    )
    assert response.status_code == 303
    for resident in w.residents[1:3]:
        casting.cast_ballot(resident, voting_round, ((1, "yes"), (2, "no")))
    casting.cast_ballot(w.residents[3], voting_round, ((1, "no"), (2, "yes")))
    assert db.session.scalar(select(ConventionVersion.id).where(ConventionVersion.number == 2)) is None
    close(voting_round)
    counting.count_round(w.committee, voting_round)
    db.session.refresh(change)
    db.session.refresh(delete)
    assert change.status == "incorporated" and delete.status == "not_approved"
    version = db.session.scalar(select(ConventionVersion).where(ConventionVersion.number == 2))
    assert version.round_id == voting_round.id and version.assembly_id is None
    assert [a.text for a in version.articles] == ["第一条", "第二条（修订）", "第三条", "第四条"]
    [counted] = actions("convention.round_counted")
    assert counted.data["approved"] == [change.id] and counted.data["not_approved"] == [delete.id]
    [revised] = actions("convention.revised")
    assert revised.data["round_id"] == voting_round.id
    page = client.get(url(w, "/versions/2")).get_data(as_text=True)
    assert f"/rounds/{voting_round.id}/results" in page
    results = client.get(f"/c/{w.community.slug}/rounds/{voting_round.id}/results")
    assert results.status_code == 200 and f"/convention/amendments/{change.id}" in results.get_data(as_text=True)
    # Its notice speaks of proposals approved, with no budget or costs (amendments have none).
    facts = source_voting.describe(voting_round).facts
    assert "Budget" not in str(facts["rows"]) and "Cost" not in facts["table"]["columns"]
    summary = facts["summary"]
    assert "proposals were approved" in summary["msgid"] and (summary["params"]["n"], summary["params"]["options"]) == (
        1,
        2,
    )


def test_a_round_below_the_turnout_decides_nothing(client, world, two):
    w = world
    voting_round = open_by_page(client, w)
    voting_round.ruleset.min_turnout_percent = 100
    casting.cast_ballot(w.residents[0], voting_round, ((1, "yes"), (2, "yes")))
    close(voting_round)
    counting.count_round(w.committee, voting_round)
    statuses = db.session.scalars(select(Amendment.status).order_by(Amendment.id)).all()
    assert statuses == ["adopted", "adopted"] and len(w.convention.versions) == 1
    assert len(actions("convention.round_not_valid")) == 1
    assert open_by_page(client, w).id != voting_round.id  # they can be put to the residents again


def test_the_rule_set_says_which_way(client, world, two):
    w = world
    login(client, w.committee)
    data = {"held_on": clock.local_today().isoformat(), "place": "广场", "present": 9, "yes": 9, "no": 0, "abstain": 0}
    assert client.post(url(w, "/assembly"), data=data).status_code == 400
    assert approval.pending_assembly(w.convention) is None
    voting_round = open_by_page(client, w)
    with pytest.raises(DomainError):  # nothing left waiting: all of them are in the round
        ballot.open_approval_round(
            w.committee, w.convention, opens_at=clock.now(), closes_at=clock.now() + timedelta(days=1)
        )
    for user in (w.chair, w.residents[0]):
        with pytest.raises(DomainError):
            ballot.open_approval_round(
                user, w.convention, opens_at=clock.now(), closes_at=clock.now() + timedelta(days=1)
            )
    login(client, w.chair)
    assert client.get(url(w, "/round")).status_code == 403
    assert db.session.scalar(select(RoundOption.round_id).where(RoundOption.subject_id == two[0].id)) == voting_round.id


def test_an_assembly_community_opens_no_round(client, world, two):
    w = world
    current_ruleset(w.community).convention_approval = "assembly"
    db.session.commit()
    login(client, w.committee)
    now = clock.to_local(clock.now())
    response = client.post(
        url(w, "/round"),
        data={
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400 and db.session.scalar(select(VotingRound.id)) is None
    assert db.session.scalars(select(Amendment.status)).all() == ["adopted", "adopted"]
