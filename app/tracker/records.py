"""Implementation records: reading them, the helpers the committee's updates and the residents'
verdict share, creating a record on approval, and following the micro-matter's lifecycle.

Services check the rules and permissions, write the change with its audit entry and
notifications, and commit. State changes of the micro-matter go through
app.matters.lifecycle.apply; hooks.py keeps the record's state in step with it.
"""

from datetime import date, datetime, timedelta

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from sqlalchemy.orm import joinedload

from app.audit.services import record as audit
from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.params import parse_id
from app.core.photos import chosen
from app.core.service import MAX_ID, commit, get_or_404
from app.core.text import checked_text
from app.core.urls import path_for
from app.extensions import db
from app.matters import lifecycle
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import permissions, rules
from .models import (
    FINISHED_STATES,
    DecidedBy,
    EvaluationWindow,
    ImplementationRecord,
    Milestone,
    MilestonePhoto,
    ProgressUpdate,
    ProgressUpdatePhoto,
    RecordState,
    Rectification,
    ResponseKind,
)

MAX_PHOTOS = 5
DEFAULT_WINDOW_DAYS = 14


# ---------------------------------------------------------------- reading


def get_record(community, record_id):
    return get_or_404(ImplementationRecord, record_id, community_id=community.id)


def record_for_matter(matter):
    # A matter's page asks from several panels: a record found is kept for the request while it
    # is in this session (records are never deleted; none found is asked again, as an approval
    # may create one meanwhile).
    known = g.setdefault("_implementation_records", {})
    record = known.get(matter.id)
    if record is None or not inspect(record).persistent or record not in db.session:
        # with its milestones, which every page showing the record asks for (is_overdue)
        query = (
            select(ImplementationRecord)
            .options(joinedload(ImplementationRecord.milestones))
            .where(ImplementationRecord.matter_id == matter.id)
        )
        record = db.session.execute(query).unique().scalar_one_or_none()
        known[matter.id] = record
    return record


def records_of(community, state=None):
    query = (
        select(ImplementationRecord)
        .where(ImplementationRecord.community_id == community.id)
        .order_by(ImplementationRecord.id.desc())
    )
    if state:
        query = query.where(ImplementationRecord.state == state)
    return db.session.scalars(query).all()


def overdue_record_ids(record_ids=None, community_id=None, today=None):
    """Ids of records with a milestone past its planned date and not done (one query)."""
    today = today or clock.local_today()
    query = (
        select(Milestone.record_id)
        .distinct()
        .join(ImplementationRecord, ImplementationRecord.id == Milestone.record_id)
        .where(
            Milestone.done_on.is_(None),
            Milestone.planned_date < today,
            ImplementationRecord.state.not_in(FINISHED_STATES),
        )
    )
    if record_ids is not None:
        query = query.where(Milestone.record_id.in_(list(record_ids)))
    if community_id is not None:
        query = query.where(ImplementationRecord.community_id == community_id)
    return set(db.session.scalars(query))


def is_overdue(record, today=None):
    return rules.is_overdue(record.milestones, today or clock.local_today(), record.state in FINISHED_STATES)


def photo_community_id(photo_id):
    """The community whose record shows this photo (milestone evidence or a status update), or None."""
    if not isinstance(photo_id, int) or not 0 < photo_id <= MAX_ID:
        return None
    milestone_photo = (
        select(ImplementationRecord.community_id)
        .join(Milestone, Milestone.record_id == ImplementationRecord.id)
        .join(MilestonePhoto, MilestonePhoto.milestone_id == Milestone.id)
        .where(MilestonePhoto.photo_id == photo_id)
    )
    update_photo = (
        select(ImplementationRecord.community_id)
        .join(ProgressUpdate, ProgressUpdate.record_id == ImplementationRecord.id)
        .join(ProgressUpdatePhoto, ProgressUpdatePhoto.update_id == ProgressUpdate.id)
        .where(ProgressUpdatePhoto.photo_id == photo_id)
    )
    return db.session.scalar(milestone_photo) or db.session.scalar(update_photo)


def record_url(record, _anchor=None):
    return path_for("tracker.record", slug=record.community.slug, record_id=record.id, _anchor=_anchor)


# ---------------------------------------------------------------- helpers


def _require_manager(actor, record):
    if not permissions.can_manage_record(actor, record):
        raise DomainError(_l("Only committee members of this community can update implementation records."))


def _require_state(record, states, message):
    if record.state not in states:
        raise DomainError(message)


def _managing(actor, record, states, message):
    """The record's manager acting on it in one of `states` (else refused with `message`)."""
    _require_manager(actor, record)
    _require_state(record, states, message)


def _public_reason(reason, limit=2000):
    """The committee's reason for a step, checked: it is published with the step."""
    return checked_text(reason, "reason", limit, _l("Please give a reason; it will be published."))


def _not_closed(record):
    _require_state(
        record,
        [s for s in RecordState if s not in FINISHED_STATES],
        _l("This implementation record is closed."),
    )


CONFLICT = _l("Someone else changed this record in the meantime. Please reload and try again.")


def _commit():
    """Commit, turning the races two committee members at once can cause into one message."""
    commit(CONFLICT, CONFLICT)


def _tell(record, actor, message, **params):
    notify(
        lifecycle.interested_people(record.matter),
        message,
        record_url(record),
        exclude=actor,
        matter=record.matter,  # one inbox entry per matter and day, listing the changes
        title=record.matter.title,
        **params,
    )


