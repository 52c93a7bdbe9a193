"""Who is in the room: council members check in (the secretary enters them, or they scan the
code the projector shows), leave or are marked absent by the chair; the chair hands over the
chair to another member present."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.core import clock
from app.core.service import commit, insert_once, require
from app.core.text import clean_plain
from app.extensions import db

from . import permissions
from .common import _run, audit, barred_from_the_chair, bump, council_member_ids, present_ids
from .models import Attendance, ChairHandover, CheckinMethod, MeetingStatus, TurnStatus

# A meeting can be opened (and members can check in) from this long before its start.
OPEN_EARLY = timedelta(hours=1)
# The projector's check-in code changes every minute and is accepted in that minute and the
# next, so a photo of it forwarded out of the room stops working within two minutes.
CHECKIN_STEP = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1)


def checkin_is_open(meeting):
    if meeting.status == MeetingStatus.OPEN:
        return True
    return meeting.status == MeetingStatus.SCHEDULED and clock.now() >= meeting.starts_at - OPEN_EARLY


def _attendance(meeting, user_id):
    return next((a for a in meeting.attendances if a.user_id == user_id), None)


def _check_in(meeting, user, recorded_by, method):
    require(meeting.status != MeetingStatus.CLOSED, _l("The meeting is closed."))
    require(checkin_is_open(meeting), _l("Check-in opens one hour before the meeting starts."))
    require(
        user is not None and user.id in council_member_ids(meeting.community),
        _l("Only council members check in; they are the ones counted for the quorum."),
    )
    attendance = _attendance(meeting, user.id)
    now = clock.now()
    if attendance is not None:
        require(attendance.left_at is not None, _l("%(name)s is already checked in.", name=user.display_name))
        attendance.left_at = attendance.marked_absent_by_id = None
        attendance.checked_in_at = now
        attendance.method, attendance.recorded_by_id = method, recorded_by.id
    else:
        attendance = insert_once(
            Attendance(
                meeting_id=meeting.id, user_id=user.id, method=method, recorded_by_id=recorded_by.id, checked_in_at=now
            ),
            _l("%(name)s is already checked in.", name=user.display_name),
        )
        meeting.attendances.append(attendance)
    bump(meeting)
    audit("meeting.checked_in", attendance, recorded_by, meeting, user_id=user.id, method=method)
    return attendance


def check_in(actor, meeting, user_id):
    from app.auth.models import User

    _run(actor, meeting)
    _check_in(meeting, db.session.get(User, user_id or 0), actor, CheckinMethod.SECRETARY)
    commit(_l("Already checked in."))


def _minute(at):
    return int((at - _EPOCH) / CHECKIN_STEP)


def checkin_code(meeting, at=None):
    """The code the projector shows now: an HMAC of the meeting's secret and the current minute."""
    message = f"{meeting.id}:{meeting.checkin_token}:{_minute(at or clock.now())}".encode()
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:12]).decode()


def checkin_code_valid(meeting, code):
    """Accepted in the minute it was shown and the next one."""
    now = clock.now()
    return bool(code) and any(
        secrets.compare_digest(str(code).encode(), checkin_code(meeting, at).encode())
        for at in (now, now - CHECKIN_STEP)
    )


EXPIRED_CODE = _l(
    "This check-in code has expired or is not valid: it changes every minute. Scan the QR code on "
    "the projector in the meeting room again."
)


def self_check_in(user, meeting, code):
    require(checkin_code_valid(meeting, code), EXPIRED_CODE)
    require(permissions.can_take_part(user, meeting), _l("Only council members check in to a council meeting."))
    _check_in(meeting, user, user, CheckinMethod.SELF)
    commit(_l("You are already checked in."))


def _lapse_waiting_turns(meeting, user_id):
    """Someone who is not in the room cannot be called to speak."""
    for item in meeting.items:
        for turn in item.turns:
            if turn.user_id == user_id and turn.status == TurnStatus.WAITING:
                turn.status = TurnStatus.LAPSED


def check_out(actor, meeting, user_id):
    _run(actor, meeting)
    require(meeting.status != MeetingStatus.CLOSED, _l("The meeting is closed."))
    attendance = _attendance(meeting, user_id)
    require(attendance is not None and attendance.left_at is None, _l("This member is not checked in."))
    require(user_id != meeting.chair_id, _l("The presiding chair cannot leave; hand over the chair first."))
    attendance.left_at = clock.now()
    _lapse_waiting_turns(meeting, user_id)
    bump(meeting)
    audit("meeting.left", attendance, actor, meeting, user_id=user_id)
    commit()


def mark_absent(actor, meeting, user_id):
    """The chair finds a checked-in member is not in the room (e.g. checked in from a forwarded
    photo of the code): the member counts as absent from then on, and the minutes say so."""
    require(permissions.can_mark_absent(actor, meeting), _l("Only the presiding chair marks a member absent."))
    require(meeting.status != MeetingStatus.CLOSED, _l("The meeting has ended; attendance can no longer change."))
    attendance = _attendance(meeting, user_id)
    require(attendance is not None and attendance.left_at is None, _l("This member is not checked in."))
    require(user_id != meeting.chair_id, _l("The presiding chair cannot be marked absent."))
    attendance.left_at = clock.now()
    attendance.marked_absent_by_id = actor.id
    _lapse_waiting_turns(meeting, user_id)
    bump(meeting)
    audit(
        "meeting.marked_absent",
        attendance,
        actor,
        meeting,
        user_id=user_id,
        checked_in_by=attendance.method,
        checked_in_at=attendance.checked_in_at.isoformat(timespec="seconds"),
    )
    commit()


def hand_over_chair(actor, meeting, to_user_id, reason=""):
    from app.auth.models import User

    _run(actor, meeting)
    require(meeting.status != MeetingStatus.CLOSED, _l("The meeting is closed."))
    to_user = db.session.get(User, to_user_id or 0)
    require(
        to_user is not None and to_user.id in council_member_ids(meeting.community),
        _l("The chair can only pass to another council member."),
    )
    require(to_user.id != meeting.chair_id, _l("This member is already chairing."))
    require(to_user.id != meeting.secretary_id, _l("The secretary cannot also chair the meeting."))
    require(
        to_user.id not in barred_from_the_chair(meeting),
        _l(
            "This member holds a written proxy for this meeting. Under the rules the chair gives only the "
            "deciding vote on a tie, so the vote the proxy carries would be lost: hand the chair to another member."
        ),
    )
    if meeting.status == MeetingStatus.OPEN:
        require(to_user.id in present_ids(meeting), _l("The new chair must be checked in."))
    now = clock.now()
    handover = ChairHandover(
        meeting_id=meeting.id,
        from_user_id=meeting.chair_id,
        to_user_id=to_user.id,
        by_id=actor.id,
        reason=clean_plain(reason)[:300],
        at=now,
    )
    db.session.add(handover)
    for item in meeting.items:  # the chair does not speak while chairing
        for turn in item.turns:
            if turn.user_id == to_user.id and turn.status == TurnStatus.WAITING:
                turn.status = TurnStatus.LAPSED
            elif turn.user_id == to_user.id and turn.status == TurnStatus.SPEAKING:
                turn.status, turn.ended_at = TurnStatus.DONE, now
    previous = meeting.chair_id
    meeting.chair_id = to_user.id
    bump(meeting)
    audit(
        "meeting.chair_handed_over",
        handover,
        actor,
        meeting,
        from_user_id=previous,
        to_user_id=to_user.id,
        reason=handover.reason or None,
    )
    commit()
