"""Minutes: generated from the records of a meeting, notes by the secretary, sent to the council
members for comments (as many days as the rules say; the chair answers each), locked by the chair.

`build_content(meeting)` is the record as data (codes, numbers, names, ISO times), so the
same minutes print in Chinese and English. Locking stores it in Minutes.content; from
then on the minutes never change, and a correction is a new linked Minutes row.
"""

from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.core import clock
from app.core.i18n import N_
from app.core.service import commit, get_or_404, require
from app.core.text import render_markdown
from app.core.urls import path_for
from app.extensions import db
from app.notifications.services import notify

from . import permissions
from .common import council_members, proxy_pairs
from .models import (
    Ballot,
    ItemStatus,
    MeetingStatus,
    Minutes,
    MinutesComment,
    MotionKind,
    MotionStatus,
    TurnStatus,
    VoteMode,
)

MAX_NOTES = 20_000
MAX_COMMENT = 2_000


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
                # An amendment names the motion it amends; a motion a carried amendment changed keeps its text as moved.
                "amends_id": motion.amends_id,
                "as_moved": motion.as_moved,
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
                    holders = dict(proxy_pairs(meeting))  # a holder casting a written proxy: "X for Y by proxy"
                    entry["vote"]["named"] = [
                        {
                            "name": name(b.user_id),
                            "choice": b.choice,
                            "by_secretary": b.recorded_by_id not in (b.user_id, holders.get(b.user_id)),
                            "by_proxy": name(b.recorded_by_id) if holders.get(b.user_id) == b.recorded_by_id else "",
                        }
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
                "overrun_seconds": t.overrun_seconds,
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
            "speaking_overrun": ruleset.speaking_overrun,
            "minutes_comment_days": ruleset.minutes_comment_days,
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
        "points_of_order": [_point(p, name) for p in meeting.points_of_order],
        "adjourned": any(
            m.kind == MotionKind.ADJOURN and m.status == MotionStatus.PASSED for i in meeting.items for m in i.motions
        ),
        # Every turn that went past its time (under the "record" rule), in the order spoken.
        "overruns": [
            {
                "name": s["name"],
                "item_position": it["position"],
                "item_title": it["title"],
                "seconds": s["overrun_seconds"],
            }
            for it in items
            for s in it["speakers"]
            if s["overrun_seconds"]
        ],
        "decided": sum(1 for i in meeting.items if i.status == ItemStatus.DECIDED),
        **{key: build(meeting) for key, build in _sections.items()},
    }


# Parts of the record a feature above adds (app.proxies: "proxies"): key -> build(meeting).
_sections: dict = {}


def add_section(key, build):
    _sections[key] = build


