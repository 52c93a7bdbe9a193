from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK

from .choices import ConventionApproval, ProxyRule, SpeakingOverrun
from .majority import Base, MajorityRule, TieRule
from .quorum import Quorum

if TYPE_CHECKING:
    from app.communities.models import Community


class ThresholdKind:
    COUNT = "count"
    SHARE = "share"


class RuleStatus(Labelled):
    """A version proposed by the committee is a draft until the council decides it. The version in
    force is the newest adopted one; older adopted versions are no longer in force."""

    DRAFT = "draft", N_("draft")
    ADOPTED = "adopted", N_("adopted")
    REJECTED = "rejected", N_("rejected")
    WITHDRAWN = "withdrawn", N_("withdrawn")
    # When the rules in force say a rule change needs the residents too (rule_change_needs_residents):
    # adopted by the council, then put to a yes/no round (app.rule_adoption), which approves it or not.
    AWAITING_RESIDENTS = "residents", N_("adopted by the council, awaiting the residents' vote")
    IN_VOTE = "in_vote", N_("in the residents' vote")
    NOT_APPROVED = "unapproved", N_("not approved by the residents")


# A version on its way: at most one at a time, and no new draft while it waits.
PENDING_STATUSES = (RuleStatus.DRAFT, RuleStatus.AWAITING_RESIDENTS, RuleStatus.IN_VOTE)


# The longest objection period (公示期) a notice may have, in days.
MAX_OBJECTION_DAYS = 60


