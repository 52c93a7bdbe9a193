"""Resident voting rounds, the register and the ballot box, paper ballots, households and results.

Who voted and what was chosen are stored apart (see README, "How votes stay secret and countable"):
- RoundParticipation is the marked register: one row per voter (a person, or a household in
  rounds with one ballot per household) who took part, online or in person:
  unique (round, voter_key) and unique (round, user). It holds the voter's receipt code.
- RoundBallot is the ballot box: a random id, the round, the channel and the choices; nothing
  that names, dates or orders a voter.
- While a round is open, RoundParticipation.ballot_id points at the voter's current ballot, only
  so that a new ballot can replace it (the old box row is deleted; secure_delete zeroes it).
  Unique, so one register row holds at most one ballot and a ballot belongs to one register row.
  rounds.seal_round sets it to NULL for the whole round before the count, for good.
"""

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, UniqueConstraint, event, select, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import CheckedBySecondPerson
from app.core import clock
from app.core.i18n import N_
from app.core.labels import Labelled
from app.core.secrecy import RandomId, random_row_id
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, UserId, utcnow

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.matters.models import MicroMatter
    from app.rules.models import RuleSet


class Method(Labelled):
    YES_NO = "yes_no", N_("Yes or no on each project")
    APPROVAL = "approval", N_("Approval: choose up to a set number of projects")
    KNAPSACK = "knapsack", N_("Budget ballot: choose projects within the budget")


# The pabulib rule each allocation is published as (app/voting/tally.py: PABULIB_RULES).
class Allocation(Labelled):
    GREEDY = "greedy", N_("Greedy: most votes first, while the budget lasts (pabulib: greedy)")
    MES = (
        "mes",
        N_("Method of Equal Shares, completed by raising every share 1 yuan at a time (pabulib: equalshares/add1)"),
    )


class Channel(Labelled):
    ONLINE = "online", N_("Online")
    PAPER = "paper", N_("Paper (in person)")


class RoundState(Labelled):
    SCHEDULED = "scheduled", N_("Not open yet")
    OPEN = "open", N_("Open for voting")
    CLOSED = "closed", N_("Closed, waiting for the count")
    COUNTED = "counted", N_("Results published")


class VotingRound(db.Model):
    """A resident vote on micro-matters: the options, the budget, the window and the rules."""

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    title: Mapped[str] = mapped_column(db.String(80))
    description: Mapped[str] = mapped_column(db.Text, default="")
    method: Mapped[str] = mapped_column(db.String(10))
    allocation: Mapped[str] = mapped_column(db.String(10), default=Allocation.GREEDY)  # approval/knapsack
    max_choices: Mapped[int | None]  # approval: at most k options
    budget: Mapped[int]  # yuan
    opens_at: Mapped[datetime]  # naive UTC, server clock
    closes_at: Mapped[datetime]
    per_household: Mapped[bool] = mapped_column(default=False)  # one ballot per household
    allow_changes: Mapped[bool] = mapped_column(default=True)  # a changed ballot replaces the earlier one
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))  # the rules in force at opening
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    # When the electorate (RoundElector rows) was written down; NULL until then (app/voting/electorate.py).
    electorate_fixed_at: Mapped[datetime | None]
    # What the options are: micro-matters, or a kind a feature plugs in (app/voting/option_kinds.py).
    option_kind: Mapped[str] = mapped_column(db.String(20), default="matter", server_default="matter")

    community: Mapped["Community"] = relationship()
    ruleset: Mapped["RuleSet"] = relationship()
    created_by: Mapped["User | None"] = relationship()
    options: Mapped[list["RoundOption"]] = relationship(back_populates="round", order_by="RoundOption.number")
    result: Mapped["RoundResult | None"] = relationship(back_populates="round", uselist=False)

    def state(self, now=None):
        """scheduled, open, closed (waiting for the count) or counted."""
        now = now or clock.now()
        if self.result is not None:
            return RoundState.COUNTED
        if now < self.opens_at:
            return RoundState.SCHEDULED
        if now < self.closes_at:
            return RoundState.OPEN
        return RoundState.CLOSED

    def is_open(self, now=None):
        return self.state(now) == RoundState.OPEN


class RoundOption(db.Model):
    """One micro-matter on the ballot, with its number (stable, published) and cost; or, in a round
    of a plugged-in kind (app/voting/option_kinds.py), the id of that feature's row, at cost 0."""

    __table_args__ = (
        UniqueConstraint("round_id", "number"),
        UniqueConstraint("round_id", "matter_id"),
        UniqueConstraint("round_id", "subject_id"),
        CheckConstraint("(matter_id IS NULL) <> (subject_id IS NULL)", name="matter_or_subject"),
    )

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    number: Mapped[int]  # 1..n on this ballot
    matter_id: Mapped[int | None] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    subject_id: Mapped[int | None]  # a plugged-in kind's row (VotingRound.option_kind)
    title: Mapped[str] = mapped_column(db.String(80))  # as it stood on the ballot
    cost: Mapped[int]  # yuan

    round: Mapped[VotingRound] = relationship(back_populates="options")
    matter: Mapped["MicroMatter | None"] = relationship()


