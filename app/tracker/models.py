"""Implementation records (协商成果落实反馈): from an approval to the residents' verdict.

One ImplementationRecord per approved micro-matter, created automatically when the
matter is approved (see hooks.py). The committee plans Milestones, posts
ProgressUpdates, records SpendingEntries; after acceptance (验收) it opens an
EvaluationWindow in which verified residents give one Evaluation (a 1-5 star rating)
each. When residents are not satisfied a Rectification (整改) follows, with its own
milestones, then a new acceptance and a new window.
"""

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, EnteredOnBehalf, IntPK, UpdatedAt, UserId, utcnow

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.core.uploads import StoredPhoto
    from app.matters.models import MicroMatter


class RecordState(Labelled):
    PLANNED = "planned", N_("Planned")
    IN_PROGRESS = "in_progress", N_("In progress")
    PAUSED = "paused", N_("Paused")
    COMPLETED = "completed", N_("Completed (accepted)")  # accepted (验收), waiting for the evaluation window
    EVALUATION = "evaluation", N_("Residents' evaluation")
    RECTIFICATION = "rectification", N_("Rectification")  # 整改
    CLOSED = "closed", N_("Closed")
    CANCELLED = "cancelled", N_("Cancelled")  # before acceptance, with a public reason


# States after which nothing more happens to a record.
FINISHED_STATES = (RecordState.CLOSED, RecordState.CANCELLED)


# The micro-matter status each record state goes with (lifecycle.Status values).
MATTER_STATUS = {
    RecordState.PLANNED: "approved",
    RecordState.IN_PROGRESS: "implementing",
    RecordState.PAUSED: "implementing",
    RecordState.COMPLETED: "completed",
    RecordState.EVALUATION: "evaluating",
    RecordState.RECTIFICATION: "rectifying",
    RecordState.CLOSED: "closed",
    RecordState.CANCELLED: "cancelled",
}


class DecidedBy(StrEnum):
    MEETING = "meeting"  # a council motion
    ROUND = "round"  # a resident voting round
    OTHER = "other"


class Relation(StrEnum):
    """Who gave a rating, relative to the micro-matter (snapshot at rating time)."""

    PROPOSER = "proposer"
    SUPPORTER = "supporter"
    RESIDENT = "resident"


class ResponseKind(StrEnum):
    RECTIFICATION = "rectification"
    REASON = "reason"


class ImplementationRecord(db.Model):
    __table_args__ = (
        CheckConstraint("progress_percent >= 0 AND progress_percent <= 100", name="progress_range"),
        CheckConstraint("approved_budget >= 0", name="budget_not_negative"),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    matter_id: Mapped[int] = mapped_column(ForeignKey("micro_matter.id"), unique=True)
    state: Mapped[str] = mapped_column(db.String(20), index=True, default=RecordState.PLANNED)
    approved_budget: Mapped[int] = mapped_column(default=0)  # yuan
    responsible_unit: Mapped[str] = mapped_column(db.String(120), default="")
    contact: Mapped[str] = mapped_column(db.String(120), default="")
    planned_start: Mapped[date | None]
    planned_end: Mapped[date | None]
    progress_percent: Mapped[int] = mapped_column(default=0)
    # What decided it: the ids the council or voting feature passed with the approval.
    decided_by: Mapped[str] = mapped_column(db.String(10), default=DecidedBy.OTHER)
    meeting_id: Mapped[int | None]
    motion_id: Mapped[int | None]
    round_id: Mapped[int | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    started_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(db.String(300))
    paused_at: Mapped[datetime | None]
    # The first acceptance (验收); a rectification's acceptance is kept on the Rectification.
    accepted_on: Mapped[date | None]
    acceptance_note: Mapped[str] = mapped_column(db.Text, default="")
    completed_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]  # closed after the evaluation, or cancelled
    cancel_reason: Mapped[str | None] = mapped_column(db.Text)  # published
    # Optimistic lock: two committee members acting at once cannot both move it.
    version_id: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_id}

    community: Mapped["Community"] = relationship()
    matter: Mapped["MicroMatter"] = relationship()
    milestones: Mapped[list["Milestone"]] = relationship(
        back_populates="record", order_by="(Milestone.planned_date, Milestone.id)"
    )
    updates: Mapped[list["ProgressUpdate"]] = relationship(back_populates="record", order_by="ProgressUpdate.id.desc()")
    spending: Mapped[list["SpendingEntry"]] = relationship(
        back_populates="record", order_by="(SpendingEntry.spent_on, SpendingEntry.id)"
    )
    windows: Mapped[list["EvaluationWindow"]] = relationship(
        back_populates="record", order_by="EvaluationWindow.number"
    )
    rectifications: Mapped[list["Rectification"]] = relationship(back_populates="record", order_by="Rectification.id")

    @property
    def spent(self):
        return sum(entry.amount for entry in self.spending)

    @property
    def current_window(self):
        return self.windows[-1] if self.windows else None

    @property
    def current_rectification(self):
        if self.state == RecordState.RECTIFICATION and self.rectifications:
            return self.rectifications[-1]
        return None

    def __repr__(self):
        return f"<ImplementationRecord {self.id} matter={self.matter_id} {self.state}>"


