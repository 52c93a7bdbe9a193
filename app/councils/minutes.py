"""Minutes: generated from the records of a meeting, notes by the secretary, locked by the chair.

`build_content(meeting)` is the record as data (codes, numbers, names, ISO times), so the
same minutes print in Chinese and English. Locking stores it in Minutes.content; from
then on the minutes never change, and a correction is a new linked Minutes row.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core import clock
from app.core.service import commit, get_or_404, require
from app.core.text import render_markdown
from app.extensions import db

from . import permissions
from .common import council_members
from .models import Ballot, ItemStatus, MeetingStatus, Minutes, TurnStatus, VoteMode

MAX_NOTES = 20_000


def _iso(value):
    return value.isoformat(timespec="seconds") if value else None


def build_content(meeting):
    from app.auth.models import User

    def name(user_id):
        user = db.session.get(User, user_id) if user_id else None
        return user.display_name if user else ""

    members = council_members(meeting.community)
    attended = {a.user_id: a for a in meeting.attendances}
    ruleset = meeting.ruleset
    items = []
    for item in meeting.items:
        motions = []
        for motion in item.motions:
            entry = {
                "id": motion.id,
                "kind": motion.kind,
                "budget": motion.budget,
                "text": motion.text,
                "mover": name(motion.mover_id),
                "moved_at": _iso(motion.moved_at),
                "seconders": [name(s.user_id) for s in motion.seconders],
                # Entered by the chair for a member present without a phone (names, as above).
                "mover_by_chair": motion.entered_by_id is not None,
                "seconders_by_chair": [name(s.user_id) for s in motion.seconders if s.entered_by_id],
                "seconders_needed": motion.seconders_needed,
                "status": motion.status,
                "vote": None,
            }
            result = motion.vote.result if motion.vote else None
            if result is not None:
                entry["vote"] = {
                    "mode": result.mode,
                    "yes": result.yes,
                    "no": result.no,
                    "abstain": result.abstain,
                    "not_voted": result.not_voted,
                    "present": result.present,
                    "members": result.members,
                    "majority_rule": result.majority_rule,
                    "base_kind": result.base_kind,
                    "base": result.base,
                    "needed": result.needed,
                    "tie_rule": result.tie_rule,
                    "tie": result.tie,
                    "casting_vote": result.casting_vote,
                    "passed": result.passed,
                    "quorum_numerator": result.quorum_numerator,
                    "quorum_denominator": result.quorum_denominator,
                    "quorum_strict": result.quorum_strict,
                    "quorum_needed": result.quorum_needed,
                    "ruleset_version": result.ruleset_version,
                    "decided_at": _iso(result.decided_at),
                    "named": [],
                }
                if result.mode == VoteMode.NAMED:
                    ballots = db.session.scalars(
                        select(Ballot).where(Ballot.vote_id == result.vote_id).order_by(Ballot.id)
                    ).all()
                    entry["vote"]["named"] = [
                        {"name": name(b.user_id), "choice": b.choice, "by_secretary": b.recorded_by_id != b.user_id}
                        for b in ballots
                    ]
            motions.append(entry)
        speakers = [
            {
                "name": name(t.user_id),
                "stance": t.stance,
                "started_at": _iso(t.started_at),
                "ended_at": _iso(t.ended_at),
                "by_chair": t.entered_by_id is not None,
            }
            for t in sorted((t for t in item.turns if t.started_at is not None), key=lambda t: (t.started_at, t.id))
            if t.status in (TurnStatus.DONE, TurnStatus.SPEAKING)
        ]
        items.append(
            {
                "position": item.position,
                **item.subject.audit_ref,
                "title": item.subject.title,
                "status": item.status,
                "outcome": item.outcome,
                "speakers": speakers,
                "motions": motions,
            }
        )
    return {
        "meeting": {
            "id": meeting.id,
            "title": meeting.title,
            "place": meeting.place,
            "starts_at": _iso(meeting.starts_at),
            "opened_at": _iso(meeting.opened_at),
            "closed_at": _iso(meeting.closed_at),
            "urgent": meeting.urgent,
            "urgent_reason": meeting.urgent_reason,
        },
        "community": meeting.community.name,
        "ruleset": {
            "id": ruleset.id,
            "version": ruleset.version,
            "quorum_numerator": ruleset.quorum_numerator,
            "quorum_denominator": ruleset.quorum_denominator,
            "quorum_strict": ruleset.quorum_strict,
            "majority_rule": ruleset.majority_rule,
            "majority_base": ruleset.majority_base,
            "tie_rule": ruleset.tie_rule,
            "turns_per_item": ruleset.turns_per_item,
            "minutes_per_turn": ruleset.minutes_per_turn,
            "seconders_needed": ruleset.seconders_needed,
            "secret_ballot": ruleset.secret_ballot,
        },
        "chair": name(meeting.handovers[0].from_user_id if meeting.handovers else meeting.chair_id),
        "secretary": name(meeting.secretary_id),
        "handovers": [
            {
                "from_name": name(h.from_user_id),
                "to_name": name(h.to_user_id),
                "handed_at": _iso(h.at),
                "reason": h.reason,
            }
            for h in meeting.handovers
        ],
        "members": len(members),
        "attendance": [
            {
                "name": name(a.user_id),
                "checked_in_at": _iso(a.checked_in_at),
                "left_at": _iso(a.left_at),
                "method": a.method,
            }
            for a in sorted(attended.values(), key=lambda a: (a.checked_in_at, a.id))
            if not a.marked_absent_by_id
        ],
        "absent": [m.display_name for m in members if m.id not in attended],
        "marked_absent": [name(a.user_id) for a in attended.values() if a.marked_absent_by_id],
        "quorum_at_opening": {
            "present": meeting.opened_present,
            "members": meeting.opened_members,
            "needed": meeting.opened_quorum_needed,
        },
        "items": items,
        "decided": sum(1 for i in meeting.items if i.status == ItemStatus.DECIDED),
    }


def hydrate(content):
    """ISO strings back to datetimes for the date filters (keys ending in _at)."""
    if isinstance(content, dict):
        return {
            k: (datetime.fromisoformat(v) if k.endswith("_at") and isinstance(v, str) else hydrate(v))
            for k, v in content.items()
        }
    if isinstance(content, list):
        return [hydrate(v) for v in content]
    return content


def original(meeting):
    return db.session.scalar(
        select(Minutes)
        .where(Minutes.meeting_id == meeting.id, Minutes.corrects_id.is_(None))
        .order_by(Minutes.id)
        .limit(1)
    )


def corrections(meeting):
    return db.session.scalars(
        select(Minutes).where(Minutes.meeting_id == meeting.id, Minutes.corrects_id.is_not(None)).order_by(Minutes.id)
    ).all()


def start_draft(actor, meeting):
    """Called when the meeting closes (in its transaction)."""
    if original(meeting) is None:
        minutes = Minutes(meeting_id=meeting.id, created_by_id=actor.id, created_at=clock.now(), updated_at=clock.now())
        db.session.add(minutes)
        return minutes
    return original(meeting)


def get_minutes(meeting, minutes_id):
    return get_or_404(Minutes, minutes_id, meeting_id=meeting.id)


def _written(action, obj, actor, minutes, **data):
    """Audit a change to (a correction of) these minutes, and commit it."""
    record(action, obj, actor=actor, community=minutes.meeting.community_id, meeting_id=minutes.meeting_id, **data)
    commit()


def _notes(notes):
    notes = (notes or "").strip()
    require(len(notes) <= MAX_NOTES, _l("The notes are too long (at most 20000 characters)."))
    return notes


def save_notes(actor, minutes, notes):
    require(not minutes.locked, _l("These minutes are locked and cannot be changed. Add a correction instead."))
    require(
        permissions.can_edit_minutes(actor, minutes),
        _l("Only the secretary or the chair of the meeting can write the notes."),
    )
    notes = _notes(notes)
    minutes.notes = notes
    minutes.notes_html = render_markdown(notes)
    minutes.updated_at = clock.now()
    _written("minutes.notes_saved", minutes, actor, minutes, length=len(notes))


def lock(actor, minutes):
    require(not minutes.locked, _l("These minutes are already locked."))
    require(minutes.meeting.status == MeetingStatus.CLOSED, _l("Minutes are locked after the meeting closes."))
    require(
        permissions.can_lock_minutes(actor, minutes), _l("Only the presiding chair approves and locks the minutes.")
    )
    if minutes.corrects_id is not None:
        require(minutes.notes.strip(), _l("Write the correction before locking it."))
    else:
        minutes.content = build_content(minutes.meeting)
    minutes.locked_at = clock.now()
    minutes.locked_by_id = actor.id
    _written("minutes.locked", minutes, actor, minutes, corrects_id=minutes.corrects_id)


def start_correction(actor, minutes, notes):
    require(minutes.locked, _l("Only locked minutes are corrected; these can still be edited."))
    require(
        permissions.can_correct_minutes(actor, minutes),
        _l("Only the secretary or the chair of the meeting can correct the minutes."),
    )
    require(
        not any(not c.locked for c in corrections(minutes.meeting)),
        _l("A correction is already being drafted; finish it first."),
    )
    notes = _notes(notes)
    require(notes, _l("Write what is corrected."))
    correction = Minutes(
        meeting_id=minutes.meeting_id,
        corrects_id=minutes.id,
        notes=notes,
        notes_html=render_markdown(notes),
        created_by_id=actor.id,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    db.session.add(correction)
    _written("minutes.correction_started", correction, actor, minutes, corrects_id=minutes.id)
    return correction
