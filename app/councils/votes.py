"""Motions, seconders, points of order and votes on motions; results feed the micro-matter's
lifecycle.

Over 400 lines on purpose: a motion's steps (moved, seconded, voted, decided) and the points of
order raised while it is before the meeting share their guards and read best in one place.
"""

import logging
import random
from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.audit.services import record
from app.core import clock
from app.core.errors import DomainError
from app.core.secrecy import forget_history
from app.core.service import commit, insert_once, require
from app.core.text import clean_plain
from app.core.urls import path_for
from app.extensions import db
from app.notifications import wecom
from app.rules import majority
from app.rules.majority import TieRule, majority_for

from . import meetings, permissions
from .common import (
    _is_open,
    _run,
    acting_member,
    audit,
    bump,
    entered_ref,
    present_ids,
    proxy_voter,
    quorum_now,
    under_discussion,
    voters_now,
)
from .models import (
    Ballot,
    Choice,
    ItemStatus,
    Motion,
    MotionKind,
    MotionStatus,
    MotionVote,
    PointOfOrder,
    Seconding,
    SecretBallotMark,
    SecretChoice,
    SecretTally,
    VoteMode,
    VoteResult,
)
from .speakers import _end_speaking, active_motion

logger = logging.getLogger(__name__)
_shuffle = random.SystemRandom()


def _participant(user, meeting):
    require(permissions.can_take_part(user, meeting), _l("Only council members take part in council votes."))
    _is_open(meeting)
    require(user.id in present_ids(meeting), _l("Check in first."))
    require(user.id != meeting.chair_id, _l("The chair stays neutral: hand over the chair to move or second a motion."))


def move_motion(user, meeting, item, kind, budget=None, text="", member_id=None):
    """`user` moves the motion, or the presiding chair moves it for `member_id` (common.acting_member)."""
    member, entered_by_id = acting_member(user, meeting, member_id)
    _participant(member, meeting)
    under_discussion(item)
    require(active_motion(item) is None, _l("Another motion on this item is still open."))
    subject = item.subject
    require(subject.on_agenda, _l("This micro-matter is no longer on the agenda list."))
    budget = subject.check_motion(kind, budget, meeting.ruleset)
    return _new_motion(user, meeting, item, (member, entered_by_id), kind, budget, clean_plain(text)[:500])


def _new_motion(user, meeting, item, acting, kind, budget, text, amends_id=None):
    """The motion `acting` (member, entered_by_id) moved, waiting for its seconders under the rules."""
    member, entered_by_id = acting
    seconders_needed = meeting.ruleset.seconders_needed
    motion = Motion(
        meeting_item_id=item.id,
        mover_id=member.id,
        entered_by_id=entered_by_id,
        kind=kind,
        budget=budget,
        text=text,
        amends_id=amends_id,
        seconders_needed=seconders_needed,
        status=MotionStatus.DEBATE if seconders_needed == 0 else MotionStatus.MOVED,
        moved_at=clock.now(),
    )
    db.session.add(motion)
    item.motions.append(motion)
    bump(meeting)
    audit(
        "motion.moved",
        motion,
        user,
        meeting,
        kind=kind,
        budget=budget,
        seconders_needed=seconders_needed,
        **({"text": text or None, "amends_id": amends_id} if kind in PROCEDURAL else {}),
        **item.subject.audit_ref,
        **entered_ref(member, entered_by_id),
    )
    commit()
    return motion


# Procedural motions and their precedence: one of a higher rank may be moved while those of a lower
# rank are pending, and is voted on first (an amendment before the motion it amends, a deferral or
# an adjournment before both). The motion they are moved on (rank 0) is any other kind.
PROCEDURAL = {MotionKind.AMEND: 1, MotionKind.DEFER: 2, MotionKind.ADJOURN: 3}


def rank(motion):
    return PROCEDURAL.get(motion.kind, 0)


def may_move(item):
    """The procedural motions that may be moved on the item now (who may move them aside)."""
    if item is None or item.status != ItemStatus.OPEN:
        return []
    pending = [m for m in item.motions if m.active]
    if any(m.status == MotionStatus.VOTING for m in pending):
        return []
    top = max((rank(m) for m in pending), default=0)
    kinds = [kind for kind, r in PROCEDURAL.items() if r > top]
    if not any(rank(m) == 0 and m.status == MotionStatus.DEBATE for m in pending):
        kinds = [k for k in kinds if k != MotionKind.AMEND]
    return kinds


