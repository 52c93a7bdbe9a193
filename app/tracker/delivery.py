"""The committee's delivery of a project: details, milestones, progress updates, spending, and
the work's states (start, pause, resume, acceptance, rectification, closing)."""

from blinker import Namespace
from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.errors import DomainError, FieldError
from app.core.i18n import N_
from app.core.params import checked_date
from app.core.photos import removed_on_failure, save_all
from app.core.service import get_or_404, rolls_back
from app.core.text import checked_text, render_markdown
from app.extensions import db

from . import rules
from .models import Milestone, MilestonePhoto, ProgressUpdate, ProgressUpdatePhoto, RecordState, SpendingEntry
from .records import (
    _apply,
    _audit,
    _commit,
    _managing,
    _not_closed,
    _photo_files,
    _public_reason,
    _require_manager,
    _require_state,
    _tell,
    phase_milestones,
    progress_from_milestones,
)

MAX_AMOUNT = 100_000_000  # yuan; anything above is a typing mistake
# Features that follow the money (the fund's ledger) connect here: receiver(entry, actor=...,
# reason=...), called before the commit; a DomainError from a receiver refuses the spending.
spending_recorded = Namespace().signal("spending-recorded")
WORK_STATES = (RecordState.IN_PROGRESS, RecordState.PAUSED, RecordState.RECTIFICATION)
PLANNING_STATES = (RecordState.PLANNED, *WORK_STATES)


# ---------------------------------------------------------------- the committee's updates


@rolls_back
def update_details(actor, record, *, responsible_unit, contact, planned_start, planned_end):
    _require_manager(actor, record)
    _not_closed(record)
    responsible_unit = checked_text(responsible_unit, "responsible_unit", 120)
    contact = checked_text(contact, "contact", 120)
    planned_start = checked_date(planned_start, "planned_start", required=False)
    planned_end = checked_date(planned_end, "planned_end", required=False)
    if planned_start and planned_end and planned_end < planned_start:
        raise FieldError("planned_end", _l("The planned end cannot be before the planned start."))
    record.responsible_unit, record.contact = responsible_unit, contact
    record.planned_start, record.planned_end = planned_start, planned_end
    _audit(
        "tracker.details_updated",
        record,
        actor,
        record,
        responsible_unit=responsible_unit,
        contact=contact,
        planned_start=planned_start and planned_start.isoformat(),
        planned_end=planned_end and planned_end.isoformat(),
    )
    _tell(record, actor, N_("The implementation plan of “%(title)s” was updated."))
    _commit()
    return record


@rolls_back
def add_milestone(actor, record, *, title, planned_date):
    _managing(
        actor,
        record,
        PLANNING_STATES,
        _l("Milestones can only be planned before acceptance or during a rectification."),
    )
    title = checked_text(title, "title", 120, _l("Please give the milestone a title."))
    planned_date = checked_date(planned_date, "planned_date")
    rectification = record.current_rectification
    milestone = Milestone(
        record=record, title=title, planned_date=planned_date, created_by_id=actor.id, rectification=rectification
    )
    db.session.add(milestone)
    progress_from_milestones(record)
    _audit(
        "tracker.milestone_planned",
        milestone,
        actor,
        record,
        title=title,
        planned_date=planned_date.isoformat(),
        rectification_id=rectification and rectification.id,
    )
    _tell(record, actor, N_("A milestone was planned for “%(title)s”: %(milestone)s"), milestone=title)
    _commit()
    return milestone


@rolls_back
def complete_milestone(actor, record, milestone_id, *, done_on, note, photos=()):
    _require_manager(actor, record)
    milestone = get_or_404(Milestone, milestone_id, record_id=record.id)
    _require_state(record, WORK_STATES, _l("Milestones can be marked done once work has started."))
    if milestone.is_done:
        raise DomainError(_l("This milestone is already marked done."))
    done_on = checked_date(done_on, "done_on", past=True)
    note = checked_text(note, "note", 1000)
    files = _photo_files(photos)
    with removed_on_failure() as written:
        for stored in save_all(files, actor, written):
            milestone.photos.append(MilestonePhoto(photo=stored))
        milestone.done_on, milestone.note = done_on, note
        milestone.done_by_id, milestone.done_at = actor.id, clock.now()
        progress_from_milestones(record)
        _audit(
            "tracker.milestone_done",
            milestone,
            actor,
            record,
            title=milestone.title,
            done_on=done_on.isoformat(),
            photos=len(files) or None,
        )
        _tell(record, actor, N_("Milestone done for “%(title)s”: %(milestone)s"), milestone=milestone.title)
        _commit()
    return milestone


@rolls_back
def post_update(actor, record, *, body="", percent=None, photos=()):
    """A status update: text, photos and/or a new progress percentage."""
    _require_manager(actor, record)
    _not_closed(record)
    body = checked_text(body, "body", 2000)
    if percent is not None and not rules.valid_percent(percent):
        raise FieldError("percent", _l("Progress is a whole number from 0 to 100."))
    changed = percent is not None and percent != record.progress_percent
    if changed and record.state not in (RecordState.IN_PROGRESS, RecordState.RECTIFICATION):
        raise FieldError("percent", _l("Progress can only change while work is in progress."))
    milestones = phase_milestones(record)
    if changed and milestones:
        raise FieldError(
            "percent",
            _l(
                "Progress follows the milestones here (%(done)s of %(total)s done): mark a milestone done instead.",
                done=sum(m.is_done for m in milestones),
                total=len(milestones),
            ),
        )
    files = _photo_files(photos)
    if not changed and not body and not files:
        raise FieldError("body", _l("Write an update, add a photo or change the progress."))
    with removed_on_failure() as written:
        update = ProgressUpdate(
            record=record,
            author_id=actor.id,
            body=body,
            body_html=render_markdown(body),
            progress_percent=percent if changed else None,
        )
        for stored in save_all(files, actor, written):
            update.photos.append(ProgressUpdatePhoto(photo=stored))
        db.session.add(update)
        previous = record.progress_percent
        if changed:
            record.progress_percent = percent
        _audit(
            "tracker.update_posted",
            update,
            actor,
            record,
            percent=percent if changed else None,
            previous=previous if changed else None,
            photos=len(files) or None,
        )
        if changed:
            _tell(record, actor, N_("Progress of “%(title)s”: %(percent)s%% done."), percent=percent)
        else:
            _tell(record, actor, N_("New status update on “%(title)s”."))
        _commit()
    return update


