"""Residents' objections to a notice, the committee's public answers (and taking one up again), and
the transition guards they make: an unanswered objection holds the notice's matters, and work on
them starts only after the objection period."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.communities.services import committee_of
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import get_or_404, insert_once
from app.core.text import checked_text
from app.extensions import db
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import permissions
from .models import Notice, NoticeMatter, NoticePeriod, Objection
from .services import notice_link

MAX_OBJECTION = 2000
MAX_ANSWER = 3000
MAX_REOPEN_REASON = 1000
ONE_OBJECTION = _l(
    "You have already lodged an objection to this notice; each resident may lodge one. "
    "The committee answers it publicly."
)
# The transition that marks the start of work on a matter (the tracker's "start").
WORK_STARTS = "start_implementation"


def _audit(action, obj, actor, notice, **data):
    record(action, obj, actor=actor, community=notice.community_id, notice_id=notice.id, **data)


def lodge_objection(actor, notice, body):
    if permissions.community_permissions.is_committee(actor, notice.community):
        raise DomainError(_l("The committee answers objections; it does not lodge them."))
    if not permissions.may_object_here(actor, notice):
        raise DomainError(_l("Only verified residents of this community can lodge an objection."))
    state = permissions.period_state(notice)
    if state == NoticePeriod.UPCOMING:
        raise DomainError(_l("The notice period has not started yet."))
    if state == NoticePeriod.ENDED:
        raise DomainError(_l("The notice period has ended; objections are closed."))
    body = checked_text(
        body,
        "body",
        MAX_OBJECTION,
        _l("Please write your objection."),
        too_long=_l("An objection may be at most %(n)s characters.", n=MAX_OBJECTION),
    )
    if permissions.has_objected(actor, notice):
        raise DomainError(ONE_OBJECTION)
    # The same form sent twice at once is refused by the unique constraint.
    objection = insert_once(Objection(notice_id=notice.id, author_id=actor.id, body=body), ONE_OBJECTION)
    _audit("notice.objection_lodged", objection, actor, notice)
    notify(
        committee_of(notice.community),
        N_("An objection to the notice “%(title)s” awaits your answer."),
        notice_link(notice, _anchor=f"objection-{objection.id}"),
        title=notice.title,
    )
    db.session.commit()
    return objection


def _objection_for_committee(actor, notice, objection_id, refusal):
    """The objection of this notice that a committee member acts on (404 for another notice's)."""
    if not permissions.can_answer_objections(actor, notice.community):
        raise DomainError(refusal)
    return get_or_404(Objection, objection_id, notice_id=notice.id)


def _tell_author(objection, notice, message, **params):
    """Tell the (unnamed) author what became of their objection, with a link to it."""
    notify(
        [objection.author],
        message,
        notice_link(notice, _anchor=f"objection-{objection.id}"),
        title=notice.title,
        **params,
    )


def answer_objection(actor, notice, objection_id, answer):
    objection = _objection_for_committee(actor, notice, objection_id, _l("Only the committee can answer objections."))
    if objection.is_answered:
        raise DomainError(_l("This objection has already been answered."))
    answer = checked_text(
        answer,
        "answer",
        MAX_ANSWER,
        _l("Please write the answer; it will be published."),
        too_long=_l("An answer may be at most %(n)s characters.", n=MAX_ANSWER),
    )
    objection.answer = answer
    objection.answered_by_id = actor.id
    objection.answered_at = clock.now()
    _audit("notice.objection_answered", objection, actor, notice, answer=answer)
    _tell_author(objection, notice, N_("The committee answered your objection to “%(title)s”."))
    db.session.commit()
    return objection


def reopen_objection(actor, notice, objection_id, reason):
    """The committee takes an answered objection up again: it holds the notice's matters once more."""
    objection = _objection_for_committee(actor, notice, objection_id, _l("Only the committee can reopen objections."))
    if not objection.is_answered:
        raise DomainError(_l("This objection is still awaiting its answer."))
    reason = checked_text(
        reason,
        "reason",
        MAX_REOPEN_REASON,
        _l("Please give a reason for reopening; it will be published."),
        too_long=_l("The reason may be at most %(n)s characters.", n=MAX_REOPEN_REASON),
    )
    objection.answered_at = objection.answered_by_id = None
    objection.reopened_at, objection.reopened_by_id, objection.reopen_reason = clock.now(), actor.id, reason
    _audit("notice.objection_reopened", objection, actor, notice, reason=reason)
    _tell_author(
        objection, notice, N_("The committee reopened your objection to “%(title)s”: %(reason)s"), reason=reason
    )
    db.session.commit()
    return objection


def unanswered_objections(matter_id):
    """Notices on this matter with objections still waiting for the committee's answer."""
    held = (
        select(NoticeMatter.notice_id)
        .join(Objection, Objection.notice_id == NoticeMatter.notice_id)
        .where(NoticeMatter.matter_id == matter_id, Objection.answered_at.is_(None))
    )
    return db.session.scalars(select(Notice).where(Notice.id.in_(held)).order_by(Notice.id)).all()


def periods_not_ended(matter_id, today=None):
    """Notices on this matter whose objection period has not ended yet, the latest end first."""
    covering = select(NoticeMatter.notice_id).where(NoticeMatter.matter_id == matter_id)
    return db.session.scalars(
        select(Notice)
        .where(Notice.id.in_(covering), Notice.period_end >= (today or clock.local_today()))
        .order_by(Notice.period_end.desc(), Notice.id)
    ).all()


def objections_hold_the_matter(matter, action):
    """While an objection to a notice on this matter is unanswered, the matter cannot move on."""
    if matter.id is None:
        return None
    held_by = unanswered_objections(matter.id)
    if held_by:
        return _l(
            "An objection to the notice “%(title)s” has not been answered yet. The micro-matter can "
            "move on once the committee has answered every objection.",
            title=held_by[0].title,
        )
    return None


def objection_period_holds_the_work(matter, action):
    """Work on a matter a notice covers starts only after the notice's objection period."""
    if action != WORK_STARTS or matter.id is None or not current_ruleset(matter.community).objection_days:
        return None
    held_by = periods_not_ended(matter.id)
    if held_by:
        return _l(
            "Work cannot start before the objection period of the notice “%(title)s” ends on %(end)s.",
            title=held_by[0].title,
            end=held_by[0].period_end.isoformat(),
        )
    return None
