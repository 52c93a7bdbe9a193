"""Notices (公示) with objection periods, public figures and what the feed announces."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app.audit.models import AuditEntry
from app.audit.services import record
from app.communities.models import Role
from app.communities.permissions import verified_members
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import get_or_404, insert_once
from app.core.text import checked_text, clean_plain, render_markdown
from app.core.urls import path_for
from app.councils.models import Meeting, Minutes
from app.extensions import db
from app.matters.lifecycle import OUT_OF_TOTALS, Status, interested_people
from app.matters.models import MicroMatter
from app.notifications import wecom
from app.notifications.services import notify
from app.rules.models import MAX_OBJECTION_DAYS
from app.rules.services import current_ruleset
from app.tracker.models import Evaluation, EvaluationWindow, ImplementationRecord
from app.tracker.rules import SATISFIED_STARS
from app.voting.models import RoundResult, VotingRound

from . import permissions, sources
from .models import Notice, NoticeKind, NoticeMatter, NoticePeriod, Objection

DEFAULT_PERIOD_DAYS = 7  # offered when the rules set no objection period
MAX_PREFACE = 5000
MAX_OBJECTION = 2000
MAX_ANSWER = 3000
MAX_REOPEN_REASON = 1000
ONE_OBJECTION = _l(
    "You have already lodged an objection to this notice; each resident may lodge one. "
    "The committee answers it publicly."
)

PROPOSED = [s for s in Status if s not in OUT_OF_TOTALS]
DECIDED = [
    Status.APPROVED,
    Status.REJECTED,
    Status.IMPLEMENTING,
    Status.COMPLETED,
    Status.EVALUATING,
    Status.RECTIFYING,
    Status.CLOSED,
    Status.CANCELLED,
]
COMPLETED = [Status.COMPLETED, Status.EVALUATING, Status.CLOSED]
# The transition that marks the start of work on a matter (the tracker's "start").
WORK_STARTS = "start_implementation"
# Audit actions the feed announces (decisions and completions of micro-matters).
FEED_ACTIONS = {"matter.approve": "decision", "matter.reject": "decision", "matter.complete": "completion"}


# --- Headline figures ---------------------------------------------------------------------------


def matter_counts(community_ids):
    """{community_id: {"proposed", "decided", "completed"}} in one grouped query."""
    rows = db.session.execute(
        select(
            MicroMatter.community_id,
            func.count(case((MicroMatter.status.in_(PROPOSED), 1))),
            func.count(case((MicroMatter.status.in_(DECIDED), 1))),
            func.count(case((MicroMatter.status.in_(COMPLETED), 1))),
        )
        .where(MicroMatter.community_id.in_(list(community_ids)))
        .group_by(MicroMatter.community_id)
    ).all()
    counts = {cid: {"proposed": 0, "decided": 0, "completed": 0} for cid in community_ids}
    for cid, proposed, decided, completed in rows:
        counts[cid] = {"proposed": proposed, "decided": decided, "completed": completed}
    return counts


def satisfaction(community_ids):
    """{community_id: (percent of 4-5 star ratings or None, number of ratings)}.

    As on the tracker's dashboards: the ratings of each record's latest evaluation window."""
    latest = (
        select(EvaluationWindow.record_id, func.max(EvaluationWindow.number).label("number"))
        .group_by(EvaluationWindow.record_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            ImplementationRecord.community_id,
            func.count(Evaluation.id),
            func.count(case((Evaluation.stars.in_(SATISFIED_STARS), 1))),
        )
        .join(EvaluationWindow, EvaluationWindow.id == Evaluation.window_id)
        .join(latest, (latest.c.record_id == EvaluationWindow.record_id) & (latest.c.number == EvaluationWindow.number))
        .join(ImplementationRecord, ImplementationRecord.id == EvaluationWindow.record_id)
        .where(ImplementationRecord.community_id.in_(list(community_ids)))
        .group_by(ImplementationRecord.community_id)
    ).all()
    out = {cid: (None, 0) for cid in community_ids}
    for cid, count, satisfied in rows:
        out[cid] = (round(100 * satisfied / count, 1) if count else None, count)
    return out


def headline_figures(communities):
    """{community_id: figures} for a list of communities (the front page, the API)."""
    ids = [c.id for c in communities]
    if not ids:
        return {}
    counts = matter_counts(ids)
    rates = satisfaction(ids)
    return {cid: dict(counts[cid], satisfaction_percent=rates[cid][0], ratings=rates[cid][1]) for cid in ids}


def figures_for(community):
    return headline_figures([community])[community.id]


def decided_matters(community, limit=None):
    query = (
        select(MicroMatter)
        .where(MicroMatter.community_id == community.id, MicroMatter.status.in_(DECIDED))
        .order_by(MicroMatter.status_changed_at.desc(), MicroMatter.id.desc())
    )
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def meetings_with_minutes(community, limit=10):
    """Closed meetings whose minutes are approved and locked (the public record), newest first."""
    locked = select(Minutes.meeting_id).where(Minutes.locked_at.is_not(None))
    return db.session.scalars(
        select(Meeting)
        .where(Meeting.community_id == community.id, Meeting.id.in_(locked))
        .order_by(Meeting.starts_at.desc())
        .limit(limit)
    ).all()


def counted_rounds(community, limit=10):
    return db.session.scalars(
        select(VotingRound)
        .join(RoundResult, RoundResult.round_id == VotingRound.id)
        .where(VotingRound.community_id == community.id)
        .order_by(RoundResult.counted_at.desc())
        .limit(limit)
    ).all()


def implementation_progress(community):
    """Every implementation record with its progress and the latest satisfaction, by state."""
    from app.tracker.rules import satisfaction as verdict

    records = db.session.scalars(
        select(ImplementationRecord)
        .where(ImplementationRecord.community_id == community.id)
        .order_by(ImplementationRecord.id.desc())
    ).all()
    rows = []
    for record_ in records:
        window = record_.current_window
        summary = verdict(e.stars for e in window.evaluations) if window else verdict([])
        rows.append({"record": record_, "matter": record_.matter, "satisfaction": summary})
    return rows


# --- Notices ------------------------------------------------------------------------------------


def notices_query(community):
    return select(Notice).where(Notice.community_id == community.id).order_by(Notice.id.desc())


def list_notices(community, limit=None):
    query = notices_query(community)
    if limit:
        query = query.limit(limit)
    return db.session.scalars(query).all()


def get_notice(community, notice_id):
    return get_or_404(Notice, notice_id, community_id=community.id)


def existing_notice(community, kind, ref_id):
    return db.session.scalar(
        select(Notice).where(Notice.community_id == community.id, Notice.kind == kind, Notice.ref_id == ref_id)
    )


def source_for(kind):
    source = sources.SOURCES.get(kind)
    if source is None:
        raise DomainError(_l("This kind of record cannot be published."))
    return source


def load_record(community, kind, ref_id):
    record_ = source_for(kind).load(community, ref_id)
    if record_ is None:
        raise DomainError(_l("This record does not exist here or cannot be published yet."))
    return record_


def candidates(community):
    """{kind: [(ref_id, label)]} of records not yet published, for the committee's chooser."""
    out = {}
    for kind in NoticeKind:
        source = sources.SOURCES.get(kind)
        if source is None:
            continue
        published = set(
            db.session.scalars(select(Notice.ref_id).where(Notice.community_id == community.id, Notice.kind == kind))
        )
        out[kind] = [(ref, label) for ref, label in source.candidates(community) if ref not in published]
    return out


