"""The printed paperwork of a meeting (app/councils/print_routes.py): who may print what, what
each sheet says, and the links to them from the meeting and minutes pages. How they lay out on A4
is tests/browser/test_printouts.py."""

from app.communities.models import Role
from app.councils import minutes
from tests.helpers import login
from tests.publishing.qr_decode import decode, find_svg, rasterise

from .helpers import held_meeting, schedule


def _base(c, meeting):
    return f"/c/{c.community.slug}/meetings/{meeting.id}"


def test_the_notice_poster_and_the_agenda_are_public(client, council):
    c = council
    meeting = schedule(c, urgent=True)
    base = _base(c, meeting)
    poster = client.get(f"{base}/print/notice")
    html = poster.get_data(as_text=True)
    assert poster.status_code == 200 and "<nav" not in html
    assert meeting.title in html and "社区活动室" in html and "水管爆裂，需尽快决定" in html
    assert all(m.title in html for m in c.matters)
    assert decode(rasterise(find_svg(html))) == f"http://localhost{base}"
    assert 'class="signatures"' in html
    agenda = client.get(f"{base}/print/agenda").get_data(as_text=True)
    assert "<thead>" in agenda and all(m.title in agenda for m in c.matters)
    assert "¥30,000" in agenda and "3栋" in agenda
    assert client.get(f"/c/{c.community.slug}/meetings/999/print/agenda").status_code == 404


def test_the_sign_in_sheet_names_the_council_for_the_committee_and_the_chair_only(client, council):
    c = council
    meeting = schedule(c)
    path = f"{_base(c, meeting)}/print/sign-in"
    assert client.get(path).status_code == 302  # log in first
    for user in (c.resident, c.members[0]):
        login(client, user)
        assert client.get(path).status_code == 403
        client.post("/auth/logout")
    other = c.make.community()
    login(client, c.make.member(other, role=Role.COMMITTEE))
    assert client.get(path).status_code == 403  # the committee of another community
    assert client.get(f"/c/{other.slug}/meetings/{meeting.id}/print/sign-in").status_code == 404
    client.post("/auth/logout")
    for user in (c.committee, c.chair):
        login(client, user)
        html = client.get(path).get_data(as_text=True)
        assert all(member.display_name in html for member in c.council)
        assert c.resident.display_name not in html  # residents are not council members
        # The printed code opens the member view: the projector's check-in code changes every minute.
        assert decode(rasterise(find_svg(html))) == f"http://localhost{_base(c, meeting)}/member"
        assert "needs 3 present" in client.get(f"{path}?lang=en").get_data(as_text=True)
        client.post("/auth/logout")


def test_the_meeting_page_links_to_its_sheets(client, council):
    c = council
    meeting = schedule(c)
    base = _base(c, meeting)
    html = client.get(base).get_data(as_text=True)
    assert f'href="{base}/print/notice"' in html and f'href="{base}/print/agenda"' in html
    assert f'href="{base}/print/sign-in"' not in html
    login(client, c.committee)
    assert f'href="{base}/print/sign-in"' in client.get(base).get_data(as_text=True)


def test_minutes_print_only_once_locked_with_the_signature_lines(client, council):
    c = council
    meeting = held_meeting(c)
    base = _base(c, meeting)
    login(client, c.committee)
    assert client.get(f"{base}/minutes/print").status_code == 404  # a draft is not printed
    assert f'href="{base}/minutes/print"' not in client.get(f"{base}/minutes").get_data(as_text=True)
    minutes.lock(c.chair, minutes.original(meeting))
    client.post("/auth/logout")
    assert f'href="{base}/minutes/print"' in client.get(f"{base}/minutes").get_data(as_text=True)
    html = client.get(f"{base}/minutes/print?lang=en").get_data(as_text=True)
    assert "Chair: 陈会长" in html and "Secretary: 周主任" in html and html.count('class="sign-line"') == 2
    assert "议题1" in html and 'class="audit-head' in html
    assert decode(rasterise(find_svg(html))) == f"http://localhost{base}/minutes"
