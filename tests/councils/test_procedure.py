"""Meeting procedure (issue 14): amendments voted before the motion they amend, motions to defer
an item or adjourn the meeting, and points of order the chair rules on before the next vote."""

from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.core.errors import DomainError
from app.councils import meetings, minutes, minutes_record, review, votes
from app.councils.models import ItemStatus, MeetingStatus, Motion, MotionStatus, PointOfOrder, VoteResult
from app.extensions import db
from app.yearbook import services as yearbook
from tests.helpers import login

from .helpers import count, debate, open_meeting, set_rules


def vote_on(c, meeting, motion, yes):
    """A named vote of the four members present besides the chair: the first `yes` vote yes."""
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for n, member in enumerate(c.members):
        votes.cast_vote(member, meeting, vote, "yes" if n < yes else "no")
    return votes.close_vote(c.chair, meeting, vote)


def amendment(c, meeting, item, budget=None, text=""):
    motion = votes.move_procedural(c.members[2], meeting, item, "amend", text, budget)
    votes.second_motion(c.members[3], meeting, motion)
    return motion


def approved_budget():
    return db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.approve")).data["budget"]


def actions():
    return [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]


# ---------------------------------------------------------------- precedence (pure)


def fake_item(*motions):
    pending = [SimpleNamespace(kind=kind, status=status, active=True) for kind, status in motions]
    return SimpleNamespace(status=ItemStatus.OPEN, motions=pending)


@pytest.mark.parametrize(
    ("motions", "allowed"),
    [
        ((), ["defer", "adjourn"]),  # nothing to amend yet
        ((("approve", "moved"),), ["defer", "adjourn"]),  # not seconded: no amendment yet
        ((("approve", "debate"),), ["amend", "defer", "adjourn"]),
        ((("approve", "debate"), ("amend", "moved")), ["defer", "adjourn"]),  # one amendment at a time
        ((("approve", "debate"), ("defer", "debate")), ["adjourn"]),
        ((("approve", "debate"), ("adjourn", "moved")), []),
        ((("approve", "debate"), ("amend", "voting")), []),  # nothing while a vote is under way
    ],
)
def test_only_motions_of_a_higher_rank_may_be_moved_over_pending_ones(motions, allowed):
    assert votes.may_move(fake_item(*motions)) == allowed
    assert votes.may_move(None) == []


# ---------------------------------------------------------------- amendments


def test_a_carried_amendment_changes_the_motion_which_is_then_voted_as_amended(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting, budget=25_000)
    amend = amendment(c, meeting, item, budget=18_000, text="同意实施，预算压缩")
    assert amend.amends_id == main.id and amend.status == MotionStatus.DEBATE
    with pytest.raises(DomainError, match="修正案"):  # the main motion waits for the amendment
        votes.open_vote(c.chair, meeting, main, "named")
    result = vote_on(c, meeting, amend, yes=3)
    assert result.passed and result.majority_rule == meeting.ruleset.majority_rule  # the general majority
    db.session.refresh(main)
    assert main.status == MotionStatus.DEBATE  # still to be voted, now as amended
    assert (main.budget, main.text) == (18_000, "同意实施，预算压缩")
    assert main.as_moved == {"budget": 25_000, "text": "同意实施"}  # the motion as moved stays on record
    assert vote_on(c, meeting, main, yes=3).passed
    assert item.status == ItemStatus.DECIDED and approved_budget() == 18_000
    assert {"motion.moved", "motion.amended", "vote.closed"} <= set(actions())
    meetings.close_meeting(c.chair, meeting)
    record = minutes_record.build_content(meeting)["items"][0]["motions"]
    assert record[1]["amends_id"] == main.id and record[0]["as_moved"]["budget"] == 25_000
    # the yearly record (台账) counts the decision, not the amendment that led to it
    report = yearbook.community_report(c.community, meeting.starts_at.year)
    [row] = next(part for part in report.sections if part.name == "meetings").rows
    assert (row["decisions"], row["passed"]) == (1, 1)


