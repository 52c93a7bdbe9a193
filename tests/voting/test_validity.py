"""Issue 10 §3: the minimum turnout holds for every method (a round below it is published as not
valid and approves nothing), and the electorate is fixed when a round opens."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.communities import services as communities
from app.communities.models import Membership, MembershipStatus
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.matters.models import MicroMatter
from app.notifications.models import Notification
from app.publishing import source_voting
from app.publishing.sources import as_text
from app.rules.services import current_ruleset
from app.voting import casting, counting, rounds, tally
from app.voting.models import RoundElector
from tests.helpers import login

from .helpers import close, make_matters, open_round


@pytest.fixture
def en(client):
    client.get("/?lang=en")
    return client


def set_min_turnout(community, percent):
    current_ruleset(community).min_turnout_percent = percent
    db.session.commit()


@pytest.fixture
def not_valid(client, committee, community, matters, residents):
    """A knapsack round with 2 ballots from 7 on the register (28.6 %) under a 50 % minimum, counted."""
    set_min_turnout(community, 50)
    voting_round = open_round(committee, community, matters)
    for user, choices in zip(residents, [(1, 2), (1, 4)], strict=False):
        casting.cast_ballot(user, voting_round, choices)
    close(voting_round)
    login(client, committee)
    client.get("/?lang=en")
    assert client.post(f"/c/xinglin/rounds/{voting_round.id}/count", data={"understood": "y"}).status_code == 303
    db.session.expire_all()
    return voting_round


def test_round_below_the_minimum_turnout_approves_nothing(not_valid, matters, residents):
    result = not_valid.result
    assert (result.valid, result.winners, result.total_cost) == (False, [], 0)
    assert (result.ballots_counted, result.electorate, result.turnout_percent) == (2, 7, 28.6)
    assert (result.min_turnout_percent, result.rule, result.ruleset_version) == (50, "greedy", 1)
    assert result.votes == {"1": 2, "2": 1, "3": 0, "4": 1, "5": 0, "6": 0}  # still counted and published
    # The micro-matters are neither approved nor rejected: back on the agenda list for a later round.
    assert {db.session.get(MicroMatter, m.id).status for m in matters} == {"on_agenda"}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.counted"))
    assert entry.data["valid"] is False and entry.data["min_turnout_percent"] == 50
    back = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.return_to_agenda"))
    assert back.data["round_id"] == not_valid.id and back.data["turnout"] == 28.6
    note = db.session.scalar(
        select(Notification).where(Notification.user_id == residents[1].id, Notification.link.like("%/results"))
    )
    assert "not valid" in note.message
    # They can be put to a later round.
    assert {m.id for m in rounds.candidate_matters(not_valid.community)} == {m.id for m in matters}


def test_results_page_says_not_valid(client, not_valid):
    html = client.get(f"/c/xinglin/rounds/{not_valid.id}/results").get_data(as_text=True)
    assert "Not valid: turnout 28.6% below the required 50%." in html
    assert "None: the round is not valid." in html
    assert "Not decided: the round is not valid" in html
    assert "Funded</strong>" not in html
    assert "minimum turnout 50% of the register" in html and "consultation rules version 1" in html
    listing = client.get("/c/xinglin/rounds/").get_data(as_text=True)
    assert "Not valid: turnout 28.6% below the required 50%." in listing
    matter = client.get(f"/c/xinglin/matters/{not_valid.options[0].matter_id}").get_data(as_text=True)
    assert "Not valid: turnout 28.6% below the required 50%." in matter
    html = client.get(f"/c/xinglin/rounds/{not_valid.id}/results?lang=zh_Hans").get_data(as_text=True)
    assert "无效" in html


def test_not_valid_round_publishes_csv_and_json_but_no_pb(client, not_valid):
    assert client.get(f"/c/xinglin/rounds/{not_valid.id}/ballots.pb").status_code == 404
    doc = client.get(f"/c/xinglin/rounds/{not_valid.id}/round.json").get_json(force=True)
    assert (doc["valid"], doc["turnout_percent"], doc["min_turnout_percent"], doc["electorate"]) == (False, 28.6, 50, 7)
    csv_text = client.get(f"/c/xinglin/rounds/{not_valid.id}/ballots.csv").get_data(as_text=True)
    assert tally.verify(tally.parse_csv_and_round(csv_text, doc)).match
    assert counting.verify_round(not_valid).match


def test_api_and_notice_say_not_valid(client, not_valid):
    data = client.get(f"/api/v1/communities/xinglin/rounds/{not_valid.id}").get_json()
    result = data["result"]
    assert result["valid"] is False and result["winners"] == []
    assert result["validity"] == "not valid: turnout 28.6 % below the required 50 %"
    assert (result["min_turnout_percent"], result["rule"]) == (50, "greedy")
    schema = client.get("/api/v1/openapi.json").get_json()
    assert "valid" in schema["components"]["schemas"]["RoundResult"]["properties"]
    publication = source_voting.describe(not_valid)
    text = as_text(publication.facts)
    assert "无效" in text and "28.6%" in text and "50%" in text  # a notice prints in Chinese by default


def test_valid_round_at_exactly_the_minimum(committee, community, matters, residents):
    # 4 ballots of 7 = 57.1 % against a 57 % minimum: 4 x 100 >= 57 x 7 (399): valid.
    set_min_turnout(community, 57)
    voting_round = open_round(committee, community, matters)
    for user in residents[:4]:
        casting.cast_ballot(user, voting_round, (1,))
    close(voting_round)
    counting.count_round(committee, voting_round)
    assert voting_round.result.valid and voting_round.result.winners == [1]


# --- the electorate is fixed when the round opens --------------------------------------------


def newcomer(make, community, committee):
    """A resident who asks to join now and whom the committee verifies now."""
    user = make.user(username="newcomer", display_name="新住户")
    membership = Membership(user_id=user.id, community_id=community.id, status=MembershipStatus.PENDING, address="2栋")
    db.session.add(membership)
    db.session.commit()
    communities.verify(committee, community, membership.id)
    return user


def test_residents_verified_during_a_round_vote_in_the_next(en, make, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters)
    assert db.session.scalar(select(func.count(RoundElector.id)).where(RoundElector.round_id == voting_round.id)) == 7
    user = newcomer(make, community, committee)
    login(en, user)
    page = en.get(f"/c/xinglin/rounds/{voting_round.id}").get_data(as_text=True)
    assert "You were verified after this round opened" in page
    option = str(voting_round.options[0].id)
    response = en.post(f"/c/xinglin/rounds/{voting_round.id}", data={"option": option})
    assert response.status_code == 400
    assert "you can vote in the next round" in response.get_data(as_text=True)
    with pytest.raises(DomainError):
        casting.cast_ballot(user, voting_round, (1,))
    casting.cast_ballot(residents[0], voting_round, (1,))
    close(voting_round)
    counting.count_round(committee, voting_round)
    assert voting_round.result.electorate == 7  # the base did not move: 8 verified now
    # The next round has them on its register.
    later = open_round(
        committee, community, make_matters(community, residents[0], costs=[10_000, 20_000]), title="下一轮"
    )
    casting.cast_ballot(user, later, (1,))
    assert db.session.scalar(select(func.count(RoundElector.id)).where(RoundElector.round_id == later.id)) == 8


def test_scheduled_round_fixes_its_electorate_at_the_first_cast_after_opening(
    make, committee, community, matters, residents
):
    now = utcnow()
    voting_round = rounds.open_round(
        committee,
        community,
        title="预定的投票",
        method="knapsack",
        allocation="greedy",
        budget=200_000,
        opens_at=now + timedelta(hours=1),
        closes_at=now + timedelta(days=7),
        options=[(m.id, m.estimated_cost) for m in matters],
    )
    assert voting_round.electorate_fixed_at is None
    # Verified before the opening: on the register; the page reads it without writing anything.
    user = newcomer(make, community, committee)
    assert "not on" not in str(casting.standing(user, voting_round).reason)
    opened = now + timedelta(hours=2)
    with freeze_time(opened):
        casting.cast_ballot(user, voting_round, (1,))
    assert voting_round.electorate_fixed_at == opened
    count = db.session.scalar(select(func.count(RoundElector.id)).where(RoundElector.round_id == voting_round.id))
    assert count == 8
    with freeze_time(opened + timedelta(minutes=5)):
        casting.cast_ballot(residents[0], voting_round, (2,))  # idempotent
    assert (
        db.session.scalar(select(func.count(RoundElector.id)).where(RoundElector.round_id == voting_round.id)) == count
    )
