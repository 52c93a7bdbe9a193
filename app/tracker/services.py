"""Implementation records: the committee's updates and the residents' verdict.

Services check the rules and permissions, write the change with its audit entry and
notifications, and commit. State changes of the micro-matter go through
app.matters.lifecycle.apply; hooks.py keeps the record's state in step with it.
"""
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from app.audit.services import record as audit
from app.communities.permissions import is_verified_resident
from app.core.errors import DomainError, refuse
from app.core.i18n import N_
from app.core.text import clean_plain, render_markdown
from app.core.uploads import PhotoRejected, save_photo
from app.extensions import db
from app.matters import lifecycle
from app.matters.models import Support
from app.models_base import utcnow
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import permissions, rules
from .models import (
    DecidedBy,
    Evaluation,
    EvaluationWindow,
    ImplementationRecord,
    Milestone,
    MilestonePhoto,
    ProgressUpdate,
    ProgressUpdatePhoto,
    RecordState,
    Rectification,
    Relation,
    ResponseKind,
    SpendingEntry,
)

MAX_ID = 2**31 - 1  # ids beyond the integer column are simply not found (PostgreSQL would refuse the query)
MAX_PHOTOS = 5
MAX_AMOUNT = 100_000_000  # yuan; anything above is a typing mistake
LATEST_DATE = date(2100, 12, 31)
DEFAULT_WINDOW_DAYS = 14
MAX_WINDOW_DAYS = 90
WORK_STATES = (RecordState.IN_PROGRESS, RecordState.PAUSED, RecordState.RECTIFICATION)
PLANNING_STATES = (RecordState.PLANNED, *WORK_STATES)
MANAGERS_DO_NOT_RATE = _l("The committee members who manage this project cannot rate it: the residents judge "
                          "their work.")


class FieldError(DomainError):
    """A rule said no about one form field; the view shows the message next to it."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- time

def local_zone():
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Shanghai")


def local_today():
    """Today in the community's time zone: what "not in the future" means for a date."""
    return utcnow().replace(tzinfo=ZoneInfo("UTC")).astimezone(local_zone()).date()


def local_date(at):
    """The local calendar day of a naive UTC datetime."""
    return at.replace(tzinfo=ZoneInfo("UTC")).astimezone(local_zone()).date()


def end_of_local_day(day):
    """The naive UTC instant at which the local day `day` ends."""
    local_midnight = datetime.combine(day + timedelta(days=1), time(0), tzinfo=local_zone())
    return local_midnight.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


# ---------------------------------------------------------------- reading

def get_row(model, row_id):
    if not isinstance(row_id, int) or not 0 < row_id <= MAX_ID:
        return None
    return db.session.get(model, row_id)


def get_record(community, record_id):
    record = get_row(ImplementationRecord, record_id)
    if record is None or record.community_id != community.id:
        refuse(404)
    return record


def record_for_matter(matter):
    return db.session.scalar(select(ImplementationRecord).where(ImplementationRecord.matter_id == matter.id))


def records_of(community, state=None):
    query = (select(ImplementationRecord).where(ImplementationRecord.community_id == community.id)
             .order_by(ImplementationRecord.id.desc()))
    if state:
        query = query.where(ImplementationRecord.state == state)
    return db.session.scalars(query).all()


def overdue_record_ids(record_ids=None, community_id=None, today=None):
    """Ids of records with a milestone past its planned date and not done (one query)."""
    today = today or local_today()
    query = (select(Milestone.record_id).distinct()
             .join(ImplementationRecord, ImplementationRecord.id == Milestone.record_id)
             .where(Milestone.done_on.is_(None), Milestone.planned_date < today,
                    ImplementationRecord.state != RecordState.CLOSED))
    if record_ids is not None:
        query = query.where(Milestone.record_id.in_(list(record_ids)))
    if community_id is not None:
        query = query.where(ImplementationRecord.community_id == community_id)
    return set(db.session.scalars(query))


def is_overdue(record, today=None):
    return rules.is_overdue(record.milestones, today or local_today(), record.state == RecordState.CLOSED)