def move_procedural(user, meeting, item, kind, text="", budget=None, member_id=None):
    """An amendment of the motion under debate (new wording, or for a budget motion a different
    figure), or a motion to defer the item to a later meeting or to adjourn the meeting. Moved and
    seconded like any motion; `user` or the presiding chair for `member_id` moves it."""
    member, entered_by_id = acting_member(user, meeting, member_id)
    _participant(member, meeting)
    under_discussion(item)
    require(kind in PROCEDURAL, _l("Choose what the motion proposes."))
    pending = [m for m in item.motions if m.active]
    require(
        not any(m.status == MotionStatus.VOTING for m in pending),
        _l("A vote is under way; a new motion waits for its result."),
    )
    require(
        kind in may_move(item),
        _l("An amendment needs a seconded motion under debate, and only one amendment at a time.")
        if kind == MotionKind.AMEND
        else _l("A motion of the same or a higher rank is pending; it is decided first."),
    )
    amends, text = None, clean_plain(text)[:500]
    if kind == MotionKind.AMEND:
        amends = next(m for m in pending if rank(m) == 0)
        if budget is not None:
            require(amends.budget is not None, _l("Only a motion with a budget can be amended to another figure."))
            budget = item.subject.check_motion(amends.kind, budget, meeting.ruleset)
        require(text or budget is not None, _l("Say how the motion is amended: its new wording or another budget."))
    else:
        budget = None
    return _new_motion(user, meeting, item, (member, entered_by_id), kind, budget, text, amends.id if amends else None)


def raise_point_of_order(user, meeting, text, member_id=None):
    """A member (or the presiding chair for `member_id`) raises a point of order; the chair rules on
    it before the next vote opens."""
    member, entered_by_id = acting_member(user, meeting, member_id)
    _participant(member, meeting)
    text = clean_plain(text)[:300]
    require(text, _l("Say briefly what the point of order is."))
    item = meetings.current_item(meeting)
    point = PointOfOrder(
        meeting_id=meeting.id,
        meeting_item_id=item.id if item else None,
        raised_by_id=member.id,
        entered_by_id=entered_by_id,
        text=text,
        raised_at=clock.now(),
    )
    db.session.add(point)
    meeting.points_of_order.append(point)
    bump(meeting)
    audit("meeting.point_of_order_raised", point, user, meeting, text=text, **entered_ref(member, entered_by_id))
    commit()
    return point


def rule_on_point(actor, meeting, point, upheld, reason):
    """The presiding chair's ruling, upheld or not, with the reason: final, and in the minutes."""
    require(
        permissions.is_presiding(actor, meeting) and permissions.can_run_meeting(actor, meeting),
        _l("Only the presiding chair rules on a point of order."),
    )
    _is_open(meeting)
    require(point.ruled_at is None, _l("This point of order has already been ruled on."))
    require(upheld in (True, False), _l("Say whether the point of order is upheld."))
    reason = clean_plain(reason)[:300]
    require(reason, _l("Give the reason for the ruling; the minutes record it."))
    point.upheld, point.ruling_reason = upheld, reason
    point.ruled_by_id, point.ruled_at = actor.id, clock.now()
    bump(meeting)
    audit("meeting.point_of_order_ruled", point, actor, meeting, upheld=upheld, reason=reason)
    commit()


def second_motion(user, meeting, motion, member_id=None):
    """`user` seconds, or the presiding chair seconds for `member_id` (common.acting_member)."""
    member, entered_by_id = acting_member(user, meeting, member_id)
    _participant(member, meeting)
    already = (
        _l("This member has already seconded this motion.")
        if entered_by_id
        else _l("You have already seconded this motion.")
    )
    require(motion.status == MotionStatus.MOVED, _l("This motion is not waiting for seconders."))
    require(motion.mover_id != member.id, _l("The mover cannot second their own motion."))
    require(all(s.user_id != member.id for s in motion.seconders), already)
    seconding = insert_once(
        Seconding(motion_id=motion.id, user_id=member.id, at=clock.now(), entered_by_id=entered_by_id), already
    )
    motion.seconders.append(seconding)
    if len(motion.seconders) >= motion.seconders_needed:
        motion.status = MotionStatus.DEBATE
    bump(meeting)
    audit(
        "motion.seconded",
        seconding,
        user,
        meeting,
        motion_id=motion.id,
        seconders=len(motion.seconders),
        needed=motion.seconders_needed,
        **entered_ref(member, entered_by_id),
    )
    commit(already)


