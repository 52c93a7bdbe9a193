"""Every council page renders for the people who use it (and the live regions answer 204 when unchanged)."""

import re

from app.core import clock
from app.councils import attendance, meetings, minutes, speakers, votes
from tests.helpers import login

from .helpers import debate, open_meeting


def test_pages_render_through_a_meeting(council, client, monkeypatch):
    c = council
    slug = c.community.slug
    assert client.get(f"/c/{slug}/agenda/").status_code == 200
    assert client.get(f"/c/{slug}/meetings/").status_code == 200
    assert client.get(f"/c/{slug}/rules/").status_code == 200
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting)
    speakers.ask_to_speak(c.members[2], meeting, item, "pro")
    speakers.next_speaker(c.committee, meeting, item)
    base = f"/c/{slug}/meetings/{meeting.id}"
    assert client.get(base).status_code == 200
    login(client, c.committee)
    for path in ("/review", "/meetings/new", "/rules/edit"):
        response = client.get(f"/c/{slug}{path}")
        assert response.status_code == 200, path
    for view in ("chair", "projector"):
        response = client.get(f"{base}/{view}")
        assert response.status_code == 200, response.get_data(as_text=True)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)  # the projector's code changes with the minute
    html = client.get(f"{base}/projector").get_data(as_text=True)
    assert "<svg" in html and attendance.checkin_code(meeting) in html
    since = re.search(r"since=([\w-]+)", html).group(1)
    assert client.get(f"{base}/live/projector?since={since}").status_code == 204
    monkeypatch.undo()
    assert client.get(f"{base}/live/projector?since=0").status_code == 200
    client.post("/auth/logout")
    login(client, c.members[0])
    assert client.get(f"{base}/member").status_code == 200
    vote = votes.open_vote(c.committee, meeting, motion, "named")
    assert client.get(f"{base}/member").status_code == 200
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[1], meeting, vote, "yes")
    votes.close_vote(c.committee, meeting, vote)
    assert client.get(f"{base}/member").status_code == 200
    meetings.close_meeting(c.committee, meeting)
    assert client.get(f"{base}/minutes").status_code == 200
    minutes.lock(c.chair, minutes.original(meeting))
    client.post("/auth/logout")
    response = client.get(f"{base}/minutes")
    assert response.status_code == 200
    assert client.get(f"/c/{slug}/matters/{item.matter.id}").status_code == 200