def window_summary(window):
    """Everyone's verdict, plus the ratings of the proposer and supporters and of the other residents
    as groups; a group of fewer than rules.MIN_GROUP ratings is not published (None)."""
    evaluations = window.evaluations if window else []
    groups = {
        "supporters": [e.stars for e in evaluations if e.relation in (Relation.PROPOSER, Relation.SUPPORTER)],
        "others": [e.stars for e in evaluations if e.relation == Relation.RESIDENT],
    }
    summary = rules.satisfaction(e.stars for e in evaluations)
    ended = window is not None and window.has_ended()
    return {
        "all": summary,
        **rules.breakdown(groups),
        "comments": [e for e in evaluations if e.comment],
        "below": window is not None and summary.below(window.threshold_percent),
        "needs_response": window is not None and rules.needs_response(
            summary, window.threshold_percent, ended, window.response_kind is not None),
    }


def needs_response(record):
    window = record.current_window
    return window is not None and window_summary(window)["needs_response"]


def photo_community_id(photo_id):
    """The community whose record shows this photo (milestone evidence or a status update), or None."""
    if not isinstance(photo_id, int) or not 0 < photo_id <= MAX_ID:
        return None
    milestone_photo = (select(ImplementationRecord.community_id)
                       .join(Milestone, Milestone.record_id == ImplementationRecord.id)
                       .join(MilestonePhoto, MilestonePhoto.milestone_id == Milestone.id)
                       .where(MilestonePhoto.photo_id == photo_id))
    update_photo = (select(ImplementationRecord.community_id)
                    .join(ProgressUpdate, ProgressUpdate.record_id == ImplementationRecord.id)
                    .join(ProgressUpdatePhoto, ProgressUpdatePhoto.update_id == ProgressUpdate.id)
                    .where(ProgressUpdatePhoto.photo_id == photo_id))
    return db.session.scalar(milestone_photo) or db.session.scalar(update_photo)


def record_url(record):
    return f"/c/{record.community.slug}/tracker/{record.id}"


# ---------------------------------------------------------------- helpers

def _require_manager(actor, record):
    if not permissions.can_manage_record(actor, record):
        raise DomainError(_l("Only committee members of this community can update implementation records."))


def _require_state(record, states, message):
    if record.state not in states:
        raise DomainError(message)


def _not_closed(record):
    _require_state(record, [s for s in RecordState if s != RecordState.CLOSED],
                   _l("This implementation record is closed."))


CONFLICT = _l("Someone else changed this record in the meantime. Please reload and try again.")


def _commit():
    """Commit, turning the races two committee members at once can cause into a message."""
    try:
        db.session.commit()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise DomainError(CONFLICT) from None


def _tell(record, actor, message, **params):
    notify(lifecycle.interested_people(record.matter), message, record_url(record), exclude=actor,
           title=record.matter.title, **params)


def _audit(action, obj, actor, record, **data):
    audit(action, obj, actor=actor, community=record.community_id, record_id=record.id,
          matter_id=record.matter_id, **data)


def _text(value, field, limit, required_message=None):
    value = clean_plain(value)
    if required_message and not value:
        raise FieldError(field, required_message)
    if len(value) > limit:
        raise FieldError(field, _l("At most %(n)s characters, please.", n=limit))
    return value


def _date(value, field, *, past=False, required=True):
    if value is None:
        if required:
            raise FieldError(field, _l("Please give a valid date."))
        return None
    if not isinstance(value, date):
        raise FieldError(field, _l("Please give a valid date."))
    if past and value > local_today():
        raise FieldError(field, _l("This date cannot be in the future."))
    if not rules.EARLIEST_DATE <= value <= LATEST_DATE:
        raise FieldError(field, _l("Please give a date between 2000 and 2100."))
    return value


def _photo_files(files):
    files = [f for f in (files or []) if f is not None and getattr(f, "filename", "")]
    if len(files) > MAX_PHOTOS:
        raise FieldError("photos", _l("At most %(n)s photos at a time, please.", n=MAX_PHOTOS))
    return files