class Household(db.Model):
    """A resident-register entry (户) the committee keeps, for rounds with one ballot per household."""

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    name: Mapped[str] = mapped_column(db.String(80))
    address: Mapped[str] = mapped_column(db.String(120))
    created_at: Mapped[CreatedAt]

    members: Mapped[list["HouseholdMember"]] = relationship(back_populates="household", order_by="HouseholdMember.id")


class HouseholdMember(db.Model):
    """A person belongs to at most one household per community."""

    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[IntPK]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    user_id: Mapped[UserId]
    created_at: Mapped[CreatedAt]

    household: Mapped[Household] = relationship(back_populates="members")
    user: Mapped["User"] = relationship()


class RoundBallot(db.Model):
    """A ballot in the box: a random id, the round, the channel and the choices, nothing else
    (no voter, household, receipt or time), so no row says who cast it or when.
    (Named RoundBallot: the councils' named vote, app.councils.models.Ballot, owns `ballot`.)"""

    id: Mapped[int] = mapped_column(RandomId, primary_key=True, autoincrement=False, default=random_row_id)
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    channel: Mapped[str] = mapped_column(db.String(10), default=Channel.ONLINE)
    # Option numbers, e.g. [1, 3]; yes/no rounds: [[1, "yes"], [2, "no"]].
    choices: Mapped[list] = mapped_column(JSON)

    round: Mapped[VotingRound] = relationship()


class RoundParticipation(db.Model):
    """The marked register: who took part (online, or in person with a paper ballot)."""

    __table_args__ = (UniqueConstraint("round_id", "voter_key"), UniqueConstraint("round_id", "user_id"))

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    voter_key: Mapped[str] = mapped_column(db.String(30))  # "u:<user id>" or "h:<household id>"
    user_id: Mapped[UserId]
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    channel: Mapped[str] = mapped_column(db.String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # in person: the committee member
    # In person: the declared session the mark was made at (app/voting/in_person.py).
    polling_session_id: Mapped[int | None] = mapped_column(ForeignKey("polling_session.id"))
    created_at: Mapped[CreatedAt]
    # Online voters: one random code for the round, the same after a new ballot. It proves that a
    # ballot of this voter is in the box (and, after the count, was counted), never what it says.
    receipt_code: Mapped[str | None] = mapped_column(db.String(16), unique=True)
    # The voter's current ballot, only while the round is open (to replace it); NULL from the seal on.
    ballot_id: Mapped[int | None] = mapped_column(RandomId, ForeignKey("round_ballot.id"), unique=True)

    round: Mapped[VotingRound] = relationship()
    user: Mapped["User"] = relationship(foreign_keys="RoundParticipation.user_id")
    polling_session: Mapped["PollingSession | None"] = relationship()


# A ballot in the box is never changed. It is deleted only when its voter replaces it: an online
# ballot no register row points at any more, in a round not yet counted (casting._cast moves the
# link to the new ballot first). Anything else is a bug, refused here. (rounds.seal_round
# rewrites the box unchanged, with table-level statements.)
@event.listens_for(RoundBallot, "before_update")
def _never_changed(_mapper, _connection, target):
    raise PermissionError(f"ballot {target.id} is never changed")


@event.listens_for(RoundBallot, "before_delete")
def _deleted_only_when_replaced(_mapper, connection, target):
    linked = connection.scalar(select(RoundParticipation.id).where(RoundParticipation.ballot_id == target.id))
    counted = connection.scalar(select(RoundResult.id).where(RoundResult.round_id == target.round_id))
    if target.channel != Channel.ONLINE or linked is not None or counted is not None:
        raise PermissionError(f"ballot {target.id} is deleted only when its voter replaces it")


# --- paper ballots, supervised (app/voting/in_person.py, tally_sheets.py, paper.py) ------------


class PollingSession(db.Model):
    """A declared in-person voting session (投票点): a place and a time inside the round's window.
    Residents are marked as having voted in person only while one is running."""

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    place: Mapped[str] = mapped_column(db.String(120))
    starts_at: Mapped[datetime]  # naive UTC, server clock
    ends_at: Mapped[datetime]
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    round: Mapped[VotingRound] = relationship()
    created_by: Mapped["User"] = relationship()

    def is_running(self, now=None):
        return self.starts_at <= (now or clock.now()) < self.ends_at


class SheetStatus(StrEnum):
    ENTERED = "entered"  # waiting for a second person
    CONFIRMED = "confirmed"  # its ballots are in the box
    REJECTED = "rejected"  # kept on record; a corrected sheet may follow


class TallySheet(CheckedBySecondPerson, db.Model):
    """The count of one session's ballot box: ballots per distinct content, and spoilt ballots;
    entered by one person, confirmed by a second. `active` is True for the session's live sheet and
    NULL once rejected, so the unique constraint allows one live sheet per session (NULLs never
    collide). `lines` is cleared once the sheet is confirmed or rejected."""

    __table_args__ = (UniqueConstraint("session_id", "active"),)

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("polling_session.id"), index=True)
    # [[choices as in the box, count], ...] until confirmed or rejected; then NULL.
    lines: Mapped[list | None] = mapped_column(JSON)
    ballots: Mapped[int]  # valid ballots on the sheet
    spoilt: Mapped[int]
    source: Mapped[str] = mapped_column(db.String(10))  # "form" or "csv"
    status: Mapped[str] = mapped_column(db.String(10), default=SheetStatus.ENTERED)
    active: Mapped[bool | None] = mapped_column(default=True)
    reject_reason: Mapped[str] = mapped_column(db.String(300), default="")

    session: Mapped[PollingSession] = relationship()


