"""Opening a round: the committee's form, the options taken from the agenda list, bad input."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.core.clock import utcnow
from app.extensions import db
from app.matters.models import MicroMatter
from app.voting.models import RoundOption, VotingRound
from tests.helpers import login

from .helpers import make_matters


def local(dt):
    """The form's datetime-local value (the app's timezone, Asia/Shanghai, is UTC+8)."""
    return (dt + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def form(matters, **changes):
    now = utcnow()
    data = {
        "title": "2026年微实事投票",
        "description": "",
        "method": "knapsack",
        "allocation": "mes",
        "max_choices": "",
        "budget": "200000",
        "opens_at": local(now),
        "closes_at": local(now + timedelta(days=7)),
        "allow_changes": "y",
        "option": [str(m.id) for m in matters],
    }
    data.update({f"cost-{m.id}": str(m.estimated_cost) for m in matters})
    data.update(changes)
    return data


def rounds():
    return db.session.scalar(select(func.count(VotingRound.id)))


def test_form_lists_the_agenda_and_defaults(client, committee, community, matters):
    login(client, committee)
    page = client.get("/c/xinglin/rounds/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for matter in matters:
        assert matter.title in html and f'name="cost-{matter.id}"' in html
    assert 'value="300000"' in html  # the community's annual budget


def test_committee_opens_a_round(client, committee, community, matters):
    login(client, committee)
    response = client.post("/c/xinglin/rounds/new", data=form(matters, **{f"cost-{matters[0].id}": "55,000"}))
    assert response.status_code == 302, response.get_data(as_text=True)
    voting_round = db.session.scalar(select(VotingRound))
    assert response.headers["Location"].endswith(f"/c/xinglin/rounds/{voting_round.id}")
    assert voting_round.method == "knapsack" and voting_round.allocation == "mes"
    assert voting_round.budget == 200_000 and voting_round.allow_changes and not voting_round.per_household
    assert [o.number for o in voting_round.options] == [1, 2, 3, 4, 5, 6]
    assert voting_round.options[0].cost == 55_000
    assert voting_round.ruleset.version == 1
    # The window was entered in local time and stored in UTC.
    assert abs((voting_round.opens_at - utcnow()).total_seconds()) < 120
    for matter in matters:
        db.session.refresh(matter)
        assert matter.status == "in_vote"
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "round.opened" in actions and actions.count("matter.refer_to_vote") == 6
    refer = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.refer_to_vote"))
    assert refer.data["round_id"] == voting_round.id


def test_only_the_committee_opens_rounds(client, residents, community, matters):
    assert client.get("/c/xinglin/rounds/new").status_code == 302  # to the login page
    login(client, residents[1])
    assert client.get("/c/xinglin/rounds/new").status_code == 403
    assert client.post("/c/xinglin/rounds/new", data=form(matters)).status_code == 403
    assert rounds() == 0


def bad(client, data, message):
    response = client.post("/c/xinglin/rounds/new", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert rounds() == 0
    assert db.session.scalar(select(func.count(RoundOption.id))) == 0


def test_bad_input_is_refused_and_nothing_written(client, committee, community, matters, make, residents):
    login(client, committee)
    client.get("/?lang=en")
    now = utcnow()
    bad(client, form(matters, option=[]), "Choose at least 2 micro-matters")
    bad(client, form(matters, closes_at=local(now - timedelta(hours=1))), "The round must close after it opens.")
    bad(
        client,
        form(matters, opens_at=local(now - timedelta(days=3)), closes_at=local(now - timedelta(days=1))),
        "The closing time has already passed.",
    )
    bad(client, form(matters, **{f"cost-{matters[1].id}": "abc"}), "must be a whole number of yuan")
    bad(client, form(matters, **{f"cost-{matters[1].id}": "300000"}), "costs more than the whole budget")
    bad(client, form(matters, method="approval", max_choices="9"), "k must be between 1 and the number of options")
    bad(client, form(matters, budget="-5"), "Please correct the marked fields.")
    bad(client, form(matters, title=""), "Please correct the marked fields.")
    # A micro-matter from another community, and one no longer on the agenda list (tampered ids).
    other = make.community(slug="elsewhere")
    foreign = make_matters(other, residents[0], costs=[1000])[0]
    bad(client, form(matters, option=[str(matters[0].id), str(foreign.id)]), "does not belong to this community")
    draft = make_matters(community, residents[0], costs=[1000], status="draft")[0]
    bad(client, form(matters, option=[str(matters[0].id), str(draft.id)]), "is no longer on the agenda list")
    bad(client, form(matters, option=[str(matters[0].id), "99999999999999"]), "does not belong to this community")
    for matter in matters:
        db.session.refresh(matter)
        assert matter.status == "on_agenda"


def test_round_list_and_ballot_page_are_public(client, committee, community, matters, knapsack_round):
    html = client.get("/c/xinglin/rounds/").get_data(as_text=True)
    assert knapsack_round.title in html
    page = client.get(f"/c/xinglin/rounds/{knapsack_round.id}")
    assert page.status_code == 200
    assert "项目1" in page.get_data(as_text=True)
    assert client.get("/c/xinglin/rounds/999").status_code == 404
    assert client.get("/c/other-place/rounds/").status_code == 404


def test_round_of_another_community_is_not_found(client, make, committee, community, matters, knapsack_round):
    make.community(slug="second")
    assert client.get(f"/c/second/rounds/{knapsack_round.id}").status_code == 404
    assert client.get(f"/c/second/rounds/{knapsack_round.id}/results").status_code == 404


def test_matter_page_links_to_its_round(client, community, matters, knapsack_round):
    matter = db.session.get(MicroMatter, matters[0].id)
    html = client.get(f"/c/xinglin/matters/{matter.id}").get_data(as_text=True)
    assert f"/c/xinglin/rounds/{knapsack_round.id}" in html
