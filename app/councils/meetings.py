"""Meetings: scheduling, opening and closing, and opening and closing the items on a meeting's
agenda (who is in the room, and the chair hand-over: attendance.py)."""

import secrets
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.i18n import N_
from app.core.service import commit, require
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications import wecom
from app.notifications.services import notify
from app.rules.services import current_ruleset

from . import minutes, permissions
from .attendance import checkin_is_open
from .common import _is_open, _run, audit, bump, council_member_ids, council_members, quorum_now, under_discussion
from .models import ACTIVE_MOTION, AgendaItem, ItemStatus, Meeting, MeetingItem, MeetingStatus, MotionStatus, MotionVote
from .review import schedulable_items
from .speakers import _end_speaking

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
    under_discussion(item)
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