def test_a_lost_amendment_leaves_the_motion_as_moved(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting, budget=25_000)
    amend = amendment(c, meeting, item, budget=18_000)
    assert not vote_on(c, meeting, amend, yes=1).passed
    assert amend.status == MotionStatus.FAILED and item.status == ItemStatus.OPEN
    db.session.refresh(main)
    assert main.budget == 25_000 and main.as_moved is None
    assert vote_on(c, meeting, main, yes=3).passed
    assert approved_budget() == 25_000


def test_amendments_are_moved_on_a_motion_under_debate_one_at_a_time(council):
    c = council
    set_rules(c.community, seconders_needed=1)
    meeting = open_meeting(c, present=5)
    item = meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    with pytest.raises(DomainError):  # nothing to amend yet
        votes.move_procedural(c.members[2], meeting, item, "amend", "改为两万")
    main = votes.move_motion(c.members[0], meeting, item, "reject", None, "不同意")
    with pytest.raises(DomainError):  # not seconded yet
        votes.move_procedural(c.members[2], meeting, item, "amend", "改为两万")
    votes.second_motion(c.members[1], meeting, main)
    with pytest.raises(DomainError):  # a motion without a budget takes no other figure
        votes.move_procedural(c.members[2], meeting, item, "amend", "", 20_000)
    with pytest.raises(DomainError):  # an amendment says how
        votes.move_procedural(c.members[2], meeting, item, "amend", "  ")
    with pytest.raises(DomainError):  # the chair stays neutral
        votes.move_procedural(c.chair, meeting, item, "amend", "改")
    amend = votes.move_procedural(c.members[2], meeting, item, "amend", "暂不同意")
    with pytest.raises(DomainError):  # one amendment at a time
        votes.move_procedural(c.members[3], meeting, item, "amend", "另一种措辞")
    with pytest.raises(DomainError):  # not seconded: no vote
        votes.open_vote(c.chair, meeting, amend, "named")
    # Withdrawing the motion lets its pending amendment lapse with it.
    votes.withdraw_motion(c.members[0], meeting, main)
    assert amend.status == MotionStatus.WITHDRAWN and main.status == MotionStatus.WITHDRAWN
    assert count(Motion) == 2


def test_an_amendment_takes_the_general_majority_even_when_the_motion_needs_more(council):
    c = council
    set_rules(c.community, budget_majority_rule="two_thirds", budget_majority_base="all_members")
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting, budget=25_000)
    amend = amendment(c, meeting, item, budget=20_000)
    assert vote_on(c, meeting, amend, yes=3).passed  # 3 of 4 voting: a simple majority
    result = vote_on(c, meeting, main, yes=3)  # two thirds of 5 members needs 4
    assert not result.passed and result.majority_rule == "two_thirds"


# ---------------------------------------------------------------- defer and adjourn


def test_a_deferred_item_goes_back_to_the_agenda_list(council, client):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting)
    defer = votes.move_procedural(c.members[2], meeting, item, "defer")
    with pytest.raises(DomainError, match="暂缓|休会"):  # the deferral is voted on first
        votes.open_vote(c.chair, meeting, main, "named")
    with pytest.raises(DomainError):  # an amendment does not come over a pending deferral
        votes.move_procedural(c.members[3], meeting, item, "amend", "改")
    votes.second_motion(c.members[3], meeting, defer)
    assert vote_on(c, meeting, defer, yes=3).passed
    assert item.status == ItemStatus.POSTPONED and main.status == MotionStatus.WITHDRAWN
    assert item.agenda_item in review.schedulable_items(c.community)  # it can go to a later meeting
    with pytest.raises(DomainError):  # not again in this meeting
        meetings.open_item(c.committee, meeting, item)
    assert "meeting.item_postponed" in actions()
    html = client.get(f"/c/{c.community.slug}/agenda/").get_data(as_text=True)
    assert "推迟到以后的会议" in html


