"""A micro-matter is never on an upcoming meeting's agenda and in a resident voting round at once:
whichever comes second is refused, through its form, with a message naming the first."""

from datetime import timedelta

from app.core.clock import utcnow
from app.councils import placement
from app.councils.models import Meeting
from app.extensions import db
from app.voting import rounds
from app.voting.models import VotingRound
from tests.helpers import login

from .helpers import agenda_ids, count, schedule


def local(dt):
    """A datetime-local form value (the app's timezone, Asia/Shanghai, is UTC+8)."""
    return (dt + timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")


def round_form(matters):
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
    return data


def test_a_round_cannot_take_a_matter_on_an_upcoming_meetings_agenda(client, council):
    c = council
    first, second, _third = c.matters
    meeting = schedule(c, items=agenda_ids(c.community)[:1])  # the first matter is on its agenda
    assert placement.meeting_holding(first) == meeting and placement.meeting_holding(second) is None
    login(client, c.committee)
    response = client.post(f"/c/{c.community.slug}/rounds/new", data=round_form([first, second]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "“议题1”已列入议事会“第1次议事会”的议程" in html
    assert count(VotingRound) == 0 and first.status == "on_agenda" and second.status == "on_agenda"
    # Once the meeting dealt with it (here: closed without deciding it), a round may take it.
    meeting.status = "closed"
    db.session.commit()
    response = client.post(f"/c/{c.community.slug}/rounds/new", data=round_form([first, second]))
    assert response.status_code == 302 and first.status == "in_vote"


def test_a_meeting_cannot_take_a_matter_in_a_voting_round(client, council):
    c = council
    first, second, _third = c.matters
    login(client, c.committee)
    page = client.get(f"/c/{c.community.slug}/meetings/new").get_data(as_text=True)
    assert "议题1" in page  # the committee starts scheduling with the first matter still waiting...
    now = utcnow()
    voting_round = rounds.open_round(
        c.committee,
        c.community,
        title="楼道改造投票",
        method="knapsack",
        budget=200_000,
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=8),
        options=[(first.id, 30_000), (second.id, 30_000)],
    )  # ...a round takes it
    assert voting_round.state() == "scheduled" and placement.round_holding(first) == voting_round
    data = {
        "title": "第2次议事会",
        "starts_at": local(now + timedelta(days=5)),
        "place": "活动室",
        "chair_id": c.chair.id,
        "secretary_id": c.committee.id,
        "items": agenda_ids(c.community)[:1],
    }
    response = client.post(f"/c/{c.community.slug}/meetings/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "“议题1”已在居民投票“楼道改造投票”中" in html
    assert count(Meeting) == 0
    response = client.post(f"/c/{c.community.slug}/meetings/new", data={**data, "items": agenda_ids(c.community)[2:]})
    assert response.status_code == 302 and count(Meeting) == 1
