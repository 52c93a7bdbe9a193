"""Review by the committee (admit, decline) and the agenda list admitted matters wait on."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import NotFound

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.service import commit, require
from app.core.text import clean_plain
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.matters.models import MicroMatter
from app.rules import admissibility
from app.rules.services import current_ruleset

from . import permissions
from .common import _matter
from .models import AgendaItem, ItemStatus, MeetingItem, MeetingStatus, Motion, MotionVote, Review, ReviewDecision

# ---------------------------------------------------------------- review


def review_queue(community):
    return db.session.scalars(
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status == Status.UNDER_REVIEW)
        .order_by(MicroMatter.status_changed_at, MicroMatter.id)
    ).all()


def checks_for(matter, ruleset):
    return admissibility.check(matter.estimated_cost, matter.project_type, matter.category, ruleset)


def recent_reviews(community, limit=20):
    return db.session.scalars(
        select(Review).where(Review.community_id == community.id).order_by(Review.id.desc()).limit(limit)
    ).all()


def review_and_agenda_item(matter):
    """(its latest review, its agenda entry), either None, with what the matter's page shows of them
    (the review's rules, the meetings, motions and results): one statement per kind, not per row."""
    latest = select(func.max(Review.id)).where(Review.matter_id == matter.id).scalar_subquery()
    row = db.session.execute(
        select(Review, AgendaItem)
        .select_from(MicroMatter)
        .outerjoin(Review, Review.id == latest)
        .outerjoin(AgendaItem, AgendaItem.matter_id == MicroMatter.id)
        .where(MicroMatter.id == matter.id)
        .options(
            joinedload(Review.ruleset),
            selectinload(AgendaItem.meeting_items).options(
                joinedload(MeetingItem.meeting),
                selectinload(MeetingItem.motions).joinedload(Motion.vote).joinedload(MotionVote.result),
            ),
        )
    ).first()
    return (row[0], row[1]) if row else (None, None)


def ensure_agenda_item(matter, actor=None, review=None):
    """The matter's entry on its community's agenda list, appended at the end if new."""
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.matter_id == matter.id))
    if item is None:
        item = append_agenda_item(matter.community_id, actor, matter_id=matter.id)
    if review is not None:
        item.review = review
    return item


def append_agenda_item(community_id, actor, subject_kind="matter", matter_id=None):
    """A new entry at the end of the community's agenda list; a plugged-in subject
    (councils.subjects) keeps the entry's id on its own row."""
    last = db.session.scalar(select(func.max(AgendaItem.position)).where(AgendaItem.community_id == community_id))
    item = AgendaItem(
        community_id=community_id,
        subject_kind=subject_kind,
        matter_id=matter_id,
        position=(last or 0) + 1,
        added_by_id=getattr(actor, "id", None),
        added_at=clock.now(),
    )
    db.session.add(item)
    db.session.flush()
    return item


def on_transition(matter, action=None, actor=None, data=None, **_kw):
    """Whoever admits a matter, it lands on the agenda list."""
    if action == "admit":
        ensure_agenda_item(matter, actor)


def _under_review(actor, community, matter_id):
    """(matter, rule set in force, its checks) for the committee member `actor` admitting or
    declining a matter waiting for review."""
    require(permissions.can_review(actor, community), _l("Only the committee reviews micro-matters."))
    matter = _matter(community, matter_id)
    require(matter.status == Status.UNDER_REVIEW, _l("This micro-matter is not waiting for review."))
    ruleset = current_ruleset(community)
    return matter, ruleset, checks_for(matter, ruleset)


def admit(actor, community, matter_id, judged_negative_list=False, note=""):
    matter, ruleset, checks = _under_review(actor, community, matter_id)
    if admissibility.blocking(checks):
        raise DomainError(
            _l("It does not meet the consultation rules (see the failed checks); decline it with a reason instead.")
        )
    if any(c.ok is None for c in checks) and not judged_negative_list:
        raise DomainError(_l("Confirm that the committee judged the negative list before admitting."))
    review = new_review(actor, matter, ruleset, checks, ReviewDecision.ADMIT, clean_plain(note)[:500])
    lifecycle.apply(matter, "admit", actor, ruleset_id=ruleset.id)
    item = ensure_agenda_item(matter, actor, review)
    _audit_review("review.admitted", review, actor, community, ruleset)
    commit()
    return item


def decline(actor, community, matter_id, reason):
    matter, ruleset, checks = _under_review(actor, community, matter_id)
    reason = clean_plain(reason)[:500]
    require(reason, _l("Please give a reason; it will be published."))
    review = new_review(actor, matter, ruleset, checks, ReviewDecision.DECLINE, reason)
    lifecycle.apply(matter, "decline", actor, reason=reason, ruleset_id=ruleset.id)
    _audit_review("review.declined", review, actor, community, ruleset, reason=reason)
    commit()
    return review


def new_review(actor, matter, ruleset, checks, decision, reason):
    """The committee's decision with the checks it saw, under the rules in force."""
    review = Review(
        community_id=matter.community_id,
        matter_id=matter.id,
        ruleset_id=ruleset.id,
        reviewer_id=actor.id,
        decision=decision,
        reason=reason,
        checks=[c.as_dict() for c in checks],
        created_at=clock.now(),
    )
    db.session.add(review)
    return review


def _audit_review(action, review, actor, community, ruleset, **data):
    record(
        action,
        review,
        actor=actor,
        community=community,
        matter_id=review.matter_id,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        **data,
        checks=review.checks,
    )


# ---------------------------------------------------------------- agenda list


def agenda(community):
    """(waiting, done): entries still to be deliberated in list order, then the others."""
    items = db.session.scalars(
        select(AgendaItem).where(AgendaItem.community_id == community.id).order_by(AgendaItem.position, AgendaItem.id)
    ).all()
    subjects = {i.id: i.subject for i in items}
    waiting = [i for i in items if subjects[i.id].on_agenda]
    done = sorted(
        (i for i in items if not subjects[i.id].on_agenda), key=lambda i: subjects[i.id].changed_at, reverse=True
    )
    return waiting, done


def move_agenda_item(actor, community, item_id, direction):
    require(permissions.can_manage_agenda(actor, community), _l("Only the committee keeps the agenda list."))
    require(direction in ("up", "down"), _l("Unknown direction."))
    waiting, _done = agenda(community)
    index = next((i for i, item in enumerate(waiting) if item.id == item_id), None)
    if index is None:
        raise NotFound()
    other = index - 1 if direction == "up" else index + 1
    require(0 <= other < len(waiting), _l("It is already at that end of the list."))
    # Renumber the waiting entries 1..n in their new order.
    order = list(waiting)
    order[index], order[other] = order[other], order[index]
    for position, item in enumerate(order, start=1):
        item.position = position
    record(
        "agenda.reordered",
        waiting[index],
        actor=actor,
        community=community,
        direction=direction,
        order=[item.matter_id or item.subject.audit_ref for item in order],  # other subjects by reference
    )
    commit()


def scheduled_item(agenda_item):
    """The meeting item that will deal with this entry (in a scheduled or open meeting), if any."""
    for meeting_item in agenda_item.meeting_items:
        if meeting_item.meeting.status != MeetingStatus.CLOSED and meeting_item.status in (
            ItemStatus.PENDING,
            ItemStatus.OPEN,
        ):
            return meeting_item
    return None


def schedulable_items(community):
    waiting, _done = agenda(community)
    return [item for item in waiting if scheduled_item(item) is None]
