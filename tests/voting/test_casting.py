"""Casting ballots through the HTTP routes: receipts, new ballots replacing old ones, eligibility,
windows, bad input."""

from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.extensions import db
from app.voting import casting, households, receipts
from app.voting.models import Household, HouseholdMember, RoundBallot, RoundParticipation
from tests.helpers import login

from .helpers import close, open_round, option_ids


def ballots(voting_round=None):
    query = select(func.count(RoundBallot.id))
    if voting_round is not None:
        query = query.where(RoundBallot.round_id == voting_round.id)
    return db.session.scalar(query)


def cast(client, voting_round, *numbers, **extra):
    return client.post(
        f"/c/xinglin/rounds/{voting_round.id}", data={"option": option_ids(voting_round, *numbers), **extra}
    )


@pytest.fixture
def en(client):
    client.get("/?lang=en")
    return client


def test_cast_knapsack_ballot_gives_a_receipt(en, residents, knapsack_round):
    client = en
    login(client, residents[1])
    page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}").get_data(as_text=True)
    assert 'data-cost="50000"' in page and "voting/ballot.js" in page
    response = cast(client, knapsack_round, 1, 4)  # 50,000 + 30,000 of 200,000
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/rounds/{knapsack_round.id}/receipt")
    ballot = db.session.scalar(select(RoundBallot))
    assert ballot.choices == [1, 4] and ballot.channel == "online"
    participation = db.session.scalar(select(RoundParticipation))
    assert participation.voter_key == f"u:{residents[1].id}" and participation.channel == "online"
    assert participation.ballot_id == ballot.id  # the link exists while the round is open
    code = receipts.format_code(participation.receipt_code)
    receipt = client.get(response.headers["Location"])
    html = receipt.get_data(as_text=True)
    assert receipt.headers["Cache-Control"] == "no-store"
    assert code in html and "项目1" in html and "项目4" in html and "Your choices are shown only now." in html
    # Shown once: the receipt page again, "my ballots" and the ballot page show the code, not the choices.
    for path in (
        f"/c/xinglin/rounds/{knapsack_round.id}/receipt",
        "/c/xinglin/rounds/mine",
        f"/c/xinglin/rounds/{knapsack_round.id}",
    ):
        html = client.get(path).get_data(as_text=True)
        assert code in html and " checked" not in html, path
        assert "项目1. 项目1" not in html and "<li>1. 项目1</li>" not in html, path
    assert "In the ballot box; counted at the close" in client.get("/c/xinglin/rounds/mine").get_data(as_text=True)


def test_public_receipt_lookup(client, residents, knapsack_round):
    login(client, residents[1])
    cast(client, knapsack_round, 2)
    code = db.session.scalar(select(RoundParticipation.receipt_code))
    client.post("/auth/logout")
    client.get("/?lang=en")
    found = client.get(f"/c/xinglin/rounds/check?code={receipts.format_code(code).lower()}").get_data(as_text=True)
    assert "A ballot with this code is in the ballot box." in found and "项目2" not in found
    missing = client.get("/c/xinglin/rounds/check?code=AAAA-BBBB-CCCC").get_data(as_text=True)
    assert "No ballot with this receipt code" in missing
    assert client.get("/c/xinglin/rounds/check?code=" + "x" * 500).status_code == 200


def test_a_new_ballot_replaces_the_old_one(en, residents, knapsack_round):
    client = en
    login(client, residents[1])
    cast(client, knapsack_round, 1)
    first = db.session.scalar(select(RoundBallot))
    code = db.session.scalar(select(RoundParticipation.receipt_code))
    page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}").get_data(as_text=True)
    assert "Cast a new ballot" in page and " checked" not in page  # the form does not show the old choices
    assert cast(client, knapsack_round, 2, 3).status_code == 303
    db.session.expire_all()
    rows = db.session.scalars(select(RoundBallot)).all()
    assert [r.choices for r in rows] == [[2, 3]] and rows[0].id != first.id  # the old one left the box
    participation = db.session.scalar(select(RoundParticipation))
    assert participation.ballot_id == rows[0].id and participation.receipt_code == code  # same code
    receipt = client.get(f"/c/xinglin/rounds/{knapsack_round.id}/receipt").get_data(as_text=True)
    assert "项目2" in receipt and "项目3" in receipt and "项目1" not in receipt and "Replaced" not in receipt
    assert db.session.scalar(select(func.count(RoundParticipation.id))) == 1
    changed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "round.ballot_changed"))
    assert changed.actor_id == residents[1].id and changed.object_type == "RoundParticipation"
    assert changed.data == {"round_id": knapsack_round.id}  # no ballot id, no choices


def test_no_change_when_the_round_forbids_it(en, committee, community, matters, residents):
    client = en
    voting_round = open_round(committee, community, matters, allow_changes=False)
    login(client, residents[1])
    cast(client, voting_round, 1)
    response = cast(client, voting_round, 2)
    assert response.status_code == 409
    assert "You have already voted in this round." in response.get_data(as_text=True)
    assert ballots() == 1


@pytest.mark.parametrize(
    "numbers, message",
    [
        ((1, 2, 3), "more than the budget of 200,000 yuan"),  # 250,000
    ],
)
def test_over_budget_ballot_is_refused(en, residents, knapsack_round, numbers, message):
    login(en, residents[1])
    response = cast(en, knapsack_round, *numbers)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert html.count(" checked") == 3  # the choices are kept on the page
    assert ballots() == 0


