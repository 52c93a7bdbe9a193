"""Motions, seconders and votes on motions; results feed the micro-matter's lifecycle."""
from collections import Counter

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app.audit.services import record
from app.core.errors import DomainError
from app.core.text import clean_plain
from app.extensions import db
from app.matters import lifecycle
from app.matters.lifecycle import Status
from app.rules import majority
from app.rules.majority import TieRule

from . import clock, permissions
from .models import (
    Ballot,
    Choice,
    ItemStatus,
    Motion,
    MotionKind,
    MotionStatus,
    MotionVote,
    Seconding,
    SecretBallotMark,
    SecretTally,
    VoteMode,
    VoteResult,
)
from .services import (
    _end_speaking,
    _is_open,
    _run,
    active_motion,
    bump,
    commit,
    insert_once,
    present_ids,
    quorum_now,
    require,
)

MAX_BUDGET = 100_000_000


def _participant(user, meeting):
    require(permissions.can_take_part(user, meeting), _l("Only council members take part in council votes."))
    _is_open(meeting)
    require(user.id in present_ids(meeting), _l("Check in first."))
    require(user.id != meeting.chair_id, _l("The chair stays neutral: hand over the chair to move or second a "
                                            "motion."))


def move_motion(user, meeting, item, kind, budget=None, text=""):
    _participant(user, meeting)
    require(item.status == ItemStatus.OPEN, _l("This item is not under discussion."))
    require(active_motion(item) is None, _l("Another motion on this item is still open."))
    require(kind in set(MotionKind), _l("Choose what the motion proposes."))
    matter = item.matter
    require(matter.status == Status.ON_AGENDA, _l("This micro-matter is no longer on the agenda list."))
    ruleset = meeting.ruleset
    if kind == MotionKind.APPROVE:
        require(isinstance(budget, int) and 0 < budget <= MAX_BUDGET,
                _l("An approval needs a budget in whole yuan, more than 0."))
        cap = ruleset.cost_cap(matter.project_type)
        require(budget <= cap, _l("The budget is over the cap of %(cap)s yuan for this project type.", cap=cap))
    else:
        budget = None
    motion = Motion(meeting_item_id=item.id, mover_id=user.id, kind=kind, budget=budget,
                    text=clean_plain(text)[:500], seconders_needed=ruleset.seconders_needed,
                    status=MotionStatus.DEBATE if ruleset.seconders_needed == 0 else MotionStatus.MOVED,
                    moved_at=clock.now())
    db.session.add(motion)
    item.motions.append(motion)
    bump(meeting)
    record("motion.moved", motion, actor=user, community=meeting.community_id, meeting_id=meeting.id,
           matter_id=matter.id, kind=kind, budget=budget, seconders_needed=motion.seconders_needed)
    commit()
    return motion


def second_motion(user, meeting, motion):
    _participant(user, meeting)
    require(motion.status == MotionStatus.MOVED, _l("This motion is not waiting for seconders."))
    require(motion.mover_id != user.id, _l("The mover cannot second their own motion."))
    require(all(s.user_id != user.id for s in motion.seconders), _l("You have already seconded this motion."))
    seconding = insert_once(Seconding(motion_id=motion.id, user_id=user.id, at=clock.now()),
                            _l("You have already seconded this motion."))
    motion.seconders.append(seconding)
    if len(motion.seconders) >= motion.seconders_needed:
        motion.status = MotionStatus.DEBATE
    bump(meeting)
    record("motion.seconded", seconding, actor=user, community=meeting.community_id, meeting_id=meeting.id,
           motion_id=motion.id, seconders=len(motion.seconders), needed=motion.seconders_needed)
    commit(_l("You have already seconded this motion."))


def withdraw_motion(user, meeting, motion):
    require(motion.mover_id == getattr(user, "id", None) or permissions.can_run_meeting(user, meeting),
            _l("Only the mover, the chair or the secretary can withdraw a motion."))
    _is_open(meeting)
    require(motion.status in (MotionStatus.MOVED, MotionStatus.DEBATE),
            _l("Only a motion that is not being voted on can be withdrawn."))
    motion.status = MotionStatus.WITHDRAWN
    motion.decided_at = clock.now()
    _end_speaking(motion.item, lapse_waiting=True)
    bump(meeting)
    record("motion.withdrawn", motion, actor=user, community=meeting.community_id, meeting_id=meeting.id)
    commit()


def allowed_modes(ruleset):
    return [VoteMode.SECRET if ruleset.secret_ballot else VoteMode.NAMED, VoteMode.ANALOG]


