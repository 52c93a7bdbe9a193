"""五社联动: the partners who deliver decided micro-matters with the community.

Partners (social organisations, social workers, volunteer teams, charity funds) have a public
profile and a contact only the committee sees. Residents sign up as Volunteers. A decided
matter's implementation record gets DeliveryTasks; volunteers sign up themselves, partners are
signed up by the committee (TaskSignup); the committee confirms sign-ups and, after the task,
the volunteers' service time (志愿服务时长), in minutes.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.i18n import N_
from app.core.labels import Labelled
from app.extensions import db
from app.models_base import CommunityId, CreatedAt, IntPK, UpdatedAt, UserId

if TYPE_CHECKING:
    from app.auth.models import User
    from app.communities.models import Community
    from app.tracker.models import ImplementationRecord


class PartnerKind(Labelled):
    SOCIAL_ORGANISATION = "social_organisation", N_("Social organisation (社会组织)")
    SOCIAL_WORKER = "social_worker", N_("Social worker (社工)")
    VOLUNTEER_TEAM = "volunteer_team", N_("Volunteer team (志愿者队伍)")
    CHARITY_FUND = "charity_fund", N_("Community fund or charity (社区基金/慈善资源)")


class SignupStatus(Labelled):
    PENDING = "pending", N_("Waiting for confirmation")
    CONFIRMED = "confirmed", N_("Confirmed")
    DECLINED = "declined", N_("Declined")


class Partner(db.Model):
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    kind: Mapped[str] = mapped_column(db.String(30))
    name: Mapped[str] = mapped_column(db.String(80))
    description: Mapped[str] = mapped_column(db.Text, default="")  # what they do (public)
    contact: Mapped[str] = mapped_column(db.String(120), default="")  # for the committee only
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    community: Mapped["Community"] = relationship()


class Volunteer(db.Model):
    """A verified member of the community who offered to help; named in public only if they agreed."""

    __table_args__ = (UniqueConstraint("community_id", "user_id"),)

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    user_id: Mapped[UserId]
    skills: Mapped[str] = mapped_column(db.String(200), default="")
    availability: Mapped[str] = mapped_column(db.String(200), default="")
    show_name: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    community: Mapped["Community"] = relationship()
    user: Mapped["User"] = relationship()


class DeliveryTask(db.Model):
    __table_args__ = (
        CheckConstraint("people_needed >= 1", name="people_needed_positive"),
        CheckConstraint("length_minutes > 0", name="length_positive"),
    )

    id: Mapped[IntPK]
    community_id: Mapped[CommunityId]
    record_id: Mapped[int] = mapped_column(ForeignKey("implementation_record.id"), index=True)
    title: Mapped[str] = mapped_column(db.String(80))
    people_needed: Mapped[int]
    task_date: Mapped[date] = mapped_column(index=True)
    length_minutes: Mapped[int]  # how long the task takes; nobody is credited more than this
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]

    community: Mapped["Community"] = relationship()
    record: Mapped["ImplementationRecord"] = relationship()
    signups: Mapped[list["TaskSignup"]] = relationship(back_populates="task", order_by="TaskSignup.id")

    @property
    def places_taken(self):
        """People signed up and not declined: a pending sign-up holds its place until the committee decides."""
        return sum(s.people for s in self.signups if s.status != SignupStatus.DECLINED)

    @property
    def is_full(self):
        return self.places_taken >= self.people_needed


class TaskSignup(db.Model):
    """One volunteer (people = 1) or one partner (with the people it sends) on a task."""

    __table_args__ = (
        UniqueConstraint("task_id", "volunteer_id"),
        UniqueConstraint("task_id", "partner_id"),
        CheckConstraint("(volunteer_id IS NULL) <> (partner_id IS NULL)", name="volunteer_or_partner"),
        CheckConstraint("people >= 1", name="people_positive"),
        CheckConstraint("minutes IS NULL OR minutes > 0", name="minutes_positive"),
    )

    id: Mapped[IntPK]
    task_id: Mapped[int] = mapped_column(ForeignKey("delivery_task.id"), index=True)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("volunteer.id"), index=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner.id"), index=True)
    people: Mapped[int] = mapped_column(default=1)
    status: Mapped[str] = mapped_column(db.String(12), default=SignupStatus.PENDING)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[CreatedAt]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None]
    # The volunteer's confirmed service time (志愿服务时长), logged by the committee after the task.
    minutes: Mapped[int | None]
    hours_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hours_confirmed_at: Mapped[datetime | None]

    task: Mapped[DeliveryTask] = relationship(back_populates="signups")
    volunteer: Mapped[Volunteer | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
