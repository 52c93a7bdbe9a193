"""Resident voting rounds, ballots with receipts, paper ballots, households and results.

One counted ballot per voter is guaranteed by the database, twice over:
- RoundParticipation is the marked register: one row per voter (a person, or a household in
  rounds with one ballot per household) who took part, online or in person:
  unique (round, voter_key) and unique (round, user).
- RoundBallot.counted is True for the ballot that counts and NULL once superseded by a changed
  ballot: unique (round, voter_key, counted) allows one counted online ballot per voter (NULLs
  never collide), and unique supersedes_id lets a ballot be replaced only once.
Paper ballots are anonymous (voter_key NULL): the in-person marks and the paper ballots are
reconciled by count on the results page, as at a polling station.
"""
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.extensions import db
from app.models_base import CreatedAt, IntPK, utcnow


class Method(StrEnum):
    YES_NO = "yes_no"
    APPROVAL = "approval"
    KNAPSACK = "knapsack"


METHOD_LABELS = {
    Method.YES_NO: N_("Yes or no on each project"),
    Method.APPROVAL: N_("Approval: choose up to k projects"),
    Method.KNAPSACK: N_("Budget ballot: choose projects within the budget"),
}


class Allocation(StrEnum):
    GREEDY = "greedy"
    MES = "mes"


ALLOCATION_LABELS = {
    Allocation.GREEDY: N_("Greedy: most votes first, while the budget lasts"),
    Allocation.MES: N_("Method of Equal Shares (with completion)"),
}


class Channel(StrEnum):
    ONLINE = "online"
    PAPER = "paper"


CHANNEL_LABELS = {Channel.ONLINE: N_("Online"), Channel.PAPER: N_("Paper (in person)")}


class VotingRound(db.Model):
    """A resident vote on micro-matters: the options, the budget, the window and the rules."""

    id: Mapped[IntPK]
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
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

    community: Mapped["Community"] = relationship()  # noqa: F821
    ruleset: Mapped["RuleSet"] = relationship()  # noqa: F821
    created_by: Mapped["User | None"] = relationship()  # noqa: F821
    options: Mapped[list["RoundOption"]] = relationship(back_populates="round", order_by="RoundOption.number")
    result: Mapped["RoundResult | None"] = relationship(back_populates="round", uselist=False)

    def state(self, now=None):
        """scheduled, open, closed (waiting for the count) or counted."""
        now = now or utcnow()
        if self.result is not None:
            return "counted"
        if now < self.opens_at:
            return "scheduled"
        if now < self.closes_at:
            return "open"
        return "closed"

    def is_open(self, now=None):
        return self.state(now) == "open"


ROUND_STATE_LABELS = {
    "scheduled": N_("Not open yet"),
    "open": N_("Open for voting"),
    "closed": N_("Closed, waiting for the count"),
    "counted": N_("Results published"),
}


class RoundOption(db.Model):
    """One micro-matter on the ballot, with its number (stable, published) and cost."""

    __table_args__ = (UniqueConstraint("round_id", "number"), UniqueConstraint("round_id", "matter_id"))

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    number: Mapped[int]  # 1..n on this ballot
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(80))  # as it stood on the ballot
    cost: Mapped[int]  # yuan

    round: Mapped[VotingRound] = relationship(back_populates="options")
    matter: Mapped["MicroMatter"] = relationship()  # noqa: F821


class Household(db.Model):
    """A resident-register entry (户) the committee keeps, for rounds with one ballot per household."""

    id: Mapped[IntPK]
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"), index=True)
    name: Mapped[str] = mapped_column(db.String(80))
    address: Mapped[str] = mapped_column(db.String(120))
    created_at: Mapped[CreatedAt]

    members: Mapped[list["HouseholdMember"]] = relationship(back_populates="household",
                                                            order_by="HouseholdMember.id")


