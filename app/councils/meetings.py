"""Meetings: scheduling, opening and closing, attendance and check-in, the chair hand-over,
and opening and closing the items on a meeting's agenda."""

import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import commit, insert_once, require
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications import wecom
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import minutes, permissions
from .common import (
    _is_open,
    _run,
    audit,
    barred_from_the_chair,
    bump,
    council_member_ids,
    council_members,
    present_ids,
    quorum_now,
)
from .models import (
    ACTIVE_MOTION,
    AgendaItem,
    Attendance,
    ChairHandover,
    CheckinMethod,
    ItemStatus,
    Meeting,
    MeetingItem,
    MeetingStatus,
    MotionStatus,
    MotionVote,
    TurnStatus,
)
from .review import schedulable_items
from .speakers import _end_speaking

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


# ---------------------------------------------------------------- meetings


def meetings(community):
    """(upcoming or in session, past)."""
    rows = db.session.scalars(
        select(Meeting).where(Meeting.community_id == community.id).order_by(Meeting.starts_at.desc())
    ).all()
    upcoming = sorted((m for m in rows if m.status != MeetingStatus.CLOSED), key=lambda m: m.starts_at)
    return upcoming, [m for m in rows if m.status == MeetingStatus.CLOSED]


def schedule_meeting(
    actor,
    community,
    *,
    title,
    starts_at,
    place,
    chair_id,
    secretary_id,
    agenda_item_ids,
    urgent=False,
    urgent_reason="",
):
    from app.auth.models import User

    require(permissions.can_schedule(actor, community), _l("Only the committee schedules meetings."))
    title, place = clean_plain(title)[:120], clean_plain(place)[:120]
    require(title and place, _l("A meeting needs a title and a place."))
    now = clock.now()
    require(starts_at is not None and starts_at > now, _l("The meeting must start in the future."))
    ruleset = current_ruleset(community)
    urgent_reason = clean_plain(urgent_reason)[:300]
    if starts_at < now + timedelta(days=ruleset.notice_days):
        if not urgent:
            raise DomainError(
                _l(
                    "The rules ask for %(days)s days' notice (rule set v%(version)s). Choose a later "
                    "date, or mark the meeting urgent and give the reason.",
                    days=ruleset.notice_days,
                    version=ruleset.version,
                )
            )
        require(urgent_reason, _l("An urgent meeting needs a reason; it is published with the meeting."))
    else:
        urgent, urgent_reason = False, ""
    chair, secretary = db.session.get(User, chair_id or 0), db.session.get(User, secretary_id or 0)
    require(
        chair is not None and chair.id in council_member_ids(community),
        _l("The chair must be a member of the council."),
    )
    require(
        secretary is not None and permissions.can_be_secretary(secretary, community),
        _l("The secretary must be a committee or council member."),
    )
    require(secretary.id != chair.id, _l("The chair and the secretary must be two different people."))
    wanted = list(dict.fromkeys(agenda_item_ids or []))
    require(wanted, _l("Choose at least one item from the agenda list."))
    for agenda_item in db.session.scalars(
        select(AgendaItem).where(AgendaItem.id.in_(wanted), AgendaItem.community_id == community.id)
    ):
        agenda_item.subject.before_scheduling()
    available = {item.id: item for item in schedulable_items(community)}
    require(
        all(i in available for i in wanted),
        _l("Only items waiting on the agenda list and not yet in another meeting can be chosen."),
    )
    meeting = Meeting(
        community_id=community.id,
        title=title,
        starts_at=starts_at,
        place=place,
        urgent=urgent,
        urgent_reason=urgent_reason,
        ruleset_id=ruleset.id,
        chair_id=chair.id,
        secretary_id=secretary.id,
        checkin_token=secrets.token_urlsafe(24),
        created_by_id=actor.id,
        created_at=now,
    )
    db.session.add(meeting)
    chosen = sorted((available[i] for i in wanted), key=lambda item: (item.position, item.id))
    for position, agenda_item in enumerate(chosen, start=1):
        db.session.add(MeetingItem(meeting=meeting, agenda_item=agenda_item, position=position))
    record(
        "meeting.scheduled",
        meeting,
        actor=actor,
        community=community,
        title=title,
        starts_at=starts_at.isoformat(),
        place=place,
        urgent=urgent,
        urgent_reason=urgent_reason or None,
        notice_days=ruleset.notice_days,
        ruleset_version=ruleset.version,
        chair_id=chair.id,
        secretary_id=secretary.id,
        matters=[item.matter_id for item in chosen if item.matter_id],
        agenda_items=[item.id for item in chosen],
    )
    when = clock.to_local(starts_at).strftime("%Y-%m-%d %H:%M")
    message = N_("Council meeting “%(title)s” on %(when)s at %(place)s.")
    db.session.flush()
    link = path_for("councils.meeting", slug=community.slug, meeting_id=meeting.id)
    people = [*council_members(community), secretary]
    notify(people, message, link, exclude=actor, event="meetings", title=title, when=when, place=place)
    wecom.announce(community, message, link, title=title, when=when, place=place)  # the meeting notice
    commit()
    return meeting