def _audit(action, obj, actor, record, **data):
    audit(
        action, obj, actor=actor, community=record.community_id, record_id=record.id, matter_id=record.matter_id, **data
    )


def _photo_files(files):
    files = chosen(files)
    if len(files) > MAX_PHOTOS:
        raise FieldError("photos", _l("At most %(n)s photos at a time, please.", n=MAX_PHOTOS))
    return files


def phase_milestones(record):
    """The milestones of the work under way: a rectification's own during one, else the first work's."""
    rectification = record.current_rectification
    return [m for m in record.milestones if m.rectification is rectification]


def progress_from_milestones(record):
    """Keep the record's progress in step with its milestones (done of planned), where it has any."""
    milestones = phase_milestones(record)
    percent = rules.milestone_progress(sum(m.is_done for m in milestones), len(milestones))
    if percent is not None:
        record.progress_percent = percent


def _apply(record, action, actor, **data):
    """Move the micro-matter; hooks.follow_transition updates the record in the same transaction."""
    lifecycle.apply(record.matter, action, actor, **dict(data, record_id=record.id))


# ---------------------------------------------------------------- created by the approval


def create_record(matter, actor, data):
    """Called from the approval signal (hooks.py), inside the approving transaction."""
    existing = record_for_matter(matter)
    if existing is not None:
        return existing
    budget = data.get("budget")
    try:
        budget = int(budget) if budget is not None else int(matter.estimated_cost or 0)
    except (TypeError, ValueError):
        budget = int(matter.estimated_cost or 0)
    decided_by = (
        DecidedBy.MEETING if data.get("meeting_id") else DecidedBy.ROUND if data.get("round_id") else DecidedBy.OTHER
    )

    def as_id(key):
        return parse_id(data.get(key))

    record = ImplementationRecord(
        community_id=matter.community_id,
        matter_id=matter.id,
        state=RecordState.PLANNED,
        approved_budget=max(0, budget),
        decided_by=decided_by,
        meeting_id=as_id("meeting_id"),
        motion_id=as_id("motion_id"),
        round_id=as_id("round_id"),
    )
    db.session.add(record)
    audit(
        "tracker.record_created",
        record,
        actor=actor,
        community=matter.community_id,
        matter_id=matter.id,
        budget=record.approved_budget,
        decided_by=str(decided_by),
        meeting_id=record.meeting_id,
        motion_id=record.motion_id,
        round_id=record.round_id,
    )
    return record


def decision_link(record):
    """Where the decision can be read: the meeting minutes or the round results."""
    return decision_path(record.community.slug, record.meeting_id, record.round_id)


def decision_path(slug, meeting_id=None, round_id=None):
    """The minutes of the meeting or the results of the round that decided; None without either."""
    if meeting_id:
        return path_for("councils.minutes", slug=slug, meeting_id=meeting_id)
    if round_id:
        return path_for("voting.results", slug=slug, round_id=round_id)
    return None


# ---------------------------------------------------------------- following the lifecycle


def follow_transition(record, action, actor, data):
    """Bring the record in step with a micro-matter transition (called from the signal)."""
    now = clock.now()
    if action == "start_implementation":
        record.state = RecordState.IN_PROGRESS
        record.started_at = record.started_at or now
        record.pause_reason = record.paused_at = None
    elif action == "complete":
        accepted_on = _iso_date(data.get("accepted_on")) or clock.local_today()
        note = data.get("note") or data.get("reason") or ""
        rectification = (
            record.rectifications[-1] if record.state == RecordState.RECTIFICATION and record.rectifications else None
        )
        if rectification is not None:
            rectification.accepted_on, rectification.acceptance_note = accepted_on, note
            rectification.completed_at = now
        else:
            record.accepted_on, record.acceptance_note = accepted_on, note
        record.completed_at = record.completed_at or now
        record.progress_percent = 100
        record.state = RecordState.COMPLETED
    elif action == "open_evaluation":
        closes_at = _iso_datetime(data.get("closes_at")) or clock.end_of_local_day(
            clock.local_today() + timedelta(days=DEFAULT_WINDOW_DAYS)
        )
        ruleset = current_ruleset(record.community)
        window = EvaluationWindow(
            number=len(record.windows) + 1,
            opens_at=now,
            closes_at=closes_at,
            threshold_percent=ruleset.satisfaction_threshold_percent if ruleset else 60,
            ruleset_id=ruleset.id if ruleset else None,
            opened_by_id=getattr(actor, "id", None),
        )
        record.windows.append(window)
        record.state = RecordState.EVALUATION
    elif action == "rectify":
        window = record.current_window
        if window is not None:
            if window.is_open(now):
                window.closes_at, window.ended_early = now, True
            if window.response_kind is None:
                window.response_kind, window.responded_at = ResponseKind.RECTIFICATION, now
                window.responded_by_id = getattr(actor, "id", None)
        record.rectifications.append(
            Rectification(
                window_id=window.id if window else None,
                reason=data.get("reason") or "",
                opened_by_id=getattr(actor, "id", None),
                opened_at=now,
            )
        )
        record.state = RecordState.RECTIFICATION
        record.progress_percent = 0  # the rectification's work starts; its milestones will say how far
    elif action == "close":
        record.state = RecordState.CLOSED
        record.closed_at = now
    elif action == "cancel":
        record.state, record.closed_at = RecordState.CANCELLED, now
        record.cancel_reason = data.get("reason") or ""


def _iso_date(value):
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def _iso_datetime(value):
    try:
        return datetime.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None