def test_a_lost_deferral_leaves_the_item_open(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting)
    defer = votes.move_procedural(c.members[2], meeting, item, "defer")
    votes.second_motion(c.members[3], meeting, defer)
    assert not vote_on(c, meeting, defer, yes=2).passed  # a tie fails
    assert item.status == ItemStatus.OPEN and main.status == MotionStatus.DEBATE
    assert vote_on(c, meeting, main, yes=3).passed


def test_adjourning_closes_the_meeting_and_returns_the_remaining_items(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting)
    adjourn = votes.move_procedural(c.members[2], meeting, item, "adjourn")
    votes.second_motion(c.members[3], meeting, adjourn)
    with pytest.raises(DomainError):  # a deferral does not come over an adjournment
        votes.move_procedural(c.members[3], meeting, item, "defer")
    assert vote_on(c, meeting, adjourn, yes=3).passed
    assert meeting.status == MeetingStatus.CLOSED and main.status == MotionStatus.WITHDRAWN
    assert [i.status for i in meeting.items] == [ItemStatus.DEFERRED] * len(meeting.items)
    assert {i.agenda_item for i in meeting.items} <= set(review.schedulable_items(c.community))
    assert minutes.original(meeting) is not None
    assert minutes_record.build_content(meeting)["adjourned"] is True
    closed = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "meeting.closed"))
    assert closed.data["adjourned_by_motion_id"] == adjourn.id


# ---------------------------------------------------------------- points of order


def test_a_point_of_order_is_ruled_on_before_the_next_vote(council):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting)
    point = votes.raise_point_of_order(c.members[2], meeting, "发言超时未被制止")
    with pytest.raises(DomainError, match="程序问题"):
        votes.open_vote(c.chair, meeting, main, "named")
    with pytest.raises(DomainError, match="程序问题"):
        meetings.close_meeting(c.chair, meeting)
    with pytest.raises(DomainError):  # only the presiding chair rules
        votes.rule_on_point(c.committee, meeting, point, True, "确有超时")
    with pytest.raises(DomainError):  # with a reason
        votes.rule_on_point(c.chair, meeting, point, True, " ")
    with pytest.raises(DomainError):
        votes.raise_point_of_order(c.members[2], meeting, "")
    votes.rule_on_point(c.chair, meeting, point, False, "发言仍在时限内")
    with pytest.raises(DomainError):  # final
        votes.rule_on_point(c.chair, meeting, point, True, "改判")
    assert vote_on(c, meeting, main, yes=3).passed
    meetings.close_meeting(c.chair, meeting)
    (recorded,) = minutes_record.build_content(meeting)["points_of_order"]
    assert recorded["text"] == "发言超时未被制止" and recorded["upheld"] is False
    assert recorded["ruling_reason"] == "发言仍在时限内" and recorded["item_position"] == 1
    assert {"meeting.point_of_order_raised", "meeting.point_of_order_ruled"} <= set(actions())


# ---------------------------------------------------------------- through the pages


