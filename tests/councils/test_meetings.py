"""Scheduling under the notice rule, attendance and quorum, the chair, items and the speakers list."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core import clock
from app.core.clock import utcnow
from app.core.errors import DomainError
from app.councils import attendance, common, meetings, review, speakers, votes
from app.councils.models import Attendance, ChairHandover, Meeting, SpeakingTurn
from app.extensions import db
from app.notifications.models import Notification
from tests.helpers import login

from .helpers import agenda_ids, count, debate, open_meeting, schedule


def actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# ---------------------------------------------------------------- scheduling


def test_scheduling_inside_the_notice_period_needs_urgency_and_a_reason(council):
    c = council
    with pytest.raises(DomainError, match="3"):
        schedule(c, starts_in=timedelta(days=2), urgent=False)
    with pytest.raises(DomainError):
        schedule(c, starts_in=timedelta(days=2), urgent=True, reason="")
    assert count(Meeting) == 0
    meeting = schedule(c, starts_in=timedelta(days=2), urgent=True, reason="雨季前必须决定")
    assert meeting.urgent and meeting.urgent_reason == "雨季前必须决定"
    assert [i.matter.title for i in meeting.items] == ["议题1", "议题2", "议题3"]
    told = {n.user_id for n in db.session.scalars(select(Notification))}
    assert {u.id for u in c.council} <= told
    assert "meeting.scheduled" in actions()


def test_scheduling_with_enough_notice_is_never_marked_urgent(council):
    meeting = schedule(council, starts_in=timedelta(days=4), urgent=True, reason="不需要")
    assert not meeting.urgent and meeting.urgent_reason == ""


@pytest.mark.parametrize(
    "change, message",
    [
        (dict(starts_in=-timedelta(hours=1)), "将来"),
        (dict(items=[]), "至少选择一个"),
        (dict(items=[999]), "只能选择"),
    ],
)
def test_bad_schedules_are_refused(council, change, message):
    with pytest.raises(DomainError, match=message):
        schedule(council, **change)
    assert count(Meeting) == 0


def test_an_item_is_in_one_upcoming_meeting_at_a_time_and_roles_are_checked(council):
    c = council
    schedule(c, items=agenda_ids(c.community)[:1])
    with pytest.raises(DomainError):
        schedule(c, items=agenda_ids(c.community)[:1])
    with pytest.raises(DomainError, match="主持人必须"):
        meetings.schedule_meeting(
            c.committee,
            c.community,
            title="会",
            starts_at=utcnow() + timedelta(days=5),
            place="室",
            chair_id=c.resident.id,
            secretary_id=c.committee.id,
            agenda_item_ids=agenda_ids(c.community)[1:],
        )
    with pytest.raises(DomainError, match="记录员必须"):
        meetings.schedule_meeting(
            c.committee,
            c.community,
            title="会",
            starts_at=utcnow() + timedelta(days=5),
            place="室",
            chair_id=c.chair.id,
            secretary_id=c.resident.id,
            agenda_item_ids=agenda_ids(c.community)[1:],
        )
    with pytest.raises(DomainError, match="居委会"):
        meetings.schedule_meeting(
            c.chair,
            c.community,
            title="会",
            starts_at=utcnow() + timedelta(days=5),
            place="室",
            chair_id=c.chair.id,
            secretary_id=c.committee.id,
            agenda_item_ids=agenda_ids(c.community)[1:],
        )


def test_schedule_form(client, council):
    c = council
    login(client, c.committee)
    page = client.get(f"/c/{c.community.slug}/meetings/new").get_data(as_text=True)
    assert "议题1" in page
    local = (utcnow() + timedelta(days=1, hours=8)).strftime("%Y-%m-%dT%H:%M")
    data = {
        "title": "第2次议事会",
        "starts_at": local,
        "place": "活动室",
        "chair_id": c.chair.id,
        "secretary_id": c.committee.id,
        "items": agenda_ids(c.community)[:2],
    }
    response = client.post(f"/c/{c.community.slug}/meetings/new", data=data)
    assert response.status_code == 400 and "提前3天通知" in response.get_data(as_text=True)
    assert "第2次议事会" in response.get_data(as_text=True)  # the typed text is kept
    response = client.post(
        f"/c/{c.community.slug}/meetings/new", data={**data, "urgent": "y", "urgent_reason": "汛期临近"}
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert len(meeting.items) == 2 and meeting.urgent
    # The form's local time (Asia/Shanghai) is stored as UTC.
    assert abs((meeting.starts_at - (utcnow() + timedelta(days=1))).total_seconds()) < 120
    public = client.get(f"/c/{c.community.slug}/meetings/{meeting.id}").get_data(as_text=True)
    assert "汛期临近" in public
    client.post("/auth/logout")
    login(client, c.chair)
    assert client.get(f"/c/{c.community.slug}/meetings/new").status_code == 403


# ---------------------------------------------------------------- attendance and quorum


def test_quorum_is_needed_to_open_and_counts_council_members_only(council):
    c = council
    meeting = schedule(c)
    attendance.check_in(c.committee, meeting, c.chair.id)
    attendance.check_in(c.committee, meeting, c.members[0].id)
    with pytest.raises(DomainError, match="2"):
        meetings.open_meeting(c.chair, meeting)  # 2 of 5, 3 needed
    with pytest.raises(DomainError):
        attendance.check_in(c.committee, meeting, c.resident.id)  # not on the council
    with pytest.raises(DomainError):
        attendance.check_in(c.committee, meeting, c.members[0].id)  # twice
    attendance.check_in(c.committee, meeting, c.members[1].id)
    assert common.quorum_now(meeting).met
    meetings.open_meeting(c.chair, meeting)
    assert meeting.status == "open" and meeting.opened_present == 3


def test_opening_and_check_in_wait_until_an_hour_before_the_start(council):
    c = council
    meeting = schedule(c, starts_in=timedelta(days=5), urgent=False)
    with pytest.raises(DomainError):
        attendance.check_in(c.committee, meeting, c.chair.id)
    with pytest.raises(DomainError):
        attendance.self_check_in(c.chair, meeting, attendance.checkin_code(meeting))
    with clock.shifted(timedelta(days=5) - timedelta(minutes=30)):
        attendance.check_in(c.committee, meeting, c.chair.id)


def test_self_check_in_with_the_code_on_the_projector(client, council):
    c = council
    meeting = schedule(c)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    url = f"{base}/checkin/{attendance.checkin_code(meeting)}"
    assert client.get(url).status_code == 302  # log in first
    login(client, c.members[0])
    for wrong in ("wrong-token", "签到", meeting.checkin_token):  # the meeting's secret itself is no code
        response = client.get(f"{base}/checkin/{wrong}")
        assert response.status_code == 400 and "签到码已过期或无效" in response.get_data(as_text=True)
        assert client.post(f"{base}/checkin/{wrong}").status_code == 400
    assert count(Attendance) == 0
    assert "签到" in client.get(url).get_data(as_text=True)
    response = client.post(url)
    assert response.status_code == 302 and response.headers["Location"].endswith("/member")
    checked_in = db.session.scalar(select(Attendance))
    assert checked_in.user_id == c.members[0].id and checked_in.method == "self"
    response = client.post(url)
    assert response.status_code == 400 and "已经签到" in response.get_data(as_text=True)
    assert count(Attendance) == 1
    client.post("/auth/logout")
    login(client, c.resident)
    response = client.post(url)
    assert response.status_code == 400 and count(Attendance) == 1


def test_the_check_in_code_changes_every_minute_and_a_forwarded_photo_expires(client, council, monkeypatch):
    c = council
    meeting = schedule(c)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    photo = attendance.checkin_code(meeting)  # what the projector shows now
    assert attendance.checkin_code(meeting, now + timedelta(minutes=1)) != photo
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.members[0])
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(minutes=2))  # the photo was forwarded
    response = client.get(f"{base}/checkin/{photo}")
    assert response.status_code == 400 and "签到码已过期或无效" in response.get_data(as_text=True)
    response = client.post(f"{base}/checkin/{photo}")
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and html.count("签到码已过期或无效") == 1 and count(Attendance) == 0
    with pytest.raises(DomainError, match="过期"):
        attendance.self_check_in(c.members[1], meeting, photo)
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(minutes=1))  # scanned late in its minute
    assert client.post(f"{base}/checkin/{photo}").status_code == 302
    assert db.session.scalar(select(Attendance)).user_id == c.members[0].id


def test_the_projector_shows_this_minutes_code_as_a_public_link(client, council, app, monkeypatch):
    c = council
    app.config["PUBLIC_BASE_URL"] = "https://weiyi.example.org"
    meeting = schedule(c)
    now = clock.now()
    monkeypatch.setattr(clock, "now", lambda: now)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.committee)
    html = client.get(f"{base}/projector").get_data(as_text=True)
    code = attendance.checkin_code(meeting)
    assert f"https://weiyi.example.org{base}/checkin/{code}" in html and "://localhost" not in html
    assert meeting.checkin_token not in html
    since = f"{meeting.revision}-{code}"
    assert client.get(f"{base}/live/projector?since={since}").status_code == 204
    monkeypatch.setattr(clock, "now", lambda: now + timedelta(minutes=1))  # a new minute: a new code
    response = client.get(f"{base}/live/projector?since={since}")
    assert response.status_code == 200 and attendance.checkin_code(meeting) in response.get_data(as_text=True)


def test_the_chair_sees_how_members_checked_in_and_marks_one_absent(client, council):
    c = council
    meeting = schedule(c)
    attendance.check_in(c.committee, meeting, c.chair.id)
    attendance.self_check_in(c.members[0], meeting, attendance.checkin_code(meeting))
    attendance.check_in(c.committee, meeting, c.members[1].id)
    attendance.check_in(c.committee, meeting, c.members[2].id)
    meetings.open_meeting(c.chair, meeting)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "投影二维码" in html and '由<span class="person">周主任</span> <span class="official-badge">' in html
    response = client.post(f"{base}/attendance", data={"user_id": c.members[0].id, "action": "absent", "view": "chair"})
    assert response.status_code == 302
    assert c.members[0].id not in common.present_ids(meeting) and common.quorum_now(meeting).present == 3
    assert "已标记缺席" in client.get(f"{base}/chair").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meeting.marked_absent"))
    assert entry.data["user_id"] == c.members[0].id and entry.data["checked_in_by"] == "self"
    response = client.post(f"{base}/attendance", data={"user_id": c.members[0].id, "action": "absent", "view": "chair"})
    assert response.status_code == 400  # no longer checked in
    response = client.post(f"{base}/attendance", data={"user_id": c.chair.id, "action": "absent", "view": "chair"})
    assert response.status_code == 400
    client.post("/auth/logout")
    login(client, c.committee)  # the secretary checks members in and out, but only the chair marks absent
    response = client.post(f"{base}/attendance", data={"user_id": c.members[1].id, "action": "absent", "view": "chair"})
    assert response.status_code == 400 and "只有会议主持人" in response.get_data(as_text=True)
    meetings.close_meeting(c.chair, meeting)
    with pytest.raises(DomainError, match="会议已结束"):
        attendance.mark_absent(c.chair, meeting, c.members[1].id)
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "签到后被主持人标记缺席" in html and "议事员1" in html.split("签到后被主持人标记缺席")[1][:200]


def test_leaving_lowers_the_quorum_and_the_chair_cannot_leave(council):
    c = council
    meeting = open_meeting(c, present=3)
    with pytest.raises(DomainError):
        attendance.check_out(c.committee, meeting, c.chair.id)
    attendance.check_out(c.committee, meeting, c.members[0].id)
    assert not common.quorum_now(meeting).met
    attendance.check_in(c.committee, meeting, c.members[0].id)  # back again
    assert common.quorum_now(meeting).met
    assert actions().count("meeting.checked_in") == 4 and "meeting.left" in actions()


def test_only_the_chair_or_secretary_runs_the_meeting(council):
    c = council
    meeting = schedule(c)
    for user in (c.members[0], c.resident):
        with pytest.raises(DomainError):
            attendance.check_in(user, meeting, c.chair.id)
        with pytest.raises(DomainError):
            meetings.open_meeting(user, meeting)
    assert count(Attendance) == 0


# ---------------------------------------------------------------- chair, items, speakers


def test_the_chair_does_not_speak_until_the_chair_is_handed_over(council):
    c = council
    meeting = open_meeting(c, present=4)
    item, _motion = debate(c, meeting)
    with pytest.raises(DomainError, match="中立"):
        speakers.ask_to_speak(c.chair, meeting, item, "pro")
    speakers.ask_to_speak(c.members[2], meeting, item, "pro")
    with pytest.raises(DomainError):
        attendance.hand_over_chair(c.committee, meeting, c.members[3].id)  # not checked in
    attendance.hand_over_chair(c.committee, meeting, c.members[2].id, "陈会长要发言")
    assert meeting.chair_id == c.members[2].id
    assert speakers.queue(item) == []  # the new chair's request lapsed
    speakers.ask_to_speak(c.chair, meeting, item, "contra")
    handover = db.session.scalar(select(ChairHandover))
    assert (handover.from_user_id, handover.to_user_id, handover.reason) == (
        c.chair.id,
        c.members[2].id,
        "陈会长要发言",
    )
    with pytest.raises(DomainError):
        attendance.hand_over_chair(c.members[0], meeting, c.members[1].id)  # not running the meeting


def test_members_speak_before_any_motion_and_the_turn_limit_holds(council):
    c = council
    meeting = open_meeting(c, present=5)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    speaker = c.members[2]
    # Before any motion: a member asks to speak on the item and is called.
    early = speakers.ask_to_speak(speaker, meeting, item, "contra")
    assert early.motion_id is None
    with pytest.raises(DomainError, match="已经在发言名单"):
        speakers.ask_to_speak(speaker, meeting, item, "pro")
    assert speakers.next_speaker(c.chair, meeting, item).user_id == speaker.id
    speakers.end_turn(c.chair, meeting, item)
    motion = votes.move_motion(c.members[0], meeting, item, "reject")
    # A motion waiting for its seconders: requests wait, nobody is called yet.
    waiting = speakers.ask_to_speak(speaker, meeting, item, "pro")
    assert waiting.motion_id == motion.id
    with pytest.raises(DomainError, match="附议"):
        speakers.next_speaker(c.chair, meeting, item)
    votes.second_motion(c.members[1], meeting, motion)
    speakers.next_speaker(c.chair, meeting, item)
    speakers.end_turn(c.chair, meeting, item)
    with pytest.raises(DomainError, match="2"):
        speakers.ask_to_speak(speaker, meeting, item, "pro")  # turns_per_item = 2, before and on the motion
    assert count(SpeakingTurn) == 2
    with pytest.raises(DomainError):
        speakers.ask_to_speak(c.members[3], meeting, item, "maybe")
    votes.open_vote(c.chair, meeting, motion, "named")
    with pytest.raises(DomainError, match="表决"):
        speakers.ask_to_speak(c.members[3], meeting, item, "pro")  # not while the motion is voted on


def test_the_queue_alternates_and_puts_first_time_speakers_first(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, _motion = debate(c, meeting)
    m1, m2, m3, m4 = c.members
    speakers.ask_to_speak(m3, meeting, item, "pro")
    speakers.next_speaker(c.chair, meeting, item)  # m3 pro speaks
    speakers.end_turn(c.chair, meeting, item)
    speakers.ask_to_speak(m3, meeting, item, "contra")  # m3 again (second turn)
    speakers.ask_to_speak(m1, meeting, item, "pro")
    speakers.ask_to_speak(m2, meeting, item, "pro")
    speakers.ask_to_speak(m4, meeting, item, "contra")
    order = [(t.user_id, t.stance) for t in speakers.queue(item)]
    assert order == [(m4.id, "contra"), (m1.id, "pro"), (m2.id, "pro"), (m3.id, "contra")]
    turn = speakers.next_speaker(c.chair, meeting, item)
    assert turn.user_id == m4.id
    assert (turn.ends_at - turn.started_at) == timedelta(minutes=2)


def test_one_item_at_a_time_and_closing_an_item_defers_it(council):
    c = council
    meeting = open_meeting(c)
    first, second = meeting.items[0], meeting.items[1]
    meetings.open_item(c.committee, meeting, first)
    with pytest.raises(DomainError):
        meetings.open_item(c.committee, meeting, second)
    motion = votes.move_motion(c.members[0], meeting, first, "reject")
    with pytest.raises(DomainError):
        meetings.close_item(c.committee, meeting, first)  # a motion is open
    votes.withdraw_motion(c.members[0], meeting, motion)
    meetings.close_item(c.committee, meeting, first)
    assert first.status == "deferred" and first.matter.status == "on_agenda"
    meetings.open_item(c.committee, meeting, second)
    assert second.status == "open"


def test_closing_the_meeting_defers_what_was_not_decided_and_starts_the_minutes(council):
    c = council
    meeting = open_meeting(c)
    meetings.open_item(c.committee, meeting, meeting.items[0])
    meetings.close_meeting(c.chair, meeting)
    assert meeting.status == "closed"
    assert [i.status for i in meeting.items] == ["deferred", "deferred", "deferred"]
    from app.councils.minutes import original

    assert original(meeting) is not None and not original(meeting).locked
    # Deferred items can go into the next meeting.
    assert len(review.schedulable_items(c.community)) == 3
    with pytest.raises(DomainError):
        meetings.open_item(c.committee, meeting, meeting.items[0])


def test_every_meeting_action_is_audited(council):
    c = council
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting)
    speakers.ask_to_speak(c.members[2], meeting, item, "pro")
    speakers.next_speaker(c.chair, meeting, item)
    speakers.end_turn(c.chair, meeting, item)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.council[:4]:
        votes.cast_vote(user, meeting, vote, "yes")
    votes.close_vote(c.chair, meeting, vote)
    meetings.close_meeting(c.chair, meeting)
    done = set(actions())
    for action in (
        "meeting.scheduled",
        "meeting.checked_in",
        "meeting.opened",
        "meeting.item_opened",
        "motion.moved",
        "motion.seconded",
        "meeting.speaker_requested",
        "meeting.speaker_called",
        "meeting.speaker_finished",
        "vote.opened",
        "vote.ballot_cast",
        "vote.closed",
        "matter.approve",
        "meeting.closed",
    ):
        assert action in done, action
