"""What a meeting's live views cost: every member's phone and the projector poll them every 2.5 s.

Each view and live region runs the same SQL statements whatever the size of the council and of the
agenda (no query per member, item or speaker), reads the council's members once per request, and a
refused action answers the page it came from again (400, its message, the form with what was typed)
in a fixed number of statements, the same page as the view shows."""

import re

import pytest

from app.auth.models import User
from app.communities.models import Role
from app.core import shared_body
from app.councils import attendance, meetings, speakers, votes
from app.councils.models import Ballot
from app.extensions import db
from tests.helpers import login
from tests.perf.test_statement_budgets import counted_statements

from .helpers import count, make_matter, schedule

COUNCIL_MEMBERS = re.compile(r"FROM \"?user\"? JOIN membership", re.IGNORECASE)  # quoted on PostgreSQL
LONG_POINT = "程序问题" * 80  # over the 300 characters a point of order may have
FLASHES = re.compile(r'<div class="flashes" role="status">.*?</div>', re.DOTALL)


class Sitting:
    """A council of `size` members (the chair among them) in a meeting of `items` items, all present:
    the first item under a named vote half cast, with speakers heard and waiting and a point of order."""

    def __init__(self, make, size, items):
        community = make.community(seconders_needed=1, turns_per_item=2, minutes_per_turn=2, notice_days=3)
        self.slug = community.slug
        committee = make.member(community, role=Role.COMMITTEE)
        chair = make.member(community, role=Role.CHAIR)
        members = [make.member(community, role=Role.COUNCIL_MEMBER) for _ in range(size - 1)]
        resident = make.member(community)
        for i in range(items):
            make_matter(community, resident, title=f"议题{i}")
        council = [chair, *members]
        c = type("Council", (), {"committee": committee, "chair": chair, "community": community})
        meeting = schedule(c)
        for user in council:
            attendance.check_in(committee, meeting, user.id)
        meetings.open_meeting(committee, meeting)
        item = meeting.items[0]
        meetings.open_item(committee, meeting, item)
        motion = votes.move_motion(members[0], meeting, item, "approve", 9_000, "同意实施")
        votes.second_motion(members[1], meeting, motion)
        for member in members[2:]:
            speakers.ask_to_speak(member, meeting, item, "pro")
        speakers.next_speaker(committee, meeting, item)
        speakers.end_turn(committee, meeting, item)
        point = votes.raise_point_of_order(members[-1], meeting, "发言超时")
        votes.rule_on_point(chair, meeting, point, True, "请注意时间")
        vote = votes.open_vote(chair, meeting, motion, "named")
        for user in members[: len(members) // 2]:
            votes.cast_vote(user, meeting, vote, "yes")
        self.base = f"/c/{self.slug}/meetings/{meeting.id}"
        self.vote_id, self.item_id = vote.id, item.id
        self.people = {
            "secretary": committee.username,
            "chair": chair.username,
            "voted": members[0].username,
            "member": members[-1].username,
        }

    def requests(self):
        ballot = f"{self.base}/votes/{self.vote_id}/ballot"
        return {
            "projector page": ("secretary", "GET", f"{self.base}/projector", None),
            "chair's console": ("chair", "GET", f"{self.base}/chair", None),
            "member's page": ("member", "GET", f"{self.base}/member", None),
            "public page": (None, "GET", self.base, None),
            **{
                f"live region ({view})": (who, "GET", f"{self.base}/live/{view}?since=0", None)
                for who, view in (
                    ("chair", "chair"),
                    ("secretary", "projector"),
                    ("member", "member"),
                    (None, "public"),
                )
            },
            "refused: second ballot": (
                "voted",
                "POST",
                ballot,
                {"view": "member", "choice": "no", "ballot-understood": "y"},
            ),
            "refused: ballot unticked": ("member", "POST", ballot, {"view": "member", "choice": "yes"}),
            "refused: point of order too long": (
                "member",
                "POST",
                f"{self.base}/points-of-order",
                {"view": "member", "point-text": LONG_POINT},
            ),
        }


def send(app, client, method, path, data=None):
    """(response, its statements), in a fresh session and with nothing kept from an earlier page,
    after the request once before (the values kept per data version are there, as for every view but
    the first after a write)."""
    for _ in range(2):
        if hasattr(app.wsgi_app, "clear"):
            app.wsgi_app.clear()
        shared_body.clear()
        db.session.remove()
        with counted_statements() as statements:
            response = client.open(path, method=method, data=data)
    return response, list(statements)


def measure(app, sitting):
    clients = {}
    found = {}
    for name, (who, method, path, data) in sitting.requests().items():
        if who not in clients:
            clients[who] = app.test_client()
            if who is not None:
                login(clients[who], User(username=sitting.people[who]))
        response, statements = send(app, clients[who], method, path, data)
        assert response.status_code == (200 if method == "GET" else 400), (name, response.status_code)
        found[name] = statements
    return found


@pytest.fixture
def sittings(app, make):
    return Sitting(make, size=5, items=2), Sitting(make, size=12, items=5)


def test_live_views_run_the_same_statements_whatever_the_council_and_the_agenda(app, sittings):
    small, large = (measure(app, sitting) for sitting in sittings)
    assert {name: len(s) for name, s in large.items()} == {name: len(s) for name, s in small.items()}
    for name, statements in large.items():
        # the council's members once per request, also where a refused action checked them first
        assert sum(1 for s in statements if COUNCIL_MEMBERS.search(s)) == 1, name
        # the meeting's items (with their motions, turns and votes) read once, not row by row
        assert sum(1 for s in statements if re.search(r"\bFROM meeting_item\b", s)) == 1, (name, statements)


def test_a_refused_action_answers_the_page_it_came_from_with_its_message_and_the_input(app, client, make):
    sitting = Sitting(make, size=6, items=2)
    login(client, User(username=sitting.people["voted"]))
    client.get(f"{sitting.base}/member")  # shows the login's message
    page = client.get(f"{sitting.base}/member").get_data(as_text=True)
    who, method, path, data = sitting.requests()["refused: second ballot"]
    ballots = count(Ballot)
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and response.headers["Cache-Control"] == "no-store"
    assert '<p class="flash error">您已对该动议表决过，表决不能更改。</p>' in html
    # the member's page as the member sees it, with the message (its language links point to the action)
    assert FLASHES.sub("", html).replace(path, f"{sitting.base}/member") == page
    assert count(Ballot) == ballots

    client.post("/auth/logout")
    login(client, User(username=sitting.people["member"]))
    _who, method, path, data = sitting.requests()["refused: point of order too long"]
    response = client.post(path, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and '<p class="flash error">' in html
    assert f">{LONG_POINT}</textarea>" in html or f'value="{LONG_POINT}"' in html  # the form back as typed