def _save_photos(files, written):
    """Store the photos (validated by content); `written` collects the file names for clean-up."""
    stored = []
    for file_storage in files:
        try:
            photo = save_photo(file_storage)
        except PhotoRejected as error:
            raise FieldError("photos", _l("“%(name)s”: %(problem)s", name=Path(file_storage.filename).name[:80],
                                          problem=error)) from None
        written.append(photo.stored_name)
        stored.append(photo)
    return stored


def _forget_files(names):
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    for name in names:
        (folder / name).unlink(missing_ok=True)


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
    decided_by = (DecidedBy.MEETING if data.get("meeting_id") else
                  DecidedBy.ROUND if data.get("round_id") else DecidedBy.OTHER)

    def as_id(key):
        value = data.get(key)
        return int(value) if isinstance(value, int) or (isinstance(value, str) and value.isdigit()) else None

    record = ImplementationRecord(
        community_id=matter.community_id, matter_id=matter.id, state=RecordState.PLANNED,
        approved_budget=max(0, budget), decided_by=decided_by, meeting_id=as_id("meeting_id"),
        motion_id=as_id("motion_id"), round_id=as_id("round_id"),
    )
    db.session.add(record)
    audit("tracker.record_created", record, actor=actor, community=matter.community_id,
          matter_id=matter.id, budget=record.approved_budget, decided_by=str(decided_by),
          meeting_id=record.meeting_id, motion_id=record.motion_id, round_id=record.round_id)
    return record


def decision_link(record):
    """Where the decision can be read: the meeting minutes or the round results."""
    slug = record.community.slug
    if record.meeting_id:
        return f"/c/{slug}/meetings/{record.meeting_id}/minutes"
    if record.round_id:
        return f"/c/{slug}/rounds/{record.round_id}/results"
    return None


# ---------------------------------------------------------------- the committee's updates

def update_details(actor, record, *, responsible_unit, contact, planned_start, planned_end):
    _require_manager(actor, record)
    _not_closed(record)
    responsible_unit = _text(responsible_unit, "responsible_unit", 120)
    contact = _text(contact, "contact", 120)
    planned_start = _date(planned_start, "planned_start", required=False)
    planned_end = _date(planned_end, "planned_end", required=False)
    if planned_start and planned_end and planned_end < planned_start:
        raise FieldError("planned_end", _l("The planned end cannot be before the planned start."))
    record.responsible_unit, record.contact = responsible_unit, contact
    record.planned_start, record.planned_end = planned_start, planned_end
    _audit("tracker.details_updated", record, actor, record, responsible_unit=responsible_unit, contact=contact,
           planned_start=planned_start and planned_start.isoformat(),
           planned_end=planned_end and planned_end.isoformat())
    _tell(record, actor, N_("The implementation plan of “%(title)s” was updated."))
    _commit()
    return record


def add_milestone(actor, record, *, title, planned_date):
    _require_manager(actor, record)
    _require_state(record, PLANNING_STATES, _l("Milestones can only be planned before acceptance or during "
                                               "a rectification."))
    title = _text(title, "title", 120, _l("Please give the milestone a title."))
    planned_date = _date(planned_date, "planned_date")
    rectification = record.current_rectification
    milestone = Milestone(record=record, title=title, planned_date=planned_date, created_by_id=actor.id,
                          rectification=rectification)
    db.session.add(milestone)
    _audit("tracker.milestone_planned", milestone, actor, record, title=title,
           planned_date=planned_date.isoformat(), rectification_id=rectification and rectification.id)
    _tell(record, actor, N_("A milestone was planned for “%(title)s”: %(milestone)s"), milestone=title)
    _commit()
    return milestone


