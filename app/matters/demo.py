"""Demo step (right after core.load): 28 micro-matters of the demo community, in every category
and project type, with supports (附议), follows and comments of each stance, in Chinese.

Everything goes through the services and lifecycle.apply, as a resident's clicks would; only the
dates are moved into the past afterwards so the lists read like a few months of real use.
Statuses: 3 draft, 5 collecting, 2 under_review, 1 withdrawn, 1 not_admitted, 16 on_agenda (the
later demo steps take on_agenda matters on to meetings, votes, approval and implementation).
The texts are in demo_texts.py. Puts the created matters, in the order of demo_texts.MATTERS,
into context["matters"].
"""

import random
from datetime import timedelta

from sqlalchemy import select

from app.core import clock
from app.extensions import db

from . import lifecycle
from .demo_texts import COMMENTS, HIDDEN, MATTERS, NOT_ADMITTED_REASON, REPLIES_COMMITTEE, REPLIES_PROPOSER
from .lifecycle import Status
from .models import Comment, Support
from .services import comments, follows, proposals, supports


def propose(proposer, community, fields, submit=True):
    """A demo micro-matter from (title, description, category, location, cost, kind); the other
    features' demo steps propose some of their own."""
    title, description, category, location, cost, kind = fields
    return proposals.create_matter(
        proposer,
        community,
        submit=submit,
        title=title,
        description=description,
        category=category,
        location=location,
        estimated_cost=cost,
        project_type=kind,
    )


def proposed_and_admitted(proposer, community, fields, pool, rng, committee):
    """A demo micro-matter with supports from `pool` until it reaches review; then the committee
    admits it to the agenda list."""
    matter = propose(proposer, community, fields)
    for supporter in rng.sample(pool, supports.support_threshold(community)):
        if matter.status != Status.COLLECTING:
            break
        supports.support(supporter, matter)
    if matter.status == Status.UNDER_REVIEW:
        lifecycle.apply(matter, "admit", committee)
    return matter


def _comment(user, matter, stance, body):
    return comments.add_comment(user, matter, stance, body)


def _discuss(matter, proposer, committee, people, rng, count):
    """A few comments of mixed stance, a reply or two from the proposer and the committee."""
    stances = rng.sample(["support", "support", "support", "oppose", "neutral", "neutral"], count)
    first_question = None
    for author, stance in zip(people, stances, strict=False):
        comment = _comment(author, matter, stance, rng.choice(COMMENTS[stance]))
        if stance != "support" and first_question is None:
            first_question = comment
    if first_question is not None:
        comments.reply(proposer, first_question, rng.choice(REPLIES_PROPOSER))
        if rng.random() < 0.5:
            comments.reply(committee, first_question, rng.choice(REPLIES_COMMITTEE))


def _backdate(matter, days, rng):
    """Move the matter, its supports and comments back in time (display only; the audit log keeps real times)."""
    now = clock.now()
    submitted = now - timedelta(days=days, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))
    matter.created_at = submitted - timedelta(days=rng.randint(0, 3), hours=rng.randint(1, 8))
    if matter.status != Status.DRAFT:
        matter.submitted_at = submitted
        matter.status_changed_at = min(now, submitted + timedelta(days=min(days, rng.randint(3, 12))))
    span = max(1, int((now - submitted).total_seconds() // 60) - 10)
    for row in db.session.scalars(select(Support).where(Support.matter_id == matter.id)):
        row.created_at = submitted + timedelta(minutes=rng.randint(5, span))
    for row in db.session.scalars(select(Comment).where(Comment.matter_id == matter.id).order_by(Comment.id)):
        row.created_at = submitted + timedelta(minutes=rng.randint(5, span))
        if row.parent_id is not None:
            parent = db.session.get(Comment, row.parent_id)
            row.created_at = max(row.created_at, parent.created_at + timedelta(hours=rng.randint(1, 20)))
        if row.hidden_at is not None:
            row.hidden_at = row.created_at + timedelta(hours=rng.randint(1, 6))


def load(context):
    """Run within app.demo.rows_kept (as `flask demo` does): seconds instead of half a minute."""
    community, committee = context["community"], context["committee"]
    residents = context["residents"]
    rng = random.Random(20261127)  # noqa: S311  # nosec B311
    threshold = supports.support_threshold(community)
    resident1 = residents[0]
    # resident1 (a demo login) proposes one collecting matter and one draft, and supports others.
    proposers = rng.sample(residents[1:120], len(MATTERS))
    proposers[21] = resident1
    proposers[25] = resident1
    matters = []
    for index, (status, title, category, kind, cost, location, description, days) in enumerate(MATTERS):
        proposer = proposers[index]
        matter = propose(proposer, community, (title, description, category, location, cost, kind), status != "draft")
        matters.append(matter)
        if status == "draft":
            _backdate(matter, days, rng)
            continue
        others = [r for r in residents if r.id != proposer.id]
        pool = rng.sample(others, 40)
        if resident1.id != proposer.id and index % 3 == 0:
            pool.insert(0, resident1)
        if status in ("on_agenda", "under_review", "not_admitted"):
            supporters = pool[:threshold]  # the last one takes it over the threshold, to review
        elif status == "collecting":
            supporters = pool[: rng.randint(3, threshold - 2)]
        else:
            supporters = pool[:4]
        for supporter in supporters:
            supports.support(supporter, matter)
        for follower in rng.sample(others, rng.randint(1, 4)):
            if follower.id not in {s.id for s in supporters[:2]}:
                follows.follow(follower, matter)
        talkers = rng.sample(others, 5)
        _discuss(matter, proposer, committee, talkers, rng, rng.randint(2, 5))
        if status == "on_agenda":
            lifecycle.apply(matter, "admit", committee)
        elif status == "not_admitted":
            lifecycle.apply(matter, "decline", committee, reason=NOT_ADMITTED_REASON)
        elif status == "withdrawn":
            _comment(others[5], matter, "oppose", "草坪是孩子们玩的地方，狗的粪便和噪音会影响很多人。")
            _comment(others[6], matter, "oppose", "10栋西侧离窗户太近，晚上遛狗会吵到一楼住户。")
            reply_to = _comment(others[7], matter, "neutral", "能不能换个离楼远一点的位置？")
            comments.reply(proposer, reply_to, "听了大家的意见，我先撤回，和邻居们商量好位置再重新提。")
            lifecycle.apply(matter, "withdraw", proposer)
        db.session.commit()
        _backdate(matter, days, rng)
    # One advertisement the committee hid, with its public reason.
    spam = _comment(residents[150], matters[0], "neutral", HIDDEN[0])
    comments.hide_comment(committee, spam, HIDDEN[1])
    spam.created_at = matters[0].submitted_at + timedelta(days=2)
    spam.hidden_at = spam.created_at + timedelta(hours=3)
    follows.follow(resident1, matters[0])
    db.session.commit()
    context["matters"] = matters