def default_period(community, today=None):
    """The period offered on the form: as long as the rules in force ask."""
    start = today or clock.local_today()
    return start, start + timedelta(days=current_ruleset(community).objection_days or DEFAULT_PERIOD_DAYS)


def _check_period(community, start, end):
    if not isinstance(start, date) or not isinstance(end, date):
        raise DomainError(_l("Please give the first and the last day of the notice period."))
    if start < clock.local_today():
        raise DomainError(_l("The notice period cannot start in the past."))
    if end < start:
        raise DomainError(_l("The notice period must end on or after its first day."))
    if (end - start).days + 1 > MAX_OBJECTION_DAYS:
        raise DomainError(_l("A notice period may last at most %(days)s days.", days=MAX_OBJECTION_DAYS))
    required = current_ruleset(community).objection_days
    if (end - start).days + 1 < required:
        raise DomainError(
            _l(
                "The rules in force ask for an objection period of at least %(days)s days: please "
                "give a later last day.",
                days=required,
            )
        )


def publish_notice(actor, community, kind, ref_id, *, title=None, preface="", period_start=None, period_end=None):
    """Freeze the record's facts into a notice with its period; notify everyone concerned."""
    if not permissions.can_publish_notices(actor, community):
        raise DomainError(_l("Only the committee can publish notices."))
    record_ = load_record(community, kind, ref_id)
    if existing_notice(community, kind, ref_id) is not None:
        raise DomainError(_l("A notice for this record has already been published."))
    _check_period(community, period_start, period_end)
    preface = clean_plain(preface)
    if len(preface) > MAX_PREFACE:
        raise DomainError(_l("The preface may be at most %(n)s characters.", n=MAX_PREFACE))
    publication = sources.SOURCES[kind].describe(record_)
    title = clean_plain(title) or clean_plain(sources.text(publication.title))
    if len(title) > 120:
        raise DomainError(_l("The title may be at most %(n)s characters.", n=120))
    notice = Notice(
        community_id=community.id,
        kind=kind,
        ref_id=ref_id,
        title=title,
        preface=preface,
        preface_html=render_markdown(preface),
        facts=publication.facts,
        record_path=publication.record_path,
        period_start=period_start,
        period_end=period_end,
        published_by_id=actor.id,
    )
    db.session.add(notice)
    db.session.flush()
    matter_ids = sorted({m.id for m in publication.matters})
    for matter_id in matter_ids:
        db.session.add(NoticeMatter(notice_id=notice.id, matter_id=matter_id))
    record(
        "notice.published",
        notice,
        actor=actor,
        community=community,
        kind=str(kind),
        ref_id=ref_id,
        matter_ids=matter_ids,
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
    )
    people = {p.id: p for m in publication.matters for p in interested_people(m)}
    message = N_("A notice was published: “%(title)s”. Objections are open until %(end)s.")
    notify(people.values(), message, _notice_link(notice), exclude=actor, title=title, end=period_end.isoformat())
    wecom.announce(community, message, _notice_link(notice), title=title, end=period_end.isoformat())
    db.session.commit()
    return notice