class Milestone(db.Model):
    id: Mapped[IntPK]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    rectification_id: Mapped[int | None] = mapped_column(ForeignKey("rectification.id"))
    title: Mapped[str] = mapped_column(db.String(120))
    planned_date: Mapped[date]
    done_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(db.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    done_at: Mapped[datetime | None]  # when it was marked done (done_on is the day the work was done)

    record: Mapped[ImplementationRecord] = relationship(back_populates="milestones")
    rectification: Mapped["Rectification | None"] = relationship(back_populates="milestones")
    photos: Mapped[list["MilestonePhoto"]] = relationship(order_by="MilestonePhoto.id")

    @property
    def is_done(self):
        return self.done_on is not None


class MilestonePhoto(db.Model):
    id: Mapped[IntPK]
    milestone_id: Mapped[int] = mapped_column(ForeignKey("milestone.id"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("stored_photo.id"), unique=True)

    photo: Mapped["StoredPhoto"] = relationship()


class ProgressUpdate(db.Model):
    """A status update: text, photos, and the progress percentage when it changed."""

    id: Mapped[IntPK]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(db.Text, default="")  # Markdown as written
    body_html: Mapped[str] = mapped_column(db.Text, default="")
    progress_percent: Mapped[int | None]  # the new percentage, when this update changed it
    created_at: Mapped[CreatedAt]

    record: Mapped[ImplementationRecord] = relationship(back_populates="updates")
    author: Mapped["User | None"] = relationship()
    photos: Mapped[list["ProgressUpdatePhoto"]] = relationship(order_by="ProgressUpdatePhoto.id")


class ProgressUpdatePhoto(db.Model):
    id: Mapped[IntPK]
    update_id: Mapped[int] = mapped_column(ForeignKey("progress_update.id"), index=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("stored_photo.id"), unique=True)

    photo: Mapped["StoredPhoto"] = relationship()


class SpendingEntry(db.Model):
    __table_args__ = (CheckConstraint("amount > 0", name="amount_positive"),)

    id: Mapped[IntPK]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    amount: Mapped[int]  # yuan
    spent_on: Mapped[date]
    purpose: Mapped[str] = mapped_column(db.String(200))
    # Required when this entry takes the total above the approved budget (published).
    over_budget_reason: Mapped[str | None] = mapped_column(db.String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    record: Mapped[ImplementationRecord] = relationship(back_populates="spending")


class EvaluationWindow(db.Model):
    """The period in which residents rate a completed project. A rectification leads to a new window."""

    __table_args__ = (UniqueConstraint("record_id", "number"),)

    id: Mapped[IntPK]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    number: Mapped[int]  # 1 for the first evaluation, 2 after a first rectification, ...
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    ended_early: Mapped[bool] = mapped_column(default=False)
    # The rule in force when the window opened (RuleSet.satisfaction_threshold_percent) and its version.
    threshold_percent: Mapped[int]
    ruleset_id: Mapped[int | None] = mapped_column(ForeignKey("rule_set.id"))
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The committee's answer to a result below the threshold.
    response_kind: Mapped[str | None] = mapped_column(db.String(20))
    response_reason: Mapped[str | None] = mapped_column(db.Text)
    responded_at: Mapped[datetime | None]
    responded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    record: Mapped[ImplementationRecord] = relationship(back_populates="windows")
    evaluations: Mapped[list["Evaluation"]] = relationship(back_populates="window", order_by="Evaluation.id")

    def is_open(self, now=None):
        now = now or clock.now()
        return self.opens_at <= now < self.closes_at

    def has_ended(self, now=None):
        return (now or clock.now()) >= self.closes_at

    @property
    def display_end(self):
        """The last moment of the window, for "open until" (closes_at itself is the next day's 00:00)."""
        return self.closes_at - timedelta(minutes=1)


class Evaluation(EnteredOnBehalf, db.Model):
    """One resident's rating of a completed project: 1-5 stars, once per window (the database says
    so), their own or recorded for them (代录)."""

    __table_args__ = (
        UniqueConstraint("window_id", "user_id"),
        CheckConstraint("stars >= 1 AND stars <= 5", name="stars_range"),
    )

    id: Mapped[IntPK]
    window_id: Mapped[int] = mapped_column(ForeignKey("evaluation_window.id"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    user_id: Mapped[UserId]
    stars: Mapped[int]
    comment: Mapped[str] = mapped_column(db.String(500), default="")
    relation: Mapped[str] = mapped_column(db.String(10), default=Relation.RESIDENT)
    created_at: Mapped[CreatedAt]

    window: Mapped[EvaluationWindow] = relationship(back_populates="evaluations")


class Rectification(db.Model):
    """整改: opened when residents are not satisfied; has its own milestones and acceptance."""

    id: Mapped[IntPK]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    window_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_window.id"))
    reason: Mapped[str] = mapped_column(db.Text)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_on: Mapped[date | None]
    acceptance_note: Mapped[str] = mapped_column(db.Text, default="")
    completed_at: Mapped[datetime | None]

    record: Mapped[ImplementationRecord] = relationship(back_populates="rectifications")
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="rectification", order_by="(Milestone.planned_date, Milestone.id)"
    )