def complete_milestone(actor, record, milestone_id, *, done_on, note, photos=()):
    _require_manager(actor, record)
    milestone = get_row(Milestone, milestone_id)
    if milestone is None or milestone.record_id != record.id:
        refuse(404)
    _require_state(record, WORK_STATES, _l("Milestones can be marked done once work has started."))
    if milestone.is_done:
        raise DomainError(_l("This milestone is already marked done."))
    done_on = _date(done_on, "done_on", past=True)
    note = _text(note, "note", 1000)
    files = _photo_files(photos)
    written = []
    try:
        for stored in _save_photos(files, written):
            milestone.photos.append(MilestonePhoto(photo=stored))
        milestone.done_on, milestone.note = done_on, note
        milestone.done_by_id, milestone.done_at = actor.id, utcnow()
        _audit("tracker.milestone_done", milestone, actor, record, title=milestone.title,
               done_on=done_on.isoformat(), photos=len(files) or None)
        _tell(record, actor, N_("Milestone done for “%(title)s”: %(milestone)s"), milestone=milestone.title)
        _commit()
    except Exception:
        db.session.rollback()
        _forget_files(written)
        raise
    return milestone


def post_update(actor, record, *, body="", percent=None, photos=()):
    """A status update: text, photos and/or a new progress percentage."""
    _require_manager(actor, record)
    _not_closed(record)
    body = _text(body, "body", 2000)
    if percent is not None and not rules.valid_percent(percent):
        raise FieldError("percent", _l("Progress is a whole number from 0 to 100."))
    changed = percent is not None and percent != record.progress_percent
    if changed and record.state not in (RecordState.IN_PROGRESS, RecordState.RECTIFICATION):
        raise FieldError("percent", _l("Progress can only change while work is in progress."))
    files = _photo_files(photos)
    if not changed and not body and not files:
        raise FieldError("body", _l("Write an update, add a photo or change the progress."))
    written = []
    try:
        update = ProgressUpdate(record=record, author_id=actor.id, body=body, body_html=render_markdown(body),
                                progress_percent=percent if changed else None)
        for stored in _save_photos(files, written):
            update.photos.append(ProgressUpdatePhoto(photo=stored))
        db.session.add(update)
        previous = record.progress_percent
        if changed:
            record.progress_percent = percent
        _audit("tracker.update_posted", update, actor, record, percent=percent if changed else None,
               previous=previous if changed else None, photos=len(files) or None)
        if changed:
            _tell(record, actor, N_("Progress of “%(title)s”: %(percent)s%% done."), percent=percent)
        else:
            _tell(record, actor, N_("New status update on “%(title)s”."))
        _commit()
    except Exception:
        db.session.rollback()
        _forget_files(written)
        raise
    return update


def record_spending(actor, record, *, amount, spent_on, purpose, over_budget_reason=""):
    _require_manager(actor, record)
    _not_closed(record)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise FieldError("amount", _l("The amount is a whole number of yuan above zero."))
    if amount > MAX_AMOUNT:
        raise FieldError("amount", _l("This amount is too large."))
    spent_on = _date(spent_on, "spent_on", past=True)
    purpose = _text(purpose, "purpose", 200, _l("Please say what the money was spent on."))
    reason = _text(over_budget_reason, "over_budget_reason", 300)
    spent_before = record.spent
    over = rules.over_budget(record.approved_budget, spent_before, amount)
    if over and not reason:
        raise FieldError("over_budget_reason", _l(
            "This takes spending to %(total)s yuan, above the approved budget of %(budget)s yuan: "
            "please give the reason (it will be published).",
            total=spent_before + amount, budget=record.approved_budget))
    entry = SpendingEntry(record=record, amount=amount, spent_on=spent_on, purpose=purpose,
                          over_budget_reason=reason if over else None, recorded_by_id=actor.id)
    db.session.add(entry)
    _audit("tracker.spending_recorded", entry, actor, record, amount=amount, spent_on=spent_on.isoformat(),
           purpose=purpose, over_budget_reason=entry.over_budget_reason, total=spent_before + amount)
    _tell(record, actor, N_("Spending of %(amount)s yuan was recorded for “%(title)s”: %(purpose)s"),
          amount=amount, purpose=purpose)
    _commit()
    return entry


# ---------------------------------------------------------------- states

