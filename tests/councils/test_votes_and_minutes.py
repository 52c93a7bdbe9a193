"""Motions, seconders, the three ways of voting, results under the rules, outcomes, and minutes."""

import pytest
from sqlalchemy import inspect, select

from app.audit.models import AuditEntry
from app.communities.models import Role
from app.core.errors import DomainError
from app.councils import attendance, meetings, minutes, votes
from app.councils.models import (
    Ballot,
    Minutes,
    Motion,
    SecretBallotMark,
    SecretChoice,
    SecretTally,
    VoteResult,
)
from app.extensions import db
from tests.helpers import login

from .helpers import count, debate, held_meeting, open_meeting, set_rules

# ---------------------------------------------------------------- motions


def test_a_motion_needs_its_seconders_before_the_vote(council):
    c = council
    set_rules(c.community, seconders_needed=2)
    meeting = open_meeting(c, present=5)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    motion = votes.move_motion(c.members[0], meeting, item, "approve", 20_000)
    with pytest.raises(DomainError, match="0"):
        votes.open_vote(c.chair, meeting, motion, "named")
    with pytest.raises(DomainError):
        votes.second_motion(c.members[0], meeting, motion)  # the mover
    with pytest.raises(DomainError):
        votes.second_motion(c.chair, meeting, motion)  # the chair stays neutral
    votes.second_motion(c.members[1], meeting, motion)
    with pytest.raises(DomainError):
        votes.second_motion(c.members[1], meeting, motion)  # twice
    with pytest.raises(DomainError, match="1"):
        votes.open_vote(c.chair, meeting, motion, "named")
    votes.second_motion(c.members[2], meeting, motion)
    assert motion.status == "debate"
    assert votes.open_vote(c.chair, meeting, motion, "named").is_open


def test_motion_rules(council):
    c = council
    meeting = open_meeting(c, present=4)
    item = meeting.items[0]
    with pytest.raises(DomainError):
        votes.move_motion(c.members[0], meeting, item, "reject")  # item not open
    meetings.open_item(c.committee, meeting, item)
    with pytest.raises(DomainError):
        votes.move_motion(c.chair, meeting, item, "reject")  # chair
    with pytest.raises(DomainError):
        votes.move_motion(c.members[3], meeting, item, "reject")  # not checked in
    with pytest.raises(DomainError):
        votes.move_motion(c.members[0], meeting, item, "approve", None)  # no budget
    with pytest.raises(DomainError):
        votes.move_motion(c.members[0], meeting, item, "approve", 600_000)  # over the works cap
    with pytest.raises(DomainError):
        votes.move_motion(c.members[0], meeting, item, "postpone")
    votes.move_motion(c.members[0], meeting, item, "reject", 5_000)
    with pytest.raises(DomainError):
        votes.move_motion(c.members[1], meeting, item, "refer_to_vote")  # one open motion per item
    assert db.session.scalar(select(Motion)).budget is None


# ---------------------------------------------------------------- votes


def test_no_vote_without_quorum(council):
    c = council
    meeting = open_meeting(c, present=3)
    item, motion = debate(c, meeting)
    attendance.check_out(c.committee, meeting, c.members[1].id)
    with pytest.raises(DomainError, match="法定人数"):
        votes.open_vote(c.chair, meeting, motion, "named")
    assert motion.vote is None and motion.status == "debate"


def test_named_votes_once_each_only_by_members_present_at_the_opening(council):
    c = council
    meeting = open_meeting(c, present=3)
    item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    attendance.check_in(c.committee, meeting, c.members[2].id)  # arrives after the vote opened
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[2], meeting, vote, "yes")
    with pytest.raises(DomainError):
        votes.cast_vote(c.resident, meeting, vote, "yes")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    with pytest.raises(DomainError, match="不能更改"):
        votes.cast_vote(c.members[0], meeting, vote, "no")
    with pytest.raises(DomainError):
        votes.record_hand(c.committee, meeting, vote, c.members[0].id, "no")
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[1], meeting, vote, "maybe")
    votes.record_hand(c.committee, meeting, vote, c.members[1].id, "no")
    with pytest.raises(DomainError):
        votes.record_hand(c.members[0], meeting, vote, c.chair.id, "yes")  # members do not record hands
    result = votes.close_vote(c.committee, meeting, vote)
    assert (result.yes, result.no, result.abstain, result.not_voted) == (1, 1, 0, 1)
    assert not result.passed and motion.status == "failed" and item.matter.status == "on_agenda"
    with pytest.raises(DomainError, match="表决已结束"):
        votes.cast_vote(c.chair, meeting, vote, "yes")
    with pytest.raises(DomainError):
        votes.close_vote(c.committee, meeting, vote)
    assert count(Ballot) == 2 and count(VoteResult) == 1