@rolls_back
def record_spending(actor, record, *, amount, spent_on, purpose, over_budget_reason=""):
    _require_manager(actor, record)
    _not_closed(record)
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise FieldError("amount", _l("The amount is a whole number of yuan above zero."))
    if amount > MAX_AMOUNT:
        raise FieldError("amount", _l("This amount is too large."))
    spent_on = checked_date(spent_on, "spent_on", past=True)
    purpose = checked_text(purpose, "purpose", 200, _l("Please say what the money was spent on."))
    reason = checked_text(over_budget_reason, "over_budget_reason", 300)
    spent_before = record.spent
    over = rules.over_budget(record.approved_budget, spent_before, amount)
    if over and not reason:
        raise FieldError(
            "over_budget_reason",
            _l(
                "This takes spending to %(total)s yuan, above the approved budget of %(budget)s yuan: "
                "please give the reason (it will be published).",
                total=spent_before + amount,
                budget=record.approved_budget,
            ),
        )
    entry = SpendingEntry(
        record=record,
        amount=amount,
        spent_on=spent_on,
        purpose=purpose,
        over_budget_reason=reason if over else None,
        recorded_by_id=actor.id,
    )
    db.session.add(entry)
    _audit(
        "tracker.spending_recorded",
        entry,
        actor,
        record,
        amount=amount,
        spent_on=spent_on.isoformat(),
        purpose=purpose,
        over_budget_reason=entry.over_budget_reason,
        total=spent_before + amount,
    )
    _tell(
        record,
        actor,
        N_("Spending of %(amount)s yuan was recorded for “%(title)s”: %(purpose)s"),
        amount=amount,
        purpose=purpose,
    )
    spending_recorded.send(entry, actor=actor, reason=reason)
    _commit()
    return entry


# ---------------------------------------------------------------- states


@rolls_back
def start(actor, record):
    _managing(actor, record, [RecordState.PLANNED], _l("Work on this project has already started."))
    if not record.responsible_unit:
        raise FieldError("responsible_unit", _l("Fill in the responsible unit before work starts."))
    _apply(record, "start_implementation", actor)
    _commit()
    return record


@rolls_back
def pause(actor, record, reason):
    _managing(actor, record, [RecordState.IN_PROGRESS], _l("Only work in progress can be paused."))
    reason = _public_reason(reason, 300)
    record.state, record.pause_reason, record.paused_at = RecordState.PAUSED, reason, clock.now()
    _audit("tracker.paused", record, actor, record, reason=reason)
    _tell(record, actor, N_("Work on “%(title)s” was paused: %(reason)s"), reason=reason)
    _commit()
    return record


@rolls_back
def resume(actor, record):
    _managing(actor, record, [RecordState.PAUSED], _l("This work is not paused."))
    record.state, record.pause_reason, record.paused_at = RecordState.IN_PROGRESS, None, None
    _audit("tracker.resumed", record, actor, record)
    _tell(record, actor, N_("Work on “%(title)s” resumed."))
    _commit()
    return record


@rolls_back
def accept(actor, record, *, accepted_on, note):
    """验收: the work is accepted; the micro-matter becomes completed."""
    _require_manager(actor, record)
    if record.state == RecordState.PAUSED:
        raise DomainError(_l("Resume the work before acceptance."))
    _require_state(
        record,
        [RecordState.IN_PROGRESS, RecordState.RECTIFICATION],
        _l("Only work in progress or a rectification can be accepted."),
    )
    accepted_on = checked_date(accepted_on, "accepted_on", past=True)
    proposed = record.matter.submitted_at or record.matter.created_at
    if proposed and accepted_on < clock.local_date(proposed):
        raise FieldError("accepted_on", _l("The acceptance date cannot be before the micro-matter was proposed."))
    note = checked_text(note, "note", 2000, _l("Please describe the acceptance (who checked what)."))
    _apply(record, "complete", actor, accepted_on=accepted_on.isoformat(), note=note)
    _commit()
    return record


def _move(actor, record, action, states, refusal, *reason):
    """The manager moves the micro-matter from one of `states` (else refused), and commits; a step
    given a `reason` requires it and publishes it."""
    _managing(actor, record, states, refusal)
    _apply(record, action, actor, **({"reason": _public_reason(*reason)} if reason else {}))
    _commit()


@rolls_back
def rectify(actor, record, reason):
    states = [RecordState.EVALUATION]
    _move(actor, record, "rectify", states, _l("A rectification follows the residents' evaluation."), reason)
    return record.rectifications[-1]


@rolls_back
def cancel(actor, record, reason):
    """A decided matter that will not be delivered: the committee says why, in public."""
    states = [RecordState.PLANNED, RecordState.IN_PROGRESS, RecordState.PAUSED]
    _move(actor, record, "cancel", states, _l("Only work not yet accepted can be cancelled."), reason)
    return record


@rolls_back
def close(actor, record):
    _move(actor, record, "close", [RecordState.EVALUATION], _l("A record is closed after the residents' evaluation."))
    return record
