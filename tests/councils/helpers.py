"""Plain helpers for the council tests: micro-matters on the agenda list, and a meeting
scheduled, opened and debating a motion through the real services."""

from datetime import timedelta

from sqlalchemy import func, select

from app.core.clock import utcnow
from app.councils import attendance, meetings, review, votes
from app.councils.models import AgendaItem
from app.extensions import db
from app.matters.models import MicroMatter
from app.rules.models import RuleSet


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def set_rules(community, **fields):
    rules = db.session.scalar(select(RuleSet).where(RuleSet.community_id == community.id))
    for key, value in fields.items():
        setattr(rules, key, value)
    db.session.commit()


def make_matter(
    community,
    proposer,
    title="加装楼道扶手",
    status="on_agenda",
    cost=30_000,
    project_type="works",
    category="accessibility",
):
    matter = MicroMatter(
        community_id=community.id,
        proposer_id=proposer.id,
        title=title,
        description="说明",
        description_html="<p>说明</p>",
        category=category,
        location="3栋",
        estimated_cost=cost,
        project_type=project_type,
        status=status,
        support_count=20,
    )
    db.session.add(matter)
    db.session.flush()
    if status == "on_agenda":
        review.ensure_agenda_item(matter)
    db.session.commit()
    return matter


def agenda_ids(community):
    return [
        item.id
        for item in db.session.query(AgendaItem).filter_by(community_id=community.id).order_by(AgendaItem.position)
    ]


def schedule(c, *, items=None, starts_in=timedelta(minutes=30), urgent=True, reason="水管爆裂，需尽快决定"):
    return meetings.schedule_meeting(
        c.committee,
        c.community,
        title="第1次议事会",
        starts_at=utcnow() + starts_in,
        place="社区活动室",
        chair_id=c.chair.id,
        secretary_id=c.committee.id,
        agenda_item_ids=items if items is not None else agenda_ids(c.community),
        urgent=urgent,
        urgent_reason=reason,
    )


def open_meeting(c, present=3):
    """Scheduled (urgent, starting soon), `present` council members checked in (chair first), opened."""
    meeting = schedule(c)
    for user in c.council[:present]:
        attendance.check_in(c.committee, meeting, user.id)
    meetings.open_meeting(c.committee, meeting)
    return meeting


def debate(c, meeting, kind="approve", budget=25_000, item=None):
    """Open the first item, member 1 moves, member 2 seconds: the motion is under debate."""
    item = item or meeting.items[0]
    meetings.open_item(c.committee, meeting, item)
    motion = votes.move_motion(c.members[0], meeting, item, kind, budget, "同意实施")
    votes.second_motion(c.members[1], meeting, motion)
    return item, motion


def held_meeting(c):
    """A meeting held and closed: one item approved by a named vote of the three members present."""
    meeting = open_meeting(c, present=3)
    _item, motion = debate(c, meeting)
    vote = votes.open_vote(c.chair, meeting, motion, "named")
    for user in c.council[:3]:
        votes.cast_vote(user, meeting, vote, "yes")
    votes.close_vote(c.chair, meeting, vote)
    meetings.close_meeting(c.chair, meeting)
    return meeting


def decide_in_meeting(w, agenda_item_id, kind, votes_for=3, text="", title="议事会"):
    """An urgent meeting on one agenda item: everyone on the council (`w.council`) present, member 1
    moves a motion of `kind`, member 2 seconds, the first `votes_for` of `w.members` vote yes and the
    others no. Returns (meeting, motion, the vote's result)."""
    meeting = meetings.schedule_meeting(
        w.committee,
        w.community,
        title=title,
        starts_at=utcnow() + timedelta(minutes=30),
        place="活动室",
        chair_id=w.chair.id,
        secretary_id=w.committee.id,
        agenda_item_ids=[agenda_item_id],
        urgent=True,
        urgent_reason="尽快决定",
    )
    for user in w.council:
        attendance.check_in(w.committee, meeting, user.id)
    meetings.open_meeting(w.committee, meeting)
    item = meeting.items[0]
    meetings.open_item(w.committee, meeting, item)
    motion = votes.move_motion(w.members[0], meeting, item, kind, None, text)
    votes.second_motion(w.members[1], meeting, motion)
    vote = votes.open_vote(w.committee, meeting, motion, "named")
    for n, user in enumerate(w.members):
        votes.cast_vote(user, meeting, vote, "yes" if n < votes_for else "no")
    return meeting, motion, votes.close_vote(w.committee, meeting, vote)
