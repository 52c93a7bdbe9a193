"""Review, the agenda list (议事清单), meetings and what happens in them, and minutes.

Names used by other features: Review, AgendaItem (an entry on the community's agenda
list), Meeting, MeetingItem (an agenda item on one meeting's order of business),
Attendance, ChairHandover, SpeakingTurn, Motion, Seconding, MotionVote (one vote on a
motion), Ballot (a named vote), SecretBallotMark + SecretChoice + SecretTally (secret votes:
who voted, the choices waiting in the box, the counts; never linked), VoteResult, Minutes.

Over 400 lines on purpose: the council's tables refer to each other throughout, so the schema reads in one place.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.append_only import never_changed
from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.secrecy import RandomId, random_row_id
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, utcnow

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.matters.models import MicroMatter
    from app.rules.models import RuleSet


class ReviewDecision(StrEnum):
    ADMIT = "admit"
    DECLINE = "decline"


class Review(db.Model):
    """The committee's review of a micro-matter under the rules in force."""

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decision: Mapped[str] = mapped_column(db.String(10))
    reason: Mapped[str] = mapped_column(db.String(500), default="")  # public; required to decline
    checks: Mapped[list] = mapped_column(JSON, default=list)  # [{code, ok, params}] from app.rules.admissibility
    created_at: Mapped[CreatedAt]

    matter: Mapped["MicroMatter"] = relationship()
    ruleset: Mapped["RuleSet"] = relationship()
    reviewer: Mapped["User"] = relationship()