class HouseholdMember(db.Model):
    """A person belongs to at most one household per community."""

    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[IntPK]
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("community.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    created_at: Mapped[CreatedAt]

    household: Mapped[Household] = relationship(back_populates="members")
    user: Mapped["User"] = relationship()  # noqa: F821


class RoundParticipation(db.Model):
    """The marked register: who took part (online, or in person with a paper ballot)."""

    __table_args__ = (UniqueConstraint("round_id", "voter_key"), UniqueConstraint("round_id", "user_id"))

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    voter_key: Mapped[str] = mapped_column(db.String(30))  # "u:<user id>" or "h:<household id>"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    channel: Mapped[str] = mapped_column(db.String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))  # in person: the committee member
    created_at: Mapped[CreatedAt]

    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821


class RoundBallot(db.Model):
    """A resident's ballot and its receipt code. Never deleted; a changed ballot marks the old one
    superseded. (Named RoundBallot: the councils' named vote, app.councils.models.Ballot, owns `ballot`.)"""

    __table_args__ = (UniqueConstraint("round_id", "voter_key", "counted"),)

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    channel: Mapped[str] = mapped_column(db.String(10), default=Channel.ONLINE)
    voter_key: Mapped[str | None] = mapped_column(db.String(30))  # NULL for anonymous paper ballots
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)  # who cast it online
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"))
    # Option numbers, e.g. [1, 3]; yes/no rounds: [[1, "yes"], [2, "no"]].
    choices: Mapped[list] = mapped_column(JSON)
    receipt_code: Mapped[str] = mapped_column(db.String(16), unique=True)
    nonce: Mapped[str] = mapped_column(db.String(32))
    cast_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted: Mapped[bool | None] = mapped_column(default=True)  # NULL once superseded
    superseded_at: Mapped[datetime | None]
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("round_ballot.id"), unique=True)

    round: Mapped[VotingRound] = relationship()

    @property
    def is_superseded(self):
        return self.counted is None


# A cast ballot is never edited or deleted: the only change allowed is marking it superseded
# (counted True -> NULL, superseded_at set) when the resident casts a new one.
SUPERSEDING_FIELDS = frozenset({"counted", "superseded_at"})


@event.listens_for(RoundBallot, "before_update")
def _only_superseded(_mapper, _connection, target):
    state = inspect(target)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    if changed - SUPERSEDING_FIELDS or target.counted is not None:
        raise PermissionError(f"ballot {target.id} is never changed, only superseded")


@event.listens_for(RoundBallot, "before_delete")
def _never_deleted(_mapper, _connection, target):
    raise PermissionError(f"ballot {target.id} is never deleted")


class PaperBallot(db.Model):
    """Where a paper ballot came from: entered by hand or imported from a CSV line."""

    id: Mapped[IntPK]
    ballot_id: Mapped[int] = mapped_column(ForeignKey("round_ballot.id"), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), index=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    source: Mapped[str] = mapped_column(db.String(10))  # "form" or "csv"
    csv_line: Mapped[int | None]
    created_at: Mapped[CreatedAt]

    ballot: Mapped[RoundBallot] = relationship()


class RoundResult(db.Model):
    """The count, stored once with the rule-set version it applied. The explanation keeps the
    numbers the results page turns into sentences."""

    id: Mapped[IntPK]
    round_id: Mapped[int] = mapped_column(ForeignKey("voting_round.id"), unique=True)
    ruleset_id: Mapped[int] = mapped_column(ForeignKey("rule_set.id"))
    ruleset_version: Mapped[int]
    counted_at: Mapped[datetime] = mapped_column(default=utcnow)
    counted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    electorate: Mapped[int]  # eligible voters (people, or households) at the count
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
    published_sha256: Mapped[str] = mapped_column(db.String(64))  # of the published .pb file

    round: Mapped[VotingRound] = relationship(back_populates="result")

    @property
    def turnout_percent(self):
        return round(100 * self.ballots_counted / self.electorate, 1) if self.electorate else 0.0


# How a yes/no round's majority reads on the results page (resident votes, not council motions).
RESIDENT_MAJORITY_SENTENCES = {
    "simple": N_("A project passes when its yes votes are more than half of %(base)s."),
    "two_thirds": N_("A project passes when its yes votes are at least two thirds of %(base)s."),
    "three_quarters": N_("A project passes when its yes votes are at least three quarters of %(base)s."),
    "unanimity": N_("A project passes only when all of %(base)s are yes votes."),
}
RESIDENT_BASE_NOUNS = {
    "yes_no": N_("the yes and no votes on it"),
    "yes_no_abstain": N_("the yes, no and abstain votes on it"),
    "present": N_("all ballots cast in the round"),
    "all_members": N_("everyone eligible to vote"),
}
