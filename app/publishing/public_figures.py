"""What a community shows the public: headline figures (matters proposed, decided and completed;
residents' satisfaction), decided matters, meetings with locked minutes, counted rounds, the
implementation records, and the events the feed announces."""

from sqlalchemy import case, func, select

from app.audit.models import AuditEntry
from app.councils.models import Meeting, Minutes
from app.extensions import db
from app.matters.lifecycle import OUT_OF_TOTALS, Status
from app.matters.models import MicroMatter
from app.tracker.models import Evaluation, EvaluationWindow, ImplementationRecord
from app.tracker.rules import SATISFIED_STARS
from app.voting.models import RoundResult, VotingRound

from .services import list_notices

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
# Audit actions the feed announces (decisions and completions of micro-matters).
FEED_ACTIONS = {"matter.approve": "decision", "matter.reject": "decision", "matter.complete": "completion"}


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