class AgendaItem(db.Model):
    """One entry on a community's agenda list (议事清单): a matter admitted for deliberation, or a
    subject of another kind a feature plugs in (councils.subjects; its row points at this one)."""

    __table_args__ = (
        UniqueConstraint("matter_id"),
        CheckConstraint("(subject_kind = 'matter') = (matter_id IS NOT NULL)", name="matter_iff_kind"),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    subject_kind: Mapped[str] = mapped_column(db.String(20), default="matter", server_default="matter")
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("micro_matter.id"))
    position: Mapped[int]
    review_id: Mapped[int | None] = mapped_column(ForeignKey("review.id"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[CreatedAt]

    matter: Mapped["MicroMatter | None"] = relationship()
    review: Mapped[Review | None] = relationship()
    meeting_items: Mapped[list["MeetingItem"]] = relationship(back_populates="agenda_item", order_by="MeetingItem.id")

    @property
    def subject(self):
        from .subjects import subject_of

        return subject_of(self)


class MeetingStatus(Labelled):
    SCHEDULED = "scheduled", N_("Scheduled")
    OPEN = "open", N_("In session")
    CLOSED = "closed", N_("Meeting closed")


class Meeting(db.Model):
    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    title: Mapped[str] = mapped_column(db.String(120))
    starts_at: Mapped[datetime]  # naive UTC
    place: Mapped[str] = mapped_column(db.String(120))
    status: Mapped[str] = mapped_column(db.String(10), default=MeetingStatus.SCHEDULED, index=True)
    urgent: Mapped[bool] = mapped_column(default=False)
    urgent_reason: Mapped[str] = mapped_column(db.String(300), default="")
    # The rule set version that applies: the one in force when scheduled, then when opened.
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    chair_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # presiding now (hand-overs change it)
    secretary_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    checkin_token: Mapped[str] = mapped_column(db.String(40), unique=True)
    revision: Mapped[int] = mapped_column(default=1)  # bumped by every action; live views poll it
    opened_at: Mapped[datetime | None]
    # The quorum when the meeting opened (it is checked again before every vote).
    opened_present: Mapped[int | None]
    opened_members: Mapped[int | None]
    opened_quorum_needed: Mapped[int | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    community: Mapped["Community"] = relationship()
    ruleset: Mapped["RuleSet"] = relationship()
    chair: Mapped["User"] = relationship(foreign_keys=[chair_id])
    secretary: Mapped["User"] = relationship(foreign_keys=[secretary_id])
    items: Mapped[list["MeetingItem"]] = relationship(back_populates="meeting", order_by="MeetingItem.position")
    attendances: Mapped[list["Attendance"]] = relationship(back_populates="meeting", order_by="Attendance.id")
    handovers: Mapped[list["ChairHandover"]] = relationship(order_by="ChairHandover.id")
    points_of_order: Mapped[list["PointOfOrder"]] = relationship(order_by="PointOfOrder.id")


class ItemStatus(Labelled):
    PENDING = "pending", N_("Not yet discussed")
    OPEN = "open", N_("Under discussion")
    DECIDED = "decided", N_("Decided")
    DEFERRED = "deferred", N_("Deferred")  # closed without a decision; stays on the agenda list
    # Deferred to a later meeting by a motion the council passed: back on the agenda list, not
    # reopened in this meeting.
    POSTPONED = "postponed", N_("Deferred to a later meeting")


class MeetingItem(db.Model):
    __table_args__ = (UniqueConstraint("meeting_id", "agenda_item_id"),)

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    agenda_item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id"), index=True)
    position: Mapped[int]
    status: Mapped[str] = mapped_column(db.String(10), default=ItemStatus.PENDING)
    outcome: Mapped[str | None] = mapped_column(db.String(20))  # the lifecycle action a passed motion applied
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    agenda_item: Mapped[AgendaItem] = relationship(back_populates="meeting_items")
    motions: Mapped[list["Motion"]] = relationship(back_populates="item", order_by="Motion.id")
    turns: Mapped[list["SpeakingTurn"]] = relationship(back_populates="item", order_by="SpeakingTurn.id")

    @property
    def matter(self):
        return self.agenda_item.matter

    @property
    def subject(self):
        return self.agenda_item.subject


class CheckinMethod(Labelled):
    SELF = "self", N_("QR code on the projector")  # the member scanned the projector's QR code
    SECRETARY = "secretary", N_("checked in by %(name)s")  # the chair or the secretary checked the member in


class Attendance(db.Model):
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    method: Mapped[str] = mapped_column(db.String(10))  # CheckinMethod
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    checked_in_at: Mapped[datetime]
    left_at: Mapped[datetime | None]
    # Set when the chair found the member was not in the room (e.g. checked in from a forwarded
    # photo of the QR code): the member counts as absent, not as having left.
    marked_absent_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped["User"] = relationship(foreign_keys=[recorded_by_id])

    @property
    def present(self):
        return self.left_at is None


class ChairHandover(db.Model):
    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    from_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    to_user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reason: Mapped[str] = mapped_column(db.String(300), default="")
    at: Mapped[datetime]

    from_user: Mapped["User"] = relationship(foreign_keys=[from_user_id])
    to_user: Mapped["User"] = relationship(foreign_keys=[to_user_id])


# `entered_by_id` on a speaker request, motion or seconding: a member present without a phone asked
# the presiding chair, who recorded it for them (the member is the speaker, mover or seconder).


class Stance(Labelled):
    PRO = "pro", N_("Pro")
    CONTRA = "contra", N_("Contra")


class TurnStatus(StrEnum):
    WAITING = "waiting"
    SPEAKING = "speaking"
    DONE = "done"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"  # still waiting when the vote opened or the motion was withdrawn


class SpeakingTurn(db.Model):
    """A request to speak on an item and, once called, the turn itself."""

    id: Mapped[IntPK]
    meeting_item_id: Mapped[int] = mapped_column(ForeignKey("meeting_item.id"), index=True)
    motion_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    stance: Mapped[str] = mapped_column(db.String(10))
    status: Mapped[str] = mapped_column(db.String(10), default=TurnStatus.WAITING)
    requested_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    ends_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    # Seconds the speaker went on past `ends_at` under the "record" overrun rule (None: no overrun).
    overrun_seconds: Mapped[int | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the chair, for a member (above Stance)

    item: Mapped[MeetingItem] = relationship(back_populates="turns")
    user: Mapped["User"] = relationship(foreign_keys=[user_id])


class MotionKind(Labelled):
    APPROVE = "approve", N_("Approve with a budget")
    REJECT = "reject", N_("Reject")
    REFER_TO_VOTE = "refer_to_vote", N_("Refer to a resident vote")
    ADOPT = "adopt", N_("Adopt the amendment")  # of a residents' convention (app.conventions)
    ADOPT_RULES = "adopt_rules", N_("Adopt the new rules")  # a draft of the consultation rules (app.rule_adoption)
    AGREE = "agree", N_("Agree to the item")  # an item the committee raised (app.committee_items)
    # Procedural motions (votes.PROCEDURAL): any subject takes them, the general majority decides.
    AMEND = "amend", N_("Amend the motion")
    DEFER = "defer", N_("Defer the item to a later meeting")
    ADJOURN = "adjourn", N_("Adjourn the meeting")


class MotionStatus(Labelled):
    MOVED = "moved", N_("Waiting for seconders")  # waiting for seconders
    DEBATE = "debate", N_("Under debate")
    VOTING = "voting", N_("Being voted on")
    PASSED = "passed", N_("Passed")
    FAILED = "failed", N_("Not passed")
    WITHDRAWN = "withdrawn", N_("Withdrawn")


ACTIVE_MOTION = (MotionStatus.MOVED, MotionStatus.DEBATE, MotionStatus.VOTING)


class Motion(db.Model):
    id: Mapped[IntPK]
    meeting_item_id: Mapped[int] = mapped_column(ForeignKey("meeting_item.id"), index=True)
    mover_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    kind: Mapped[str] = mapped_column(db.String(20))
    budget: Mapped[int | None]  # yuan, for an approval
    text: Mapped[str] = mapped_column(db.String(500), default="")
    seconders_needed: Mapped[int]  # from the rule set that applied when it was moved
    status: Mapped[str] = mapped_column(db.String(10), default=MotionStatus.MOVED)
    moved_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the chair, for a member (above Stance)
    amends_id: Mapped[int | None] = mapped_column(ForeignKey("motion.id"))  # an amendment: the motion it amends
    # The text and budget as moved ({"text", "budget"}), kept once a carried amendment changed them.
    as_moved: Mapped[dict | None] = mapped_column(JSON)

    item: Mapped[MeetingItem] = relationship(back_populates="motions")
    mover: Mapped["User"] = relationship(foreign_keys=[mover_id])
    amends: Mapped["Motion | None"] = relationship(remote_side="Motion.id", foreign_keys=[amends_id])
    seconders: Mapped[list["Seconding"]] = relationship(order_by="Seconding.id")
    vote: Mapped["MotionVote | None"] = relationship(back_populates="motion", uselist=False)

    @property
    def active(self):
        return self.status in ACTIVE_MOTION


class Seconding(db.Model):
    __table_args__ = (UniqueConstraint("motion_id", "user_id"),)

    id: Mapped[IntPK]
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime]
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the chair, for a member (above Stance)

    user: Mapped["User"] = relationship(foreign_keys=[user_id])


class PointOfOrder(db.Model):
    """A member's point of order and the presiding chair's ruling on it; no vote opens while one
    waits for its ruling (votes.open_vote)."""

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    meeting_item_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_item.id"))  # the item open then
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # the chair, for a member (above Stance)
    text: Mapped[str] = mapped_column(db.String(300))
    raised_at: Mapped[datetime]
    upheld: Mapped[bool | None]
    ruling_reason: Mapped[str] = mapped_column(db.String(300), default="")
    ruled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    ruled_at: Mapped[datetime | None]

    raised_by: Mapped["User"] = relationship(foreign_keys=[raised_by_id])
    ruled_by: Mapped["User | None"] = relationship(foreign_keys=[ruled_by_id])
    item: Mapped[MeetingItem | None] = relationship()


class VoteMode(Labelled):
    NAMED = "named", N_("Roll call (named)")  # each member votes from their phone, or the secretary records their hand
    # SECRET below is a way of voting, not a password.
    SECRET = "secret", N_("Secret ballot")  # noqa: S105  # nosec B105
    ANALOG = "analog", N_("Counted in the room")  # hands or paper, counted in the room; the secretary enters the counts


class Choice(Labelled):
    YES = "yes", N_("In favour")
    NO = "no", N_("Against")
    ABSTAIN = "abstain", N_("Abstain")


class MotionVote(db.Model):
    """The vote on one motion. Who was entitled and the quorum are fixed when it opens."""

    __table_args__ = (UniqueConstraint("motion_id"),)

    id: Mapped[IntPK]
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"))
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    mode: Mapped[str] = mapped_column(db.String(10))  # chosen by the chair for this vote (votes.allowed_modes)
    is_open: Mapped[bool] = mapped_column(default=True)
    entitled: Mapped[list] = mapped_column(JSON)  # user ids of the council members present at the opening
    # Under "the chair decides ties" the presiding chair does not vote in the round (not in
    # `entitled`) and keeps the one deciding vote for a tie.
    casting_chair_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # (yes, no, abstain) of a tied vote closed while it waits for the chair's deciding vote.
    tied_counts: Mapped[list | None] = mapped_column(JSON)
    members_count: Mapped[int]  # all council members at the opening
    quorum_needed: Mapped[int]
    # Absent members counted for the quorum by a written proxy whose vote is not cast (rule "quorum").
    quorum_proxies: Mapped[int] = mapped_column(default=0, server_default="0")
    opened_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None]

    motion: Mapped[Motion] = relationship(back_populates="vote")
    ruleset: Mapped["RuleSet"] = relationship()
    casting_chair: Mapped["User | None"] = relationship(foreign_keys=[casting_chair_id])
    ballots: Mapped[list["Ballot"]] = relationship(order_by="Ballot.id")
    result: Mapped["VoteResult | None"] = relationship(back_populates="vote", uselist=False)


class Ballot(db.Model):
    """A named vote. Never updated; one per member per vote."""

    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[IntPK]
    vote_id: Mapped[int] = mapped_column(ForeignKey("motion_vote.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    choice: Mapped[str] = mapped_column(db.String(10))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))  # the member, or the secretary
    cast_at: Mapped[datetime]

    user: Mapped["User"] = relationship(foreign_keys=[user_id])


class SecretBallotMark(db.Model):
    """A secret vote's "has voted" row: who voted, nothing about the choice (and no time)."""

    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[IntPK]
    vote_id: Mapped[int] = mapped_column(ForeignKey("motion_vote.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))


class SecretChoice(db.Model):
    """A secret choice in the box until the vote closes: no member, no time, and a random key,
    so neither the row nor its place in the table says whose or when. Written in its own
    transaction before the member's mark; summed into SecretTally and deleted at the close."""

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_row_id)
    vote_id: Mapped[int] = mapped_column(ForeignKey("motion_vote.id"))
    choice: Mapped[str] = mapped_column(db.String(10))


class SecretTally(db.Model):
    """The counts of a secret vote, written once when it closes (from the SecretChoice rows)."""

    vote_id: Mapped[int] = mapped_column(ForeignKey("motion_vote.id"), primary_key=True)
    yes: Mapped[int] = mapped_column(default=0)
    no: Mapped[int] = mapped_column(default=0)
    abstain: Mapped[int] = mapped_column(default=0)


class VoteResult(db.Model):
    """What a closed vote decided, and exactly which rules produced it. Never updated."""

    __table_args__ = (UniqueConstraint("vote_id"),)

    id: Mapped[IntPK]
    vote_id: Mapped[int] = mapped_column(ForeignKey("motion_vote.id"))
    motion_id: Mapped[int] = mapped_column(ForeignKey("motion.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    mode: Mapped[str] = mapped_column(db.String(10))
    yes: Mapped[int]
    no: Mapped[int]
    abstain: Mapped[int]
    not_voted: Mapped[int]
    present: Mapped[int]  # members entitled to vote (present at the opening)
    members: Mapped[int]  # all council members at the opening
    entitled: Mapped[list] = mapped_column(JSON)
    majority_rule: Mapped[str] = mapped_column(db.String(20))
    base_kind: Mapped[str] = mapped_column(db.String(20))
    base: Mapped[int]
    needed: Mapped[int]
    tie_rule: Mapped[str] = mapped_column(db.String(20))
    tie: Mapped[bool]
    casting_vote: Mapped[bool | None]
    passed: Mapped[bool]
    quorum_numerator: Mapped[int]
    quorum_denominator: Mapped[int]
    quorum_strict: Mapped[bool]
    quorum_needed: Mapped[int]
    quorum_met: Mapped[bool]
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    ruleset_version: Mapped[int]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime]

    vote: Mapped[MotionVote] = relationship(back_populates="result")


class Minutes(db.Model):
    """Minutes of a meeting: generated from the records, notes by the secretary, locked by the chair.

    Locked minutes keep a snapshot (`content`) and can no longer change; a correction is a
    new Minutes row pointing at the one it corrects."""

    id: Mapped[IntPK]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id"), index=True)
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("minutes.id"))
    notes: Mapped[str] = mapped_column(db.Text, default="")  # Markdown
    notes_html: Mapped[str] = mapped_column(db.Text, default="")
    content: Mapped[dict | None] = mapped_column(JSON)  # the snapshot, set when locked
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    locked_at: Mapped[datetime | None]
    # The draft went to the members for comments (rule set's minutes_comment_days); locked after `comments_until`.
    sent_for_comments_at: Mapped[datetime | None]
    comments_until: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    locked_by: Mapped["User | None"] = relationship(foreign_keys=[locked_by_id])
    corrects: Mapped["Minutes | None"] = relationship(remote_side="Minutes.id")

    @property
    def locked(self):
        return self.locked_at is not None


class MinutesComment(db.Model):  # type: ignore[name-defined]  # flask_sqlalchemy's Model is dynamic
    """A council member's comment on draft minutes and the presiding chair's answer; kept with the
    minutes and never changed once they are locked."""

    id: Mapped[IntPK]
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    text: Mapped[str] = mapped_column(db.Text)
    created_at: Mapped[CreatedAt]
    answer: Mapped[str | None] = mapped_column(db.Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None]

    minutes: Mapped[Minutes] = relationship()
    author: Mapped["User"] = relationship(foreign_keys=[author_id])
    answered_by: Mapped["User | None"] = relationship(foreign_keys=[answered_by_id])


never_changed(Ballot, VoteResult, SecretBallotMark)


@event.listens_for(Minutes, "before_update")
@event.listens_for(Minutes, "before_delete")
def _locked_minutes(_mapper, _connection, target):
    history = inspect(target).attrs.locked_at.history
    before = (list(history.deleted) or list(history.unchanged) or [None])[0]
    if before is not None:
        raise PermissionError(f"minutes {target.id} are locked")


@event.listens_for(MinutesComment, "before_update")
@event.listens_for(MinutesComment, "before_delete")
def _comment_of_locked_minutes(_mapper, _connection, target):
    if target.minutes.locked:
        raise PermissionError(f"comment {target.id} belongs to locked minutes")