def test_a_ballot_row_can_never_be_changed(council):
    c = council
    meeting = open_meeting(c, present=3)
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    ballot = db.session.scalar(select(Ballot))
    ballot.choice = "no"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(select(Ballot)).choice == "yes"


def test_secret_votes_keep_counts_and_who_voted_but_never_link_them(council):
    c = council
    set_rules(c.community, secret_ballot=True)
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="reject")
    with pytest.raises(DomainError):
        votes.open_vote(c.chair, meeting, motion, "named")  # the rules say secret
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[1], meeting, vote, "no")
    votes.cast_vote(c.members[2], meeting, vote, "yes")
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[2], meeting, vote, "no")
    with pytest.raises(DomainError):
        votes.record_hand(c.committee, meeting, vote, c.chair.id, "yes")
    assert count(Ballot) == 0 and count(SecretBallotMark) == 3
    mark_columns = {column.key for column in inspect(SecretBallotMark).columns}
    assert mark_columns == {"id", "vote_id", "user_id"}  # no choice, no time
    box_columns = {column.key for column in inspect(SecretChoice).columns}
    assert box_columns == {"id", "vote_id", "choice"}  # no member, no time
    # Until the close the choices wait in the box; the refused second vote left nothing there.
    assert sorted(db.session.scalars(select(SecretChoice.choice))) == ["no", "yes", "yes"]
    tally = db.session.get(SecretTally, vote.id)
    assert (tally.yes, tally.no, tally.abstain) == (0, 0, 0)
    for entry in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "vote.secret_ballot_cast")):
        assert "choice" not in entry.data
    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no, result.present) == (2, 1, 4)
    assert not result.passed  # 2 of 4 present is not more than half
    assert item.matter.status == "on_agenda"
    assert count(SecretChoice) == 0  # the box is emptied into the tally
    db.session.refresh(tally)
    assert (tally.yes, tally.no, tally.abstain) == (2, 1, 0)


def test_a_refused_secret_vote_takes_its_choice_out_of_the_box_again(council, monkeypatch):
    c = council
    set_rules(c.community, secret_ballot=True)
    meeting = open_meeting(c, present=4)
    _item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    # A second request from the same member racing past the early check: the mark's unique
    # constraint refuses it after its choice went into the box, and the choice comes out again.
    monkeypatch.setattr(votes, "has_voted", lambda _vote, _user_id: False)
    with pytest.raises(DomainError, match="不能更改"):
        votes.cast_vote(c.members[0], meeting, vote, "no")
    monkeypatch.undo()
    assert count(SecretBallotMark) == 1 and list(db.session.scalars(select(SecretChoice.choice))) == ["yes"]
    assert votes.close_vote(c.chair, meeting, vote).yes == 1


def test_a_box_that_does_not_match_the_marks_voids_the_vote(council):
    c = council
    set_rules(c.community, secret_ballot=True)
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    db.session.add(SecretChoice(vote_id=vote.id, choice="no"))  # a process died between choice and mark
    db.session.commit()
    assert votes.close_vote(c.chair, meeting, vote) is None
    assert count(VoteResult) == 0 and count(SecretChoice) == 0 and motion.status == "withdrawn"
    assert item.status == "deferred" and item.matter.status == "on_agenda"
    voided = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.voided"))
    assert voided.data["reason"] == "box_mismatch"