def withdraw_motion(user, meeting, motion):
    require(
        motion.mover_id == getattr(user, "id", None) or permissions.can_run_meeting(user, meeting),
        _l("Only the mover, the chair or the secretary can withdraw a motion."),
    )
    _is_open(meeting)
    require(
        motion.status in (MotionStatus.MOVED, MotionStatus.DEBATE),
        _l("Only a motion that is not being voted on can be withdrawn."),
    )
    require(
        not any(m.status == MotionStatus.VOTING for m in motion.item.motions),
        _l("A vote is under way; a motion is withdrawn after its result."),
    )
    now = clock.now()
    motion.status = MotionStatus.WITHDRAWN
    motion.decided_at = now
    for amendment in motion.item.motions:  # an amendment lapses with the motion it amends
        if amendment.amends_id == motion.id and amendment.active:
            amendment.status, amendment.decided_at = MotionStatus.WITHDRAWN, now
    _end_speaking(motion.item, lapse_waiting=True)
    bump(meeting)
    audit("motion.withdrawn", motion, user, meeting)
    commit()


def allowed_modes(ruleset):
    """The ways the chair may choose for one vote, the rules' own way first (the default).

    Under secret rules every vote is secret (or counted in the room): no member can be named
    against the rules' promise. Under roll-call rules the chair may call a secret ballot for a
    vote (the vote and the minutes record it), as the rules page states."""
    if ruleset.secret_ballot:
        return [VoteMode.SECRET, VoteMode.ANALOG]
    return [VoteMode.NAMED, VoteMode.SECRET, VoteMode.ANALOG]


def open_vote(actor, meeting, motion, mode):
    _run(actor, meeting)
    _is_open(meeting)
    if motion.status == MotionStatus.MOVED:
        raise DomainError(
            _l(
                "The motion has %(count)s of the %(needed)s seconders it needs; it cannot be voted on yet.",
                count=len(motion.seconders),
                needed=motion.seconders_needed,
            )
        )
    require(motion.status == MotionStatus.DEBATE, _l("This motion cannot be put to the vote now."))
    require(
        all(p.ruled_at is not None for p in meeting.points_of_order),
        _l("A point of order waits for the chair's ruling; no vote opens before it."),
    )
    before = [m for m in motion.item.motions if m.active and rank(m) > rank(motion)]
    require(
        not any(m.amends_id == motion.id for m in before),
        _l("An amendment to this motion is pending: it is voted on first."),
    )
    require(not before, _l("A motion to defer or adjourn is pending: it is voted on first."))
    ruleset = meeting.ruleset
    require(mode in allowed_modes(ruleset), _l("The rules in force do not allow this way of voting."))
    check = quorum_now(meeting)
    require(
        check.met,
        _l(
            "No quorum: %(present)s of %(members)s council members are present, %(needed)s are "
            "needed. The vote cannot be opened.",
            present=check.present,
            members=check.members,
            needed=check.needed,
        ),
    )
    entitled, quorum_proxies = voters_now(meeting)  # written proxies count as the rules say
    casting_chair_id = None
    if TieRule(ruleset.tie_rule) == TieRule.CHAIR_DECIDES:
        # The chair votes at most once on a motion: only the deciding vote on a tie.
        casting_chair_id = meeting.chair_id
        entitled = [user_id for user_id in entitled if user_id != casting_chair_id]
    # What the vote row fixes is also what the audit log states.
    terms = {
        "mode": mode,
        "entitled": entitled,
        "casting_chair_id": casting_chair_id,
        "quorum_needed": check.needed,
        "quorum_proxies": quorum_proxies,
    }
    vote = insert_once(
        MotionVote(
            motion_id=motion.id,
            meeting_id=meeting.id,
            ruleset_id=ruleset.id,
            members_count=check.members,
            opened_by_id=actor.id,
            opened_at=clock.now(),
            **terms,
        ),
        _l("This motion has already been put to the vote."),
    )
    if mode == VoteMode.SECRET:
        db.session.add(SecretTally(vote_id=vote.id))
    motion.status = MotionStatus.VOTING
    _end_speaking(motion.item, lapse_waiting=True)
    bump(meeting)
    audit(
        "vote.opened",
        vote,
        actor,
        meeting,
        motion_id=motion.id,
        present=check.present,
        members=check.members,
        ruleset_id=ruleset.id,
        ruleset_version=ruleset.version,
        **terms,
    )
    commit(_l("This motion has already been put to the vote."))
    return vote


