"""The speakers list of an item: asking to speak, calling and ending turns, and their time limit
(order and time rules in speaking.py)."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select, update

from app.core import clock
from app.core.service import commit, require
from app.extensions import db
from app.rules.choices import SpeakingOverrun

from . import permissions, speaking
from .common import _is_open, _run, acting_member, audit, bump, entered_ref, present_ids
from .models import (
    ACTIVE_MOTION,
    ItemStatus,
    MeetingItem,
    MeetingStatus,
    MotionStatus,
    SpeakingTurn,
    Stance,
    TurnStatus,
)

# ---------------------------------------------------------------- speakers


def active_motion(item):
    """The motion now before the meeting: the latest pending one (an amendment, deferral or
    adjournment is decided before the motion it was moved on)."""
    return next((m for m in reversed(item.motions) if m.status in ACTIVE_MOTION), None)


def turns_taken(item, user_id):
    """Turns that count against the limit: asked for and not withdrawn or lapsed."""
    return sum(
        1
        for t in item.turns
        if t.user_id == user_id and t.status in (TurnStatus.WAITING, TurnStatus.SPEAKING, TurnStatus.DONE)
    )


def current_turn(item):
    return next((t for t in item.turns if t.status == TurnStatus.SPEAKING), None)


def queue(item):
    """Waiting requests in calling order (see speaking.order)."""
    waiting = [t for t in item.turns if t.status == TurnStatus.WAITING]
    spoken = {}
    last_stance = None
    started = sorted((t for t in item.turns if t.started_at is not None), key=lambda t: (t.started_at, t.id))
    for turn in started:
        spoken[turn.user_id] = spoken.get(turn.user_id, 0) + 1
        last_stance = turn.stance
    by_id = {t.id: t for t in waiting}
    ordered = speaking.order([speaking.Request(t.id, t.user_id, t.stance, t.id) for t in waiting], spoken, last_stance)
    return [by_id[r.id] for r in ordered]


def can_be_called(item):
    """Speakers are called while the item is discussed before any motion, or while a motion is
    debated; not while a motion waits for its seconders or is being voted on."""
    motion = active_motion(item)
    return motion is None or motion.status == MotionStatus.DEBATE


def ask_to_speak(user, meeting, item, stance, member_id=None):
    """A member asks to speak on the item: before any motion (pro or contra the subject), or on the
    motion moved. The presiding chair may ask for a member present without a phone (`member_id`)."""
    member, entered_by_id = acting_member(user, meeting, member_id)
    require(permissions.can_take_part(member, meeting), _l("Only council members speak in a council meeting."))
    _is_open(meeting)
    require(item.status == ItemStatus.OPEN, _l("This item is not under discussion."))
    require(member.id in present_ids(meeting), _l("Check in first."))
    require(
        member.id != meeting.chair_id,
        _l("The chair stays neutral and does not speak while chairing; hand over the chair to speak."),
    )
    motion = active_motion(item)
    require(
        motion is None or motion.status != MotionStatus.VOTING,
        _l("The motion is being voted on; members ask to speak again after the vote."),
    )
    require(stance in set(Stance), _l("Say whether you speak for or against."))
    require(
        not any(t.user_id == member.id and t.status in (TurnStatus.WAITING, TurnStatus.SPEAKING) for t in item.turns),
        _l("This member is already on the speakers list.")
        if entered_by_id
        else _l("You are already on the speakers list."),
    )
    limit = meeting.ruleset.turns_per_item
    require(
        turns_taken(item, member.id) < limit,
        _l(
            "You have used your %(limit)s speaking turns on this item (rule set v%(version)s).",
            limit=limit,
            version=meeting.ruleset.version,
        ),
    )
    turn = SpeakingTurn(
        meeting_item_id=item.id,
        motion_id=motion.id if motion else None,
        user_id=member.id,
        stance=stance,
        requested_at=clock.now(),
        entered_by_id=entered_by_id,
    )
    db.session.add(turn)
    item.turns.append(turn)
    bump(meeting)
    audit(
        "meeting.speaker_requested",
        turn,
        user,
        meeting,
        item_id=item.id,
        stance=stance,
        motion_id=turn.motion_id,
        **entered_ref(member, entered_by_id),
    )
    commit()
    return turn


def withdraw_request(user, meeting, turn):
    require(
        turn.user_id == getattr(user, "id", None) or permissions.can_run_meeting(user, meeting),
        _l("You can only withdraw your own request."),
    )
    require(turn.status == TurnStatus.WAITING, _l("This request is no longer waiting."))
    turn.status = TurnStatus.WITHDRAWN
    bump(meeting)
    audit("meeting.speaker_withdrawn", turn, user, meeting)
    commit()


def _end_speaking(item, lapse_waiting=False):
    """End the turn under way (at its limit, or recording its overrun, as the rules say); returns it."""
    now = clock.now()
    ended = None
    for turn in item.turns:
        if turn.status == TurnStatus.SPEAKING:
            turn.ended_at, turn.overrun_seconds = speaking.turn_end(
                turn.ends_at, now, item.meeting.ruleset.speaking_overrun
            )
            turn.status, ended = TurnStatus.DONE, turn
        elif lapse_waiting and turn.status == TurnStatus.WAITING:
            turn.status = TurnStatus.LAPSED
    return ended


def _none_overdue(meeting):
    """No turn over its time among the meeting's turns this request has already read (a page view
    reads them all): no need to ask the database. Unread turns are not loaded for this."""
    if "items" in inspect(meeting).unloaded or any("turns" in inspect(i).unloaded for i in meeting.items):
        return False
    now = clock.now()
    return not any(
        t.status == TurnStatus.SPEAKING and t.ends_at is not None and t.ends_at <= now
        for item in meeting.items
        for t in item.turns
    )


def end_overdue_turn(actor, meeting):
    """Under the "end" rule a turn whose time is up ends at its limit as soon as the server hears of
    the meeting again (a page load, a poll or an action): the server's clock decides, not the
    browser's. Returns the turn it ended, if any."""
    if meeting.status != MeetingStatus.OPEN or meeting.ruleset.speaking_overrun != SpeakingOverrun.END:
        return None
    if _none_overdue(meeting):
        return None
    turn = db.session.scalar(
        select(SpeakingTurn)
        .join(MeetingItem)
        .where(
            MeetingItem.meeting_id == meeting.id,
            SpeakingTurn.status == TurnStatus.SPEAKING,
            SpeakingTurn.ends_at <= clock.now(),
        )
    )
    if turn is None:
        return None
    # Only the request that finds the turn still speaking ends it (polls arrive together).
    ended = db.session.execute(
        update(SpeakingTurn)
        .where(SpeakingTurn.id == turn.id, SpeakingTurn.status == TurnStatus.SPEAKING)
        .values(status=TurnStatus.DONE, ended_at=turn.ends_at)
    ).rowcount
    if not ended:
        db.session.rollback()
        return None
    bump(meeting)
    audit(
        "meeting.speaker_time_up",
        turn,
        actor,
        meeting,
        user_id=turn.user_id,
        ended_at=turn.ends_at.isoformat(timespec="seconds"),
    )
    commit()
    return turn


def next_speaker(actor, meeting, item):
    _run(actor, meeting)
    _is_open(meeting)
    require(item.status == ItemStatus.OPEN, _l("This item is not under discussion."))
    require(
        can_be_called(item),
        _l("Speakers are not called while a motion waits for its seconders or is being voted on."),
    )
    _end_speaking(item)
    waiting = queue(item)
    require(waiting, _l("Nobody is waiting to speak."))
    turn = waiting[0]
    now = clock.now()
    turn.status, turn.started_at = TurnStatus.SPEAKING, now
    turn.ends_at = now + timedelta(minutes=meeting.ruleset.minutes_per_turn)
    bump(meeting)
    audit(
        "meeting.speaker_called",
        turn,
        actor,
        meeting,
        user_id=turn.user_id,
        stance=turn.stance,
        minutes=meeting.ruleset.minutes_per_turn,
    )
    commit()
    return turn


def end_turn(actor, meeting, item):
    _run(actor, meeting)
    turn = current_turn(item)
    require(turn is not None, _l("Nobody is speaking."))
    _end_speaking(item)
    bump(meeting)
    audit("meeting.speaker_finished", turn, actor, meeting, user_id=turn.user_id, overrun_seconds=turn.overrun_seconds)
    commit()