def test_counted_in_the_room_validated_against_members_present(council):
    c = council
    meeting = open_meeting(c, present=4)
    item, motion = debate(c, meeting, kind="refer_to_vote")
    vote = votes.open_vote(c.chair, meeting, motion, "analog")
    with pytest.raises(DomainError):
        votes.cast_vote(c.members[0], meeting, vote, "yes")
    with pytest.raises(DomainError):
        votes.close_vote(c.committee, meeting, vote, None)
    with pytest.raises(DomainError, match="4"):
        votes.close_vote(c.committee, meeting, vote, (3, 2, 0))
    result = votes.close_vote(c.committee, meeting, vote, (3, 1, 0))
    assert result.passed and result.mode == "analog"
    assert item.matter.status == "in_vote" and item.status == "decided" and item.outcome == "refer_to_vote"


def test_under_chair_decides_the_chair_votes_only_to_settle_a_tie(council):
    c = council
    set_rules(c.community, tie_rule="chair_decides", majority_base="yes_no")
    meeting = open_meeting(c, present=5)
    item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert c.chair.id not in vote.entitled and vote.casting_chair_id == c.chair.id
    with pytest.raises(DomainError, match="主持人.*不参加"):
        votes.cast_vote(c.chair, meeting, vote, "yes")  # no vote in the round
    with pytest.raises(DomainError):
        votes.record_hand(c.committee, meeting, vote, c.chair.id, "yes")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[1], meeting, vote, "no")
    with pytest.raises(DomainError, match="平票"):
        votes.cast_deciding_vote(c.chair, meeting, vote, "yes")  # not before the close
    assert votes.close_vote(c.committee, meeting, vote) is None  # tied: it waits for the chair
    assert not vote.is_open and vote.tied_counts == [1, 1, 0] and votes.awaiting_casting_vote(vote)
    assert motion.status == "voting" and count(VoteResult) == 0
    with pytest.raises(DomainError, match="表决已结束"):
        votes.cast_vote(c.members[2], meeting, vote, "yes")
    with pytest.raises(DomainError, match="决定票"):
        meetings.close_meeting(c.chair, meeting)
    with pytest.raises(DomainError):
        votes.cast_deciding_vote(c.committee, meeting, vote, "yes")  # the secretary has no deciding vote
    with pytest.raises(DomainError):
        votes.cast_deciding_vote(c.chair, meeting, vote, "abstain")
    result = votes.cast_deciding_vote(c.chair, meeting, vote, "yes")
    assert result.tie and result.casting_vote is True and result.passed
    assert (result.yes, result.no, result.present, result.not_voted) == (1, 1, 4, 2)
    assert result.quorum_met and item.matter.status == "rejected"
    with pytest.raises(DomainError):
        votes.cast_deciding_vote(c.chair, meeting, vote, "no")  # never twice
    assert count(VoteResult) == 1
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.closed"))
    assert entry.data["casting_chair_id"] == c.chair.id and entry.data["casting_vote"] is True


def test_under_chair_decides_a_vote_without_a_tie_has_no_deciding_vote(council):
    c = council
    set_rules(c.community, tie_rule="chair_decides", majority_base="yes_no")
    meeting = open_meeting(c, present=5)
    _item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.members[:3]:
        votes.cast_vote(user, meeting, vote, "yes")
    result = votes.close_vote(c.chair, meeting, vote)
    assert result.passed and not result.tie and result.casting_vote is None
    with pytest.raises(DomainError, match="平票"):
        votes.cast_deciding_vote(c.chair, meeting, vote, "no")


def test_when_a_tie_fails_the_chair_votes_in_the_round_like_any_member(council):
    c = council
    meeting = open_meeting(c, present=3)
    _item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert c.chair.id in vote.entitled and vote.casting_chair_id is None
    votes.cast_vote(c.chair, meeting, vote, "yes")
    assert count(Ballot) == 1