def start(actor, record):
    _require_manager(actor, record)
    _require_state(record, [RecordState.PLANNED], _l("Work on this project has already started."))
    if not record.responsible_unit:
        raise FieldError("responsible_unit", _l("Fill in the responsible unit before work starts."))
    _apply(record, "start_implementation", actor)
    _commit()
    return record


def pause(actor, record, reason):
    _require_manager(actor, record)
    _require_state(record, [RecordState.IN_PROGRESS], _l("Only work in progress can be paused."))
    reason = _text(reason, "reason", 300, _l("Please give a reason; it will be published."))
    record.state, record.pause_reason, record.paused_at = RecordState.PAUSED, reason, utcnow()
    _audit("tracker.paused", record, actor, record, reason=reason)
    _tell(record, actor, N_("Work on “%(title)s” was paused: %(reason)s"), reason=reason)
    _commit()
    return record


def resume(actor, record):
    _require_manager(actor, record)
    _require_state(record, [RecordState.PAUSED], _l("This work is not paused."))
    record.state, record.pause_reason, record.paused_at = RecordState.IN_PROGRESS, None, None
    _audit("tracker.resumed", record, actor, record)
    _tell(record, actor, N_("Work on “%(title)s” resumed."))
    _commit()
    return record


def accept(actor, record, *, accepted_on, note):
    """验收: the work is accepted; the micro-matter becomes completed."""
    _require_manager(actor, record)
    if record.state == RecordState.PAUSED:
        raise DomainError(_l("Resume the work before acceptance."))
    _require_state(record, [RecordState.IN_PROGRESS, RecordState.RECTIFICATION],
                   _l("Only work in progress or a rectification can be accepted."))
    accepted_on = _date(accepted_on, "accepted_on", past=True)
    proposed = record.matter.submitted_at or record.matter.created_at
    if proposed and accepted_on < local_date(proposed):
        raise FieldError("accepted_on", _l("The acceptance date cannot be before the micro-matter was proposed."))
    note = _text(note, "note", 2000, _l("Please describe the acceptance (who checked what)."))
    _apply(record, "complete", actor, accepted_on=accepted_on.isoformat(), note=note)
    _commit()
    return record


def open_evaluation(actor, record, *, closes_on):
    _require_manager(actor, record)
    _require_state(record, [RecordState.COMPLETED], _l("Residents can rate a project once it has been accepted."))
    closes_on = _date(closes_on, "closes_on")
    today = local_today()
    if closes_on < today:
        raise FieldError("closes_on", _l("The last day of rating cannot be in the past."))
    if closes_on > today + timedelta(days=MAX_WINDOW_DAYS):
        raise FieldError("closes_on", _l("The rating window may last at most %(n)s days.", n=MAX_WINDOW_DAYS))
    _apply(record, "open_evaluation", actor, closes_on=closes_on.isoformat(),
           closes_at=end_of_local_day(closes_on).isoformat())
    _commit()
    return record.current_window


def end_window(actor, record):
    _require_manager(actor, record)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None or not window.is_open():
        raise DomainError(_l("There is no open evaluation window."))
    window.closes_at, window.ended_early = utcnow(), True
    _audit("tracker.window_ended", window, actor, record, ratings=len(window.evaluations))
    _tell(record, actor, N_("The residents' rating of “%(title)s” has ended."))
    _commit()
    return window


def respond(actor, record, reason):
    """The committee's public answer to a verdict below the threshold (instead of a rectification)."""
    _require_manager(actor, record)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None:
        raise DomainError(_l("There is no evaluation to answer."))
    if not window.has_ended():
        raise DomainError(_l("Wait until the evaluation window has ended."))
    if window.response_kind is not None:
        raise DomainError(_l("The committee has already answered this evaluation."))
    if not window_summary(window)["below"]:
        raise DomainError(_l("Satisfaction reached the threshold; no answer is needed."))
    reason = _text(reason, "reason", 2000, _l("Please give a reason; it will be published."))
    window.response_kind, window.response_reason = ResponseKind.REASON, reason
    window.responded_at, window.responded_by_id = utcnow(), actor.id
    _audit("tracker.response_given", window, actor, record, reason=reason)
    _tell(record, actor, N_("The committee answered the residents' verdict on “%(title)s”: %(reason)s"),
          reason=reason)
    _commit()
    return window


