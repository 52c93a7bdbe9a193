"""Minutes: generated from the records of a meeting, notes by the secretary, sent to the council
members for comments (as many days as the rules say; the chair answers each), locked by the chair.

Locking stores the record (`minutes_record.build_content`) in Minutes.content; from then on the
minutes never change, and a correction is a new linked Minutes row.
"""

from datetime import timedelta

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
from .common import council_members
from .minutes_record import build_content, iso
from .models import MeetingStatus, Minutes, MinutesComment

MAX_NOTES = 20_000
MAX_COMMENT = 2_000


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
        "minutes.sent_for_comments", minutes, actor, minutes, days=days, comments_until=iso(minutes.comments_until)
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