def test_a_passed_approval_feeds_the_lifecycle_with_motion_meeting_and_budget(council):
    c = council
    meeting = open_meeting(c, present=3)
    item, motion = debate(c, meeting, budget=28_000)
    seen = []
    from app.matters.lifecycle import matter_transitioned

    def listener(matter, action=None, data=None, **_kw):
        seen.append((action, data))

    matter_transitioned.connect(listener)
    try:
        vote = votes.open_vote(c.chair, meeting, motion, "named")
        for user in c.council[:3]:
            votes.cast_vote(user, meeting, vote, "yes")
        result = votes.close_vote(c.chair, meeting, vote)
    finally:
        matter_transitioned.disconnect(listener)
    action, data = seen[-1]
    assert action == "approve"
    assert data["motion_id"] == motion.id and data["meeting_id"] == meeting.id and data["budget"] == 28_000
    assert result.entitled == sorted(u.id for u in c.council[:3])
    assert result.majority_rule == "simple" and result.base_kind == "present" and result.ruleset_version == 1
    assert (result.quorum_numerator, result.quorum_denominator, result.quorum_strict, result.quorum_needed) == (
        1,
        2,
        True,
        3,
    )


def test_a_matter_that_moved_on_elsewhere_is_not_decided_twice(council):
    c = council
    meeting = open_meeting(c, present=3)
    item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.council[:3]:
        votes.cast_vote(user, meeting, vote, "yes")
    from app.matters import lifecycle

    lifecycle.apply(item.matter, "refer_to_vote", c.committee, system=True)  # a resident round took it meanwhile
    db.session.commit()
    assert votes.close_vote(c.chair, meeting, vote) is None  # void: it decides nothing
    assert count(VoteResult) == 0 and not vote.is_open and motion.status == "withdrawn"
    assert item.matter.status == "in_vote" and item.status == "deferred"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "vote.voided")) is not None


# ---------------------------------------------------------------- minutes


def test_minutes_are_locked_by_the_chair_and_then_never_change(council):
    c = council
    meeting = held_meeting(c)
    draft = minutes.original(meeting)
    with pytest.raises(DomainError):
        minutes.save_notes(c.members[0], draft, "乱写")
    minutes.save_notes(c.committee, draft, "**会议顺利**")
    assert "<strong>" in draft.notes_html
    with pytest.raises(DomainError):
        minutes.lock(c.committee, draft)  # the secretary does not lock
    minutes.lock(c.chair, draft)
    assert draft.content["items"][0]["motions"][0]["vote"]["passed"] is True
    with pytest.raises(DomainError):
        minutes.save_notes(c.committee, draft, "改一下")
    with pytest.raises(DomainError):
        minutes.lock(c.chair, draft)
    draft.notes = "偷偷修改"
    with pytest.raises(PermissionError):
        db.session.commit()
    db.session.rollback()
    assert minutes.original(meeting).notes == "**会议顺利**"
    correction = minutes.start_correction(c.committee, draft, "第1项预算应为28000元。")
    assert correction.corrects_id == draft.id and not correction.locked
    with pytest.raises(DomainError):
        minutes.start_correction(c.committee, draft, "再改")
    minutes.lock(c.chair, correction)
    assert count(Minutes) == 2


def test_minutes_pages(client, council):
    c = council
    meeting = held_meeting(c)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}/minutes"
    assert client.get(base).status_code == 404  # the draft is not public
    login(client, c.committee)
    draft = minutes.original(meeting)
    html = client.get(base).get_data(as_text=True)
    assert "草稿" in html and "适用规则：出席成员的简单多数，法定人数超过1/2，议事规则第1版" in html
    response = client.post(f"{base}/{draft.id}/notes", data={"notes": "记录员补充"})
    assert response.status_code == 302
    assert client.post(f"{base}/{draft.id}/lock").status_code == 400  # not the chair
    client.post("/auth/logout")
    login(client, c.chair)
    response = client.post(f"{base}/{draft.id}/lock")  # without the tick box
    assert response.status_code == 400 and "锁定后的纪要不能再更改" in response.get_data(as_text=True)
    assert not draft.locked
    assert client.post(f"{base}/{draft.id}/lock", data={f"lock{draft.id}-understood": "y"}).status_code == 302
    response = client.post(f"{base}/{draft.id}/notes", data={"notes": "锁定后修改"})
    assert response.status_code == 400 and "已锁定" in response.get_data(as_text=True)
    client.post("/auth/logout")
    html = client.get(base).get_data(as_text=True)
    assert "记录员补充" in html and "锁定后修改" not in html
    assert "议事员1" in html and "赞成3" in html
    assert (
        client.get(f"{base}?lang=en")
        .get_data(as_text=True)
        .count("Rule applied: simple majority of members present, quorum more than 1/2, rule set v1.")
        == 1
    )