def open_vote(actor, meeting, motion, mode):
    _run(actor, meeting)
    _is_open(meeting)
    if motion.status == MotionStatus.MOVED:
        raise DomainError(_l("The motion has %(count)s of the %(needed)s seconders it needs; it cannot be voted "
                             "on yet.", count=len(motion.seconders), needed=motion.seconders_needed))
    require(motion.status == MotionStatus.DEBATE, _l("This motion cannot be put to the vote now."))
    ruleset = meeting.ruleset
    require(mode in allowed_modes(ruleset), _l("The rules in force do not allow this way of voting."))
    check = quorum_now(meeting)
    require(check.met, _l("No quorum: %(present)s of %(members)s council members are present, %(needed)s are "
                          "needed. The vote cannot be opened.", present=check.present, members=check.members,
                          needed=check.needed))
    entitled = sorted(present_ids(meeting))
    vote = insert_once(MotionVote(motion_id=motion.id, meeting_id=meeting.id, ruleset_id=ruleset.id, mode=mode,
                                  entitled=entitled, members_count=check.members, quorum_needed=check.needed,
                                  opened_by_id=actor.id, opened_at=clock.now()),
                       _l("This motion has already been put to the vote."))
    if mode == VoteMode.SECRET:
        db.session.add(SecretTally(vote_id=vote.id))
    motion.status = MotionStatus.VOTING
    _end_speaking(motion.item, lapse_waiting=True)
    bump(meeting)
    record("vote.opened", vote, actor=actor, community=meeting.community_id, meeting_id=meeting.id,
           motion_id=motion.id, mode=mode, entitled=entitled, present=check.present, members=check.members,
           quorum_needed=check.needed, ruleset_id=ruleset.id, ruleset_version=ruleset.version)
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


def cast_vote(user, meeting, vote, choice):
    require(permissions.can_take_part(user, meeting), _l("Only council members vote."))
    _open(vote)
    require(user.id in vote.entitled, _l("Only the council members present when the vote opened can vote on it."))
    require(choice in set(Choice), _l("Choose yes, no or abstain."))
    require(vote.mode != VoteMode.ANALOG, _l("This vote is counted in the room; raise your hand."))
    already = _l("You have already voted on this motion; a vote cannot be changed.")
    require(not has_voted(vote, user.id), already)
    if vote.mode == VoteMode.SECRET:
        mark = insert_once(SecretBallotMark(vote_id=vote.id, user_id=user.id), already)
        column = getattr(SecretTally, str(choice))
        db.session.execute(update(SecretTally).where(SecretTally.vote_id == vote.id).values({column: column + 1}))
        # The audit entry says who voted, never what.
        record("vote.secret_ballot_cast", mark, actor=user, community=meeting.community_id, vote_id=vote.id)
    else:
        ballot = insert_once(Ballot(vote_id=vote.id, user_id=user.id, choice=choice, recorded_by_id=user.id,
                                    cast_at=clock.now()), already)
        record("vote.ballot_cast", ballot, actor=user, community=meeting.community_id, vote_id=vote.id,
               choice=choice)
    bump(meeting)
    commit(already)


def record_hand(actor, meeting, vote, member_id, choice):
    """The secretary (or chair) records a member's raised hand in a named vote."""
    _run(actor, meeting)
    _open(vote)
    require(vote.mode == VoteMode.NAMED, _l("Hands are recorded per member only in a roll-call vote."))
    require(member_id in vote.entitled, _l("Only the council members present when the vote opened can vote on it."))
    require(choice in set(Choice), _l("Choose yes, no or abstain."))
    already = _l("This member has already voted; a vote cannot be changed.")
    require(not has_voted(vote, member_id), already)
    ballot = insert_once(Ballot(vote_id=vote.id, user_id=member_id, choice=choice, recorded_by_id=actor.id,
                                cast_at=clock.now()), already)
    record("vote.hand_recorded", ballot, actor=actor, community=meeting.community_id, vote_id=vote.id,
           user_id=member_id, choice=choice)
    bump(meeting)
    commit(already)


def tally(vote):
    """(yes, no, abstain) so far; for a secret vote only once it is closed (or for the result)."""
    if vote.mode == VoteMode.SECRET:
        row = db.session.get(SecretTally, vote.id)
        return (row.yes, row.no, row.abstain) if row else (0, 0, 0)
    counts = Counter(b.choice for b in db.session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)))
    return counts[Choice.YES], counts[Choice.NO], counts[Choice.ABSTAIN]