def test_approval_over_k_is_refused(en, committee, community, matters, residents):
    voting_round = open_round(committee, community, matters, method="approval", max_choices=2)
    login(en, residents[1])
    response = cast(en, voting_round, 1, 2, 3)
    assert response.status_code == 400 and "Too many projects chosen: at most 2." in response.get_data(as_text=True)
    assert cast(en, voting_round, 1, 2).status_code == 303
    assert ballots() == 1


def test_tampered_and_foreign_option_ids_are_refused(en, committee, community, matters, residents, make):
    client = en
    voting_round = open_round(committee, community, matters[:3])
    other_round = open_round(committee, community, matters[3:], title="另一轮")
    login(client, residents[1])
    for value in ("999999", "abc", str(other_round.options[0].id), "-1", "1" * 400):
        response = client.post(f"/c/xinglin/rounds/{voting_round.id}", data={"option": [value]})
        assert response.status_code == 400
        assert "This ballot names an option that is not in this round." in response.get_data(as_text=True)
    response = client.post(
        f"/c/xinglin/rounds/{voting_round.id}", data={"option": [str(voting_round.options[0].id)] * 2}
    )
    assert response.status_code == 400 and "named twice" in response.get_data(as_text=True)
    assert ballots() == 0


def test_yes_no_ballot(en, committee, community, matters, residents):
    client = en
    voting_round = open_round(committee, community, matters[:3], method="yes_no")
    login(client, residents[1])
    ids = [str(o.id) for o in voting_round.options]
    response = client.post(
        f"/c/xinglin/rounds/{voting_round.id}",
        data={f"answer-{ids[0]}": "yes", f"answer-{ids[1]}": "no", f"answer-{ids[2]}": ""},
    )
    assert response.status_code == 303
    assert db.session.scalar(select(RoundBallot.choices)) == [[1, "yes"], [2, "no"]]
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}", data={f"answer-{ids[0]}": "maybe"})
    assert response.status_code == 400 and "Answer each project with yes, no or abstain." in response.get_data(
        as_text=True
    )
    response = client.post(f"/c/xinglin/rounds/{voting_round.id}", data={"answer-424242": "yes"})
    assert response.status_code == 400


def test_blank_ballot_is_a_ballot(en, residents, knapsack_round):
    login(en, residents[1])
    assert en.post(f"/c/xinglin/rounds/{knapsack_round.id}", data={}).status_code == 303
    assert db.session.scalar(select(RoundBallot.choices)) == []


def test_ineligible_voters(en, knapsack_round, pending, outsider, committee):
    client = en
    assert cast(client, knapsack_round, 1).status_code == 302  # anonymous: to the login page
    for user, message in ((pending, "Only verified residents of"), (outsider, "Only verified residents of")):
        login(client, user)
        page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}").get_data(as_text=True)
        assert message in page and "Cast my ballot" not in page
        response = cast(client, knapsack_round, 1)
        assert response.status_code == 400 and message in response.get_data(as_text=True)
        client.post("/auth/logout")
        client.get("/?lang=en")
    assert ballots() == 0


def test_window(en, residents, knapsack_round):
    client = en
    login(client, residents[1])
    knapsack_round.opens_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    response = cast(client, knapsack_round, 1)
    assert response.status_code == 400 and "Voting has not opened yet." in response.get_data(as_text=True)
    close(knapsack_round)
    response = cast(client, knapsack_round, 1)
    assert response.status_code == 400 and "Voting has closed." in response.get_data(as_text=True)
    assert ballots() == 0


def test_service_refuses_after_the_close_whatever_the_page_showed(residents, knapsack_round):
    choices = (1,)
    later = knapsack_round.closes_at + timedelta(seconds=1)
    with freeze_time(later), pytest.raises(DomainError):
        casting.cast_ballot(residents[1], knapsack_round, choices)
    assert ballots() == 0


def household_round(committee, community, matters, residents):
    household = Household(community_id=community.id, name="3栋401 王家", address="3栋401")
    db.session.add(household)
    db.session.flush()
    for user in residents[1:3]:
        db.session.add(HouseholdMember(household_id=household.id, community_id=community.id, user_id=user.id))
    db.session.commit()
    return household, open_round(committee, community, matters, per_household=True)


def test_one_ballot_per_household(en, committee, community, matters, residents):
    client = en
    household, voting_round = household_round(committee, community, matters, residents)
    login(client, residents[1])
    assert cast(client, voting_round, 1).status_code == 303
    assert db.session.scalar(select(RoundParticipation.voter_key)) == f"h:{household.id}"
    client.post("/auth/logout")
    client.get("/?lang=en")
    login(client, residents[2])  # same household
    response = cast(client, voting_round, 2)
    assert response.status_code == 400
    assert "Your household has already voted in this round." in response.get_data(as_text=True)
    client.post("/auth/logout")
    client.get("/?lang=en")
    login(client, residents[3])  # in no household
    response = cast(client, voting_round, 2)
    assert response.status_code == 400 and "not on a household" in response.get_data(as_text=True)
    assert ballots() == 1


def test_moving_household_does_not_give_a_second_ballot(committee, community, matters, residents):
    household, voting_round = household_round(committee, community, matters, residents)
    casting.cast_ballot(residents[1], voting_round, (1,))
    member = db.session.scalar(select(HouseholdMember).where(HouseholdMember.user_id == residents[1].id))
    households.remove_household_member(committee, community, household, member.id)
    second = households.create_household(committee, community, "新户", "9栋101")
    households.add_household_member(committee, community, second, residents[1].username)
    standing = casting.standing(residents[1], voting_round)
    assert not standing.may_vote
    with pytest.raises(DomainError):
        casting.cast_ballot(residents[1], voting_round, (2,))
    assert ballots() == 1