def _open(vote):
    require(vote.is_open, _l("This vote is closed; no more votes are taken."))


def has_voted(vote, user_id):
    model = SecretBallotMark if vote.mode == VoteMode.SECRET else Ballot
    return db.session.scalar(select(model.id).where(model.vote_id == vote.id, model.user_id == user_id)) is not None


def voted_count(vote):
    model = SecretBallotMark if vote.mode == VoteMode.SECRET else Ballot
    return len(db.session.scalars(select(model.id).where(model.vote_id == vote.id)).all())


def cast_vote(user, meeting, vote, choice, for_id=None):
    """`user` votes, or casts the vote of `for_id`, whose written proxy they hold (common.proxy_voter)."""
    require(permissions.can_take_part(user, meeting), _l("Only council members vote."))
    _open(vote)
    if user.id == vote.casting_chair_id:
        raise DomainError(
            _l(
                "The rules let the chair settle a tie, so the presiding chair does not vote in the "
                "round: the chair gives only a deciding vote if the vote is tied."
            )
        )
    voter_id = proxy_voter(user, meeting, vote, for_id)
    require(voter_id in vote.entitled, _l("Only the council members present when the vote opened can vote on it."))
    require(choice in set(Choice), _l("Choose yes, no or abstain."))
    require(vote.mode != VoteMode.ANALOG, _l("This vote is counted in the room; raise your hand."))
    already = _l("You have already voted on this motion; a vote cannot be changed.")
    require(not has_voted(vote, voter_id), already)
    proxy = {"for_id": for_id} if for_id is not None else {}
    if vote.mode == VoteMode.SECRET:
        _cast_secret(user, meeting, vote, choice, already, voter_id, proxy)
        return
    ballot = insert_once(
        Ballot(vote_id=vote.id, user_id=voter_id, choice=choice, recorded_by_id=user.id, cast_at=clock.now()), already
    )
    record(
        "vote.ballot_cast", ballot, actor=user, community=meeting.community_id, vote_id=vote.id, choice=choice, **proxy
    )
    bump(meeting)
    commit(already)


def _cast_secret(user, meeting, vote, choice, already, voter_id, proxy):
    """The choice and the mark never share a transaction, so no page image in the WAL holds both.

    First the choice goes into the box (its own commit), then the member's mark. If the mark
    fails, one equal choice is taken out again, so a refused vote leaves nothing behind and the
    member can retry. Were the process to die between the two commits, the box would hold one
    choice more than there are marks: the close then voids the vote instead of counting it."""
    _put_in_box(vote, choice)
    try:
        mark = insert_once(SecretBallotMark(vote_id=vote.id, user_id=voter_id), already)
        # The audit entry says who voted (and for whom, by proxy), never what.
        record("vote.secret_ballot_cast", mark, actor=user, community=meeting.community_id, vote_id=vote.id, **proxy)
        bump(meeting)
        commit(already)
    except Exception:  # a refusal, or the database failing: the member has not voted
        db.session.rollback()
        _take_from_box(vote, choice)
        raise
    _forget_history()  # the WAL frames of the two commits stand side by side until checkpointed


def _forget_history():
    """After a commit that touched a secret box: no earlier page image stays in the WAL."""
    if not forget_history():
        # A long reader kept the WAL; the next secret vote or close truncates it.
        logger.warning("the SQLite WAL could not be truncated after a council secret vote")


def _lock_box(vote):
    """Serialise changes to a vote's box (a row lock on PostgreSQL; SQLite has one writer) and
    say whether the vote is still open."""
    return db.session.scalar(select(MotionVote.is_open).where(MotionVote.id == vote.id).with_for_update())