def _notice_link(notice, _anchor=None):
    return path_for("publishing.notice", slug=notice.community.slug, notice_id=notice.id, _anchor=_anchor)


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
    committee = [m.user for m in verified_members(notice.community, [Role.COMMITTEE])]
    notify(
        committee,
        N_("An objection to the notice “%(title)s” awaits your answer."),
        _notice_link(notice, _anchor=f"objection-{objection.id}"),
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
        _notice_link(notice, _anchor=f"objection-{objection.id}"),
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


# --- What the feed announces --------------------------------------------------------------------


def feed_events(community, limit=50):
    """Decisions and completions of micro-matters (from the audit log) and notices, newest first."""
    events = []
    entries = db.session.execute(
        select(AuditEntry, MicroMatter)
        .join(MicroMatter, MicroMatter.id == AuditEntry.object_id)
        .where(
            AuditEntry.community_id == community.id,
            AuditEntry.object_type == "MicroMatter",
            AuditEntry.action.in_(list(FEED_ACTIONS)),
        )
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    ).all()
    for entry, matter in entries:
        events.append(
            {
                "type": FEED_ACTIONS[entry.action],
                "at": entry.at,
                "key": f"audit-{entry.id}",
                "action": entry.action,
                "matter": matter,
                "data": entry.data,
            }
        )
    for notice in list_notices(community, limit=limit):
        events.append({"type": "notice", "at": notice.published_at, "key": f"notice-{notice.id}", "notice": notice})
    events.sort(key=lambda e: e["at"], reverse=True)
    return events[:limit]
