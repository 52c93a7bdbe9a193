"""Meetings with 30 people (issues 15 and 16): the chair records motions, seconding and speaker
requests for members present without a phone; members ask to speak before any motion; the phone
view links to the subject; the projector names each result's item; named or secret voting is
chosen per vote within the rules; the chair's own secret ballot; and the confirmations of what
cannot be undone (a vote, closing the meeting, locking the minutes)."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.councils import attendance, meetings, minutes, speakers, votes
from app.councils.models import (
    Minutes,
    Motion,
    Seconding,
    SecretBallotMark,
    SecretChoice,
    SpeakingTurn,
    VoteMode,
    VoteResult,
)
from app.councils.subjects import MatterSubject, Subject
from app.extensions import db
from app.rules.models import RuleSet
from tests.helpers import login

from .helpers import count, debate, open_meeting, set_rules

BY_CHAIR = "（由主持人代为登记）"


def base_of(c, meeting):
    return f"/c/{c.community.slug}/meetings/{meeting.id}"


# ---------------------------------------------------------------- the chair records for a member


def test_the_chair_records_for_present_members_only(council):
    c = council
    set_rules(c.community, seconders_needed=2)
    meeting = open_meeting(c, present=3)  # chair, members 0 and 1; members 2 and 3 are not here
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    absent = c.members[2]
    with pytest.raises(DomainError, match="已签到"):
        votes.move_motion(c.chair, meeting, item, "reject", member_id=absent.id)
    with pytest.raises(DomainError, match="已签到"):
        speakers.ask_to_speak(c.chair, meeting, item, "pro", member_id=absent.id)
    with pytest.raises(DomainError, match="主持"):
        votes.move_motion(c.committee, meeting, item, "reject", member_id=c.members[0].id)  # the secretary
    with pytest.raises(DomainError, match="主持"):
        votes.move_motion(c.members[1], meeting, item, "reject", member_id=c.members[0].id)
    with pytest.raises(DomainError, match="中立"):
        votes.move_motion(c.chair, meeting, item, "reject", member_id=c.chair.id)  # the chair stays neutral
    assert count(Motion) == 0 and count(SpeakingTurn) == 0

    motion = votes.move_motion(c.chair, meeting, item, "approve", 20_000, "按预算实施", member_id=c.members[0].id)
    assert (motion.mover_id, motion.entered_by_id) == (c.members[0].id, c.chair.id)
    with pytest.raises(DomainError, match="动议人"):
        votes.second_motion(c.chair, meeting, motion, member_id=c.members[0].id)  # the mover, even so
    attendance.check_out(c.committee, meeting, c.members[1].id)
    with pytest.raises(DomainError, match="已签到"):
        votes.second_motion(c.chair, meeting, motion, member_id=c.members[1].id)  # has left
    attendance.check_in(c.committee, meeting, c.members[1].id)
    votes.second_motion(c.chair, meeting, motion, member_id=c.members[1].id)
    seconding = db.session.scalar(select(Seconding))
    assert (seconding.user_id, seconding.entered_by_id) == (c.members[1].id, c.chair.id)
    with pytest.raises(DomainError, match="该议事员已经附议"):
        votes.second_motion(c.chair, meeting, motion, member_id=c.members[1].id)
    turn = speakers.ask_to_speak(c.chair, meeting, item, "contra", member_id=c.members[1].id)
    assert (turn.user_id, turn.entered_by_id) == (c.members[1].id, c.chair.id)
    with pytest.raises(DomainError, match="该议事员已经在发言名单"):
        speakers.ask_to_speak(c.chair, meeting, item, "pro", member_id=c.members[1].id)

    entries = {
        e.action: e
        for e in db.session.scalars(
            select(AuditEntry).where(
                AuditEntry.action.in_(["motion.moved", "motion.seconded", "meeting.speaker_requested"])
            )
        )
    }
    assert entries["motion.moved"].actor_id == c.chair.id
    assert entries["motion.moved"].data["member_id"] == c.members[0].id
    assert entries["motion.seconded"].data == {**entries["motion.seconded"].data, "entered_by_chair": True}
    assert entries["meeting.speaker_requested"].data["member_id"] == c.members[1].id


def test_entries_by_the_chair_through_the_chair_view_and_in_the_minutes(client, council):
    c = council
    meeting = open_meeting(c, present=4)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    base = base_of(c, meeting)
    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "为没有手机的议事员代为登记" in html and len(html.encode()) < 50_000
    assert f'<option value="{c.members[3].id}"' not in html  # not checked in: not offered
    response = client.post(
        f"{base}/items/{item.id}/motions",
        data={"view": "chair", "for-member_id": str(c.members[3].id), "for-kind": "reject", "for-text": "不同意"},
    )
    assert response.status_code == 400 and "已签到且在场" in response.get_data(as_text=True)
    assert "不同意" in response.get_data(as_text=True) and count(Motion) == 0
    response = client.post(f"{base}/items/{item.id}/motions", data={"view": "chair", "for-kind": "reject"})
    assert response.status_code == 400 and "请选择议事员" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/items/{item.id}/motions",
        data={"view": "chair", "for-member_id": str(c.members[0].id), "for-kind": "reject", "for-text": "不同意"},
    )
    assert response.status_code == 302
    motion = db.session.scalar(select(Motion))
    assert motion.mover_id == c.members[0].id and motion.entered_by_id == c.chair.id
    response = client.post(f"{base}/motions/{motion.id}/second", data={"view": "chair", "member_id": "abc"})
    assert response.status_code == 400 and count(Seconding) == 0
    response = client.post(
        f"{base}/motions/{motion.id}/second", data={"view": "chair", "member_id": str(c.members[1].id)}
    )
    assert response.status_code == 302
    response = client.post(
        f"{base}/items/{item.id}/speak", data={"view": "chair", "member_id": str(c.members[2].id), "stance": "pro"}
    )
    assert response.status_code == 302
    assert client.get(f"{base}/chair").get_data(as_text=True).count(BY_CHAIR) == 3  # mover, seconder, queue
    assert BY_CHAIR in client.get(f"{base}/projector").get_data(as_text=True)  # the queue
    client.post("/auth/logout")
    login(client, c.members[0])
    assert client.get(f"{base}/member").get_data(as_text=True).count(BY_CHAIR) == 3
    # A member cannot record for another member.
    response = client.post(
        f"{base}/items/{item.id}/speak", data={"view": "member", "member_id": str(c.members[1].id), "stance": "pro"}
    )
    assert response.status_code == 400 and count(SpeakingTurn) == 1

    speakers.next_speaker(c.chair, meeting, item)
    speakers.end_turn(c.chair, meeting, item)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.council[:4]:
        votes.cast_vote(user, meeting, vote, "yes")
    votes.close_vote(c.chair, meeting, vote)
    meetings.close_meeting(c.chair, meeting)
    draft = minutes.original(meeting)
    minutes.lock(c.chair, draft)
    record = draft.content["items"][0]
    assert record["motions"][0]["mover_by_chair"] is True
    assert record["motions"][0]["seconders_by_chair"] == [c.members[1].display_name]
    assert record["speakers"][0]["by_chair"] is True
    client.post("/auth/logout")
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert f"动议人：{c.members[0].display_name} {BY_CHAIR}" in html
    assert f"（{c.members[1].display_name}的附议由主持人代为登记）" in html
    assert f"{c.members[2].display_name} — 正方 {BY_CHAIR}" in html  # the speaker


# ---------------------------------------------------------------- speaking before a motion


def test_members_ask_to_speak_before_any_motion_from_the_phone(client, council):
    c = council
    meeting = open_meeting(c, present=4)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    base = base_of(c, meeting)
    login(client, c.members[2])
    html = client.get(f"{base}/member").get_data(as_text=True)
    assert "尚无动议" in html and 'name="stance" value="pro"' in html
    response = client.post(f"{base}/items/{item.id}/speak", data={"stance": "pro", "view": "member"})
    assert response.status_code == 302
    turn = db.session.scalar(select(SpeakingTurn))
    assert turn.user_id == c.members[2].id and turn.motion_id is None
    client.post("/auth/logout")
    login(client, c.chair)
    assert "请下一位发言" in client.get(f"{base}/chair").get_data(as_text=True)
    assert client.post(f"{base}/items/{item.id}/next-speaker", data={"view": "chair"}).status_code == 302
    assert turn.status == "speaking"


# ---------------------------------------------------------------- the phone view and the projector


def test_the_phone_view_links_to_the_subject_and_the_projector_names_each_result(client, council):
    c = council
    meeting = open_meeting(c, present=3)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    base = base_of(c, meeting)
    matter_url = f"/c/{c.community.slug}/matters/{item.matter.id}"
    login(client, c.members[0])
    html = client.get(f"{base}/member").get_data(as_text=True)
    assert f'href="{matter_url}"' in html and f'href="{matter_url}#comments"' in html
    assert "#photos-heading" not in html  # no photos, no link to them
    motion = votes.move_motion(c.members[0], meeting, item, "reject")
    votes.second_motion(c.members[1], meeting, motion)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.council[:3]:
        votes.cast_vote(user, meeting, vote, "no")
    votes.close_vote(c.chair, meeting, vote)
    client.post("/auth/logout")
    login(client, c.committee)
    html = client.get(f"{base}/projector").get_data(as_text=True)
    result = html[html.index('class="result') :]
    assert f'<p class="result-title">{item.subject.title}</p>' in result


def test_subject_links(app):
    with app.test_request_context():
        matter = SimpleNamespace(id=7, community=SimpleNamespace(slug="xl"), photos=[object(), object()])
        links = [(str(label), url) for label, url in MatterSubject(matter).links]
        assert links == [
            ("查看完整提案", "/c/xl/matters/7"),
            ("照片（2张）", "/c/xl/matters/7#photos-heading"),
            ("居民评论", "/c/xl/matters/7#comments"),
        ]

        class Amendment(Subject):  # a subject another feature plugs in: its own page
            url = "/c/xl/convention/amendments/3"

        assert [url for _label, url in Amendment().links] == ["/c/xl/convention/amendments/3"]


# ---------------------------------------------------------------- named or secret, per vote


def test_the_chair_chooses_named_or_secret_per_vote_within_the_rules(client, council):
    c = council
    ruleset = db.session.scalar(select(RuleSet).where(RuleSet.community_id == c.community.id))
    assert votes.allowed_modes(ruleset) == [VoteMode.NAMED, VoteMode.SECRET, VoteMode.ANALOG]
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="reject")
    base = base_of(c, meeting)
    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert '<option selected value="named">' in html and '<option value="secret">' in html  # the rules' way first
    assert client.post(f"{base}/motions/{motion.id}/vote", data={"mode": "secret", "view": "chair"}).status_code == 302
    vote = motion.vote
    assert vote.mode == VoteMode.SECRET
    opened = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.opened"))
    assert opened.data["mode"] == "secret"
    for user in c.council[:4]:
        votes.cast_vote(user, meeting, vote, "no")
    result = votes.close_vote(c.chair, meeting, vote)
    assert result.mode == "secret" and result.no == 4
    meetings.close_meeting(c.chair, meeting)
    minutes.lock(c.chair, minutes.original(meeting))
    client.post("/auth/logout")
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "表决方式：无记名投票" in html and "本次表决由主持人决定采用无记名投票" in html


def test_under_secret_rules_no_vote_is_named(council):
    c = council
    set_rules(c.community, secret_ballot=True)
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="reject")
    with pytest.raises(DomainError):
        votes.open_vote(c.chair, meeting, motion, "named")
    assert votes.open_vote(c.chair, meeting, motion, "secret").mode == VoteMode.SECRET


def test_the_chair_votes_secretly_from_the_console_once(client, council):
    c = council
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    assert c.chair.id in vote.entitled
    base = base_of(c, meeting)
    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "您本人的表决" in html and f"/votes/{vote.id}/ballot" in html
    ticked = {"view": "chair", "ballot-understood": "y"}
    response = client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "yes", "view": "chair"})
    assert response.status_code == 400 and count(SecretBallotMark) == 0 and count(SecretChoice) == 0
    assert client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "yes", **ticked}).status_code == 302
    response = client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "no", **ticked})
    assert response.status_code == 400 and "不能更改" in response.get_data(as_text=True)
    assert count(SecretBallotMark) == 1 and count(SecretChoice) == 1
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "您本人的表决" not in html and "您的表决已记录" in html
    votes.cast_vote(c.members[0], meeting, vote, "no")
    votes.cast_vote(c.members[1], meeting, vote, "no")
    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no, result.abstain, result.not_voted) == (1, 2, 0, 1)
    assert db.session.scalar(select(VoteResult)).id == result.id


# ---------------------------------------------------------------- nothing irreversible by accident


def test_vote_buttons_differ_by_more_than_colour_and_say_what_cannot_be_undone(client, council):
    c = council
    meeting = open_meeting(c, present=3)
    item, motion = debate(c, meeting, kind="reject")
    votes.open_vote(c.chair, meeting, motion, "named")
    login(client, c.members[0])
    html = client.get(f"{base_of(c, meeting)}/member").get_data(as_text=True)
    for choice, icon, text in (("yes", "✓", "赞成"), ("no", "✕", "反对"), ("abstain", "○", "弃权")):
        assert (
            f'value="{choice}" class="vote-choice vote-{choice}"><span class="vote-icon" aria-hidden="true">{icon}'
            f"</span> {text}</button>"
        ) in html
    assert "表决一经提交即为最终结果，不能更改" in html and 'name="ballot-understood"' in html
    assert "confirm.js" in html


def test_closing_the_meeting_and_locking_the_minutes_need_the_tick(client, council):
    c = council
    meeting = open_meeting(c, present=3)
    base = base_of(c, meeting)
    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "会议结束后不能重新开始" in html and 'name="close-understood"' in html
    response = client.post(f"{base}/close", data={"view": "chair", "close-understood": ""})
    assert response.status_code == 400 and meeting.status == "open"
    assert "请勾选确认：会议结束后不能重新开始" in response.get_data(as_text=True)
    assert client.post(f"{base}/close", data={"view": "chair", "close-understood": "y"}).status_code == 302
    assert meeting.status == "closed"
    draft = minutes.original(meeting)
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "锁定后纪要按现在的内容公开" in html and f'name="lock{draft.id}-understood"' in html
    response = client.post(f"{base}/minutes/{draft.id}/lock", data={f"lock{draft.id + 1}-understood": "y"})
    assert response.status_code == 400 and not draft.locked  # another record's tick does not count
    response = client.post(f"{base}/minutes/{draft.id}/lock", data={f"lock{draft.id}-understood": "y"})
    assert response.status_code == 302 and draft.locked and count(Minutes) == 1