def open_meeting(actor, meeting):
    _run(actor, meeting)
    require(meeting.status == MeetingStatus.SCHEDULED, _l("This meeting is not waiting to be opened."))
    require(checkin_is_open(meeting), _l("The meeting can be opened from one hour before its start."))
    ruleset = current_ruleset(meeting.community)
    check = quorum_now(meeting, ruleset)
    require(
        check.met,
        _l(
            "No quorum: %(present)s of %(members)s council members are present, %(needed)s are needed.",
            present=check.present,
            members=check.members,
            needed=check.needed,
        ),
    )
    meeting.ruleset_id = ruleset.id
    meeting.status = MeetingStatus.OPEN
    meeting.opened_at = clock.now()
    meeting.opened_present, meeting.opened_members, meeting.opened_quorum_needed = (
        check.present,
        check.members,
        check.needed,
    )
    bump(meeting)
    record(
        "meeting.opened",
        meeting,
        actor=actor,
        community=meeting.community_id,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        present=check.present,
        members=check.members,
        needed=check.needed,
    )
    commit()


def close_meeting(actor, meeting):
    _run(actor, meeting)
    _is_open(meeting)
    open_votes = db.session.scalar(
        select(func.count(MotionVote.id)).where(MotionVote.meeting_id == meeting.id, MotionVote.is_open.is_(True))
    )
    require(not open_votes, _l("A vote is still open; close it first."))
    require(
        not any(m.status == MotionStatus.VOTING for item in meeting.items for m in item.motions),
        _l("A tied vote waits for the chair's deciding vote; the chair gives it first."),
    )
    require(
        all(p.ruled_at is not None for p in meeting.points_of_order),
        _l("A point of order waits for the chair's ruling; rule on it first."),
    )
    end_meeting(actor, meeting)
    commit()


def end_meeting(actor, meeting, **data):
    """The meeting ends (closed by the chair, or adjourned by a motion the council passed, inside
    its transaction): motions not voted on lapse, items not decided go back to the agenda list."""
    now = clock.now()
    for item in meeting.items:
        active = [m for m in item.motions if m.status in ACTIVE_MOTION]
        for motion in active:  # not voted on: it lapses with the meeting
            motion.status = MotionStatus.WITHDRAWN
            motion.decided_at = now
        _end_speaking(item, lapse_waiting=True)
        if item.status in (ItemStatus.PENDING, ItemStatus.OPEN):
            item.status = ItemStatus.DEFERRED
            item.closed_at = now if item.opened_at else None
    meeting.status = MeetingStatus.CLOSED
    meeting.closed_at = now
    bump(meeting)
    record(
        "meeting.closed",
        meeting,
        actor=actor,
        community=meeting.community_id,
        decided=_item_refs(meeting, ItemStatus.DECIDED),
        deferred=_item_refs(meeting, ItemStatus.DEFERRED),
        **data,
    )
    minutes.start_draft(actor, meeting)


def _item_refs(meeting, status):
    """The matter ids of the items in `status`; other subjects by their audit reference."""
    return [i.agenda_item.matter_id or i.subject.audit_ref for i in meeting.items if i.status == status]


# ---------------------------------------------------------------- attendance


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


# ---------------------------------------------------------------- items


def open_item(actor, meeting, item):
    _run(actor, meeting)
    _is_open(meeting)
    require(item.status in (ItemStatus.PENDING, ItemStatus.DEFERRED), _l("This item cannot be opened now."))
    require(
        not any(i.status == ItemStatus.OPEN for i in meeting.items),
        _l("Another item is under discussion; close it first."),
    )
    subject = item.subject
    require(
        subject.on_agenda,
        _l("This micro-matter is no longer on the agenda list (“%(status)s”).", status=subject.status_label),
    )
    item.status = ItemStatus.OPEN
    item.opened_at = clock.now()
    item.closed_at = None
    _item_moved("meeting.item_opened", item, actor, meeting)


def close_item(actor, meeting, item):
    _run(actor, meeting)
    _is_open(meeting)
    require(item.status == ItemStatus.OPEN, _l("This item is not under discussion."))
    require(
        not any(m.status in ACTIVE_MOTION for m in item.motions),
        _l("A motion on this item is still open: withdraw it or vote on it first."),
    )
    _end_speaking(item, lapse_waiting=True)
    item.status = ItemStatus.DEFERRED
    item.closed_at = clock.now()
    _item_moved("meeting.item_deferred", item, actor, meeting)


def _item_moved(action, item, actor, meeting):
    bump(meeting)
    audit(action, item, actor, meeting, **item.subject.audit_ref)
    commit()


def current_item(meeting):
    return next((i for i in meeting.items if i.status == ItemStatus.OPEN), None)
