"""Every council page, for every kind of visitor, in every state of a meeting, and every action
with bad or missing input: a page or a clear refusal, never a 500."""

import pytest

from app.councils import attendance, meetings, minutes, speakers, votes
from app.extensions import db
from app.rules.models import RuleSet
from tests.helpers import login

from .helpers import debate, open_meeting, schedule

PAGES = (
    "",
    "/chair",
    "/projector",
    "/member",
    "/minutes",
    "/live/chair?since=0",
    "/live/projector?since=0",
    "/live/member?since=0",
    "/live/public?since=0",
)
ACTIONS = (
    "/open",
    "/close",
    "/attendance",
    "/handover",
    "/items/{item}/open",
    "/items/{item}/close",
    "/items/{item}/speak",
    "/items/{item}/next-speaker",
    "/items/{item}/end-turn",
    "/items/{item}/motions",
    "/turns/{turn}/withdraw",
    "/motions/{motion}/second",
    "/motions/{motion}/withdraw",
    "/motions/{motion}/vote",
    "/votes/{vote}/ballot",
    "/votes/{vote}/hand",
    "/votes/{vote}/close",
    "/votes/{vote}/decide",
    "/checkin/not-a-code",
    "/minutes/{minutes}/notes",
    "/minutes/{minutes}/lock",
    "/minutes/{minutes}/correct",
)
JUNK = [
    {},
    {
        "view": "chair",
        "user_id": "abc",
        "choice": "perhaps",
        "stance": "",
        "kind": "x",
        "budget": "-3",
        "mode": "paper",
        "yes": "-1",
        "no": "1e9",
        "action": "absent",
        "to_user_id": "0",
        "notes": "",
        "member_id": "abc",
        "ballot-understood": "y",
    },
    {
        "view": "member",
        "user_id": "999999",
        "choice": "yes",
        "stance": "pro",
        "kind": "approve",
        "budget": "99999999999",
        "mode": "named",
        "yes": "1",
        "no": "1",
        "abstain": "1",
        "to_user_id": "999",
        "member_id": "999999",
        "ballot-understood": "y",
        "close-understood": "y",
        "decide-understood": "y",
    },
]


def people(c):
    return [None, c.members[3], c.chair, c.committee]


def sweep_pages(client, c, meeting):
    slug = c.community.slug
    for user in people(c):
        client.post("/auth/logout")
        if user is not None:
            login(client, user)
        for path in ("/agenda/", "/meetings/", "/meetings/new", "/review", "/rules/", "/rules/edit", "/rules/v1"):
            assert client.get(f"/c/{slug}{path}").status_code < 500, (user, path)
        for page in PAGES:
            response = client.get(f"/c/{slug}/meetings/{meeting.id}{page}")
            assert response.status_code < 500, (user, page)
        for item in meeting.items:
            assert client.get(f"/c/{slug}/matters/{item.matter.id}").status_code < 500


def sweep_actions(client, c, meeting, ids):
    meeting_path = f"/c/{c.community.slug}/meetings/{meeting.id}"
    absent = dict.fromkeys(ids, 99999)
    for user in (c.members[0], c.committee, c.chair):
        client.post("/auth/logout")
        login(client, user)
        for action in ACTIONS:
            tries = [(action.format(**ids), data) for data in JUNK[1:]]
            if "{" in action:  # records that do not exist (an action without ids: the same request again)
                tries.append((action.format(**absent), JUNK[-1]))
            for path, data in tries:
                response = client.post(meeting_path + path, data=data)
                assert response.status_code < 500, (user, path, data, response.status_code)


@pytest.mark.parametrize("stage", ["scheduled", "open", "voting", "closed", "locked"])
def test_no_page_or_action_fails_in_any_stage(client, council, stage):
    c = council
    rules = db.session.scalar(db.select(RuleSet))
    rules.tie_rule = "chair_decides"
    db.session.commit()
    if stage == "scheduled":
        meeting = schedule(c)
    else:
        meeting = open_meeting(c, present=4)
        item, motion = debate(c, meeting)
        speakers.ask_to_speak(c.members[2], meeting, item, "contra")
        if stage != "open":
            vote = votes.open_vote(c.chair, meeting, motion, "named")
            votes.cast_vote(c.members[0], meeting, vote, "yes")
        if stage in ("closed", "locked"):
            votes.close_vote(c.chair, meeting, vote)
            attendance.hand_over_chair(c.committee, meeting, c.members[2].id, "换人")
            meetings.close_meeting(c.committee, meeting)
        if stage == "locked":
            minutes.lock(c.members[2], minutes.original(meeting))
    sweep_pages(client, c, meeting)
    if stage not in ("voting", "locked"):
        return  # the actions are swept where the most is going on
    motion_row = meeting.items[0].motions[0] if meeting.items[0].motions else None
    ids = {
        "item": meeting.items[0].id,
        "turn": meeting.items[0].turns[0].id if meeting.items[0].turns else 1,
        "motion": motion_row.id if motion_row else 1,
        "vote": motion_row.vote.id if motion_row and motion_row.vote else 1,
        "minutes": minutes.original(meeting).id if minutes.original(meeting) else 1,
    }
    sweep_actions(client, c, meeting, ids)