class RuleSet(db.Model):
    """One version of a community's consultation rules. Editing adds a new version;
    results keep the id of the version they applied."""

    __table_args__ = (UniqueConstraint("community_id", "version"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    version: Mapped[int]
    created_at: Mapped[CreatedAt]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    change_note: Mapped[str] = mapped_column(db.String(300), default="")
    community: Mapped["Community"] = relationship()
    # Versions that existed before drafts (and version 1 of a new community) are adopted.
    status: Mapped[str] = mapped_column(
        db.String(10), default=RuleStatus.ADOPTED, server_default=RuleStatus.ADOPTED.value, index=True
    )
    # The council's decision on a draft: when, in which meeting, by which motion. Plain ids: the
    # councils' tables refer to rule_set, so keys back to them would make a cycle.
    decided_at: Mapped[datetime | None]
    agenda_item_id: Mapped[int | None] = mapped_column(unique=True)  # the draft's entry on the agenda list
    decided_meeting_id: Mapped[int | None]
    decided_motion_id: Mapped[int | None]
    # The residents' yes/no round that approved it or not (rule_change_needs_residents), and when it
    # was counted: a plain id for the same reason (voting_round refers to rule_set).
    decided_round_id: Mapped[int | None] = mapped_column(unique=True)
    decided_round_at: Mapped[datetime | None]

    # Reaching review: a number of supports, or a share (percent) of verified residents.
    support_threshold_kind: Mapped[str] = mapped_column(db.String(10), default=ThresholdKind.COUNT)
    support_threshold_count: Mapped[int] = mapped_column(default=20)
    support_threshold_percent: Mapped[int] = mapped_column(default=5)
    # Admissibility: cost caps per project type (yuan) and the negative list.
    cap_service: Mapped[int] = mapped_column(default=200_000)
    cap_goods: Mapped[int] = mapped_column(default=200_000)
    cap_works: Mapped[int] = mapped_column(default=500_000)
    excluded_categories: Mapped[list] = mapped_column(JSON, default=list)
    negative_list: Mapped[list] = mapped_column(JSON, default=list)  # free-text items the committee judges
    # Meetings.
    notice_days: Mapped[int] = mapped_column(default=3)
    quorum_numerator: Mapped[int] = mapped_column(default=1)
    quorum_denominator: Mapped[int] = mapped_column(default=2)
    quorum_strict: Mapped[bool] = mapped_column(default=True)  # "more than" rather than "at least"
    seconders_needed: Mapped[int] = mapped_column(default=1)
    turns_per_item: Mapped[int] = mapped_column(default=2)
    minutes_per_turn: Mapped[int] = mapped_column(default=2)
    majority_rule: Mapped[str] = mapped_column(db.String(20), default=MajorityRule.SIMPLE)
    majority_base: Mapped[str] = mapped_column(db.String(20), default=Base.PRESENT)
    tie_rule: Mapped[str] = mapped_column(db.String(20), default=TieRule.FAILS)
    secret_ballot: Mapped[bool] = mapped_column(default=False)  # False: named (roll-call) votes
    # Majorities of their own for some kinds of motion (majority.majority_for); NULL: the general one.
    budget_majority_rule: Mapped[str | None] = mapped_column(db.String(20))  # approving or rejecting a budget
    budget_majority_base: Mapped[str | None] = mapped_column(db.String(20))
    rule_change_majority_rule: Mapped[str | None] = mapped_column(db.String(20))  # adopting new rules
    rule_change_majority_base: Mapped[str | None] = mapped_column(db.String(20))
    referral_majority_rule: Mapped[str | None] = mapped_column(db.String(20))  # referring to a resident vote
    referral_majority_base: Mapped[str | None] = mapped_column(db.String(20))
    # Adopting rules that change the quorum or a majority (services.ENTRENCHED_FIELDS).
    entrenched_majority_rule: Mapped[str] = mapped_column(
        db.String(20), default=MajorityRule.TWO_THIRDS, server_default=MajorityRule.TWO_THIRDS.value
    )
    entrenched_majority_base: Mapped[str] = mapped_column(
        db.String(20), default=Base.ALL_MEMBERS, server_default=Base.ALL_MEMBERS.value
    )
    # A rule change adopted by the council also needs the residents' yes in a yes/no round.
    rule_change_needs_residents: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Resident votes and the residents' verdict. A yes/no resident round has its own majority,
    # apart from the council's: by default yes > half of the yes and no votes cast on a project.
    resident_majority_rule: Mapped[str] = mapped_column(
        db.String(20), default=MajorityRule.SIMPLE, server_default=MajorityRule.SIMPLE.value
    )
    resident_majority_base: Mapped[str] = mapped_column(
        db.String(20), default=Base.YES_NO, server_default=Base.YES_NO.value
    )
    min_turnout_percent: Mapped[int] = mapped_column(default=10)  # every resident round, whatever its method
    # 公示期: a notice's objection period lasts at least this many days and holds the start of
    # work until it ends; 0: the rules set no period (no hold).
    objection_days: Mapped[int] = mapped_column(default=5, server_default="5")
    satisfaction_threshold_percent: Mapped[int] = mapped_column(default=60)
    # Ending a rating window before its date needs at least this many ratings (a handful of early
    # ratings must not close a two-week evaluation).
    early_close_min_ratings: Mapped[int] = mapped_column(default=20, server_default="20")
    # 代录: how many acts one grid worker or committee member may enter for residents per day.
    on_behalf_daily_cap: Mapped[int] = mapped_column(default=30, server_default="30")
    # How residents approve the council's adopted amendments of their convention.
    convention_approval: Mapped[str] = mapped_column(
        db.String(10), default=ConventionApproval.ASSEMBLY, server_default=ConventionApproval.ASSEMBLY.value
    )

    # 书面委托: whether a member who cannot attend may give a written proxy, and what it counts for.
    proxy_rule: Mapped[str] = mapped_column(db.String(10), default=ProxyRule.NONE, server_default=ProxyRule.NONE.value)
    # What the chair's console does when a speaking turn's time is up.
    speaking_overrun: Mapped[str] = mapped_column(
        db.String(10), default=SpeakingOverrun.END, server_default=SpeakingOverrun.END.value
    )
    # Draft minutes go to the members for comments this many days before the chair may lock them.
    minutes_comment_days: Mapped[int] = mapped_column(default=3, server_default="3")

    @property
    def quorum(self):
        return Quorum(self.quorum_numerator, self.quorum_denominator, self.quorum_strict)

    def cost_cap(self, project_type):
        return {"service": self.cap_service, "goods": self.cap_goods, "works": self.cap_works}[project_type]

    @property
    def in_draft(self):
        return self.status == RuleStatus.DRAFT

    @property
    def withdrawable(self):
        """The committee may take it back: before the council decides, or before the residents' round opens."""
        return self.status in (RuleStatus.DRAFT, RuleStatus.AWAITING_RESIDENTS)

    def support_threshold(self, residents):
        """Supports needed to reach review; `residents` is the base of a share (services.support_base)."""
        if self.support_threshold_kind == ThresholdKind.SHARE:
            return max(1, -(-residents * self.support_threshold_percent // 100))
        return self.support_threshold_count