def test_the_procedure_through_the_member_and_chair_views(council, client):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting, budget=25_000)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.members[2])
    html = client.get(f"{base}/member").get_data(as_text=True)
    assert "amend-text" in html and 'value="defer"' in html and 'value="adjourn"' in html
    response = client.post(f"{base}/items/{item.id}/amend", data={"view": "member", "amend-text": "x" * 501})
    assert response.status_code == 400 and count(Motion) == 1
    response = client.post(
        f"{base}/items/{item.id}/amend", data={"view": "member", "amend-text": "预算改为两万", "amend-budget": "20000"}
    )
    assert response.status_code == 302
    amend = db.session.scalar(select(Motion).where(Motion.kind == "amend"))
    assert amend.budget == 20_000 and amend.mover_id == c.members[2].id
    response = client.post(f"{base}/items/{item.id}/procedure", data={"view": "member", "kind": "amend"})
    assert response.status_code == 400  # an amendment has its own form
    response = client.post(f"{base}/points-of-order", data={"view": "member", "point-text": "尚未附议就讨论"})
    assert response.status_code == 302
    point = db.session.scalar(select(PointOfOrder))
    assert "尚未附议就讨论" in client.get(f"{base}/member").get_data(as_text=True)
    assert "等待主持人裁定" in client.get(base).get_data(as_text=True)  # the public page shows it too
    client.post("/auth/logout")

    login(client, c.chair)
    html = client.get(f"{base}/chair").get_data(as_text=True)
    assert f"ruling{point.id}-reason" in html and len(html.encode()) < 50_000
    # The chair seconds the amendment for member 3, who has no phone.
    response = client.post(f"{base}/motions/{amend.id}/second", data={"view": "chair", "member_id": c.members[3].id})
    assert response.status_code == 302
    response = client.post(f"{base}/motions/{amend.id}/vote", data={"view": "chair", "mode": "named"})
    assert response.status_code == 400 and amend.vote is None  # the point of order first
    ruling = {"view": "chair", f"ruling{point.id}-upheld": "yes", f"ruling{point.id}-reason": "应先附议"}
    response = client.post(f"{base}/points-of-order/{point.id}/ruling", data=ruling)
    assert response.status_code == 400 and point.ruled_at is None  # not confirmed
    ruling[f"ruling{point.id}-understood"] = "y"
    assert client.post(f"{base}/points-of-order/{point.id}/ruling", data=ruling).status_code == 302
    db.session.refresh(point)
    assert point.upheld is True and point.ruled_by_id == c.chair.id
    response = client.post(f"{base}/motions/{main.id}/vote", data={"view": "chair", "mode": "named"})
    assert response.status_code == 400 and main.vote is None  # the amendment first
    assert client.post(f"{base}/motions/{amend.id}/vote", data={"view": "chair", "mode": "named"}).status_code == 302
    # The chair records a motion to defer and a point of order for member 3.
    response = client.post(
        f"{base}/points-of-order",
        data={"view": "chair", "forpoint-member_id": c.members[3].id, "forpoint-text": "计票"},
    )
    assert response.status_code == 302
    assert db.session.scalars(select(PointOfOrder).order_by(PointOfOrder.id)).all()[-1].entered_by_id == c.chair.id
    db.session.rollback()
    assert count(VoteResult) == 0


def test_the_chair_records_an_amendment_and_a_deferral_for_a_member(council, client):
    c = council
    meeting = open_meeting(c, present=5)
    item, main = debate(c, meeting, budget=25_000)
    base = f"/c/{c.community.slug}/meetings/{meeting.id}"
    login(client, c.chair)
    response = client.post(
        f"{base}/items/{item.id}/amend",
        data={"view": "chair", "foramend-member_id": c.members[2].id, "foramend-text": "分两期实施"},
    )
    assert response.status_code == 302
    amend = db.session.scalar(select(Motion).where(Motion.kind == "amend"))
    assert amend.mover_id == c.members[2].id and amend.entered_by_id == c.chair.id
    votes.second_motion(c.members[3], meeting, amend)
    assert vote_on(c, meeting, amend, yes=3).passed
    response = client.post(
        f"{base}/items/{item.id}/procedure", data={"view": "chair", "kind": "defer", "member_id": c.members[1].id}
    )
    assert response.status_code == 302
    defer = db.session.scalar(select(Motion).where(Motion.kind == "defer"))
    assert defer.entered_by_id == c.chair.id and defer.mover_id == c.members[1].id
    meetings.close_meeting(c.chair, meeting)
    html = client.get(f"{base}/minutes").get_data(as_text=True)  # the draft, for the chair
    assert "分两期实施" in html and "同意实施" in html  # the motion as amended and as moved