def _put_in_box(vote, choice):
    """Add a choice and write the whole box again in a shuffled order with new random keys, so
    where a row sits in the file (SQLite fills a page in insertion order) says nothing about when
    it came."""
    require(_lock_box(vote), _l("This vote is closed; no more votes are taken."))
    box = [*db.session.scalars(select(SecretChoice.choice).where(SecretChoice.vote_id == vote.id)), str(choice)]
    db.session.execute(delete(SecretChoice).where(SecretChoice.vote_id == vote.id))
    _shuffle.shuffle(box)
    db.session.add_all(SecretChoice(vote_id=vote.id, choice=c) for c in box)
    commit()


def _take_from_box(vote, choice):
    """Choices are interchangeable: removing any one equal to the refused one undoes it."""
    _lock_box(vote)
    row = db.session.scalar(
        select(SecretChoice.id).where(SecretChoice.vote_id == vote.id, SecretChoice.choice == str(choice)).limit(1)
    )
    if row is not None:
        db.session.execute(delete(SecretChoice).where(SecretChoice.id == row))
    commit()


def _empty_box(vote):
    """(yes, no, abstain) from the box, written to the tally, the box emptied (in the closing
    transaction); None when the box does not hold exactly one choice per mark."""
    _lock_box(vote)
    counts = Counter(db.session.scalars(select(SecretChoice.choice).where(SecretChoice.vote_id == vote.id)))
    db.session.execute(delete(SecretChoice).where(SecretChoice.vote_id == vote.id))
    if sum(counts.values()) != voted_count(vote):
        return None
    tally_row = db.session.get(SecretTally, vote.id)
    tally_row.yes, tally_row.no, tally_row.abstain = counts[Choice.YES], counts[Choice.NO], counts[Choice.ABSTAIN]
    return tally_row.yes, tally_row.no, tally_row.abstain


def record_hand(actor, meeting, vote, member_id, choice):
    """The secretary (or chair) records a member's raised hand in a named vote."""
    _run(actor, meeting)
    _open(vote)
    require(vote.mode == VoteMode.NAMED, _l("Hands are recorded per member only in a roll-call vote."))
    require(member_id in vote.entitled, _l("Only the council members present when the vote opened can vote on it."))
    require(choice in set(Choice), _l("Choose yes, no or abstain."))
    already = _l("This member has already voted; a vote cannot be changed.")
    require(not has_voted(vote, member_id), already)
    ballot = insert_once(
        Ballot(vote_id=vote.id, user_id=member_id, choice=choice, recorded_by_id=actor.id, cast_at=clock.now()), already
    )
    record(
        "vote.hand_recorded",
        ballot,
        actor=actor,
        community=meeting.community_id,
        vote_id=vote.id,
        user_id=member_id,
        choice=choice,
    )
    bump(meeting)
    commit(already)


def tally(vote):
    """(yes, no, abstain) so far; for a secret vote only once it is closed (the box is counted then)."""
    if vote.mode == VoteMode.SECRET:
        row = db.session.get(SecretTally, vote.id)
        return (row.yes, row.no, row.abstain) if row else (0, 0, 0)
    return count_choices(db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)))


def count_choices(ballots):
    """(yes, no, abstain) of ballots cast openly (a vote that is not secret)."""
    counts = Counter(b.choice for b in ballots)
    return counts[Choice.YES], counts[Choice.NO], counts[Choice.ABSTAIN]


def _void(actor, meeting, vote, reason):
    """The vote closes without a result and decides nothing: the matter moved on elsewhere while
    the council voted (e.g. a resident round took it), or the secret box did not match the marks."""
    now = clock.now()
    motion, item = vote.motion, vote.motion.item
    vote.is_open = False
    vote.closed_at, vote.closed_by_id = now, actor.id
    for pending in item.motions:  # the motion voted on, and those it was moved on (an amendment's)
        if pending.active:
            pending.status, pending.decided_at = MotionStatus.WITHDRAWN, now
    item.status, item.closed_at = ItemStatus.DEFERRED, now
    bump(meeting)
    audit("vote.voided", vote, actor, meeting, motion_id=motion.id, **_status_ref(item), reason=reason)
    commit()
    return None


def _status_ref(item):
    """Where the subject stood when the vote was voided, for the audit entry."""
    if item.matter is not None:
        return {"matter_status": item.matter.status}
    return {**item.subject.audit_ref, "subject_status": str(item.subject.status_label)}