# ---------------------------------------------------------------- the views and their permissions


def test_views_are_for_the_right_people(client, council):
    c = council
    meeting = open_meeting(c)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}/chair").status_code == 302  # log in
    assert client.get(f"{base}/live/chair?since=0").status_code == 403
    assert client.get(f"{base}/live/nonsense").status_code == 404
    login(client, c.members[0])
    assert client.get(f"{base}/chair").status_code == 403
    assert client.get(f"{base}/projector").status_code == 403
    assert client.get(f"{base}/member").status_code == 200
    client.post("/auth/logout")
    login(client, c.resident)
    assert client.get(f"{base}/member").status_code == 403
    other = c.make.community()
    client.post("/auth/logout")
    login(client, c.make.member(other, role=Role.COMMITTEE))
    assert client.get(f"/c/{other.slug}/meetings/{meeting.id}").status_code == 404  # wrong community


def test_member_actions_through_the_phone_view(client, council):
    c = council
    meeting = open_meeting(c, present=4)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.members[0])
    response = client.post(
        f"{base}/items/{item.id}/motions", data={"kind": "approve", "budget": "", "text": "同意", "view": "member"}
    )
    assert response.status_code == 400 and "预算" in response.get_data(as_text=True)
    assert "同意" in response.get_data(as_text=True)
    response = client.post(
        f"{base}/items/{item.id}/motions", data={"kind": "approve", "budget": "26000", "text": "同意", "view": "member"}
    )
    assert response.status_code == 302
    motion = db.session.scalar(select(Motion))
    response = client.post(f"{base}/items/{item.id}/speak", data={"stance": "pro", "view": "member"})
    assert response.status_code == 302  # the request waits while the motion looks for a seconder
    client.post("/auth/logout")
    login(client, c.members[1])
    assert client.post(f"{base}/motions/{motion.id}/second", data={"view": "member"}).status_code == 302
    assert client.post(f"{base}/items/{item.id}/speak", data={"stance": "contra", "view": "member"}).status_code == 302
    client.post("/auth/logout")
    login(client, c.chair)
    assert client.post(f"{base}/motions/{motion.id}/vote", data={"mode": "named", "view": "chair"}).status_code == 302
    vote = motion.vote
    client.post("/auth/logout")
    login(client, c.members[1])
    response = client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "yes", "view": "member"})
    assert response.status_code == 400 and "请勾选确认您的表决" in response.get_data(as_text=True)
    assert count(Ballot) == 0
    ticked = {"ballot-understood": "y", "view": "member"}
    assert client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "yes", **ticked}).status_code == 302
    response = client.post(f"{base}/votes/{vote.id}/ballot", data={"choice": "no", **ticked})
    assert response.status_code == 400 and "不能更改" in response.get_data(as_text=True)
    assert client.get(f"{base}/member").get_data(as_text=True).count("您的表决已记录") == 1
    assert count(Ballot) == 1
    assert client.post(f"{base}/votes/{vote.id}/close", data={"view": "chair"}).status_code == 400
    assert client.post(f"{base}/votes/9999/ballot", data={"choice": "yes"}).status_code == 404
    assert client.post(f"{base}/motions/9999/second").status_code == 404


