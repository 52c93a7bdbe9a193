"""A rule change that needs the residents (rule_change_needs_residents in the rules in force): the
council's adopted version is not in force until the residents approve it in a yes/no round
(voting.option_kinds, app.rule_adoption); approved, it comes into force and records the round;
not approved or below the minimum turnout, it is not approved and the old rules stay."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.errors import DomainError
from app.extensions import db
from app.notifications.models import Notification
from app.rule_adoption import services as adoption
from app.rule_adoption.ballot import RuleChangeOptions
from app.rules import services
from app.rules.describe import describe
from app.voting import casting, counting
from app.voting.models import VotingRound
from tests.helpers import login
from tests.rules.test_adoption import council_votes, draft_of, propose, rules_url
from tests.rules.test_adoption import w as council  # noqa: F401  (a fixture)
from tests.voting.helpers import close


@pytest.fixture
def w(council):  # noqa: F811  (the imported fixture, adjusted)
    """The rules in force (version 1) say a rule change needs the residents; no minimum turnout."""
    version = services.current_ruleset(council.community)
    version.rule_change_needs_residents, version.min_turnout_percent = True, 0
    db.session.commit()
    return council


def round_url(w):
    return rules_url(w, "residents-round")


def proposes(client, w, **changes):
    """A change that keeps the residents' say (the form's default here would drop it)."""
    return propose(client, w, rule_change_needs_residents="residents", **changes)


def adopted_by_council(client, w):
    proposes(client, w, notice_days="7")
    draft = draft_of(w)
    council_votes(w, draft, yes=3, no=2)
    return draft


def open_by_page(client, w):
    login(client, w.committee)
    assert client.get(round_url(w)).status_code == 200
    now = clock.to_local(clock.now())
    response = client.post(
        round_url(w),
        data={
            "opens_at": (now - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(VotingRound).order_by(VotingRound.id.desc())).first()


def voters(w):
    return [w.committee, w.chair, *w.members]


def vote(voting_round, users, choices):
    for user, choice in zip(users, choices, strict=True):
        casting.cast_ballot(user, voting_round, ((1, choice),))


def count(w, voting_round):
    close(voting_round)
    counting.count_round(w.committee, voting_round)


def actions(action):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)).all()


def test_adopted_by_the_council_it_waits_for_the_residents_then_comes_into_force(client, w):
    draft = adopted_by_council(client, w)
    assert draft.status == "residents" and draft.decided_motion_id is not None
    assert services.current_ruleset(w.community).version == 1  # not in force yet
    assert actions("rules.version_awaits_residents") and not actions("rules.version_adopted")
    page = client.get(rules_url(w, "v2?lang=en")).get_data(as_text=True)
    assert "It is not in force until the residents approve it" in page
    shown = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "waits for the residents' vote" in shown and "Put version 2 to the residents" in shown
    # No other change while it waits.
    refused = proposes(client, w, tail="edit?lang=en", notice_days="9")
    assert refused.status_code == 400 and "waiting for the residents' vote" in refused.get_data(as_text=True)

    voting_round = open_by_page(client, w)
    assert (voting_round.option_kind, voting_round.method, voting_round.budget) == ("rule_change", "yes_no", 0)
    assert [(o.subject_id, o.matter_id, o.title) for o in voting_round.options] == [
        (draft.id, None, "Consultation rules, version 2")
    ]
    db.session.refresh(draft)
    assert draft.status == "in_vote" and draft.decided_round_id == voting_round.id
    assert actions("rules.version_put_to_residents")[0].data["round_id"] == voting_round.id
    # The residents hear of it as of any round, and the ballot links to the version.
    assert db.session.scalar(select(Notification).where(Notification.user_id == w.members[0].id))
    login(client, w.members[0])
    ballot = client.get(f"/c/{w.community.slug}/rounds/{voting_round.id}").get_data(as_text=True)
    assert f"/c/{w.community.slug}/rules/v2" in ballot
    [option] = voting_round.options
    response = client.post(f"/c/{w.community.slug}/rounds/{voting_round.id}", data={f"answer-{option.id}": "yes"})
    assert response.status_code == 303
    vote(voting_round, [w.committee, w.chair, w.members[1]], ["yes", "yes", "no"])
    assert services.current_ruleset(w.community).version == 1  # still, until the count
    count(w, voting_round)
    db.session.refresh(draft)
    assert draft.status == "adopted" and draft.decided_round_at is not None
    assert services.current_ruleset(w.community).id == draft.id
    assert services.current_ruleset(w.community).notice_days == 7
    [approved] = actions("rules.version_approved_by_residents")
    assert approved.data["round_id"] == voting_round.id and approved.data["version"] == 2
    page = client.get(rules_url(w, "?lang=en")).get_data(as_text=True)
    assert "Version 2, in force since" in page and "Approved by the residents:" in page
    assert f"/rounds/{voting_round.id}/results" in page
    history = client.get(rules_url(w, "v1?lang=en")).get_data(as_text=True)
    assert "no longer in force" in history and f"round {voting_round.id}" in history


def test_not_approved_by_the_residents_the_old_rules_stay(client, w):
    draft = adopted_by_council(client, w)
    voting_round = open_by_page(client, w)
    vote(voting_round, voters(w)[:4], ["yes", "no", "no", "no"])
    count(w, voting_round)
    db.session.refresh(draft)
    assert draft.status == "unapproved" and draft.decided_round_id == voting_round.id
    assert services.current_ruleset(w.community).version == 1
    assert actions("rules.version_not_approved_by_residents")[0].data["valid"] is True
    page = client.get(rules_url(w, "v2?lang=en")).get_data(as_text=True)
    assert "not approved by the residents" in page and f"/rounds/{voting_round.id}/results" in page
    # Nothing waits any more: the committee may propose the next change.
    assert proposes(client, w, notice_days="9").status_code == 302
    assert draft_of(w).version == 3


def test_a_round_below_the_minimum_turnout_does_not_approve_it(client, w):
    draft = adopted_by_council(client, w)
    voting_round = open_by_page(client, w)
    voting_round.ruleset.min_turnout_percent = 50  # of the 6 eligible: 3 ballots needed
    vote(voting_round, voters(w)[:2], ["yes", "yes"])
    count(w, voting_round)
    db.session.refresh(draft)
    assert draft.status == "unapproved" and services.current_ruleset(w.community).version == 1
    assert actions("rules.version_not_approved_by_residents")[0].data["valid"] is False


def test_the_majority_is_the_resident_majority_of_the_rules_in_force(client, w):
    services.current_ruleset(w.community).resident_majority_rule = "two_thirds"
    db.session.commit()
    draft = adopted_by_council(client, w)
    voting_round = open_by_page(client, w)
    vote(voting_round, voters(w)[:5], ["yes", "yes", "yes", "no", "no"])  # 3 of 5: not two thirds
    count(w, voting_round)
    db.session.refresh(draft)
    assert draft.status == "unapproved"


def test_only_the_committee_opens_the_round_and_only_on_an_adopted_version(client, w):
    login(client, w.committee)
    empty = client.get(round_url(w) + "?lang=en")
    assert empty.status_code == 200 and "No version of the rules adopted by the council" in empty.get_data(as_text=True)
    now = clock.now()
    with pytest.raises(DomainError):
        adoption.open_round(w.committee, w.community, opens_at=now, closes_at=now + timedelta(days=1))
    proposes(client, w, notice_days="7")
    draft = draft_of(w)
    with pytest.raises(DomainError):  # still a draft before the council
        adoption.open_round(w.committee, w.community, opens_at=now, closes_at=now + timedelta(days=1))
    with pytest.raises(DomainError):
        RuleChangeOptions().ballot_title(w.community, draft.id)
    council_votes(w, draft, yes=3, no=2)
    with pytest.raises(DomainError):
        adoption.open_round(w.chair, w.community, opens_at=now, closes_at=now + timedelta(days=1))
    client.post("/auth/logout")
    login(client, w.chair)
    assert client.get(round_url(w)).status_code == 403
    assert client.post(round_url(w), data={}).status_code == 403
    client.post("/auth/logout")
    voting_round = open_by_page(client, w)
    with pytest.raises(DomainError):  # already in the round
        adoption.open_round(w.committee, w.community, opens_at=now, closes_at=now + timedelta(days=1))
    assert adoption.latest_round(draft).id == voting_round.id


def test_the_committee_may_withdraw_a_version_before_it_goes_to_the_residents(client, w):
    draft = adopted_by_council(client, w)
    decided_at = draft.decided_at
    login(client, w.committee)
    response = client.post(rules_url(w, "v2/withdraw"), data={"understood": "y"})
    assert response.status_code == 302 and draft.status == "withdrawn" and draft.decided_at == decided_at
    assert adoption.awaiting_residents(w.community) is None


def test_a_round_that_closes_before_it_opens_is_refused_with_the_form(client, w):
    adopted_by_council(client, w)
    login(client, w.committee)
    now = clock.to_local(clock.now())
    response = client.post(
        round_url(w) + "?lang=en",
        data={
            "opens_at": (now + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400 and "The round must close after it opens." in response.get_data(as_text=True)
    assert db.session.scalar(select(VotingRound.id)) is None
    assert adoption.awaiting_residents(w.community).version == 2


def test_the_rules_page_says_when_a_rule_change_needs_the_residents(w):
    rules = services.current_ruleset(w.community)
    sentences = {s.topic: s.text for s in describe(rules)}
    assert "yes/no vote" in sentences["Residents' approval of rule changes"]
    rules.rule_change_needs_residents = False
    assert "Residents' approval of rule changes" not in [s.topic for s in describe(rules)]