def awaiting_casting_vote(vote):
    """A tied vote, closed, that waits for the presiding chair's deciding vote."""
    return vote is not None and vote.tied_counts is not None and vote.result is None and not vote.is_open


def close_vote(actor, meeting, vote, counts=None):
    """Close the vote and count it under the rules of the vote.

    `counts` (yes, no, abstain) is needed for a vote counted in the room. Returns the VoteResult
    (the outcome is applied), or None: when the vote was void (the matter left the agenda list
    meanwhile, or the secret box did not match the marks), or when it is tied and the rules let
    the chair settle it (see cast_deciding_vote)."""
    _run(actor, meeting)
    _open(vote)
    if not vote.motion.item.subject.on_agenda:
        return _void(actor, meeting, vote, "matter_moved")
    # Read now: touching the vote after the commit would open a read that keeps the WAL.
    secret = vote.mode == VoteMode.SECRET
    present = len(vote.entitled)
    if vote.mode == VoteMode.ANALOG:
        require(
            counts is not None and all(isinstance(c, int) and c >= 0 for c in counts),
            _l("Enter the numbers of yes, no and abstain counted in the room."),
        )
        require(
            sum(counts) <= present,
            _l("%(total)s votes counted, but only %(present)s members could vote.", total=sum(counts), present=present),
        )
        yes, no, abstain = counts
    elif secret:
        counted = _empty_box(vote)
        if counted is None:
            _void(actor, meeting, vote, "box_mismatch")
            _forget_history()
            return None
        yes, no, abstain = counted
    else:
        yes, no, abstain = tally(vote)
    tie_rule = TieRule(vote.ruleset.tie_rule)
    decision = _decide(vote, (yes, no, abstain))
    if decision.tie and tie_rule == TieRule.CHAIR_DECIDES:
        now = clock.now()
        vote.is_open = False
        vote.closed_at, vote.closed_by_id = now, actor.id
        vote.tied_counts = [yes, no, abstain]
        bump(meeting)
        _audit_vote("vote.tied", vote, actor, meeting, vote, (yes, no, abstain), casting_chair_id=vote.casting_chair_id)
        commit(ALREADY_CLOSED)
        if secret:
            _forget_history()
        return None
    result = _result(actor, meeting, vote, (yes, no, abstain), decision, None)
    if secret:
        _forget_history()  # the box is gone: let no earlier page image of it survive in the WAL
    return result


ALREADY_CLOSED = _l("This vote has already been closed.")


def cast_deciding_vote(actor, meeting, vote, choice):
    """The presiding chair, who did not vote in the round, settles a tie: yes or no, once."""
    require(
        permissions.can_run_meeting(actor, meeting)
        and permissions.is_presiding(actor, meeting)
        and actor.id == vote.casting_chair_id,
        _l("Only the chair who presided when the vote opened gives the deciding vote."),
    )
    require(awaiting_casting_vote(vote), _l("There is no tied vote waiting for the chair's deciding vote."))
    require(choice in (Choice.YES, Choice.NO), _l("The deciding vote is in favour or against."))
    if not vote.motion.item.subject.on_agenda:
        return _void(actor, meeting, vote, "matter_moved")
    casting_vote = choice == Choice.YES
    counts = tuple(vote.tied_counts)
    return _result(actor, meeting, vote, counts, _decide(vote, counts, casting_vote), casting_vote)


def _decide(vote, counts, casting_vote=None):
    yes, no, abstain = counts
    ruleset = vote.ruleset
    motion = vote.motion
    # An amendment, deferral or adjournment is procedural: the rule set's general (ordinary)
    # majority decides it, whatever the motion it was moved on needs (the rules page says so).
    rule = majority_for(ruleset, None) if rank(motion) else motion.item.subject.majority(motion.kind, ruleset)
    return majority.decide(
        majority.Counts(yes=yes, no=no, abstain=abstain, present=len(vote.entitled), members=vote.members_count),
        *rule,  # the rule for the motion's kind
        TieRule(ruleset.tie_rule),
        casting_vote,
    )