def test_the_chair_runs_the_meeting_from_the_laptop_view(client, council):
    c = council
    from .helpers import schedule

    meeting = schedule(c)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.chair)
    response = client.post(f"{base}/open", data={"view": "chair"})
    assert response.status_code == 400 and "未达法定人数" in response.get_data(as_text=True)
    for user in c.council[:4]:
        assert (
            client.post(f"{base}/attendance", data={"user_id": user.id, "action": "in", "view": "chair"}).status_code
            == 302
        )
    response = client.post(f"{base}/attendance", data={"user_id": c.resident.id, "action": "in", "view": "chair"})
    assert response.status_code == 400
    assert client.post(f"{base}/open", data={"view": "chair"}).status_code == 302
    item = meeting.items[0]
    assert client.post(f"{base}/items/{item.id}/open", data={"view": "chair"}).status_code == 302
    motion = votes.move_motion(c.members[0], meeting, item, "reject")
    votes.second_motion(c.members[1], meeting, motion)
    response = client.post(f"{base}/motions/{motion.id}/vote", data={"mode": "paper", "view": "chair"})
    assert response.status_code == 400  # not a way of voting the rules know
    assert client.post(f"{base}/motions/{motion.id}/vote", data={"mode": "analog", "view": "chair"}).status_code == 302
    vote = motion.vote
    response = client.post(
        f"{base}/votes/{vote.id}/close", data={"yes": "3", "no": "3", "abstain": "0", "view": "chair"}
    )
    assert response.status_code == 400 and "4" in response.get_data(as_text=True)
    assert count(VoteResult) == 0
    response = client.post(
        f"{base}/votes/{vote.id}/close", data={"yes": "3", "no": "1", "abstain": "0", "view": "chair"}
    )
    assert response.status_code == 302
    assert item.matter.status == "rejected" and db.session.scalar(select(VoteResult)).mode == "analog"
    # hand-over and leaving, through the page
    response = client.post(
        f"{base}/handover", data={"to_user_id": c.members[2].id, "reason": "要发言", "view": "chair"}
    )
    assert response.status_code == 302 and meeting.chair_id == c.members[2].id
    assert client.get(f"{base}/chair").status_code == 403  # no longer chairing
    client.post("/auth/logout")
    login(client, c.committee)
    assert (
        client.post(
            f"{base}/attendance", data={"user_id": c.members[1].id, "action": "out", "view": "chair"}
        ).status_code
        == 302
    )
    assert "已离场" in client.get(f"{base}/chair").get_data(as_text=True)
    response = client.post(f"{base}/close", data={"view": "chair"})  # without the tick box
    assert response.status_code == 400 and "会议结束后不能重新开始" in response.get_data(as_text=True)
    assert meeting.status == "open"
    assert client.post(f"{base}/close", data={"view": "chair", "close-understood": "y"}).status_code == 302
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "主持权由陈会长移交给议事员3" in html and "决定：否决" in html


def test_a_tie_through_the_close_form_and_the_deciding_vote(client, council):
    c = council
    set_rules(c.community, tie_rule="chair_decides", majority_base="yes_no", secret_ballot=True)
    meeting = open_meeting(c, present=5)
    _item, motion = debate(c, meeting, kind="reject")
    vote = votes.open_vote(c.chair, meeting, motion, "secret")
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[1], meeting, vote, "no")
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.chair)
    assert "不参加本轮表决" in client.get(f"{base}/chair").get_data(as_text=True)
    member_html = client.get(f"{base}/member").get_data(as_text=True)
    assert "您主持本次会议，不参加本轮表决" in member_html and "vote-yes" not in member_html
    response = client.post(
        f"{base}/votes/{vote.id}/ballot", data={"choice": "yes", "view": "member", "ballot-understood": "y"}
    )
    assert response.status_code == 400 and count(SecretBallotMark) == 2
    response = client.post(f"{base}/votes/{vote.id}/close", data={"view": "chair"})
    assert response.status_code == 302
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert "平票" in html and "决定票：反对" in html
    ticked = {"view": "chair", "decide-understood": "y"}
    response = client.post(f"{base}/votes/{vote.id}/decide", data={"choice": "maybe", **ticked})
    assert response.status_code == 400
    response = client.post(f"{base}/votes/{vote.id}/decide", data={"choice": "no", "view": "chair"})
    assert response.status_code == 400 and count(VoteResult) == 0  # not confirmed
    response = client.post(f"{base}/votes/{vote.id}/decide", data={"choice": "no", **ticked})
    assert response.status_code == 302
    result = db.session.scalar(select(VoteResult))
    assert result.tie and result.casting_vote is False and not result.passed and (result.yes, result.no) == (1, 1)
    response = client.post(f"{base}/votes/{vote.id}/decide", data={"choice": "yes", **ticked})
    assert response.status_code == 400 and count(VoteResult) == 1
    assert client.post(f"{base}/close", data={"view": "chair", "close-understood": "y"}).status_code == 302
    html = client.get(f"{base}/minutes").get_data(as_text=True)
    assert "主持人未参加本轮表决" in html and "主持人的决定票" in html
