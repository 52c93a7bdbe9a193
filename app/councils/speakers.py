"""The speakers list of an item: asking to speak, calling and ending turns, and their time limit
(order and time rules in speaking.py)."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select

from app.core import clock
from app.core.service import commit, require
from app.extensions import db
from app.rules.choices import SpeakingOverrun
from app.rules.models import RuleSet

from . import permissions, speaking
from .common import _is_open, _run, acting_member, audit, bump, entered_ref, present_ids, under_discussion
from .models import (
    ACTIVE_MOTION,
    Meeting,
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
    under_discussion(item)
    require(member.id in present_ids(meeting), _l("Check in first."))
    _end_at_limit(user, meeting, item)  # a speaker whose time is up may ask again
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


def _over_at_limit(meeting, turn, now):
    """Under the "end" rule a turn is over once its time is up: the server's clock decides."""
    return (
        turn is not None
        and meeting.ruleset.speaking_overrun == SpeakingOverrun.END
        and speaking.time_up(turn.ends_at, now)
    )


def turn_on_floor(meeting, item):
    """The turn the views show. Under "end" a turn whose time is up is over for everyone at once,
    before the chair's next action or the worker stores its end: a page view or a poll writes nothing."""
    turn = current_turn(item)
    return None if _over_at_limit(meeting, turn, clock.now()) else turn


def time_up_turn_id(meeting):
    """The turn the views show over under "end" while its end is not stored yet (a live region's key
    changes with it). From what the request has loaded when it has read the turns, else one query."""
    now = clock.now()
    if "items" not in inspect(meeting).unloaded and not any("turns" in inspect(i).unloaded for i in meeting.items):
        return next(
            (t.id for item in meeting.items if _over_at_limit(meeting, (t := current_turn(item)), now)),
            None,
        )
    return db.session.scalar(
        select(SpeakingTurn.id)
        .join(MeetingItem)
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .join(RuleSet, RuleSet.id == Meeting.ruleset_id)
        .where(
            MeetingItem.meeting_id == meeting.id,
            RuleSet.speaking_overrun == SpeakingOverrun.END,
            SpeakingTurn.status == TurnStatus.SPEAKING,
            SpeakingTurn.ends_at <= now,
        )
    )


def _end_at_limit(actor, meeting, item):
    """Store the end of the item's turn whose time is up under "end" (at its limit), in the caller's
    transaction; returns it, if any."""
    turn = current_turn(item)
    if not _over_at_limit(meeting, turn, clock.now()):
        return None
    turn.status, turn.ended_at = TurnStatus.DONE, turn.ends_at
    bump(meeting)
    audit(
        "meeting.speaker_time_up",
        turn,
        actor,
        meeting,
        user_id=turn.user_id,
        ended_at=turn.ends_at.isoformat(timespec="seconds"),
    )
    return turn


def end_turns_at_limit():
    """The worker's chore: store the end of every turn whose time is up under "end" in an open
    meeting, one meeting per transaction. Returns how many it ended."""
    meeting_ids = db.session.scalars(
        select(MeetingItem.meeting_id)
        .join(SpeakingTurn)
        .join(Meeting, Meeting.id == MeetingItem.meeting_id)
        .where(
            Meeting.status == MeetingStatus.OPEN,
            SpeakingTurn.status == TurnStatus.SPEAKING,
            SpeakingTurn.ends_at <= clock.now(),
        )
        .distinct()
    ).all()
    ended = 0
    for meeting_id in meeting_ids:
        meeting = db.session.get(Meeting, meeting_id)
        ended += sum(1 for item in meeting.items if _end_at_limit(None, meeting, item) is not None)
        commit()
    return ended


def next_speaker(actor, meeting, item):
    _run(actor, meeting)
    _is_open(meeting)
    under_discussion(item)
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