def _result(actor, meeting, vote, counts, decision, casting_vote):
    """Write the VoteResult, close the vote and apply the outcome to the micro-matter."""
    yes, no, abstain = counts
    motion = vote.motion
    ruleset = vote.ruleset
    tie_rule = TieRule(ruleset.tie_rule)
    present = len(vote.entitled)
    # The chair who keeps the deciding vote is present (counted for the quorum) but not in the round.
    in_room = present + (1 if vote.casting_chair_id else 0) + vote.quorum_proxies
    now = clock.now()
    quorum = ruleset.quorum
    # The outcome as the result row stores it and the audit log states it.
    outcome = {
        "base_kind": str(decision.base_kind),
        "base": decision.base,
        "needed": decision.needed,
        "tie": decision.tie,
        "casting_vote": casting_vote,
        "passed": decision.passed,
        "ruleset_id": ruleset.id,
        "ruleset_version": ruleset.version,
    }
    result = VoteResult(
        vote_id=vote.id,
        motion_id=motion.id,
        meeting_id=meeting.id,
        mode=vote.mode,
        yes=yes,
        no=no,
        abstain=abstain,
        not_voted=present - yes - no - abstain,
        present=present,
        members=vote.members_count,
        entitled=list(vote.entitled),
        majority_rule=str(decision.rule),
        tie_rule=str(tie_rule),
        quorum_numerator=quorum.numerator,
        quorum_denominator=quorum.denominator,
        quorum_strict=quorum.strict,
        quorum_needed=vote.quorum_needed,
        quorum_met=in_room >= vote.quorum_needed,
        decided_by_id=actor.id,
        decided_at=now,
        **outcome,
    )
    insert_once(result, ALREADY_CLOSED)
    if vote.is_open:
        vote.is_open = False
        vote.closed_at, vote.closed_by_id = now, actor.id
    motion.status = MotionStatus.PASSED if decision.passed else MotionStatus.FAILED
    motion.decided_at = now
    _audit_vote(
        "vote.closed",
        result,
        actor,
        meeting,
        vote,
        counts,
        members=vote.members_count,
        rule=str(decision.rule),
        casting_chair_id=vote.casting_chair_id,
        **outcome,
    )
    decision_ref = {"motion_id": motion.id, "meeting_id": meeting.id, "vote_result_id": result.id}
    if rank(motion):
        if decision.passed:
            _carried(actor, meeting, motion, now)
    elif decision.passed:
        item = motion.item
        item.subject.decide(motion, actor, **decision_ref)
        item.status = ItemStatus.DECIDED
        item.outcome = str(motion.kind)
        item.closed_at = now
        matter = item.matter
        if matter is not None:  # other subjects (a convention's amendment) announce themselves
            link = path_for("matters.detail", slug=meeting.community.slug, matter_id=matter.id)
            wecom.announce(
                meeting.community, wecom.COUNCIL_DECIDED, link, title=matter.title, status=str(matter.status)
            )
    else:
        motion.item.subject.failed(motion, actor, **decision_ref)
    bump(meeting)
    commit(ALREADY_CLOSED)
    return result


def _carried(actor, meeting, motion, now):
    """A procedural motion passed (inside the closing transaction). A lost one changes nothing:
    the motion it was moved on is voted as moved."""
    item = motion.item
    if motion.kind == MotionKind.AMEND:
        main = motion.amends
        if main.as_moved is None:  # the wording as first moved stays on record
            main.as_moved = {"text": main.text, "budget": main.budget}
        main.text = motion.text or main.text
        main.budget = main.budget if motion.budget is None else motion.budget
        audit("motion.amended", main, actor, meeting, amendment_id=motion.id, text=main.text, budget=main.budget)
    elif motion.kind == MotionKind.DEFER:
        for pending in item.motions:
            if pending.active:  # the motion it was moved on lapses with the item
                pending.status, pending.decided_at = MotionStatus.WITHDRAWN, now
        _end_speaking(item, lapse_waiting=True)
        item.status, item.closed_at = ItemStatus.POSTPONED, now
        audit("meeting.item_postponed", item, actor, meeting, motion_id=motion.id, **item.subject.audit_ref)
    else:
        meetings.end_meeting(actor, meeting, adjourned_by_motion_id=motion.id)


def _audit_vote(action, obj, actor, meeting, vote, counts, **data):
    yes, no, abstain = counts
    audit(
        action,
        obj,
        actor,
        meeting,
        motion_id=vote.motion_id,
        vote_id=vote.id,
        mode=vote.mode,
        yes=yes,
        no=no,
        abstain=abstain,
        present=len(vote.entitled),
        **data,
    )