def _point(point, name):
    """A point of order and the chair's ruling, for the minutes."""
    return {
        "text": point.text,
        "raised_by": name(point.raised_by_id),
        "by_chair": point.entered_by_id is not None,
        "raised_at": _iso(point.raised_at),
        "item_position": point.item.position if point.item else None,
        "upheld": point.upheld,
        "ruling_reason": point.ruling_reason,
        "ruled_by": name(point.ruled_by_id),
        "ruled_at": _iso(point.ruled_at),
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


def originals(meeting_ids):
    """Meeting id -> its original minutes (the first that correct nothing), for many meetings in
    one statement (a page of the API's meetings)."""
    found = {}
    query = select(Minutes).where(Minutes.meeting_id.in_(meeting_ids), Minutes.corrects_id.is_(None))
    for minutes in db.session.scalars(query.order_by(Minutes.id)):
        found.setdefault(minutes.meeting_id, minutes)
    return found


def original(meeting):
    return originals([meeting.id]).get(meeting.id)


def locked_originals(meetings):
    """Meeting id -> its approved minutes once locked (public from then on; corrections are apart)."""
    return {meeting_id: m for meeting_id, m in originals([m.id for m in meetings]).items() if m.locked}


def locked_original(meeting):
    return locked_originals([meeting]).get(meeting.id)


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
        _comments_done(minutes)
        minutes.content = build_content(minutes.meeting)
    minutes.locked_at = clock.now()
    minutes.locked_by_id = actor.id
    _written("minutes.locked", minutes, actor, minutes, corrects_id=minutes.corrects_id)


def _when(moment):
    return clock.to_local(moment).strftime("%Y-%m-%d %H:%M")


def _comments_done(minutes):
    """The members had the draft for the days the rules give, and every comment has its answer."""
    ruleset = minutes.meeting.ruleset
    days = ruleset.minutes_comment_days
    if days:
        require(
            minutes.sent_for_comments_at is not None,
            _l(
                "Send the draft to the council members for comments first: the rules (v%(version)s) give them "
                "%(days)s days before the minutes are locked.",
                version=ruleset.version,
                days=days,
            ),
        )
        require(
            clock.now() >= minutes.comments_until,
            _l(
                "The council members may comment on the draft until %(until)s (%(days)s days under rule set "
                "v%(version)s); the minutes can be locked after that.",
                until=_when(minutes.comments_until),
                days=days,
                version=ruleset.version,
            ),
        )
    require(
        all(c.answer is not None for c in comments(minutes)),
        _l("Answer every member's comment before locking the minutes."),
    )


def comments(minutes):
    return db.session.scalars(
        select(MinutesComment).where(MinutesComment.minutes_id == minutes.id).order_by(MinutesComment.id)
    ).all()


def get_comment(minutes, comment_id):
    return get_or_404(MinutesComment, comment_id, minutes_id=minutes.id)


def comments_open(minutes):
    """Whether the draft is out for comments now."""
    return (
        not minutes.locked
        and minutes.comments_until is not None
        and minutes.sent_for_comments_at <= clock.now() < minutes.comments_until
    )


def _tell(users, message, minutes, actor, **params):
    """Notify `users` but the actor of the draft minutes of a meeting (`%(title)s`), linking to them."""
    meeting = minutes.meeting
    link = path_for("councils.minutes", slug=meeting.community.slug, meeting_id=minutes.meeting_id)
    notify(users, message, link, exclude=actor, event="meetings", title=meeting.title, **params)


def _text(text, missing):
    text = (text or "").strip()
    require(text, missing)
    require(len(text) <= MAX_COMMENT, _l("The text is too long (at most 2000 characters)."))
    return text


def send_for_comments(actor, minutes):
    """The draft goes to the council members, who may comment for the days the rules give."""
    require(not minutes.locked, _l("These minutes are already locked."))
    require(minutes.meeting.status == MeetingStatus.CLOSED, _l("Minutes are sent after the meeting closes."))
    require(
        permissions.can_send_minutes_for_comments(actor, minutes),
        _l("Only the secretary or the chair of the meeting sends the draft to the members."),
    )
    require(minutes.sent_for_comments_at is None, _l("The draft was already sent to the members."))
    days = minutes.meeting.ruleset.minutes_comment_days
    require(days > 0, _l("The rules give no time for comments: the chair may lock the minutes at once."))
    now = clock.now()
    minutes.sent_for_comments_at, minutes.comments_until = now, now + timedelta(days=days)
    _tell(
        council_members(minutes.meeting.community),
        N_("The draft minutes of “%(title)s” are ready for your comments until %(until)s."),
        minutes,
        actor,
        until=_when(minutes.comments_until),
    )
    _written(
        "minutes.sent_for_comments", minutes, actor, minutes, days=days, comments_until=_iso(minutes.comments_until)
    )


def add_comment(actor, minutes, text):
    require(
        permissions.can_comment_on_minutes(actor, minutes), _l("Only council members comment on the draft minutes.")
    )
    require(
        minutes.sent_for_comments_at is not None, _l("The draft has not been sent to the members for comments yet.")
    )
    require(
        comments_open(minutes),
        _l("The time for comments ended on %(until)s.", until=_when(minutes.comments_until)),
    )
    text = _text(text, _l("Write your comment."))
    comment = MinutesComment(minutes_id=minutes.id, author_id=actor.id, text=text, created_at=clock.now())
    db.session.add(comment)
    _tell(
        [minutes.meeting.chair],
        N_("A council member commented on the draft minutes of “%(title)s”; please answer."),
        minutes,
        actor,
    )
    _written("minutes.commented", comment, actor, minutes, minutes_id=minutes.id, length=len(text))
    return comment


def answer_comment(actor, comment, text):
    minutes = comment.minutes
    require(not minutes.locked, _l("These minutes are already locked."))
    require(
        permissions.can_answer_minutes_comment(actor, minutes),
        _l("Only the presiding chair answers the members' comments."),
    )
    require(comment.answer is None, _l("This comment is already answered."))
    text = _text(text, _l("Write your answer."))
    comment.answer, comment.answered_by_id, comment.answered_at = text, actor.id, clock.now()
    _tell([comment.author], N_("The chair answered your comment on the draft minutes of “%(title)s”."), minutes, actor)
    _written("minutes.comment_answered", comment, actor, minutes, minutes_id=minutes.id, length=len(text))


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