def rectify(actor, record, reason):
    _require_manager(actor, record)
    _require_state(record, [RecordState.EVALUATION], _l("A rectification follows the residents' evaluation."))
    reason = _text(reason, "reason", 2000, _l("Please give a reason; it will be published."))
    _apply(record, "rectify", actor, reason=reason)
    _commit()
    return record.rectifications[-1]


def close(actor, record):
    _require_manager(actor, record)
    _require_state(record, [RecordState.EVALUATION], _l("A record is closed after the residents' evaluation."))
    _apply(record, "close", actor)
    _commit()
    return record


# ---------------------------------------------------------------- the residents' verdict

def relation_of(user, matter):
    if user.id == matter.proposer_id:
        return Relation.PROPOSER
    supported = db.session.scalar(
        select(Support.id).where(Support.matter_id == matter.id, Support.user_id == user.id))
    return Relation.SUPPORTER if supported else Relation.RESIDENT


def rate(user, record, *, stars, comment=""):
    if not is_verified_resident(user, record.community):
        raise DomainError(_l("Only verified residents of this community can rate."))
    if permissions.manages_record(user, record):
        raise DomainError(MANAGERS_DO_NOT_RATE)
    window = record.current_window
    if record.state != RecordState.EVALUATION or window is None or not window.is_open():
        raise DomainError(_l("Rating is only possible while the evaluation window is open."))
    if permissions.has_rated(user, window):
        raise DomainError(_l("You have already rated this project. Thank you!"))
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        raise FieldError("stars", _l("Please choose from 1 to 5 stars."))
    comment = _text(comment, "comment", 500)
    evaluation = Evaluation(window=window, record_id=record.id, user_id=user.id, stars=stars, comment=comment,
                            relation=relation_of(user, record.matter))
    try:
        db.session.add(evaluation)
        _audit("tracker.rated", evaluation, user, record, window=window.number, stars=stars)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise DomainError(_l("You have already rated this project. Thank you!")) from None
    return evaluation


# ---------------------------------------------------------------- following the lifecycle

def follow_transition(record, action, actor, data):
    """Bring the record in step with a micro-matter transition (called from the signal)."""
    now = utcnow()
    if action == "start_implementation":
        record.state = RecordState.IN_PROGRESS
        record.started_at = record.started_at or now
        record.pause_reason = record.paused_at = None
    elif action == "complete":
        accepted_on = _iso_date(data.get("accepted_on")) or local_today()
        note = data.get("note") or data.get("reason") or ""
        rectification = record.rectifications[-1] if record.state == RecordState.RECTIFICATION and \
            record.rectifications else None
        if rectification is not None:
            rectification.accepted_on, rectification.acceptance_note = accepted_on, note
            rectification.completed_at = now
        else:
            record.accepted_on, record.acceptance_note = accepted_on, note
        record.completed_at = record.completed_at or now
        record.progress_percent = 100
        record.state = RecordState.COMPLETED
    elif action == "open_evaluation":
        closes_at = _iso_datetime(data.get("closes_at")) or end_of_local_day(
            local_today() + timedelta(days=DEFAULT_WINDOW_DAYS))
        ruleset = current_ruleset(record.community)
        window = EvaluationWindow(
            number=len(record.windows) + 1, opens_at=now, closes_at=closes_at,
            threshold_percent=ruleset.satisfaction_threshold_percent if ruleset else 60,
            ruleset_id=ruleset.id if ruleset else None, opened_by_id=getattr(actor, "id", None))
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
        record.rectifications.append(Rectification(
            window_id=window.id if window else None, reason=data.get("reason") or "",
            opened_by_id=getattr(actor, "id", None), opened_at=now))
        record.state = RecordState.RECTIFICATION
    elif action == "close":
        record.state = RecordState.CLOSED
        record.closed_at = now


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