def _void(actor, meeting, vote):
    """The matter moved on elsewhere while the council voted (e.g. a resident round took it):
    the vote closes without a result and decides nothing."""
    now = clock.now()
    motion, item = vote.motion, vote.motion.item
    vote.is_open = False
    vote.closed_at, vote.closed_by_id = now, actor.id
    motion.status, motion.decided_at = MotionStatus.WITHDRAWN, now
    item.status, item.closed_at = ItemStatus.DEFERRED, now
    bump(meeting)
    record("vote.voided", vote, actor=actor, community=meeting.community_id, meeting_id=meeting.id,
           motion_id=motion.id, matter_status=item.matter.status)
    commit()
    return None


def close_vote(actor, meeting, vote, counts=None, casting_vote=None):
    """Close the vote, compute the result under the rules of the vote, and apply the outcome.

    `counts` (yes, no, abstain) is needed for a vote counted in the room; `casting_vote`
    (True/False) when the rules let the chair settle a tie. Returns the VoteResult, or None when
    the vote was void because the matter left the agenda list meanwhile."""
    _run(actor, meeting)
    _open(vote)
    motion = vote.motion
    if motion.item.matter.status != Status.ON_AGENDA:
        return _void(actor, meeting, vote)
    present = len(vote.entitled)
    if vote.mode == VoteMode.ANALOG:
        require(counts is not None and all(isinstance(c, int) and c >= 0 for c in counts),
                _l("Enter the numbers of yes, no and abstain counted in the room."))
        require(sum(counts) <= present, _l("%(total)s votes counted, but only %(present)s members could vote.",
                                           total=sum(counts), present=present))
        yes, no, abstain = counts
    else:
        yes, no, abstain = tally(vote)
    ruleset = vote.ruleset
    tie_rule = TieRule(ruleset.tie_rule)
    if tie_rule != TieRule.CHAIR_DECIDES:
        casting_vote = None
    if casting_vote is not None:
        require(permissions.is_presiding(actor, meeting), _l("Only the presiding chair gives a casting vote."))
    decision = majority.decide(
        majority.Counts(yes=yes, no=no, abstain=abstain, present=present, members=vote.members_count),
        ruleset.majority_rule, ruleset.majority_base, tie_rule, casting_vote)
    if decision.tie and tie_rule == TieRule.CHAIR_DECIDES and casting_vote is None:
        raise DomainError(_l("The vote is tied and the rules let the chair settle it: the presiding chair gives "
                             "a casting vote when closing."))
    if not decision.tie:
        casting_vote = None
    now = clock.now()
    quorum = ruleset.quorum
    result = VoteResult(
        vote_id=vote.id, motion_id=motion.id, meeting_id=meeting.id, mode=vote.mode, yes=yes, no=no,
        abstain=abstain, not_voted=present - yes - no - abstain, present=present, members=vote.members_count,
        entitled=list(vote.entitled), majority_rule=str(decision.rule), base_kind=str(decision.base_kind),
        base=decision.base, needed=decision.needed, tie_rule=str(tie_rule), tie=decision.tie,
        casting_vote=casting_vote, passed=decision.passed, quorum_numerator=quorum.numerator,
        quorum_denominator=quorum.denominator, quorum_strict=quorum.strict, quorum_needed=vote.quorum_needed,
        quorum_met=present >= vote.quorum_needed, ruleset_id=ruleset.id, ruleset_version=ruleset.version,
        decided_by_id=actor.id, decided_at=now)
    insert_once(result, _l("This vote has already been closed."))
    vote.is_open = False
    vote.closed_at, vote.closed_by_id = now, actor.id
    motion.status = MotionStatus.PASSED if decision.passed else MotionStatus.FAILED
    motion.decided_at = now
    record("vote.closed", result, actor=actor, community=meeting.community_id, meeting_id=meeting.id,
           motion_id=motion.id, vote_id=vote.id, mode=vote.mode, yes=yes, no=no, abstain=abstain, present=present,
           members=vote.members_count, rule=str(decision.rule), base_kind=str(decision.base_kind),
           base=decision.base, needed=decision.needed, tie=decision.tie, casting_vote=casting_vote,
           passed=decision.passed, ruleset_id=ruleset.id, ruleset_version=ruleset.version)
    if decision.passed:
        item = motion.item
        data = {"motion_id": motion.id, "meeting_id": meeting.id, "vote_result_id": result.id}
        if motion.kind == MotionKind.APPROVE:
            data["budget"] = motion.budget
        lifecycle.apply(item.matter, str(motion.kind), actor, system=True, **data)
        item.status = ItemStatus.DECIDED
        item.outcome = str(motion.kind)
        item.closed_at = now
    bump(meeting)
    commit(_l("This vote has already been closed."))
    return result
