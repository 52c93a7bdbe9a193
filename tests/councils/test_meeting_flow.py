"""A whole meeting through the services: check-in, quorum, motion, seconding, speakers, vote,
result, lifecycle, minutes."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.audit.services import verify
from app.councils import meetings, minutes, speakers, votes
from app.councils.models import MotionStatus, VoteResult
from app.extensions import db

from .helpers import debate, open_meeting


def test_a_short_meeting_decides_an_item_and_the_minutes_say_which_rules_applied(council):
    c = council
    meeting = open_meeting(c, present=4)
    assert meeting.status == "open" and meeting.opened_present == 4 and meeting.opened_quorum_needed == 3
    item, motion = debate(c, meeting)
    assert motion.status == MotionStatus.DEBATE
    speakers.ask_to_speak(c.members[2], meeting, item, "contra")
    speakers.ask_to_speak(c.members[1], meeting, item, "pro")
    turn = speakers.next_speaker(c.committee, meeting, item)
    assert turn.user_id == c.members[2].id and turn.ends_at is not None
    speakers.end_turn(c.committee, meeting, item)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    assert sorted(vote.entitled) == sorted(u.id for u in c.council[:4])
    votes.cast_vote(c.members[0], meeting, vote, "yes")
    votes.cast_vote(c.members[1], meeting, vote, "yes")
    votes.record_hand(c.committee, meeting, vote, c.members[2].id, "no")
    votes.cast_vote(c.chair, meeting, vote, "yes")
    result = votes.close_vote(c.chair, meeting, vote)
    assert (result.yes, result.no, result.abstain, result.present, result.members) == (3, 1, 0, 4, 5)
    assert result.passed and result.needed == 3 and result.base == 4
    assert result.ruleset_version == 1 and result.quorum_needed == 3
    matter = item.matter
    assert matter.status == "approved"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "matter.approve"))
    assert entry.data["budget"] == 25_000 and entry.data["motion_id"] == motion.id
    assert entry.data["meeting_id"] == meeting.id
    meetings.close_meeting(c.chair, meeting)
    draft = minutes.original(meeting)
    minutes.save_notes(c.committee, draft, "会议气氛热烈。")
    minutes.lock(c.chair, draft)
    content = draft.content
    assert content["items"][0]["motions"][0]["vote"]["yes"] == 3
    assert [s["name"] for s in content["items"][0]["speakers"]] == [c.members[2].display_name]
    assert db.session.scalar(select(VoteResult).where(VoteResult.vote_id == vote.id)).passed
    assert verify() == []