class PaperObjection(db.Model):
    """A resident's "that was not me" about their in-person mark, listed for the council and the
    committee. One per resident and round."""

    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("polling_session.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # who made the mark
    note: Mapped[str] = mapped_column(db.String(300), default="")
    created_at: Mapped[CreatedAt]

    session: Mapped[PollingSession | None] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])
    recorded_by: Mapped["User | None"] = relationship(foreign_keys=[recorded_by_id])


class RoundElector(db.Model):
    """The electorate of a round, fixed when voting opens: one row per voter key ("u:<user id>",
    or "h:<household id>" in rounds with one ballot per household). It is the turnout base, and
    only these voters may take part: residents verified later vote in the next round."""

    __table_args__ = (UniqueConstraint("round_id", "voter_key"),)

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    voter_key: Mapped[str] = mapped_column(db.String(30))


class RoundResult(db.Model):
    """The count, stored once with the rule-set version it applied. The explanation keeps the
    numbers the results page turns into sentences."""

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), unique=True)
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    ruleset_version: Mapped[int]
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    electorate: Mapped[int]  # eligible voters (people, or households), fixed when voting opened
    ballots_counted: Mapped[int]
    online_ballots: Mapped[int]
    paper_ballots: Mapped[int]
    marked_online: Mapped[int]  # voters marked on the register as having voted online
    marked_in_person: Mapped[int]
    votes: Mapped[dict] = mapped_column(JSON)  # {"1": approvals or yes votes}
    no_votes: Mapped[dict] = mapped_column(JSON, default=dict)  # yes/no rounds
    abstentions: Mapped[dict] = mapped_column(JSON, default=dict)
    winners: Mapped[list] = mapped_column(JSON)  # option numbers, in the order they were funded
    total_cost: Mapped[int]
    explanation: Mapped[dict] = mapped_column(JSON, default=dict)
    published_sha256: Mapped[str] = mapped_column(db.String(64))  # of the .pb file, or the ballots CSV
    # The rules the count applied (from the rule set version above), so pages print what decided.
    valid: Mapped[bool] = mapped_column(default=True, server_default=true())  # False: turnout below the minimum
    min_turnout_percent: Mapped[int] = mapped_column(default=0, server_default="0")
    rule: Mapped[str] = mapped_column(db.String(30), default="", server_default="")  # pabulib label, or "majority"
    majority_rule: Mapped[str | None] = mapped_column(db.String(20))  # yes/no rounds: the residents' majority
    majority_base: Mapped[str | None] = mapped_column(db.String(20))

    round: Mapped[VotingRound] = relationship(back_populates="result")

    @property
    def turnout_percent(self):
        return round(100 * self.ballots_counted / self.electorate, 1) if self.electorate else 0.0


class CountJobState(Labelled):
    QUEUED = "queued", N_("Waiting for the worker")
    RUNNING = "running", N_("Being counted")
    FAILED = "failed", N_("The count failed")
    DONE = "done", N_("Counted")


class CountJob(db.Model):
    """The committee's "count and publish" of a round too large to count inside a web request,
    run by the worker (app/voting/count_jobs.py). One per round: a second click finds it."""

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), unique=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    requested_at: Mapped[CreatedAt]
    state: Mapped[str] = mapped_column(db.String(10), default=CountJobState.QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]  # when a worker took it (a stale claim goes back to the queue)
    finished_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(db.Text)  # why the last attempt failed, in the requester's language

    round: Mapped[VotingRound] = relationship()
    requested_by: Mapped["User"] = relationship()


class RoundDownload(db.Model):
    """A counted round's published file (ballots CSV, round JSON, pabulib .pb), built once and
    served as stored: a counted round's box never changes (app/voting/downloads.py)."""

    __table_args__ = (UniqueConstraint("round_id", "kind"),)

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"))
    kind: Mapped[str] = mapped_column(db.String(12))  # "ballots.csv", "round.json", "round.pb"
    body: Mapped[bytes] = mapped_column(db.LargeBinary)
    sha256: Mapped[str] = mapped_column(db.String(64))  # the ETag
    built_at: Mapped[datetime] = mapped_column(default=utcnow)
